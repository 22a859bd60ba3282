"""Generated documentation: the layer catalogue and one worked example per seed case.

``python -m symparam.report.docsgen`` (from the checkout) rewrites ``docs/layers.md`` (the formulas
table of every catalogue layer) and ``docs/examples/<case>.md`` (each seed case's spec evaluated
at its ``dims`` defaults: the summary with per-layer formulas and numbers, the data-flow diagram
and every layer's derivation).  ``--check`` only reports stale files and exits 1, as
``tests/test_docs.py`` does, so the committed docs can never drift from the code.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

from symparam.analysis.family import FEATURES, VOCABULARY, equal_budgets, gpt_family
from symparam.analysis.query import solve_budget
from symparam.importers.spec import load_spec
from symparam.layers.samples import NUMERIC
from symparam.report.catalogue import formulas_table
from symparam.report.render import render_page
from symparam.report.views import Count, Math

ROOT = Path(__file__).resolve().parent.parent.parent
#: the seed post's cases, each ``docs/examples/<case>.yaml``
CASES = ("dense", "embedding", "lstm", "gru", "image_qa", "video_qa")
COMMAND = "python -m symparam.report.docsgen"
KERAS_COMMAND = "python -m symparam.report.docsgen --keras"
#: the Keras files reconciled in the docs (needs Keras: ``--keras``)
KERAS_CASES = ("image_qa", "video_qa")
#: sizes shown as symbols in those pages, so each row shows its formula beside the numbers
KERAS_SYMBOLS = ("LSTM.units=u", "Embedding.input_dim=V", "Embedding.output_dim=E",
                 "Dense.units=K")


def catalogue_page() -> str:
    """``docs/layers.md``: every catalogue layer with shapes, formula and a worked example."""
    return render_page("layers", table=formulas_table(), command=COMMAND,
                       values=sorted(NUMERIC.items()))


def example_page(case: str, root: Path = ROOT) -> str:
    """``docs/examples/<case>.md``: the spec's model at its ``dims`` defaults."""
    spec_file = f"{case}.yaml"
    spec = load_spec(root / "docs" / "examples" / spec_file)
    summary = spec.model.summary()
    present = {symbol.name for symbol in summary.free_symbols}
    values = {name: value for name, value in spec.dims.items() if name in present}
    layers = [(row, _relevant(values, row.derivation)) for row in summary.rows
              if row.derivation is not None and row.derivation.equations]
    return render_page("example", summary=summary, values=values, layers=layers,
                       description=spec.description, spec_file=spec_file, command=COMMAND,
                       reproduce=f"symparam model docs/examples/{spec_file} --format markdown")


def queries_page(root: Path = ROOT) -> str:
    """``docs/queries.md``: the GPT family and the LSTM/GRU budgets (symparam.analysis.family)."""
    summary, leading, rows = gpt_family(root / "docs" / "examples" / "gpt.yaml")
    lstm, gru, widths, crossover = equal_budgets()
    spec = load_spec(root / "docs" / "examples" / "lstm.yaml")  # the whole model, embedding too
    whole = spec.model.summary().total
    spec_width = solve_budget(whole, 1_000_000, "u",
                              values={k: v for k, v in spec.dims.items() if k != "u"})
    return render_page(
        "queries", spec_total=Math(whole), spec_width=spec_width,
        spec_dims=", ".join(f"{k} = {v}" for k, v in sorted(spec.dims.items()) if k != "u"),
        command=COMMAND, total=Math(summary.total), leading=Math(leading),
        macs=Math(summary.macs), vocabulary=VOCABULARY, features=FEATURES,
        family=[replace(row, params=Count(row.params), macs=Count(row.macs)) for row in rows],
        lstm=Math(lstm), gru=Math(gru), widths=widths, crossover=crossover)


def keras_page(case: str, root: Path = ROOT) -> str:
    """``docs/examples/<case>_keras.md``: the saved Keras file read by symparam, then built by
    Keras (safe mode) and reconciled row by row: the seed post's step 3."""
    from symparam.analysis.reconcile import reconcile
    from symparam.importers.keras.live import load_keras_model
    source = root / "docs" / "examples" / f"{case}.keras"
    report = reconcile(load_keras_model(source), symbolic=KERAS_SYMBOLS)
    return render_page("keras", report=report, keras_file=source.name, command=KERAS_COMMAND,
                       reproduce=f"symparam keras docs/examples/{source.name} --reconcile")


def _relevant(values: dict, derivation) -> dict:
    names = {symbol.name for symbol in derivation.free_symbols}
    return {name: value for name, value in values.items() if name in names}


def generate(root: Path = ROOT) -> dict[Path, str]:
    """Every generated file's path and content (nothing is written)."""
    files = {root / "docs" / "layers.md": catalogue_page(),
             root / "docs" / "queries.md": queries_page(root)}
    for case in CASES:
        files[root / "docs" / "examples" / f"{case}.md"] = example_page(case, root)
    return files


def stale(root: Path = ROOT) -> list[Path]:
    """The generated files whose committed content differs from a fresh generation."""
    return [path for path, text in generate(root).items()
            if not path.is_file() or path.read_text(encoding="utf-8") != text]


def main(argv=None) -> int:
    """Write the docs (or, with ``--check``, list stale ones and exit 1)."""
    parser = argparse.ArgumentParser(prog="python -m symparam.report.docsgen", description=__doc__)
    parser.add_argument("--check", action="store_true", help="only report stale files")
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout (default: here)")
    parser.add_argument("--keras", action="store_true",
                        help="only the Keras reconciliation pages (builds the models in Keras)")
    options = parser.parse_args(argv)
    if options.keras:
        for case in KERAS_CASES:
            path = options.root / "docs" / "examples" / f"{case}_keras.md"
            path.write_text(keras_page(case, options.root), encoding="utf-8")
            print(f"wrote {path}")
        return 0
    if options.check:
        found = stale(options.root)
        for path in found:
            print(f"stale: {path}", file=sys.stderr)
        return 1 if found else 0
    for path, text in generate(options.root).items():
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
