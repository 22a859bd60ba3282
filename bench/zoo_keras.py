"""Real Keras models read back by symparam: ``python bench/zoo_keras.py`` (issue 15).

Builds every ``keras.applications`` builder and its variants (``zoo_applications.py``) and the
keras.io-style models (``keras_examples.py``, ``keras_examples_more.py``) in Keras with
``weights=None``, reads each ``model.to_json()`` with ``S.from_keras`` and compares the totals
(all, trainable, non-trainable) and every row (name, parameters, trainable, non-trainable,
output shape) with Keras.  Prints one line per model, then per group the exact matches and the
median time per model on each side (Keras: building the model; symparam: reading the config and
summarising it).  Needs Keras 3 with JAX (``pip install ".[keras]"``).

    nice -n 10 python bench/zoo_keras.py                    # everything, about 15 minutes
    python bench/zoo_keras.py --only 'MobileNet|seq2seq'    # a regular expression on names
    python bench/zoo_keras.py --cache /tmp/zoo              # keep Keras's answers between runs
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH), str(BENCH.parent)]
os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def keras_facts(model) -> dict:
    """Keras's totals and its rows, in ``model.layers`` order."""
    import numpy as np

    def count(weights):
        return int(sum(int(np.prod(w.shape)) for w in weights))

    def shape(layer):
        outputs = layer._inbound_nodes[-1].output_tensors
        shapes = [list(t.shape) for t in outputs]
        return shapes[0] if len(shapes) == 1 else shapes

    rows = [{"name": layer.name, "params": int(layer.count_params()),
             "trainable": count(layer.trainable_weights),
             "non_trainable": count(layer.non_trainable_weights), "shape": shape(layer)}
            for layer in model.layers]
    return {"rows": rows, "total": int(model.count_params()),
            "trainable": count(model.trainable_weights),
            "non_trainable": count(model.non_trainable_weights)}


def build_in_keras(name: str, builder, cache: Path | None, offline=False) -> dict | None:
    """Keras's config, facts and build time for one model (from the cache when there;
    ``None`` when ``offline`` and not cached)."""
    path = cache / (re.sub(r"[^A-Za-z0-9_.-]", "_", name) + ".json") if cache else None
    if path is not None and path.exists():
        return json.loads(path.read_text())
    if offline:
        return None
    import keras
    start = time.perf_counter()
    try:
        model = builder(keras)
    except Exception as error:  # noqa: BLE001 - report and go on to the next model
        return {"error": f"{type(error).__name__}: {str(error).splitlines()[0][:120]}"}
    seconds = time.perf_counter() - start
    found = {"config": model.to_json(), "facts": keras_facts(model), "seconds": seconds}
    del model
    keras.backend.clear_session()
    if path is not None:
        path.write_text(json.dumps(found))
    return found


def record(folder: Path, name: str, built: dict) -> None:
    """Keep Keras's config and answers for a test (``tests/data/keras_zoo``), gzipped: Keras
    configs repeat themselves, 200 KB become 6 KB."""
    import gzip
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (re.sub(r"[^A-Za-z0-9_.-]", "_", name) + ".json.gz")
    with gzip.open(path, "wt") as out:
        json.dump({"config": built["config"], "facts": built["facts"]}, out,
                  separators=(",", ":"))


def symparam_facts(summary) -> dict:
    def value(expr):
        return int(expr) if getattr(expr, "is_Integer", False) or isinstance(expr, int) \
            else str(expr)

    def shape(item):
        if isinstance(item, list):
            shapes = [shape(s) for s in item]
            return shapes[0] if len(shapes) == 1 else shapes
        return [None if size is None else value(size) for size in item]

    rows = [{"name": row.name, "params": value(row.params), "trainable": value(row.trainable),
             "non_trainable": value(row.non_trainable), "shape": shape(row.output_shape)}
            for row in summary.rows]
    return {"rows": rows, "total": value(summary.total), "trainable": value(summary.trainable),
            "non_trainable": value(summary.non_trainable)}


