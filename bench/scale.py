"""Scale workloads (issue 18): models whose size or depth once made symparam super-linear.

Each kind is built at two sizes ``N`` and ``kN``; ``run`` times one kind in-process (derivation
cache emptied before every repeat, as the Dense stacks are), ``cli`` times a whole fresh
``python -m symparam model`` process on a spec written to a temporary folder.  ``bench.py``
starts both in child processes and reports time per layer and the growth ``t(kN)/t(N)``, which
must stay within 1.5 times the size ratio ``k``.  Each figure is a median of wall time and of
CPU time (``process_time``, or the CLI child's user + system time): on a shared machine the
wall time also counts other people's work, and the growth is judged on CPU time.
"""

from __future__ import annotations

import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import workloads as w

ROOT = Path(__file__).resolve().parent.parent
#: in-process kinds and their two sizes (layers, or blocks for the ResNets)
KINDS = {
    "pooling": (75, 150),             # MaxPooling1D(2, padding="same") on a symbolic length
    "strided-conv": (150, 300),       # Conv1D(c, 3, strides=2) on a symbolic length
    "strided-conv-symbolic": (75, 150),  # Conv1D(c, k, strides=s): k, s symbols too
    "functional": (1000, 10_000),     # a functional chain of Dense(u) through the API
    "keras-functional": (1000, 10_000),  # the same chain read from a Keras config
    "resnet": (50, 152),              # symbolic ResNet-50 / ResNet-152 in H and W
    "distinct": (250, 1000),          # Dense(u_i*v_i + w_i): no two layers alike
    "torch-nested": (150, 300),       # nn.Sequential nested N deep around one nn.Linear
}
#: whole-process CLI kinds (``symparam model SPEC``) and their two sizes
CLI_KINDS = {"cli-sequential": (1000, 10_000), "cli-graph": (1000, 10_000)}
RESNET_BLOCKS = {50: (3, 4, 6, 3), 101: (3, 4, 23, 3), 152: (3, 8, 36, 3)}


def build(kind: str, size: int):
    """The workload: a function returning ``(layer count, answer)`` for ``kind`` at ``size``."""
    import symparam as S
    from symparam.layers import Conv1D, Dense, MaxPooling1D
    n, c, k, s, u, d = S.dims("n c k s u d")
    if kind == "pooling":
        return lambda: _stack(S, (n, c), [MaxPooling1D(2, padding="same") for _ in range(size)])
    if kind == "strided-conv":
        return lambda: _stack(S, (n, c), [Conv1D(c, 3, strides=2) for _ in range(size)])
    if kind == "strided-conv-symbolic":
        return lambda: _stack(S, (n, c), [Conv1D(c, k, strides=s) for _ in range(size)])
    if kind == "functional":
        return lambda: _chain(S, Dense, size, u, d)
    if kind == "keras-functional":
        text = json.dumps(keras_chain_config(size))
        return lambda: _answer(S.from_keras(text).summary(), size)
    if kind == "resnet":
        return lambda: resnet(RESNET_BLOCKS[size])
    if kind == "distinct":
        return lambda: _distinct(S, Dense, size, d)
    if kind == "torch-nested":
        return lambda: _torch_nested(S, size)
    raise ValueError(kind)


def _answer(summary, layers: int):
    last = summary.rows[-1].output_shape
    return layers, {"total": str(summary.total), "output_shape": str(last)}


def _stack(S, shape, layers):
    return _answer(S.Sequential([S.Input(shape)] + layers).summary(), len(layers))


def _chain(S, Dense, size, u, d):
    x = S.Input((d,))
    y = x
    for _ in range(size):
        y = Dense(u)(y)
    return _answer(S.Model(x, y).summary(), size)


def _distinct(S, Dense, size, d):
    layers = [S.Input((d,))]
    for i in range(size):
        u, v, w_ = S.dims(f"u{i} v{i} w{i}")
        layers.append(Dense(u * v + w_))
    summary = S.Sequential(layers).summary()
    return size, {"terms": len(summary.total.args)}


def _torch_nested(S, size):
    from torch import nn
    module = nn.Linear(8, 4)
    for _ in range(size):
        module = nn.Sequential(module)
    summary = S.from_torch(module, input_shape=(None, 8)).summary()
    return size, {"total": str(summary.total), "rows": len(summary.rows)}


