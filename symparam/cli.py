"""The command line: each branch translates arguments into one API call and renders the result.

Exit codes: 0 success, 1 a reconciliation mismatch, 2 bad input (one line on stderr, no
traceback).
"""

from __future__ import annotations

import argparse
import sys

from symparam.core.args import size
from symparam.core.dims import check_name
from symparam.core.errors import SymparamError
from symparam.report.render import Format, render


def _assignment(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise SymparamError(f"expected NAME=VALUE, got {text!r}")
    return name.strip(), value.strip()


def _pairs(texts, what: str) -> dict:
    """``NAME=VALUE`` arguments as a dict; a name given twice is refused (the last would
    silently win)."""
    pairs: dict = {}
    for text in texts or []:
        name, value = _assignment(text)
        if name in pairs:
            raise SymparamError(f"{what} {name} is given twice")
        pairs[name] = value
    return pairs


def _values(pairs, known_symbols) -> dict:
    """``--set`` pairs as sizes; a name that occurs nowhere, a name given twice and a value
    naming a dimension the model does not have (``u=abc``) are errors."""
    names = {symbol.name for symbol in known_symbols}
    values = {}
    for name, value in _pairs(pairs, "--set").items():
        check_name(name)
        if name not in names:
            shown = ", ".join(sorted(names)) or "none"
            raise SymparamError(f"--set {name}: no dimension {name!r} occurs (dimensions: "
                                f"{shown})")
        values[name] = size(value, field=name, owner="--set")
    _refuse_strangers(values, names, "--set")
    return values


def _refuse_strangers(values: dict, names: set, what: str) -> None:
    """A value naming something that is no dimension of the model (``u=abc``) would print
    ``abc*(d + 1)`` as if it were an answer: refused."""
    for name, value in values.items():
        strangers = sorted(s.name for s in value.free_symbols if s.name not in names)
        if strangers:
            raise SymparamError(f"{what} {name}: {str(value)!r} names {strangers[0]!r}, which "
                                "is no dimension of the model; give a number")


class _Parser(argparse.ArgumentParser):
    """argparse with a usage error on one line (exit 2), as every other bad input."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message.splitlines()[0] if message else 'usage'} "
                     f"(see {self.prog.split()[0]} --help)\n")


def _add_queries(commands) -> tuple:
    """The ``solve`` and ``sweep`` subcommands (queries over a spec's formulas)."""
    solve = commands.add_parser("solve", help="largest size within a budget")
    solve.add_argument("spec", help="path to the spec")
    solve.add_argument("--budget", required=True, help="e.g. 1000000 or 1M")
    solve.add_argument("--for", dest="for_", required=True, metavar="DIM",
                       help="the dimension to solve for")
    solve.add_argument("--of", choices=("params", "macs"), default="params")

    sweep = commands.add_parser("sweep", help="parameters and MACs over a grid of sizes")
    sweep.add_argument("spec", help="path to the spec")
    sweep.add_argument("--grid", action="append", required=True,
                       metavar="DIM=START:STOP:STEP", help="values of a dimension (repeatable)")
    sweep.add_argument("--format", default="csv", choices=("csv", "json"))
    sweep.add_argument("--plot", metavar="OUT.png", help="also draw the first grid dimension")
    return solve, sweep


def _version() -> str:
    """The installed distribution's version (the checkout's ``pyproject.toml`` otherwise)."""
    from importlib import metadata
    try:
        return metadata.version("symparam")
    except metadata.PackageNotFoundError:
        return "unknown (not installed)"


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="symparam", description=(
        "Parameter formulas and output shapes derived from each layer's equations."))
    parser.add_argument("--version", action="version", version=f"symparam {_version()}")
    commands = parser.add_subparsers(dest="command", required=True)
    formats = [f.value for f in Format]

    layer = commands.add_parser("layer", help="derive one layer")
    layer.add_argument("class_name", help="a Keras layer class, e.g. LSTM")
    layer.add_argument("arguments", nargs="*", help="layer arguments as NAME=VALUE")
    layer.add_argument("--input", action="append", required=True,
                       help='input shape with the batch axis, e.g. "None,25,d" (repeat for '
                            "layers with several inputs)")

    model = commands.add_parser("model", help="summarise a model spec (YAML or JSON)")
    model.add_argument("spec", help="path to the spec")

    table = commands.add_parser("table", help="formulas table of the catalogue")
    table.add_argument("names", nargs="*", help="layer classes (all by default)")

    keras = commands.add_parser("keras", help="read a Keras .keras file or JSON config "
                                              "without running it")
    keras.add_argument("source", help="MODEL.keras or CONFIG.json")
    keras.add_argument("--symbolic", action="append", metavar="LAYER.FIELD=dim",
                       help="turn a size into a symbol, e.g. Dense.units=u (a layer name or "
                            "class; repeatable)")
    keras.add_argument("--input", action="append", metavar="SHAPE",
                       help='the input shape with the batch axis, e.g. "None,H,W,3", in place '
                            "of the file's (repeat for models with several inputs)")
    keras.add_argument("--reconcile", action="store_true",
                       help="also build the model in Keras (safe_mode=True) and compare; "
                            "exit 1 on any mismatch")

    solve, sweep = _add_queries(commands)

    compare = commands.add_parser("compare", help="one spec under Keras and PyTorch "
                                                  "conventions, layer by layer")
    compare.add_argument("spec", help="path to the spec")

    from symparam.importers.hf.command import add_parser as add_hf_parser
    hf = add_hf_parser(commands)

    for sub in (layer, model, table, keras, compare, hf):
        sub.add_argument("--format", default="text", choices=formats)
        sub.add_argument("--width", type=int, metavar="N", help="width of text tables "
                         "(default: the terminal's, 100 when not a terminal)")
        sub.add_argument("--standalone", action="store_true", default=None,
                         help="a complete document (LaTeX); HTML is always a whole page")
    for sub in (layer, model, table, keras, solve, sweep, compare, hf):
        sub.add_argument("--set", action="append", metavar="NAME=VALUE",
                         help="give a dimension a value (repeatable)")
    return parser


def _layer(options) -> str:
    arguments = _pairs(options.arguments, "argument")  # before the catalogue is imported
    from symparam.importers.spec import construct
    from symparam.layers import layer_class
    cls = layer_class(options.class_name)
    layer = construct(cls, arguments, "layer")
    shapes = [[part.strip() for part in text.strip("()[] ").split(",")] for text in options.input]
    derivation = layer.derive(shapes[0] if len(shapes) == 1 else shapes)
    values = _values(options.set, derivation.free_symbols)
    return render(derivation, options.format, values=values, standalone=options.standalone,
                  width=options.width)


def _spec_summary(options, free=()):
    """A spec's summary and its dimension values (defaults, then ``--set``), leaving the
    dimensions named in ``free`` unset."""
    from symparam.importers.spec import load_spec
    spec = load_spec(options.spec)
    summary = spec.model.summary()
    present = summary.free_symbols
    defaults = {name: value for name, value in spec.dims.items()
                if name in {symbol.name for symbol in present}}
    _refuse_strangers(defaults, {symbol.name for symbol in present}, "spec dims:")
    values = {**defaults, **_values(options.set, present)}
    return summary, {name: value for name, value in values.items() if name not in free}


def _model(options) -> str:
    summary, values = _spec_summary(options)
    return render(summary, options.format, values=values, standalone=options.standalone,
                  width=options.width)


def _solve(options) -> str:
    from symparam.analysis.query import solve_budget
    from symparam.engine.substitute import size_fields
    summary, values = _spec_summary(options, free={options.for_})
    expr = summary.total if options.of == "params" else summary.macs
    if expr is None:
        raise SymparamError("--of macs: the model's cost is unknown (an input size is None)")
    best = solve_budget(expr, options.budget, options.for_, values=values,
                        sizes=size_fields(summary))
    return _solved(summary, expr, options, best, values)


def _solved(summary, expr, options, best: int, values: dict) -> str:
    """The answer, the count at it and at the next value (over the budget), and what was
    bounded: which total of which model, at which other dimensions."""
    from symparam.analysis.query import parse_budget
    from symparam.engine.substitute import substitution
    at = lambda n: int(expr.xreplace(substitution({**values, options.for_: n},  # noqa: E731
                                                  expr.free_symbols)))
    what = "parameters" if options.of == "params" else "MACs per example"
    others = ", ".join(f"{k} = {v}" for k, v in sorted(values.items())) or "none"
    name = options.for_
    return (f"{name} = {best}\n"
            f"  {what} at {name} = {best}: {at(best):,} (budget {parse_budget(options.budget):,})\n"
            f"  {what} at {name} = {best + 1}: {at(best + 1):,} (over the budget)\n"
            f"  bound: total {what} of {summary.name!r} (all layers) at {others}\n")


def _sweep(options) -> str:
    from symparam.analysis.query import parse_grid, sweep, sweep_table
    from symparam.engine.substitute import size_fields
    grid = {}
    for text in options.grid:
        name, axis = parse_grid(text)
        if name in grid:
            raise SymparamError(f"--grid {name} is given twice")
        grid[name] = axis
    summary, values = _spec_summary(options, free=set(grid))
    exprs = {"params": summary.total}
    if summary.macs is not None:
        exprs["macs"] = summary.macs
    result = sweep(exprs, grid, values=values, sizes=size_fields(summary))
    if result.skipped:
        print(f"symparam: skipped {result.skipped} grid points where some size is not a "
              "positive integer", file=sys.stderr)
    if options.plot:
        from symparam.report.plot import plot_sweep
        plot_sweep(result, next(iter(grid)), options.plot)
    return sweep_table(result, options.format)


def _keras(options) -> tuple[str, int]:
    from symparam.importers.keras.config import read_keras
    shapes = options.input if options.input is None or len(options.input) > 1 \
        else options.input[0]
    model, found = read_keras(options.source, symbolic=options.symbolic or (),
                              input_shape=shapes)
    summary = model.summary()
    values = {**found, **_values(options.set, summary.free_symbols)}
    if not options.reconcile:
        return render(summary, options.format, values=values,
                      standalone=options.standalone, width=options.width), 0
    from symparam.analysis.reconcile import reconcile
    from symparam.importers.keras.live import load_keras_model
    print("symparam: building the model in Keras (safe_mode=True) to compare", file=sys.stderr)
    report = reconcile(load_keras_model(options.source), symbolic=options.symbolic or ())
    return (render(report, options.format, standalone=options.standalone, width=options.width),
            0 if report.ok else 1)


def _compare(options) -> str:
    from symparam.analysis.compare import compare
    report = compare(options.spec)
    values = {**report.dims, **_values(options.set, report.free_symbols)}
    return render(report, options.format, values=values, standalone=options.standalone,
                  width=options.width)


def _hf(options) -> tuple[str, int]:
    from symparam.importers.hf.command import run
    return run(options, lambda symbols: _values(options.set, symbols))


def _table(options) -> str:
    from symparam.core.dims import dim
    from symparam.report.catalogue import NUMERIC, formulas_table
    values = _values(options.set, [dim(name) for name in NUMERIC])
    return formulas_table(options.names, values=values).render(
        options.format, standalone=options.standalone, width=options.width)


def main(argv=None) -> int:
    """Run the command line; returns the exit code."""
    options = _parser().parse_args(argv)
    handlers = {"layer": _layer, "model": _model, "table": _table, "keras": _keras,
                "solve": _solve, "sweep": _sweep, "compare": _compare, "hf": _hf}
    try:
        output = handlers[options.command](options)
        output, code = output if isinstance(output, tuple) else (output, 0)
    except SymparamError as error:
        print(f"symparam: error: {error}", file=sys.stderr)
        return 2
    except (RecursionError, MemoryError):
        print("symparam: error: input too large or nested too deeply", file=sys.stderr)
        return 2
    sys.stdout.write(output)
    return code


if __name__ == "__main__":
    sys.exit(main())
