"""symparam and the peer counters side by side on real models, against PyTorch's own counter.

Every model of ``bench/zoo_cases.py`` is built on the meta device in eval mode.  The reference
is ``torch.utils.flop_counter.FlopCounterMode`` on a batch-1 forward on meta tensors (FLOPs / 2
= multiply-accumulates); each tool then gives its MACs for the same input, and a tool that
raises, times out or gives no number misses that model.  symparam's parameters are checked
against ``sum(p.numel())`` too.  Prints, per library, how many models each tool gets exactly
and within 1%, its median seconds per model, and writes ``bench/zoo_results.json``.

    nice -n 10 python bench/zoo_torch.py                      # every tool, every model
    nice -n 10 python bench/zoo_torch.py --tools symparam --reuse   # re-run symparam only
    python bench/zoo_torch.py --only resnet50,BertModel --tools symparam -v
    nice -n 10 python bench/zoo_torch.py --library timm --tools symparam   # one library
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import resource
import signal
import statistics
import sys
import time
import warnings
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from zoo_cases import all_cases, torchvision_shim  # noqa: E402

RESULTS = Path(__file__).with_name("zoo_results.json")
TOOLS = ("symparam", "symparam_warm", "fvcore", "ptflops", "thop", "calflops", "torchinfo")
TIMEOUT = 120


def example(case):
    if case.ids:
        return torch.zeros(case.shape, dtype=torch.long, device="meta")
    return torch.empty(case.shape, device="meta")


def reference(module, case):
    from torch.utils.flop_counter import FlopCounterMode
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        module(example(case))
    return counter.get_total_flops() / 2


def run_symparam(module, case):
    import symparam as S
    summary = S.from_torch(module, (None, *case.shape[1:])).summary()
    numel = sum(p.numel() for p in {id(p): p for p in module.parameters()}.values())
    if summary.total != numel:
        raise AssertionError(f"parameters {summary.total} != {numel}")
    disagreeing = [row.name for row in summary.rows if "recorded operations:" in row.note]
    if disagreeing:  # a derived cost the recorded operations contradict is a bug: a miss
        raise AssertionError(f"derived cost contradicted in {disagreeing[:3]}")
    return summary.macs


def run_fvcore(module, case):
    from fvcore.nn import FlopCountAnalysis
    analysis = FlopCountAnalysis(module, example(case))
    analysis.unsupported_ops_warnings(False).uncalled_modules_warnings(False)
    return analysis.total()  # fvcore's "flops" are multiply-accumulates


def run_ptflops(module, case):
    from ptflops import get_model_complexity_info
    macs, _ = get_model_complexity_info(
        module, tuple(case.shape[1:]), as_strings=False, print_per_layer_stat=False,
        backend="aten", input_constructor=lambda _: example(case))
    return macs


def run_thop(module, case):
    from thop import profile
    macs, _ = profile(module, inputs=(example(case),), verbose=False)
    return macs


def run_calflops(module, case):
    from calflops import calculate_flops
    _, macs, _ = calculate_flops(module, args=[example(case)], print_results=False,
                                 print_detailed=False, output_as_string=False)
    return macs


def run_torchinfo(module, case):
    from torchinfo import summary
    return summary(module, input_data=[example(case)], verbose=0, device="meta").total_mult_adds


#: ``symparam_warm``: the same call again, with the derivations of the model's layers cached
RUN = {"symparam": run_symparam, "symparam_warm": run_symparam, "fvcore": run_fvcore, "ptflops": run_ptflops,
       "thop": run_thop, "calflops": run_calflops, "torchinfo": run_torchinfo}


class Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise Timeout(f"over {TIMEOUT} s")


def timed(function, *args):
    """``(value, seconds, error)``: quiet (peers print), bounded by ``TIMEOUT``."""
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(TIMEOUT)
    start = time.perf_counter()
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()), \
                warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = function(*args)
        return value, time.perf_counter() - start, None
    except BaseException as error:  # noqa: BLE001 - a peer failing is a miss, not a crash
        if isinstance(error, KeyboardInterrupt):
            raise
        return None, time.perf_counter() - start, f"{type(error).__name__}: {error}"[:300]
    finally:
        signal.alarm(0)


def as_number(value):
    """A tool's answer as a float, ``None`` if it is not a plain number."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def measure(case, tools, verbose):
    row = {"library": case.library}
    module, _, error = timed(case.build)
    if module is None:
        return {**row, "build_error": error}
    value, seconds, error = timed(reference, module, case)
    row["reference"] = {"macs": value, "seconds": seconds, "error": error}
    for tool in tools:
        value, seconds, error = timed(RUN[tool], module, case)
        row[tool] = {"macs": as_number(value), "seconds": seconds, "error": error}
        if tool == "symparam" and value is not None and as_number(value) is None:
            row[tool]["error"] = f"not a number: {str(value)[:200]}"
        if verbose:
            print(f"  {case.name:40s} {tool:10s} {value!s:.60} ref={row['reference']['macs']} "
                  f"{seconds:.2f}s {error or ''}", flush=True)
    return row


def table(results, tools) -> str:
    lines = ["| library | models | counter runs | tool | exact | within 1% | median s | "
             "median time / counter's |", "|---|---:|---:|---|---:|---:|---:|---:|"]
    libraries = sorted({row["library"] for row in results.values()})
    for library in [*libraries, "all"]:
        rows = [r for r in results.values() if library in ("all", r["library"])]
        ran = [r for r in rows if (r.get("reference") or {}).get("macs") is not None]
        for tool in ("reference", *tools):
            exact = within = 0
            for r in ran:
                got, want = (r.get(tool) or {}).get("macs"), r["reference"]["macs"]
                if got is not None:
                    exact += got == want
                    within += abs(got - want) <= 0.01 * abs(want)
            seconds = [r[tool]["seconds"] for r in ran if tool in r]
            ratios = [r[tool]["seconds"] / r["reference"]["seconds"] for r in ran if tool in r]
            median = statistics.median(seconds) if seconds else float("nan")
            ratio = statistics.median(ratios) if ratios else float("nan")
            lines.append(f"| {library} | {len(rows)} | {len(ran)} | {tool} | {exact} | {within} "
                         f"| {median:.3f} | {ratio:.2f} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tools", default=",".join(TOOLS))
    parser.add_argument("--only", default="", help="comma-separated model names")
    parser.add_argument("--library", default="",
                        help="only this library's models (torchvision, timm, transformers)")
    parser.add_argument("--reuse", action="store_true",
                        help="keep the other tools' results from the last run")
    parser.add_argument("-v", "--verbose", action="store_true")
    options = parser.parse_args(argv)
    tools = [t for t in options.tools.split(",") if t]
    torchvision_shim()
    cases = all_cases()
    if options.only:
        wanted = set(options.only.split(","))
        cases = [c for c in cases if c.name in wanted]
    if options.library:
        cases = [c for c in cases if c.library == options.library]
    partial = bool(options.only or options.library)
    results = json.loads(RESULTS.read_text()) if options.reuse and RESULTS.exists() else {}
    for case in cases:
        results[case.name] = {**results.get(case.name, {}), **measure(case, tools,
                                                                      options.verbose)}
    if not partial:  # the committed results always cover the whole list
        RESULTS.write_text(json.dumps(results, indent=1, sort_keys=True))
    shown = [t for t in TOOLS if any(t in r for r in results.values())]
    print(table(results, shown))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of this process: {peak:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
