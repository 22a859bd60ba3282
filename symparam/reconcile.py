"""Reconciliation: symparam's derived formulas beside a live framework model's own counts.

The model is read through its configuration (``get_config()``), exactly as a saved file would
be, so the comparison checks the importer and the equations together.  Each row pairs
symparam's formula and value with Keras's ``count_params()`` and output shape.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import sympy

from symparam.report import Renderable
from symparam.errors import SymparamError, shorten
from symparam.importers.keras import read_keras
from symparam.shapes import format_shape

#: conventions worth stating beside a row even when the numbers agree
NOTES = {
    "BatchNormalization": "moving mean and variance are non-trainable but counted in the total",
    "GRU": "Keras 3 defaults to reset_after=True: a second bias per gate, 3*u*(u + d + 2)",
    "Bidirectional": "forward and backward copies: twice the wrapped layer's weights",
    "TimeDistributed": "one set of weights shared by every time step",
    "Normalization": "statistics are non-trainable weights",
}


@dataclass(frozen=True)
class ReconciledRow:
    """One layer: symparam's formula and value against the framework's numbers."""

    name: str
    class_name: str
    formula: sympy.Expr
    params: sympy.Expr
    reference_params: int
    trainable: sympy.Expr
    reference_trainable: int
    output_shape: object
    reference_shape: object
    note: str = ""

    @property
    def matches(self) -> bool:
        return (self.params == self.reference_params
                and self.trainable == self.reference_trainable
                and _same_shape(self.output_shape, self.reference_shape))


@dataclass(frozen=True)
class Reconciliation(Renderable):
    """Every row of a model and the totals, symparam's and the framework's."""

    name: str
    framework: str
    rows: tuple
    total: sympy.Expr
    reference_total: int
    trainable: sympy.Expr
    reference_trainable: int
    non_trainable: sympy.Expr
    reference_non_trainable: int

    @property
    def ok(self) -> bool:
        return (all(row.matches for row in self.rows) and self.total == self.reference_total
                and self.trainable == self.reference_trainable
                and self.non_trainable == self.reference_non_trainable)

    @property
    def mismatches(self) -> list:
        return [row for row in self.rows if not row.matches]

    def __repr__(self) -> str:
        verdict = "all rows match" if self.ok else f"{len(self.mismatches)} mismatching rows"
        return f"<Reconciliation {self.name!r} with {self.framework}: {verdict}>"


def _same_shape(ours, theirs) -> bool:
    if isinstance(ours, list) or isinstance(theirs, list):
        ours_list = ours if isinstance(ours, list) else [ours]
        theirs_list = theirs if isinstance(theirs, list) else [theirs]
        return len(ours_list) == len(theirs_list) and all(
            _same_shape(a, b) for a, b in zip(ours_list, theirs_list))
    return tuple(ours) == tuple(theirs)


def reconcile(model, *, symbolic=(), input_shape=None) -> Reconciliation:
    """Compare symparam with a live Keras model (or PyTorch module) built in this process.

    Args:
        model: a Sequential or functional Keras model, or a ``torch.nn.Module`` (handed to
            ``symparam.importers.torch.reconcile_torch``, recognised without importing torch).
        symbolic: rules such as ``"Dense.units=u"`` so that rows show formulas in ``u``.
        input_shape: PyTorch only: the input's shape, ``None`` at the batch axis.
    """
    if hasattr(model, "named_parameters") and hasattr(model, "named_modules"):
        from symparam.importers.torch import reconcile_torch
        return reconcile_torch(model, input_shape, symbolic=symbolic)
    if not all(hasattr(model, attr) for attr in ("get_config", "count_params", "layers")):
        raise SymparamError(f"reconcile: expected a Keras model, got {shorten(model)}")
    try:  # the same JSON a saved file holds, so the importer is checked too
        config = json.loads(model.to_json())
    except (NotImplementedError, TypeError, ValueError) as error:
        raise SymparamError(f"reconcile: the model has no readable config ({error})") from None
    if "layers" not in (config.get("config") or {}):
        raise SymparamError("reconcile: only Sequential and functional Keras models have a "
                            "readable config (subclassed models do not)")
    symbolic_model, values = read_keras(config, symbolic=symbolic)
    formulas = symbolic_model.summary()
    summary = formulas.subs(**values)
    ours = {row.name: (formula, row) for formula, row in zip(formulas.rows, summary.rows)}
    rows = []
    for layer in model.layers:
        if layer.name not in ours:
            raise SymparamError(f"reconcile: symparam has no row for Keras layer {layer.name!r}")
        formula, row = ours[layer.name]
        rows.append(ReconciledRow(
            row.name, row.class_name, formula.params, row.params, int(layer.count_params()),
            row.trainable, _size(layer.trainable_weights), row.output_shape,
            keras_output_shape(layer), NOTES.get(row.class_name, "")))
    return Reconciliation(summary.name, "Keras", tuple(rows), summary.total,
                          int(model.count_params()), summary.trainable,
                          _size(model.trainable_weights), summary.non_trainable,
                          _size(model.non_trainable_weights))


def _size(weights) -> int:
    total = 0
    for weight in weights:
        count = 1
        for axis in weight.shape:
            count *= int(axis)
        total += count
    return total


def keras_output_shape(layer):
    """The output shape Keras's summary shows: the last call's output(s)."""
    nodes = getattr(layer, "_inbound_nodes", [])
    if not nodes:
        return None
    outputs = nodes[-1].output_tensors
    shapes = [tuple(None if v is None else int(v) for v in t.shape) for t in outputs]
    return shapes if len(shapes) > 1 else shapes[0]


def describe(row: ReconciledRow) -> str:
    """``ok`` or what differs, for the text table."""
    if row.matches:
        return "ok"
    parts = []
    if row.params != row.reference_params:
        parts.append(f"params {row.params} vs {row.reference_params}")
    if row.trainable != row.reference_trainable:
        parts.append(f"trainable {row.trainable} vs {row.reference_trainable}")
    if not _same_shape(row.output_shape, row.reference_shape):
        parts.append(f"shape {format_shape(row.output_shape)} vs "
                     f"{format_shape(row.reference_shape)}")
    return "MISMATCH: " + "; ".join(parts)
