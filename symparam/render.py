"""Rendering: reports become plain data (views) and Jinja2 templates turn views into text.

Only this module imports Jinja2.  Templates are looked up in a user folder (if given), then inside
the installed package (``symparam/templates``, where the wheel puts them), then in the checkout's
``templates/`` folder, so rendering works installed and editable alike.  Templates are never
built from user strings.
"""

from __future__ import annotations

import json
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

import jinja2

from symparam.catalogue import FormulasTable
from symparam.engine import Derivation
from symparam.errors import SymparamError, shorten
from symparam.model import Summary
from symparam.reconcile import Reconciliation, describe
from symparam.printing import text
from symparam.shapes import format_shape

PACKAGE_TEMPLATES = Path(__file__).parent / "templates"
CHECKOUT_TEMPLATES = Path(__file__).parent.parent / "templates"


class Format(StrEnum):
    """Output formats; the CLI's ``--format`` values."""

    TEXT = "text"
    JSON = "json"


def as_format(value) -> Format:
    try:
        return Format(value)
    except ValueError:
        options = ", ".join(f.value for f in Format)
        raise SymparamError(f"unknown format {shorten(value)}; choose one of {options}") from None


@lru_cache(maxsize=8)
def environment(user_folder: str | None = None) -> jinja2.Environment:
    folders = [folder for folder in (user_folder, PACKAGE_TEMPLATES, CHECKOUT_TEMPLATES)
               if folder is not None and Path(folder).is_dir()]
    env = jinja2.Environment(loader=jinja2.FileSystemLoader([str(f) for f in folders]),
                             undefined=jinja2.StrictUndefined, trim_blocks=True,
                             lstrip_blocks=True, keep_trailing_newline=True, autoescape=False)
    env.filters.update(ljust=lambda value, width: str(value).ljust(width),
                       rjust=lambda value, width: str(value).rjust(width))
    return env


def render(report, fmt="text", *, values=None, template_folder=None) -> str:
    """Render a ``Derivation`` or a ``Summary``; ``values`` adds a numeric column."""
    fmt = as_format(fmt)
    if isinstance(report, Summary):
        view, kind = summary_view(report, values or {}), "summary"
    elif isinstance(report, Derivation):
        view, kind = derivation_view(report, values or {}), "derivation"
    elif isinstance(report, FormulasTable):
        view, kind = formulas_view(report), "table"
    elif isinstance(report, Reconciliation):
        view, kind = reconciliation_view(report), "reconcile"
    else:
        raise SymparamError(f"cannot render {type(report).__name__}")
    if fmt is Format.JSON:
        return json.dumps(view["json"], indent=2) + "\n"
    template = environment(template_folder).get_template(f"{fmt.value}/{kind}.j2")
    return template.render(**view)


def expr_text(expr) -> str:
    """A count as text: digits with thousands separators when concrete, else the formula."""
    if expr.is_Integer:
        return f"{int(expr):,}"
    return text(expr)


def shape_json(shape):
    if isinstance(shape, list):
        return [shape_json(item) for item in shape]
    return ["None" if item is None else str(item) for item in shape]


def _has_symbols(*exprs) -> bool:
    return any(expr.free_symbols for expr in exprs)


