"""The benchmark's table and its targets (issue 8), computed from ``bench.py``'s results."""

from __future__ import annotations

import workloads as w

GPT3_WEIGHTS_GB = w.GPT3_PARAMS * 4 / 1e9


def fmt(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    for unit, scale in (("s", 1), ("ms", 1e-3), ("us", 1e-6)):
        if seconds >= scale or unit == "us":
            value = seconds / scale
            return f"{value:.3g} {unit}" if value < 100 else f"{value:.0f} {unit}"
    return "-"


def mb(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f} MB"


def times(slow: float, fast: float) -> str:
    return f"x{slow / fast:,.1f}" if fast else "-"


def fit(points: list[tuple[int, float]]) -> dict:
    """Least-squares ``t = a + b*N`` over (layers, seconds), its R^2 and the growth of t."""
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    sxx = sum((x - mean_x) ** 2 for x, _ in points)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / sxx
    intercept = mean_y - slope * mean_x
    total = sum((y - mean_y) ** 2 for _, y in points)
    residual = sum((y - intercept - slope * x) ** 2 for x, y in points)
    (x0, y0), (x1, y1) = min(points), max(points)
    return {"per_layer_s": slope, "intercept_s": intercept,
            "r2": 1 - residual / total if total else 1.0, "size_ratio": x1 / x0,
            "time_ratio": y1 / y0}


def stack_fits(stacks: dict) -> dict:
    kinds = {}
    for result in stacks.values():
        kinds.setdefault(result["kind"], []).append((result["layers"], result["median_s"]))
    return {kind: fit(sorted(points)) for kind, points in kinds.items() if len(points) > 1}


# -- targets ----------------------------------------------------------------------------------
def targets(results: dict) -> list:
    found = []

    def check(name, measured, required, met):
        found.append({"target": name, "measured": measured, "required": required,
                      "met": bool(met)})

    for name, case in results.get("keras", {}).items():
        warm, whole = case["warm"], case["process"]
        ratio = warm["keras"]["median_s"] / warm["symparam"]["median_s"]
        check(f"{name}: summary vs Keras, in-process warm", f"x{ratio:.1f}", ">= x10", ratio >= 10)
        ratio = whole["keras"]["wall_s"] / whole["symparam"]["wall_s"]
        check(f"{name}: summary vs Keras, whole process", f"x{ratio:.1f}", ">= x10", ratio >= 10)
        if name != "ResNet50":
            ratio = whole["keras"]["peak_mb"] / whole["symparam"]["peak_mb"]
            check(f"{name}: peak memory vs Keras", f"x{ratio:.1f}", ">= x10", ratio >= 10)
        counts = {*warm["counts"].values(), whole["symparam"]["count"], whole["keras"]["count"]}
        check(f"{name}: symparam's count equals Keras's count_params()",
              f"{sorted(counts)}", "one value", len(counts) == 1)
    for size, case in results.get("gpt", {}).items():
        warm, whole = case["warm"], case["process"]
        if size == "GPT-3 175B":
            count = whole["symparam"]["count"]
            check("GPT-3 175B counted exactly", f"{count:,}", f"{w.GPT3_PARAMS:,}",
                  count == w.GPT3_PARAMS)
            seconds = whole["symparam"]["wall_s"]
            check("GPT-3 175B time (whole process, import included)", fmt(seconds), "< 1 s",
                  seconds < 1)
            peak = whole["symparam"]["peak_mb"]
            check("GPT-3 175B peak memory (whole process)", mb(peak), "< 300 MB", peak < 300)
            continue
        ratio = warm["torch_meta_new_config"]["median_s"] / warm["symparam_new_config"]["median_s"]
        check(f"{size}: answer at a new configuration vs meta-device build", f"x{ratio:,.0f}",
              ">= x100", ratio >= 100 and warm["new_configs_agree"])
        ratio = whole["torch_meta"]["answer_s"] / whole["symparam"]["answer_s"]
        check(f"{size}: first derivation vs first meta-device build (fresh processes)",
              f"x{ratio:.1f}", ">= x1", ratio >= 1)
        ratio = whole["torch_meta"]["wall_s"] / whole["symparam"]["wall_s"]
        check(f"{size}: first answer vs meta-device build, whole process", f"x{ratio:.1f}",
              ">= x1", ratio >= 1)
    stacks = results.get("stacks", {})
    limits = ((1000, 1), (10_000, 10))
    for kind in ("uniform", "cycle"):
        for layers, limit in limits:
            result = stacks.get(f"{kind}-{layers}")
            if result:
                check(f"{layers:,}-layer symbolic model ({kind})", fmt(result["median_s"]),
                      f"< {limit} s", result["median_s"] < limit)
    for kind, line in stack_fits(stacks).items():
        if kind != "varied":
            check(f"linear growth ({kind})",
                  f"R^2 {line['r2']:.3f}, time x{line['time_ratio']:.1f} "
                  f"for layers x{line['size_ratio']:.0f}", "R^2 >= 0.95, time ratio <= 1.5 x size",
                  line["r2"] >= 0.95 and line["time_ratio"] <= 1.5 * line["size_ratio"])
    found.extend(scale_targets(results.get("scale", {})))
    evaluated = results.get("evaluate")
    if evaluated:
        seconds = evaluated["evaluate_once"]["median_s"]
        check("one concrete evaluation", fmt(seconds), "< 1 ms", seconds < 1e-3)
        seconds = evaluated["sweep"]["median_s"]
        check(f"sweep of {evaluated['sweep_size']:,} configurations", fmt(seconds), "< 0.5 s",
              seconds < 0.5 and evaluated["sweep_exact"])
    return found


# -- the table --------------------------------------------------------------------------------
def table(results: dict) -> str:
    lines = []
    env = results["environment"]
    lines.append(f"Python {env['python']}, {env['cpus']} CPUs, {mb(env['memory_mb'])} RAM; "
                 + ", ".join(f"{k} {v}" for k, v in env["versions"].items() if v))
    if env.get("load_average"):
        lines.append("load average at the start (other users of the machine): "
                     + ", ".join(f"{x:.1f}" for x in env["load_average"]))
    if results.get("keras"):
        lines += ["", "Keras configs: symparam's summary vs Keras building the model and calling "
                  "count_params()", _row("model / measure", "symparam", "Keras", "ratio")]
        for name, case in results["keras"].items():
            lines += _keras_rows(name, case)
    if results.get("gpt"):
        lines += ["", "GPT family (docs/examples/gpt.yaml): symparam vs PyTorch building the model",
                  _row("model / measure", "symparam", "PyTorch", "ratio")]
        for size, case in results["gpt"].items():
            lines += _gpt_rows(size, case, env)
    if results.get("stacks"):
        lines += ["", "Symbolic Dense stacks, derived from scratch (derivation cache emptied)",
                  f"{'stack':<16}{'layers':>8}{'median':>12}{'per layer':>12}{'peak':>10}"]
        for result in results["stacks"].values():
            lines.append(f"{result['kind']:<16}{result['layers']:>8,}{fmt(result['median_s']):>12}"
                         f"{fmt(result['median_s'] / result['layers']):>12}"
                         f"{mb(result['peak_mb']):>10}")
        for kind, line in stack_fits(results["stacks"]).items():
            lines.append(f"fit {kind}: t = {fmt(line['intercept_s'])} + {fmt(line['per_layer_s'])}"
                         f" x layers, R^2 = {line['r2']:.4f}; layers x{line['size_ratio']:.0f} "
                         f"-> time x{line['time_ratio']:.1f}")
    if results.get("evaluate"):
        e = results["evaluate"]
        lines += ["", "Evaluating the derived GPT total",
                  f"  one evaluation at a new configuration (xreplace, exact): "
                  f"{fmt(e['evaluate_once']['median_s'])}",
                  f"  the whole summary at a new configuration (Summary.subs): "
                  f"{fmt(e['summary_subs']['median_s'])}",
                  f"  sweep of {e['sweep_size']:,} configurations (lambdify + NumPy): "
                  f"{fmt(e['sweep']['median_s'])} (lambdify {fmt(e['lambdify']['median_s'])}; "
                  f"spot checks exact: {e['sweep_exact']})"]
    if results.get("scale"):
        lines += scale_table(results["scale"])
    if results.get("targets"):
        lines += ["", "Targets"]
        for t in results["targets"]:
            lines.append(f"  [{'met' if t['met'] else 'MISSED'}] {t['target']}: {t['measured']} "
                         f"(required {t['required']})")
    return "\n".join(lines)


def _row(label, ours, theirs, ratio) -> str:
    return f"{label:<54}{ours:>14}{theirs:>18}{ratio:>10}"


def _keras_rows(name: str, case: dict) -> list:
    warm, whole = case["warm"], case["process"]
    s, k = whole["symparam"], whole["keras"]
    return [
        f"{name}: {warm['counts']['keras']:,} parameters",
        _row("  in-process, warm", fmt(warm["symparam"]["median_s"]),
             fmt(warm["keras"]["median_s"]),
             times(warm["keras"]["median_s"], warm["symparam"]["median_s"])),
        _row("  symparam with no cached derivation", fmt(warm["symparam_uncached"]["median_s"]),
             fmt(warm["keras"]["median_s"]),
             times(warm["keras"]["median_s"], warm["symparam_uncached"]["median_s"])),
        _row("  whole fresh process", fmt(s["wall_s"]), fmt(k["wall_s"]),
             times(k["wall_s"], s["wall_s"])),
        _row("  first answer after the imports (fresh process)", fmt(s["answer_s"]),
             fmt(k["answer_s"]), times(k["answer_s"], s["answer_s"])),
        _row("  peak memory (whole process)", mb(s["peak_mb"]), mb(k["peak_mb"]),
             times(k["peak_mb"], s["peak_mb"])),
    ]


def _gpt_rows(size: str, case: dict, env: dict) -> list:
    warm, whole = case["warm"], case["process"]
    s, meta = whole["symparam"], whole["torch_meta"]
    count = warm["counts"]["symparam_first"]
    rows = [
        f"{size}: {count:,} parameters",
        _row("  first answer, whole fresh process", fmt(s["wall_s"]),
             f"meta {fmt(meta['wall_s'])}", times(meta["wall_s"], s["wall_s"])),
        _row("  first derivation vs first build, after the imports", fmt(s["answer_s"]),
             f"meta {fmt(meta['answer_s'])}", times(meta["answer_s"], s["answer_s"])),
        _row("  derivation from scratch vs build, warm process",
             fmt(warm["symparam_first"]["median_s"]), f"meta {fmt(warm['torch_meta']['median_s'])}",
             times(warm["torch_meta"]["median_s"], warm["symparam_first"]["median_s"])),
        _row("  answer at a new configuration: lambdified formula",
             fmt(warm["symparam_new_config"]["median_s"]),
             f"meta {fmt(warm['torch_meta_new_config']['median_s'])}",
             times(warm["torch_meta_new_config"]["median_s"],
                   warm["symparam_new_config"]["median_s"])),
        _row("    exact SymPy xreplace of the total",
             fmt(warm["symparam_new_config_xreplace"]["median_s"]),
             f"meta {fmt(warm['torch_meta_new_config']['median_s'])}",
             times(warm["torch_meta_new_config"]["median_s"],
                   warm["symparam_new_config_xreplace"]["median_s"])),
        _row("  peak memory (whole process)", mb(s["peak_mb"]), f"meta {mb(meta['peak_mb'])}",
             times(meta["peak_mb"], s["peak_mb"])),
    ]
    cpu_warm, cpu = warm.get("torch_cpu"), whole.get("torch_cpu")
    if cpu_warm:
        rows.append(_row("  vs the CPU build, warm process",
                         fmt(warm["symparam_first"]["median_s"]),
                         f"cpu {fmt(cpu_warm['median_s'])}",
                         times(cpu_warm["median_s"], warm["symparam_first"]["median_s"])))
    if cpu:
        rows.append(_row("  vs the CPU build, whole fresh process", fmt(s["wall_s"]),
                         f"cpu {fmt(cpu['wall_s'])}", times(cpu["wall_s"], s["wall_s"])))
        rows.append(_row("  vs the CPU build, peak memory", mb(s["peak_mb"]),
                         f"cpu {mb(cpu['peak_mb'])}", times(cpu["peak_mb"], s["peak_mb"])))
    if size == "GPT-3 175B":
        rows.append(f"  no framework can build it here: {GPT3_WEIGHTS_GB:,.0f} GB of float32 "
                    f"weights, {mb(env['memory_mb'])} of RAM")
        rows.append("  (only PyTorch's meta device, which allocates nothing, can count it)")
    matches = {*warm["counts"].values(), *(r["count"] for r in whole.values())}
    rows.append(f"  counts agree: {len(matches) == 1}; new configurations agree with PyTorch: "
                f"{warm['new_configs_agree']}")
    return rows


# -- issue 18: scale ---------------------------------------------------------------------------
#: (case key, limit in seconds, what the target says)
SCALE_LIMITS = (
    ("pooling-150", 0.5, "150 symbolic same-padded poolings"),
    ("strided-conv-300", 2, "300 strided convolutions on a symbolic length"),
    ("functional-10000", 5, "functional chain of 10,000 layers (API)"),
    ("keras-functional-10000", 5, "functional chain of 10,000 layers (Keras config)"),
    ("cli-graph-1000", 2, "1,000-node graph spec, whole CLI process"),
    ("cli-sequential-10000", 2, "10,000-layer spec, whole CLI process (text)"),
    ("distinct-1000", 1, "1,000 distinct layers"),
)


def scale_growth(scale: dict) -> dict:
    """Per kind: the two sizes, their ratio ``k`` and the time ratio ``t(kN)/t(N)``."""
    kinds: dict = {}
    for result in scale.values():
        if "format" not in result or result["format"] == "text":
            kinds.setdefault(result["kind"], []).append(
                (result["layers"], result["cpu_s"], result["median_s"]))
    growth = {}
    for kind, points in kinds.items():
        if len(points) == 2:
            (n0, c0, t0), (n1, c1, t1) = sorted(points)
            growth[kind] = {"size_ratio": n1 / n0, "time_ratio": c1 / c0,
                            "wall_ratio": t1 / t0}
    return growth


def scale_targets(scale: dict) -> list:
    found = []
    for key, limit, label in SCALE_LIMITS:
        result = scale.get(key)
        if result:
            found.append({"target": label, "measured": f"{fmt(result['median_s'])} "
                          f"(CPU {fmt(result['cpu_s'])})", "required": f"< {limit} s",
                          "met": result["median_s"] < limit})
    pooling = scale.get("pooling-150")
    if pooling:
        shape = pooling["answer"]["output_shape"]
        found.append({"target": "150 poolings give ceiling(n/2**150)", "measured": shape[:60],
                      "required": f"ceiling(n/{2 ** 150})",
                      "met": f"ceiling(n/{2 ** 150})" in shape})
    for kind, g in scale_growth(scale).items():
        found.append({"target": f"growth of {kind} (CPU time)",
                      "measured": f"time x{g['time_ratio']:.2f} for size x{g['size_ratio']:.2f}",
                      "required": "<= 1.5 x size ratio",
                      "met": g["time_ratio"] <= 1.5 * g["size_ratio"]})
    return found


def scale_table(scale: dict) -> list:
    lines = ["", "Scale (issue 18): derivation cache emptied per run; CLI kinds are whole "
             "processes", f"{'kind':<26}{'size':>7}{'layers':>8}{'wall':>10}{'CPU':>10}"
             f"{'CPU/layer':>11}"]
    for key, result in scale.items():
        label = result["kind"] + (f" ({result['format']})" if result.get("format") else "")
        lines.append(f"{label:<26}{result['size']:>7,}{result['layers']:>8,}"
                     f"{fmt(result['median_s']):>10}{fmt(result['cpu_s']):>10}"
                     f"{fmt(result['cpu_s'] / result['layers']):>11}")
    for kind, g in scale_growth(scale).items():
        lines.append(f"growth {kind}: size x{g['size_ratio']:.2f} -> CPU time "
                     f"x{g['time_ratio']:.2f}, wall x{g['wall_ratio']:.2f} "
                     f"(limit x{1.5 * g['size_ratio']:.2f})")
    return lines
