"""Views: reports turned into plain data that every format's templates share.

A view holds typed cells, not formatted text: ``Text`` (a name or any user text, escaped per
format when it is written), ``Math`` (a SymPy expression, printed by the format's SymPy printer,
optionally with values put in place of symbols: the worked example), ``Shape`` and ``Count`` (a
number with thousands separators once concrete, else its formula).  So one view serves text,
Markdown, LaTeX, HTML and the diagrams, and nothing here knows any output syntax.

One rule for numbers in every format: a count (parameters, MACs: a ``Count`` cell) groups its
digits by thousands (``197,120``); a size (a shape's entry, a dimension's value, a number inside
a formula) never does (``(None, 1024, 50257)``, ``n = 1024``), so a separator is never read as
another axis.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

import sympy

from symparam.core.args import size
from symparam.core.dims import dim
from symparam.engine.substitute import substitution
from symparam.report.printers import text


@dataclass(frozen=True)
class Text:
    """Text from a user or a file (a layer name) or fixed wording: escaped per format."""

    value: str


@dataclass(frozen=True)
class Math:
    """A SymPy expression; ``values`` (symbol -> number pairs) are printed in place of symbols."""

    expr: object
    values: tuple = ()


@dataclass(frozen=True)
class Shape:
    """A tensor shape (batch first, ``None`` unknown), a list of shapes, or a weight's shape."""

    shape: object
    matrix: bool = False


@dataclass(frozen=True)
class Count:
    """A parameter count: digits with separators when concrete, else the formula."""

    expr: object


@dataclass(frozen=True)
class Chain:
    """Cells joined by equals signs in one formula: ``4*u*(d + u + 1) = 197,120``."""

    parts: tuple


def chain(formula, value):
    """A formula and, when given values made it a different expression, its value."""
    if not _symbolic(formula):
        return Count(formula)
    if value == formula:
        return Math(formula)
    return Chain((Math(formula), Count(value) if value.is_Integer else Math(value)))


TOTALS = (("Total params", "total"), ("Trainable params", "trainable"),
          ("Non-trainable params", "non_trainable"))


def _mapping(values: dict, symbols) -> tuple:
    """``values`` (name -> number) as symbol -> number pairs for the printers."""
    return tuple(sorted(substitution(values, symbols).items(), key=lambda item: str(item[0])))


def _where(values) -> list:
    """``[(Math(u), Math(128)), ...]``: the values a report was evaluated at, sizes written
    without thousands separators like the shapes they fill."""
    return [(Math(dim(name)), Math(size(value, field=name, owner="values")))
            for name, value in sorted(values)]


def at_values(report, values: dict):
    """``report`` at the values of the dimensions it contains (a view is given every value the
    caller knows; ``subs`` itself refuses a name that occurs nowhere)."""
    return report.at(values) if values else report


def _present(values: dict, symbols) -> list:
    """The values of the dimensions that occur (a report lists no irrelevant ``where``)."""
    names = {symbol.name for symbol in symbols}
    return [(name, value) for name, value in values.items() if name in names]


def _symbolic(*exprs) -> bool:
    return any(getattr(expr, "free_symbols", None) for expr in exprs)


def weight_groups(derivation) -> tuple[object, bool]:
    """The sum of the weights' sizes, equal shapes grouped (``4*u*(d + u) + 4*u``), and
    whether that says more than the tidy formula (several groups, or a group of several)."""
    groups = Counter(tuple(w.shape) for w in derivation.weights.values())
    terms = []
    for shape, times in groups.items():
        terms.append(_product(sympy.Integer(times), *shape))
    total = sympy.Add(*terms, evaluate=False) if len(terms) > 1 else (terms or [0])[0]
    return total, len(groups) > 1 or any(times > 1 for times in groups.values())


def _product(*factors):
    """``3*u**2`` for a group of three ``u x u`` weights: equal factors as a power, and the
    product left unevaluated so ``2*(d + u)`` is not distributed."""
    powers = Counter(f for f in factors if f != 1)
    parts = [sympy.Pow(f, k) if k > 1 else f for f, k in powers.items()] or [sympy.Integer(1)]
    return sympy.Mul(*parts, evaluate=False) if len(parts) > 1 else parts[0]


