"""symparam against building the model in Keras and PyTorch: ``python bench/bench.py``.

Prints a table of medians (and writes them to ``bench/results.json``, or ``--json PATH``) and
checks the targets of issue 8.  Every case runs in child processes: an in-process case warms up
and then times each side of its comparison in turn, repeat after repeat, so that the ratios hold
on a noisy shared machine (the garbage collector off during each timed call, as ``timeit`` does);
a whole-process case starts a fresh interpreter per answer, alternating the sides, and reads its
peak memory (``ru_maxrss``) from ``os.wait4``.  Keras on JAX fills weights asynchronously: its
side waits for them (``jax.block_until_ready``) before the clock stops.

    python bench/bench.py                  # everything, about 4 minutes on 2 cores
    python bench/bench.py --quick          # 2 repeats, 1 process per side, no 6 GB CPU build
    python bench/bench.py --only VGG16,stacks
    python bench/bench.py --only scale     # issue 18: deep, strided and distinct models

Needs Keras 3 with JAX and PyTorch (``pip install ".[test]"``) for the framework sides; the
Keras configs are in ``bench/configs`` (``bench/make_configs.py`` regenerates them).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(BENCH)]

import report  # noqa: E402  (bench/report.py: the table and the targets)
import workloads as w  # noqa: E402

KERAS_CASES = tuple(w.KERAS_MODELS)
GPT_CASES = ("GPT-2 small", "GPT-2 XL", "GPT-3 175B")
STACKS = {"uniform": (1000, 2500, 5000, 10_000), "cycle": (1000, 10_000), "varied": (250, 1000)}


def child(module: str, function: str, **kwargs) -> dict:
    """Run ``module.function(**kwargs)`` in a fresh interpreter: its printed JSON result, the
    wall time of the whole process and its peak resident memory."""
    code = (f"import sys; sys.path[:0] = {[str(BENCH), str(ROOT)]!r}; import json, {module}; "
            f"r = {module}.{function}(**json.loads({json.dumps(kwargs)!r})); "
            f"r is None or print(json.dumps(r))")
    env = dict(os.environ, KERAS_BACKEND="jax", JAX_PLATFORMS="cpu", TF_CPP_MIN_LOG_LEVEL="3",
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-c", code], stdout=out, stderr=err,
                                   env=env, cwd=ROOT)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0), err.seek(0)
        if process.returncode:
            raise RuntimeError(f"{module}.{function}({kwargs}) failed:\n{err.read()[-2000:]}")
        lines = out.read().strip().splitlines()
    result = json.loads(lines[-1]) if lines else {}
    result.update(wall_s=wall, peak_mb=usage.ru_maxrss / 1024)
    return result


def processes(sides: dict, repeats: int) -> dict:
    """Whole fresh processes, the sides alternating: medians of wall time, answer time (the
    first answer after the imports) and peak memory, per side."""
    runs = {side: [] for side in sides}
    for _ in range(repeats):
        for side, kwargs in sides.items():
            runs[side].append(child("workloads", "process", **kwargs))
    return {side: {"wall_s": statistics.median(r["wall_s"] for r in found),
                   "answer_s": statistics.median(r["answer_s"] for r in found),
                   "import_s": statistics.median(r["import_s"] for r in found),
                   "peak_mb": statistics.median(r["peak_mb"] for r in found),
                   "count": found[-1]["count"], "runs": len(found)}
            for side, found in runs.items()}


def keras_case(name: str, options) -> dict:
    warm = child("cases", "keras", name=name, repeats=options.repeats)
    whole = processes({"symparam": dict(tool="symparam", case="keras", size=name),
                       "keras": dict(tool="keras", case="keras", size=name)},
                      options.process_repeats)
    return {"warm": warm, "process": whole}


def gpt_case(size: str, options) -> dict:
    small = size == "GPT-2 small"
    cpu_repeats = 0 if size == "GPT-3 175B" else options.repeats if small else \
        (0 if options.quick else 2)
    warm = child("cases", "gpt", size=size, repeats=options.repeats, cpu_repeats=cpu_repeats)
    sides = {"symparam": dict(tool="symparam", case="gpt", size=size),
             "torch_meta": dict(tool="torch:meta", case="gpt", size=size)}
    if small:
        sides["torch_cpu"] = dict(tool="torch:cpu", case="gpt", size=size)
    whole = processes(sides, options.process_repeats)
    if cpu_repeats and not small:  # one 6 GB build, for its peak memory
        whole.update(processes({"torch_cpu": dict(tool="torch:cpu", case="gpt", size=size)}, 1))
    return {"warm": warm, "process": whole}


def stacks_case(options) -> dict:
    found = {}
    for kind, sizes in STACKS.items():
        for layers in sizes[:1] if options.quick and kind == "varied" else sizes:
            repeats = 2 if kind == "varied" or options.quick else options.repeats
            found[f"{kind}-{layers}"] = child("cases", "stack", kind=kind, layers=layers,
                                              repeats=repeats)
    return found


def scale_case(options) -> dict:
    """Issue 18's shapes, each at two sizes (``bench/scale.py``): in-process medians, and
    whole ``python -m symparam model`` processes for the CLI kinds."""
    import scale
    found = {}
    repeats = 2 if options.quick else 3
    for kind, sizes in scale.KINDS.items():
        for size in sizes:
            found[f"{kind}-{size}"] = child("scale", "run", kind=kind, size=size,
                                            repeats=repeats)
    for kind, sizes in scale.CLI_KINDS.items():
        for size in sizes:
            found[f"{kind}-{size}"] = scale.cli(kind, size, "text", options.process_repeats)
    for fmt in ("json", "markdown"):
        found[f"cli-sequential-{fmt}"] = scale.cli("cli-sequential", 10_000, fmt,
                                                   options.process_repeats)
    return found


def evaluate_case(options) -> dict:
    return child("cases", "evaluate", repeats=40 if options.quick else 200,
                 sweep_size=1_000_000)


def environment() -> dict:
    versions = {}
    for package in ("sympy", "numpy", "keras", "jax", "torch"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    meminfo = Path("/proc/meminfo")
    lines = meminfo.read_text().splitlines() if meminfo.exists() else []
    memory = next((int(line.split()[1]) // 1024 for line in lines
                   if line.startswith("MemTotal")), None)
    return {"python": platform.python_version(), "cpus": os.cpu_count(), "memory_mb": memory,
            "load_average": os.getloadavg(),
            "machine": platform.machine(), "versions": versions}


def selected(name: str, only) -> bool:
    return not only or any(token.lower() in name.lower() for token in only)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 repeats, 1 process per side")
    parser.add_argument("--repeats", type=int, help="in-process repeats (5; --quick 2)")
    parser.add_argument("--process-repeats", type=int,
                        help="fresh processes per side (3; --quick 1)")
    parser.add_argument("--only", help="comma-separated case names (VGG16, GPT-2 XL, stacks...)")
    parser.add_argument("--json", default=str(BENCH / "results.json"), help="output file")
    options = parser.parse_args(argv)
    options.repeats = options.repeats or (2 if options.quick else 5)
    options.process_repeats = options.process_repeats or (1 if options.quick else 3)
    only = [token.strip() for token in options.only.split(",")] if options.only else []
    started = time.perf_counter()
    results = {"environment": environment(), "keras": {}, "gpt": {}}
    for name in KERAS_CASES:
        if selected(name, only):
            results["keras"][name] = keras_case(name, options)
    for size in GPT_CASES:
        if selected(size, only):
            results["gpt"][size] = gpt_case(size, options)
    if selected("stacks", only):
        results["stacks"] = stacks_case(options)
    if selected("evaluate", only):
        results["evaluate"] = evaluate_case(options)
    if selected("scale", only):
        results["scale"] = scale_case(options)
    results["seconds"] = time.perf_counter() - started
    results["targets"] = report.targets(results)
    print(report.table(results))
    Path(options.json).write_text(json.dumps(results, indent=1) + "\n")
    print(f"\nwritten to {options.json} ({results['seconds']:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
