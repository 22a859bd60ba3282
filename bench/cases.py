"""In-process cases: each runs in its own child process, warms up, then times every side of its
comparison in turn, repeat after repeat (so a burst of load on a shared machine hits both sides),
and returns medians as a dict.  ``bench.py`` starts them.
"""

from __future__ import annotations

import gc
import time

import workloads as w


def keras(name: str, repeats: int) -> dict:
    """symparam's summary (derivations cached, and from scratch) vs Keras building the model."""
    w.symparam_keras(name)
    w.keras_count(name)
    w.keras_release()
    times = {"symparam": [], "symparam_uncached": [], "keras": []}
    counts = {}
    for _ in range(repeats):
        counts["symparam"] = _timed(times["symparam"], lambda: w.symparam_keras(name))
        w.fresh_derivations()
        counts["symparam_uncached"] = _timed(times["symparam_uncached"],
                                             lambda: w.symparam_keras(name))
        counts["keras"] = _timed(times["keras"], lambda: w.keras_count(name))
        w.keras_release()
    return _result(times, counts)


def gpt(size: str, repeats: int, cpu_repeats: int) -> dict:
    """The GPT family: symparam's first derivation and its answer at new configurations, vs
    PyTorch building the model on the ``meta`` device and on the CPU."""
    config = w.GPT_SIZES[size]
    w.symparam_gpt(config)
    w.torch_gpt(config, "meta")
    if cpu_repeats:
        w.torch_gpt(w.GPT_SIZES["GPT-2 small"], "cpu")
    total = w.symparam_gpt_summary().total
    times = {"symparam_first": [], "symparam_compile": [], "symparam_new_config": [],
             "symparam_new_config_xreplace": [], "torch_meta": [], "torch_meta_new_config": [],
             "torch_cpu": []}
    formula = _timed(times["symparam_compile"], lambda: w.compiled(total))
    fresh = w.random_gpt_configs(repeats, seed=len(size))
    counts, agree = {}, True
    for i in range(repeats):
        w.fresh_derivations()
        counts["symparam_first"] = _timed(times["symparam_first"], lambda: w.symparam_gpt(config))
        new = _timed(times["symparam_new_config"], lambda: formula(**fresh[i]))
        exact = _timed(times["symparam_new_config_xreplace"],
                       lambda: int(total.xreplace(w.gpt_values(fresh[i]))))
        counts["torch_meta"] = _timed(times["torch_meta"], lambda: w.torch_gpt(config, "meta"))
        built = _timed(times["torch_meta_new_config"], lambda: w.torch_gpt(fresh[i], "meta"))
        agree = agree and new == exact == built
        if i < cpu_repeats:
            counts["torch_cpu"] = _timed(times["torch_cpu"], lambda: w.torch_gpt(config, "cpu"))
            gc.collect()
    result = _result({k: v for k, v in times.items() if v}, counts)
    result["new_configs_agree"] = agree
    return result


def stack(kind: str, layers: int, repeats: int) -> dict:
    """Deriving a symbolic stack from scratch (the derivation cache emptied before each run)."""
    w.symbolic_stack(kind, 50).summary()
    times, total = [], None
    for _ in range(repeats):
        w.fresh_derivations()
        gc.collect()
        total = _timed(times, lambda: w.symbolic_stack(kind, layers).summary().total,
                       collect=True)  # alone in its process: the collector's cost is real
    result = w.summary_of(times)
    result.update(kind=kind, layers=layers, total=str(total), peak_mb=w.peak_mb())
    return result


def evaluate(repeats: int, sweep_size: int) -> dict:
    """Evaluating the derived GPT total: once at a new configuration (exact, ``xreplace``), the
    whole summary table (``Summary.subs``), and a sweep of ``sweep_size`` configurations
    (``lambdify`` over NumPy arrays)."""
    import numpy as np
    import sympy

    summary = w.symparam_gpt_summary()
    total = summary.total
    configs = w.random_gpt_configs(2 * repeats + 1, seed=7)
    total.xreplace(w.gpt_values(configs.pop()))
    formula = w.compiled(total)
    once, table, compiled = [], [], []
    for i in range(repeats):
        _timed(once, lambda: int(total.xreplace(w.gpt_values(configs[2 * i]))))
        _timed(compiled, lambda: formula(**configs[2 * i]))
        _timed(table, lambda: summary.subs(**configs[2 * i + 1]).total)
    symbols = sorted(total.free_symbols, key=lambda s: s.name)  # the head count h cancels
    names = [s.name for s in symbols]
    rng = np.random.default_rng(0)
    heads = rng.integers(8, 193, sweep_size)
    grid = {"V": rng.integers(30_000, 60_001, sweep_size),
            "n": rng.choice([1024, 2048], sweep_size),
            "d": 64 * heads, "L": rng.integers(6, 97, sweep_size), "h": heads}
    sweeps, lambdified = [], []
    for _ in range(max(repeats // 20, 3)):
        start = time.perf_counter()
        formula = sympy.lambdify(symbols, total, "numpy")
        lambdified.append(time.perf_counter() - start)
        values = formula(*(grid[name] for name in names))
        sweeps.append(time.perf_counter() - start)
    checks = [int(values[i]) == int(total.xreplace(w.gpt_values(
        {name: int(grid[name][i]) for name in names}))) for i in (0, sweep_size // 2, -1)]
    return {"evaluate_once": w.summary_of(once), "evaluate_compiled": w.summary_of(compiled),
            "summary_subs": w.summary_of(table),
            "sweep": w.summary_of(sweeps), "lambdify": w.summary_of(lambdified),
            "sweep_size": sweep_size, "sweep_exact": all(checks), "peak_mb": w.peak_mb()}


def _timed(times: list, func, collect: bool = False):
    """``func()``, timed with the garbage collector off (as ``timeit`` does) unless ``collect``:
    after Keras built a model the heap holds millions of objects, and a collection they trigger
    would be charged to whichever side happens to run next."""
    if not collect:
        gc.disable()
    try:
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    finally:
        gc.enable()
    return result


def _result(times: dict, counts: dict) -> dict:
    result = {side: w.summary_of(values) for side, values in times.items()}
    result["counts"] = counts
    return result