def table(headers, rows, align) -> dict:
    """Column widths and padded cells for a box-drawn table (right-aligned where ``align``)."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows)]
    pad = lambda cells: [str(cell).rjust(w) if right else str(cell).ljust(w)  # noqa: E731
                         for cell, w, right in zip(cells, widths, align)]
    return {"widths": widths, "header": pad(headers), "rows": [pad(row) for row in rows]}


def summary_view(summary: Summary, values: dict) -> dict:
    concrete = summary.subs(**values) if values else summary
    symbolic = _has_symbols(summary.total)
    headers = ["Layer (type)", "Output Shape"] + (["Param formula"] if symbolic else [])
    headers.append("Param #")
    rows = []
    for row, evaluated in zip(summary.rows, concrete.rows):
        cells = [f"{row.name} ({row.class_name})", format_shape(evaluated.output_shape)]
        if symbolic:
            cells.append(text(row.params))
        cells.append(expr_text(evaluated.params))
        rows.append(cells)
    totals = [(label, text(getattr(summary, key)) if symbolic else None,
               expr_text(getattr(concrete, key)))
              for label, key in (("Total params", "total"), ("Trainable params", "trainable"),
                                 ("Non-trainable params", "non_trainable"))]
    return {"name": summary.name, "table": table(headers, rows, [False, False] +
                                                 [False] * symbolic + [True]),
            "totals": totals, "values": sorted(values.items()),
            "json": summary_json(summary, concrete, values)}


def summary_json(summary: Summary, concrete: Summary, values: dict) -> dict:
    layers = []
    for row, evaluated in zip(summary.rows, concrete.rows):
        entry = {"name": row.name, "class_name": row.class_name,
                 "output_shape": shape_json(evaluated.output_shape),
                 "params": str(evaluated.params), "trainable": str(evaluated.trainable),
                 "non_trainable": str(evaluated.non_trainable)}
        if values:
            entry["formula"] = str(row.params)
        layers.append(entry)
    result = {"name": summary.name, "layers": layers, "total": str(concrete.total),
              "trainable": str(concrete.trainable), "non_trainable": str(concrete.non_trainable)}
    if values:
        result["formulas"] = {"total": str(summary.total), "trainable": str(summary.trainable),
                              "non_trainable": str(summary.non_trainable)}
        result["dims"] = {name: str(value) for name, value in sorted(values.items())}
    return result


def derivation_view(derivation: Derivation, values: dict) -> dict:
    concrete = derivation.subs(**values) if values else derivation
    weights = [(w.name, format_shape(w.shape), "trainable" if w.trainable else "non-trainable",
                text(w.size)) for w in derivation.weights.values()]
    counts = [(label, text(getattr(derivation, key)), expr_text(getattr(concrete, key)))
              for label, key in (("Params", "params"), ("Trainable", "trainable"),
                                 ("Non-trainable", "non_trainable"))]
    json_view = {
        "class_name": derivation.class_name, "name": derivation.name,
        "input_shape": shape_json(concrete.input_shape),
        "output_shape": shape_json(concrete.output_shape),
        "equations": [text(eq) for eq in derivation.equations],
        "weights": [{"name": n, "shape": shape_json(w.shape), "trainable": w.trainable}
                    for n, w in derivation.weights.items()],
        "params": str(concrete.params), "trainable": str(concrete.trainable),
        "non_trainable": str(concrete.non_trainable), "formula": str(derivation.params),
    }
    return {"title": derivation.class_name + (f" {derivation.name!r}" if derivation.name else ""),
            "input_shape": format_shape(derivation.input_shape),
            "output_shape": format_shape(derivation.output_shape),
            "equations": [text(eq) for eq in derivation.equations],
            "weights": weights, "counts": counts, "values": sorted(values.items()),
            "symbolic": _has_symbols(derivation.params), "json": json_view}


def formulas_view(report: FormulasTable) -> dict:
    headers = ["Layer", "Input shape", "Output shape", "Parameters", "Example output",
               "Example params"]
    rows = [[row.class_name, format_shape(row.input_shape), format_shape(row.output_shape),
             text(row.params), format_shape(row.numeric_output_shape),
             expr_text(row.numeric_params)] for row in report.rows]
    values = ", ".join(f"{name}={value}" for name, value in report.values)
    json_view = {"layers": [{"class_name": row.class_name,
                             "input_shape": shape_json(row.input_shape),
                             "output_shape": shape_json(row.output_shape),
                             "params": str(row.params),
                             "example_params": str(row.numeric_params)} for row in report.rows],
                 "example_values": {name: value for name, value in report.values}}
    return {"table": table(headers, rows, [False] * 5 + [True]), "values": values,
            "json": json_view}


def reconciliation_view(report: Reconciliation) -> dict:
    symbolic = any(_has_symbols(row.formula) for row in report.rows)
    headers = (["Layer (type)", "Output Shape", f"{report.framework} shape"]
               + (["Param formula"] if symbolic else [])
               + ["Param #", f"{report.framework} #", "Verdict"])
    rows = []
    for row in report.rows:
        cells = [f"{row.name} ({row.class_name})", format_shape(row.output_shape),
                 format_shape(row.reference_shape) if row.reference_shape is not None else "?"]
        if symbolic:
            cells.append(text(row.formula))
        cells += [expr_text(row.params), f"{row.reference_params:,}", describe(row)]
        rows.append(cells)
    totals = [(label, expr_text(getattr(report, key)),
               f"{getattr(report, 'reference_' + key):,}")
              for label, key in (("Total params", "total"), ("Trainable params", "trainable"),
                                 ("Non-trainable params", "non_trainable"))]
    notes = sorted({(row.class_name, row.note) for row in report.rows if row.note})
    json_view = {
        "name": report.name, "framework": report.framework, "ok": report.ok,
        "layers": [{"name": row.name, "class_name": row.class_name,
                    "formula": str(row.formula), "params": str(row.params),
                    "reference_params": row.reference_params,
                    "trainable": str(row.trainable),
                    "reference_trainable": row.reference_trainable,
                    "output_shape": shape_json(row.output_shape),
                    "reference_shape": None if row.reference_shape is None
                    else shape_json(row.reference_shape),
                    "matches": row.matches, "note": row.note} for row in report.rows],
        "total": str(report.total), "reference_total": report.reference_total,
        "trainable": str(report.trainable), "reference_trainable": report.reference_trainable,
        "non_trainable": str(report.non_trainable),
        "reference_non_trainable": report.reference_non_trainable,
    }
    return {"name": report.name, "framework": report.framework, "ok": report.ok,
            "table": table(headers, rows, [False] * (len(headers) - 3) + [True, True, False]),
            "totals": totals, "notes": notes, "json": json_view}