def count_steps(derivation, values: dict) -> list:
    """The count step by step: the weights' sizes, the tidy formula, the worked numbers."""
    grouped, informative = weight_groups(derivation)
    tidy = derivation.params
    steps = [Math(grouped)] if informative and text(grouped) != text(tidy) else []
    if not _symbolic(tidy):
        return steps + [Count(tidy)]
    steps.append(Math(tidy))
    mapping = _mapping(values, tidy.free_symbols) if values else ()
    if mapping and tidy.is_Symbol:
        steps.append(Count(tidy.xreplace(dict(mapping))))
    elif mapping:
        concrete = tidy.xreplace(dict(mapping))
        steps += [Math(tidy, mapping), Count(concrete) if concrete.is_Integer else Math(concrete)]
    return steps


def derivation_view(derivation, values: dict) -> dict:
    concrete = at_values(derivation, values)
    title = (f"{derivation.name} ({derivation.class_name})" if derivation.name
             else derivation.class_name)
    def tensor_rows(tensors):
        return [{"name": Math(sympy.Symbol(w.name)), "shape": Shape(w.shape, matrix=True),
                 "size": Math(w.size), "trainable": w.trainable} for w in tensors.values()]
    weights, buffers = tensor_rows(derivation.weights), tensor_rows(derivation.buffers)
    counts = [(Text(label), chain(getattr(derivation, key), getattr(concrete, key)))
              for label, key in (("Params", "params"), ("Trainable", "trainable"),
                                 ("Non-trainable", "non_trainable"))]
    return {"heading": Text(title), "input_shape": Shape(derivation.input_shape),
            "output_shape": Shape(derivation.output_shape),
            "equations": [(Math(eq.lhs), Math(eq.rhs)) for eq in derivation.equations],
            "weights": weights, "buffers": buffers, "steps": count_steps(derivation, values),
            "counts": counts,
            "frozen": derivation.non_trainable != 0,
            "values": _where(_present(values, derivation.free_symbols))}


def summary_view(summary, values: dict) -> dict:
    concrete = at_values(summary, values)
    symbolic = _symbolic(summary.total)
    rows = [{"name": Text(row.name), "class_name": Text(row.class_name),
             "label": Text(f"{row.name} ({row.class_name})"),
             "output_shape": Shape(evaluated.output_shape), "formula": Math(row.params),
             "params": Count(evaluated.params)}
            for row, evaluated in zip(summary.rows, concrete.rows)]
    totals = [(Text(label), chain(getattr(summary, key), getattr(concrete, key)))
              for label, key in TOTALS]
    if summary.macs is not None:  # the compute the same equations give
        totals.append((Text("MACs per example"), chain(summary.macs, concrete.macs)))
    if summary.uncounted:  # never a silent zero: operations no cost rule covers
        listed = ", ".join(f"{name} x{calls}" for name, calls in summary.uncounted)
        totals.append((Text("Uncounted operations (not in the MACs)"), Text(listed)))
    return {"name": Text(summary.name), "heading": Text(f"Model: {summary.name}"), "rows": rows,
            "symbolic": symbolic, "totals": totals,
            "values": _where(_present(values, summary.free_symbols)) if values else [],
            "graph": Deferred(lambda: graph_view(summary, values, concrete=concrete))}


class Deferred(Mapping):
    """A view built when a template first reads it: only the diagram formats draw the graph,
    which is a second pass over every row (a third of rendering a 10,000-row table)."""

    def __init__(self, build):
        self._build = build

    @cached_property
    def _built(self) -> dict:
        return self._build()

    def __getitem__(self, key):
        return self._built[key]

    def __iter__(self):
        return iter(self._built)

    def __len__(self) -> int:
        return len(self._built)


def graph_view(summary, values: dict, *, concrete=None) -> dict:
    """Nodes (one per row, plus the model's inputs and outputs) and edges with shapes;
    ``concrete`` is ``summary`` at ``values`` when the caller already has it."""
    if concrete is None:
        concrete = at_values(summary, values)
    ids = {row.name: f"n{i}" for i, row in enumerate(summary.rows)}
    nodes = [{"id": ids[row.name], "name": Text(row.name), "class_name": Text(row.class_name),
              "count": chain(row.params, evaluated.params)}
             for row, evaluated in zip(summary.rows, concrete.rows)]
    edges, ends = [], []
    for index, (source, target, shape) in enumerate(concrete.edges):
        for end, kind in ((source, "input"), (target, "output")):
            if end is None:
                ends.append({"id": f"{kind}{index}", "kind": Text(kind)})
        edges.append({"source": ids.get(source, f"input{index}"),
                      "target": ids.get(target, f"output{index}"), "shape": Shape(shape)})
    return {"name": Text(summary.name), "nodes": nodes, "ends": ends, "edges": edges}


