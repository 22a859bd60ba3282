"""The work the benchmark times: symparam's answers and the frameworks' builds of the same models.

Each function imports what it needs when called, so a child process that runs one side imports
only that side (its peak memory is its own).  ``bench.py`` runs these in child processes.
"""

from __future__ import annotations

import gc
import json
import random
import statistics
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KERAS_MODELS = {  # bench/make_configs.py writes the first two; docs/examples/make_keras_files.py
    "VGG16": ROOT / "bench" / "configs" / "vgg16.json",
    "ResNet50": ROOT / "bench" / "configs" / "resnet50.json",
    "video QA": ROOT / "docs" / "examples" / "video_qa.keras",
}
GPT_SPEC = ROOT / "docs" / "examples" / "gpt.yaml"
#: the published configurations, as in ``symparam.analysis.family`` (checked by tests/test_bench_smoke.py)
GPT_SIZES = {
    "GPT-2 small": dict(V=50257, n=1024, d=768, L=12, h=12),
    "GPT-2 XL": dict(V=50257, n=1024, d=1600, L=48, h=25),
    "GPT-3 175B": dict(V=50257, n=2048, d=12288, L=96, h=96),
}
GPT3_PARAMS = 174_604_259_328  # Brown et al. 2020 with tied embeddings


def median_times(func, repeats: int) -> tuple[list, object]:
    """``func()`` timed ``repeats`` times (after the caller's warm-up); the times and the last
    result."""
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return times, result


def summary_of(times: list) -> dict:
    return {"median_s": statistics.median(times), "min_s": min(times), "repeats": len(times)}


def peak_mb() -> float:
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- symparam ---------------------------------------------------------------------------------
def fresh_derivations() -> None:
    """Forget every cached derivation, so that the next answer derives from scratch."""
    from symparam.engine.cache import DERIVATIONS
    DERIVATIONS.clear()


def symparam_keras(name: str) -> int:
    import symparam
    return int(symparam.from_keras(KERAS_MODELS[name]).summary().total)


def symparam_gpt_summary():
    """The symbolic GPT family: one derivation for every size."""
    import symparam
    return symparam.load_spec(GPT_SPEC).model.summary()


def gpt_values(config: dict) -> dict:
    """``xreplace`` values for the derived GPT total (its symbols are found by name)."""
    import symparam
    return {symparam.dim(name): value for name, value in config.items()}


def symparam_gpt(config: dict) -> int:
    return int(symparam_gpt_summary().subs(**config).total)


def compiled(total):
    """The derived total as a plain Python function of keyword sizes (``lambdify``), checked to
    be a polynomial with integer coefficients so that Python's integers keep it exact."""
    import sympy
    symbols = sorted(total.free_symbols, key=lambda s: s.name)
    if not all(c.is_Integer for c in sympy.Poly(total, *symbols).coeffs()):
        raise ValueError(f"not a polynomial with integer coefficients: {total}")
    function = sympy.lambdify(symbols, total, "math")
    names = [s.name for s in symbols]
    return lambda **config: function(*(config[name] for name in names))


def random_gpt_configs(count: int, seed: int = 0) -> list:
    """Configurations no earlier run has seen (head width 64, as GPT-2 and GPT-3)."""
    rng = random.Random(seed)
    configs = []
    for _ in range(count):
        heads = rng.randint(8, 40)
        configs.append(dict(V=rng.randint(30_000, 60_000), n=rng.choice([512, 1024, 2048]),
                            d=64 * heads, L=rng.randint(6, 48), h=heads))
    return configs


def symbolic_stack(kind: str, layers: int):
    """A symbolic Sequential of ``layers`` Dense layers.

    ``uniform``: every layer ``Dense(u)`` (identical configurations, derived once each);
    ``cycle``: widths cycling through ``u, 2u, 4u, d`` with a Dropout after every Dense (a
    realistic deep MLP: few distinct configurations); ``varied``: ``Dense(u + i)``, every layer
    different, so no derivation can be reused (the worst case).
    """
    import symparam
    from symparam.layers import Dense, Dropout
    u, d = symparam.dims("u d")
    if kind == "uniform":
        body = [Dense(u) for _ in range(layers)]
    elif kind == "cycle":
        widths = [u, 2 * u, 4 * u, d]
        body = [Dense(widths[i // 2 % 4]) if i % 2 == 0 else Dropout(0.1) for i in range(layers)]
    else:
        body = [Dense(u + i) for i in range(layers)]
    return symparam.Sequential([symparam.Input((d,))] + body)


# -- Keras ------------------------------------------------------------------------------------
def keras_module():
    import os
    os.environ.setdefault("KERAS_BACKEND", "jax")
    import keras
    return keras


def keras_config_text(path: Path) -> str:
    if path.suffix == ".keras":
        with zipfile.ZipFile(path) as archive:
            return archive.read("config.json").decode("utf-8")
    return path.read_text()


def keras_count(name: str) -> int:
    """Keras builds the model from the same config (allocating its weights) and counts."""
    keras = keras_module()
    model = keras.models.model_from_json(keras_config_text(KERAS_MODELS[name]))
    count = int(model.count_params())
    if keras.backend.backend() == "jax":  # JAX fills the weights asynchronously: wait for them
        import jax
        jax.block_until_ready([v.value for v in model.weights])
    return count


def keras_release() -> None:
    """Free the models built so far (outside the timed region)."""
    gc.collect()
    keras_module().backend.clear_session()


# -- PyTorch ----------------------------------------------------------------------------------
def torch_gpt(config: dict, device: str) -> int:
    """GPT-2 as in Radford et al. 2019 (Hugging Face's module layout), built on ``device`` and
    counted; the output layer shares the token embedding, as in ``gpt.yaml``."""
    import torch
    from torch import nn

    d, h = config["d"], config["h"]

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln_1, self.ln_2 = nn.LayerNorm(d), nn.LayerNorm(d)
            self.c_attn, self.attn_proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
            self.c_fc, self.mlp_proj = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)
            self.heads = h

    class GPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.wte = nn.Embedding(config["V"], d)
            self.wpe = nn.Embedding(config["n"], d)
            self.h = nn.ModuleList(Block() for _ in range(config["L"]))
            self.ln_f = nn.LayerNorm(d)
            self.lm_head = nn.Linear(d, config["V"], bias=False)
            self.lm_head.weight = self.wte.weight

    with torch.device(device):
        model = GPT()
    return sum(p.numel() for p in model.parameters())  # parameters() lists a shared one once


# -- whole fresh processes (what a user waits for) --------------------------------------------
def process(tool: str, case: str, size: str | None = None) -> None:
    """One answer in this fresh process; prints the count, import time and answer time."""
    start = time.perf_counter()
    if tool == "symparam":
        import symparam  # noqa: F401
    elif tool == "keras":
        keras_module()
    else:
        import torch  # noqa: F401
    imported = time.perf_counter()
    if case == "keras":
        count = symparam_keras(size) if tool == "symparam" else keras_count(size)
    elif tool == "symparam":
        count = symparam_gpt(GPT_SIZES[size])
    else:
        count = torch_gpt(GPT_SIZES[size], tool.split(":")[1])
    done = time.perf_counter()
    print(json.dumps({"count": count, "import_s": imported - start, "answer_s": done - imported}))
