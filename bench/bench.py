"""Benchmarks that print their figures: ``python bench/bench.py [--quick] [--json out.json]``.

Each case runs in a fresh child process (so its peak memory is its own), repeats after a
warm-up and reports the median.  Machines here are shared and noisy: read ratios and medians.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

CASES = {}


def case(name):
    def register(func):
        CASES[name] = func
        return func
    return register


def _stack(layers: int):
    import symparam as S
    from symparam.layers import Dense
    u, d = S.dims("u d")
    return S.Sequential([S.Input((d,))] + [Dense(u) for _ in range(layers)])


@case("stack-1000")
def stack_1000():
    return _stack(1000).summary().total


@case("stack-10000")
def stack_10000():
    return _stack(10_000).summary().total


@case("varied-stack-1000")
def varied_stack_1000():
    """Every layer a different width: no derivation can be reused."""
    import symparam as S
    from symparam.layers import Dense
    u = S.dim("u")
    return S.Sequential([S.Input((u,))] + [Dense(u + i) for i in range(1000)]).summary().total


@case("evaluate-once")
def evaluate_once():
    import sympy
    import symparam as S
    from symparam.layers import LSTM
    u, d = S.dims("u d")
    params = LSTM(u).derive((None, 25, d)).params
    return params.xreplace({u: sympy.Integer(128), d: sympy.Integer(256)})


@case("sweep-1e6")
def sweep():
    import numpy as np
    import sympy
    import symparam as S
    from symparam.layers import LSTM
    u, d = S.dims("u d")
    params = LSTM(u).derive((None, 25, d)).params
    evaluate = sympy.lambdify((u, d), params, "numpy")
    widths = np.arange(1, 1_000_001, dtype=np.int64)
    return int(evaluate(widths, 256).max())


def child(name: str, repeats: int) -> dict:
    """Run one case in this process: warm-up, repeats, median, peak memory."""
    import resource
    func = CASES[name]
    func()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"case": name, "median_s": statistics.median(times), "min_s": min(times),
            "repeats": repeats, "peak_mb": peak_kb / 1024}


def run(name: str, repeats: int) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", name, "--repeats", str(repeats)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--child")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument("--json", help="also write the figures to this file")
    options = parser.parse_args()
    if options.child:
        print(json.dumps(child(options.child, options.repeats)))
        return
    repeats = 2 if options.quick else options.repeats
    results = [run(name, 1 if name == "stack-10000" else repeats) for name in CASES]
    print(f"{'case':<22}{'median':>12}{'peak MB':>10}")
    for r in results:
        print(f"{r['case']:<22}{r['median_s'] * 1000:>10.2f}ms{r['peak_mb']:>10.0f}")
    by = {r["case"]: r for r in results}
    growth = by["stack-10000"]["median_s"] / by["stack-1000"]["median_s"]
    print(f"growth 1,000 -> 10,000 layers: x{growth:.1f} (linear would be x10)")
    if options.json:
        with open(options.json, "w") as handle:
            json.dump(results, handle, indent=2)


if __name__ == "__main__":
    main()
