"""JSON: every report as plain JSON data (the model form is DESIGN.md section 4; the schema,
kept stable, is ``docs/json-schema.md``).

One rule for every value, so a reader never guesses: a concrete count or size is a JSON number,
a symbolic one the ``str()`` of its SymPy expression, and the batch (or an unknown) axis
``null``.  Readers should still accept a count's digits as a string (DESIGN.md section 4).
"""

from __future__ import annotations

from functools import lru_cache

import sympy

from symparam.report.printers import text
from symparam.report.views import at_values


@lru_cache(maxsize=4096, typed=True)
def written(expr) -> str:
    """``str(expr)``, once per distinct expression: the rows of a deep model repeat a few
    counts and sizes, and SymPy's printer takes about 0.3 ms for each."""
    return str(expr)


def number(expr):
    """A count or size: ``int`` when concrete, ``None`` when unknown, else its formula text."""
    if expr is None:
        return None
    if isinstance(expr, int) and not isinstance(expr, bool):
        return expr
    if isinstance(expr, sympy.Integer) or getattr(expr, "is_Integer", False):
        return int(expr)
    return written(expr)


def shape_json(shape):
    """``(None, 25, d)`` as ``[null, 25, "d"]``; a list of shapes as a list of those."""
    if isinstance(shape, list):
        return [shape_json(item) for item in shape]
    return [number(item) for item in shape]


def _dims(values: dict) -> dict:
    return {name: number(value) for name, value in sorted(values.items())}


def json_view(report, values: dict) -> dict:
    """A report as plain JSON data, by its ``report_kind``."""
    kind = report.report_kind
    if kind in ("table", "reconcile"):
        return JSONS[kind](report)
    return JSONS[kind](report, values)


def summary_json(summary, values: dict) -> dict:
    concrete = at_values(summary, values)
    layers = []
    for row, evaluated in zip(summary.rows, concrete.rows):
        entry = {"name": row.name, "class_name": row.class_name,
                 "output_shape": shape_json(evaluated.output_shape),
                 "params": number(evaluated.params), "trainable": number(evaluated.trainable),
                 "non_trainable": number(evaluated.non_trainable)}
        if values:
            entry["formula"] = str(row.params)
        layers.append(entry)
    result = {"name": summary.name, "layers": layers, "total": number(concrete.total),
              "trainable": number(concrete.trainable),
              "non_trainable": number(concrete.non_trainable), "macs": number(concrete.macs)}
    if summary.uncounted:  # operations no cost rule covers: never a silent zero
        result["uncounted"] = [{"name": name, "calls": calls}
                               for name, calls in summary.uncounted]
    if values:
        result["formulas"] = {"total": str(summary.total), "trainable": str(summary.trainable),
                              "non_trainable": str(summary.non_trainable),
                              "macs": None if summary.macs is None else str(summary.macs)}
        result["dims"] = _dims(values)
    return result


def derivation_json(derivation, values: dict) -> dict:
    concrete = at_values(derivation, values)
    return {
        "class_name": derivation.class_name, "name": derivation.name,
        "input_shape": shape_json(concrete.input_shape),
        "output_shape": shape_json(concrete.output_shape),
        "equations": [text(eq) for eq in derivation.equations],
        "weights": [{"name": n, "shape": shape_json(w.shape), "trainable": w.trainable}
                    for n, w in derivation.weights.items()],
        **({"buffers": [{"name": n, "shape": shape_json(w.shape)}
                        for n, w in derivation.buffers.items()]} if derivation.buffers else {}),
        "params": number(concrete.params), "trainable": number(concrete.trainable),
        "non_trainable": number(concrete.non_trainable), "formula": str(derivation.params),
        "macs": number(concrete.macs),
        **({"dims": _dims(values)} if values else {}),
    }


def formulas_json(report) -> dict:
    return {"layers": [{"class_name": row.class_name, "arguments": row.arguments,
                        "input_shape": shape_json(row.input_shape),
                        "output_shape": shape_json(row.output_shape),
                        "params": number(row.params),
                        "example_output_shape": shape_json(row.numeric_output_shape),
                        "example_params": number(row.numeric_params)} for row in report.rows],
            "example_values": _dims(dict(report.values))}


def reconciliation_json(report) -> dict:
    return {
        "name": report.name, "framework": report.framework, "ok": report.ok,
        "layers": [{"name": row.name, "class_name": row.class_name,
                    "formula": str(row.formula), "params": number(row.params),
                    "reference_params": number(row.reference_params),
                    "trainable": number(row.trainable),
                    "reference_trainable": number(row.reference_trainable),
                    "output_shape": shape_json(row.output_shape),
                    "reference_shape": None if row.reference_shape is None
                    else shape_json(row.reference_shape),
                    "matches": row.matches, "note": row.note} for row in report.rows],
        "total": number(report.total), "reference_total": number(report.reference_total),
        "trainable": number(report.trainable),
        "reference_trainable": number(report.reference_trainable),
        "non_trainable": number(report.non_trainable),
        "reference_non_trainable": number(report.reference_non_trainable),
    }


def comparison_json(report, values: dict) -> dict:
    """Both conventions per layer; an incomplete comparison (a layer without a PyTorch twin)
    has ``null`` PyTorch and difference totals, never a partial sum."""
    values = values or report.dims
    concrete = at_values(report, values)
    formula = lambda expr: None if expr is None else str(expr)  # noqa: E731
    whole = lambda expr: expr if report.complete else None  # noqa: E731
    return {
        "name": report.name, "complete": report.complete, "dims": _dims(values),
        "layers": [{"name": row.name, "keras_class": row.keras_class,
                    "torch_class": row.torch_class, "keras_formula": str(row.keras_formula),
                    "torch_formula": formula(row.torch_formula),
                    "difference": formula(row.difference),
                    "keras_params": number(number_row.keras_formula),
                    "torch_params": number(number_row.torch_formula),
                    "torch_buffers": number(number_row.torch_buffers), "note": row.note}
                   for row, number_row in zip(report.rows, concrete.rows)],
        "keras_total": str(report.keras_total),
        "torch_total": formula(whole(report.torch_total)),
        "difference": formula(whole(report.difference)),
        "torch_buffers": number(report.torch_buffers),
        "values": {"keras_total": number(concrete.keras_total),
                   "torch_total": number(whole(concrete.torch_total)),
                   "difference": number(whole(concrete.difference))},
    }


JSONS = {"summary": summary_json, "derivation": derivation_json, "table": formulas_json,
         "reconcile": reconciliation_json, "compare": comparison_json}