def first_difference(got: dict, expected: dict) -> str | None:
    """``None`` when symparam equals Keras, else the first thing that differs."""
    for key in ("total", "trainable", "non_trainable"):
        if got[key] != expected[key]:
            return f"{key}: symparam {got[key]}, keras {expected[key]}"
    if len(got["rows"]) != len(expected["rows"]):
        return f"{len(got['rows'])} rows, keras {len(expected['rows'])}"
    for mine, theirs in zip(got["rows"], expected["rows"]):
        if mine != theirs:
            return f"row {theirs['name']}: symparam {mine}, keras {theirs}"
    return None


def read_with_symparam(config: str) -> tuple[str, str | None, float]:
    """``(status, detail, seconds)``: ``exact``, ``differs`` or ``refused``."""
    import symparam as S
    start = time.perf_counter()
    try:
        summary = S.from_keras(config).summary()
    except S.SymparamError as error:
        return "refused", str(error)[:200], time.perf_counter() - start
    except Exception as error:  # noqa: BLE001 - a raw exception is a bug to report
        return "crashed", f"{type(error).__name__}: {str(error)[:160]}", \
            time.perf_counter() - start
    return "read", summary, time.perf_counter() - start


def models(group: str):
    """``(group, name, builder)`` for every model of the chosen group(s)."""
    import keras_examples
    import keras_examples_more  # noqa: F401 - registers its examples
    import zoo_applications
    if group in ("all", "applications"):
        import keras
        for name, build in zoo_applications.applications(keras).items():
            yield "applications", name, lambda _keras, build=build: build()
    if group in ("all", "examples"):
        for name, build in keras_examples.EXAMPLES.items():
            yield "examples", name, build


def run(args) -> dict:
    pattern = re.compile(args.only) if args.only else None
    cache = Path(args.cache) if args.cache else None
    if cache:
        cache.mkdir(parents=True, exist_ok=True)
    results = []
    for group, name, builder in models(args.group):
        if pattern and not pattern.search(name):
            continue
        built = build_in_keras(name, builder, cache, args.offline)
        if built is None:
            continue
        if args.record and "config" in built:
            record(Path(args.record), name, built)
        if "error" in built:
            results.append({"group": group, "name": name, "status": "keras failed",
                            "detail": built["error"]})
        else:
            status, detail, seconds = read_with_symparam(built["config"])
            if status == "read":
                detail = first_difference(symparam_facts(detail), built["facts"])
                status = "exact" if detail is None else "differs"
            results.append({"group": group, "name": name, "status": status, "detail": detail,
                            "keras_s": built["seconds"], "symparam_s": seconds})
        line = results[-1]
        print(f"{line['status']:>12}  {group[:4]}  {name}"
              + (f"  -- {line['detail']}" if line["detail"] else ""), flush=True)
    return {"models": results, "groups": summarize(results)}


def summarize(results: list) -> dict:
    groups = {}
    for group in sorted({r["group"] for r in results}):
        mine = [r for r in results if r["group"] == group]
        timed = [r for r in mine if "keras_s" in r]
        groups[group] = {
            "exact": sum(r["status"] == "exact" for r in mine), "models": len(mine),
            "keras_median_s": statistics.median(r["keras_s"] for r in timed) if timed else None,
            "symparam_median_s": statistics.median(r["symparam_s"] for r in timed)
            if timed else None}
    return groups


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--group", choices=("all", "applications", "examples"), default="all")
    parser.add_argument("--only", help="a regular expression on model names")
    parser.add_argument("--cache", help="a folder keeping Keras's configs and answers")
    parser.add_argument("--offline", action="store_true",
                        help="only the models already in the cache (nothing is built)")
    parser.add_argument("--record", metavar="DIR",
                        help="also keep each model's config and Keras's answers, gzipped, in "
                             "DIR (tests/data/keras_zoo holds a few)")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args(argv)
    found = run(args)
    print(f"\n{'group':<14}{'exact':>12}{'Keras build':>14}{'symparam':>12}")
    for group, g in found["groups"].items():
        keras_ms = "-" if g["keras_median_s"] is None else f"{g['keras_median_s'] * 1e3:.0f} ms"
        mine_ms = "-" if g["symparam_median_s"] is None else \
            f"{g['symparam_median_s'] * 1e3:.1f} ms"
        print(f"{group:<14}{g['exact']:>6} / {g['models']:<4}{keras_ms:>14}{mine_ms:>12}")
    if args.json:
        Path(args.json).write_text(json.dumps(found, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