def formulas_view(report) -> dict:
    values = dict(report.values)
    rows = []
    for row in report.rows:
        mapping = () if row.params.is_Symbol else _mapping(values, row.params.free_symbols)
        rows.append({"class_name": Text(row.class_name), "arguments": Text(row.arguments),
                     "input_shape": Shape(row.input_shape),
                     "output_shape": Shape(row.output_shape), "params": Math(row.params),
                     "value": Count(row.numeric_params),
                     "example": Chain((Math(row.params, mapping), Count(row.numeric_params)))
                     if mapping else Count(row.numeric_params)})
    used = set().union(*(row.params.free_symbols for row in report.rows))
    return {"heading": Text("Parameter formulas"), "rows": rows,
            "values": _where(_present(values, used))}


def reconciliation_view(report) -> dict:
    symbolic = any(_symbolic(row.formula) for row in report.rows)
    rows = [{"label": Text(f"{row.name} ({row.class_name})"),
             "output_shape": Shape(row.output_shape),
             "reference_shape": Shape(row.reference_shape) if row.reference_shape is not None
             else Text("?"),
             "formula": Math(row.formula), "params": Count(row.params),
             "reference_params": Count(sympy.Integer(row.reference_params)),
             "matches": row.matches, "verdict": Text(row.verdict)} for row in report.rows]
    totals = [(Text(label), Count(getattr(report, key)),
               Count(sympy.Integer(getattr(report, "reference_" + key))))
              for label, key in TOTALS]
    notes = sorted({(row.class_name, row.note) for row in report.rows if row.note})
    return {"name": Text(report.name), "heading": Text(f"Model: {report.name}"),
            "framework": Text(report.framework), "ok": report.ok,
            "rows": rows, "symbolic": symbolic, "totals": totals,
            "notes": [(Text(c), Text(n)) for c, n in notes]}


def comparison_view(report, values: dict) -> dict:
    """Each layer's Keras and PyTorch formulas, their difference, and both at ``values``
    (the spec's ``dims`` when none are given)."""
    values = values or report.dims
    concrete = at_values(report, values)
    missing = Text("none")
    rows = []
    for row, number in zip(report.rows, concrete.rows):
        paired = row.torch_formula is not None
        rows.append({
            "label": Text(f"{row.name} ({row.keras_class})"),
            "torch_class": Text(row.torch_class or "none"),
            "keras": Math(row.keras_formula), "torch": Math(row.torch_formula) if paired
            else missing, "difference": Math(row.difference) if paired else missing,
            "keras_value": Count(number.keras_formula),
            "torch_value": Count(number.torch_formula) if paired else missing,
            "buffers": Count(number.torch_buffers), "note": Text(row.note)})
    # an incomplete comparison has no PyTorch total: a partial sum would read as a fact
    shown = (("Keras total", "keras_total"), ("PyTorch total", "torch_total"),
             ("Difference (PyTorch - Keras)", "difference"),
             ("PyTorch buffers", "torch_buffers"))[:None if report.complete else 1]
    totals = [(Text(label), Math(getattr(report, key)), Count(getattr(concrete, key)))
              for label, key in shown]
    return {"name": Text(report.name), "rows": rows, "totals": totals,
            "heading": Text(f"Model: {report.name} under Keras and PyTorch conventions"),
            "complete": report.complete, "values": _where(sorted(values.items()))}


def view(report, values: dict) -> tuple[str, dict]:
    """The template name (the report's ``report_kind``: ``derivation``, ``summary``, ``table``,
    ``reconcile``, ``compare``) and its view.  Reports are told apart by that attribute, so
    this module never imports the report classes (which import it through ``render``)."""
    kind = report.report_kind
    if kind in ("table", "reconcile"):
        return kind, VIEWS[kind](report)
    return kind, VIEWS[kind](report, values)


VIEWS = {"summary": summary_view, "derivation": derivation_view, "table": formulas_view,
         "reconcile": reconciliation_view, "compare": comparison_view}