def resnet(blocks):
    """ResNet v1 with bottleneck blocks (He et al. 2016; Keras's ``ResNet50`` layout) on a
    symbolic ``H x W`` image: the spatial sizes stay floors of ``H`` and ``W``."""
    import symparam as S
    from symparam.layers import (
        Activation,
        Add,
        BatchNormalization,
        Conv2D,
        Dense,
        GlobalAveragePooling2D,
        MaxPooling2D,
        ZeroPadding2D,
    )
    H, W = S.dims("H W")
    x = S.Input((H, W, 3))
    y = Activation("relu")(BatchNormalization()(Conv2D(64, 7, strides=2)(ZeroPadding2D(3)(x))))
    y = MaxPooling2D(3, strides=2)(ZeroPadding2D(1)(y))
    for stage, (filters, count) in enumerate(zip((64, 128, 256, 512), blocks)):
        for block in range(count):
            stride = 2 if stage > 0 and block == 0 else 1
            z = Activation("relu")(BatchNormalization()(Conv2D(filters, 1, strides=stride)(y)))
            z = Activation("relu")(BatchNormalization()(Conv2D(filters, 3, padding="same")(z)))
            z = BatchNormalization()(Conv2D(4 * filters, 1)(z))
            if block == 0:
                y = BatchNormalization()(Conv2D(4 * filters, 1, strides=stride)(y))
            y = Activation("relu")(Add()([y, z]))
    y = Dense(1000, activation="softmax")(GlobalAveragePooling2D()(y))
    model = S.Model(x, y)
    summary = model.summary()
    spatial = summary.rows[-3].output_shape  # the last block's output, (None, h, w, 2048)
    return len(model.layers), {"total": str(summary.total), "spatial": str(spatial),
                               "at_224": str(summary.subs(H=224, W=224).rows[-3].output_shape)}


def keras_chain_config(layers: int) -> dict:
    """A Keras 3 functional config (as ``model.to_json()`` writes it) of ``layers`` chained
    Dense layers."""
    def tensor(name):
        return {"class_name": "__keras_tensor__", "config": {
            "shape": [None, 8], "dtype": "float32", "keras_history": [name, 0, 0]}}
    entries = [{"module": "keras.layers", "class_name": "InputLayer", "name": "input_layer",
                "registered_name": None, "inbound_nodes": [],
                "config": {"batch_shape": [None, 16], "dtype": "float32",
                           "name": "input_layer"}}]
    previous = "input_layer"
    for i in range(layers):
        name = f"dense_{i}"
        entries.append({"module": "keras.layers", "class_name": "Dense", "name": name,
                        "registered_name": None,
                        "config": {"name": name, "units": 8, "activation": "relu"},
                        "inbound_nodes": [{"args": [tensor(previous)], "kwargs": {}}]})
        previous = name
    return {"class_name": "Functional", "config": {
        "name": "chain", "layers": entries, "input_layers": [["input_layer", 0, 0]],
        "output_layers": [[previous, 0, 0]]}}


def spec(kind: str, size: int) -> dict:
    """A model spec of ``size`` Dense(u) layers: the sequential form or a graph of nodes."""
    if kind == "cli-sequential":
        return {"name": "deep", "input": ["d"], "layers": [{"Dense": {"units": "u"}}] * size}
    nodes, previous = [], "x"
    for i in range(size):
        nodes.append({"name": f"d{i}", "layer": {"Dense": {"units": "u"}},
                      "inputs": [previous]})
        previous = f"d{i}"
    return {"name": "chain", "inputs": {"x": ["d"]}, "nodes": nodes, "outputs": [previous]}


# -- what bench.py runs in child processes ---------------------------------------------------
def run(kind: str, size: int, repeats: int) -> dict:
    """``kind`` at ``size`` in this process: the median of ``repeats`` runs from scratch."""
    work = build(kind, 8 if kind != "resnet" else 50)
    work()  # warm up: imports and first-use costs
    # the imported modules' objects (a constant heap) leave the collector's generations: else
    # the first full collection, which scans them all, falls only in the larger size's run
    # (10,000 layers cross the collector's threshold, 1,000 do not) and reads as growth
    gc.collect()
    gc.freeze()
    work = build(kind, size)
    times, cpu, answer, layers = [], [], None, size
    for _ in range(repeats):
        cold()
        gc.collect()
        start, started = time.perf_counter(), time.process_time()
        layers, answer = work()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - started)
    result = w.summary_of(times)
    result.update(kind=kind, size=size, layers=layers, answer=answer, peak_mb=w.peak_mb(),
                  cpu_s=statistics.median(cpu))
    return result


def cold() -> None:
    """Every run from scratch: no cached derivation, and SymPy's and symparam's memo caches
    empty (else a repeat reuses the floors and ceilings the first run built)."""
    import sympy

    from symparam.core import algebra, args, dims
    from symparam.report import jsonview, render
    w.fresh_derivations()
    sympy.core.cache.clear_cache()
    for cached in (dims._parse_text, args._size_problem, render._printed, jsonview.written,
                   algebra.tidy):
        cached.cache_clear()


def cli(kind: str, size: int, fmt: str, repeats: int) -> dict:
    """Whole fresh ``python -m symparam model SPEC --format fmt`` processes: median wall."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "spec.json"
        path.write_text(json.dumps(spec(kind, size)))
        command = [sys.executable, "-m", "symparam", "model", str(path), "--format", fmt]
        times, cpu, size_out = [], [], 0
        for _ in range(repeats):
            with tempfile.TemporaryFile() as out:
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                start = time.perf_counter()
                done = subprocess.run(command, stdout=out, stderr=subprocess.PIPE, cwd=ROOT,
                                      env=env, check=False)
                times.append(time.perf_counter() - start)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
                size_out = out.tell()
            if done.returncode:
                raise RuntimeError(done.stderr.decode()[-2000:])
    return {"kind": kind, "size": size, "layers": size, "format": fmt,
            "median_s": statistics.median(times), "min_s": min(times), "repeats": repeats,
            "cpu_s": statistics.median(cpu), "output_bytes": size_out}
