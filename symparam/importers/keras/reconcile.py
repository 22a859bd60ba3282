"""Reconciliation with a live Keras model: each row's formula and value beside Keras's
``count_params()`` and output shape."""

from __future__ import annotations

import json

from symparam.core.errors import SymparamError, shorten
from symparam.importers.keras.config import read_keras
from symparam.importers.reconciliation import ReconciledRow, Reconciliation

#: conventions worth stating beside a row even when the numbers agree
NOTES = {
    "BatchNormalization": "moving mean and variance are non-trainable but counted in the total",
    "GRU": "Keras 3 defaults to reset_after=True: a second bias per gate, 3*u*(u + d + 2)",
    "Bidirectional": "forward and backward copies: twice the wrapped layer's weights",
    "TimeDistributed": "one set of weights shared by every time step",
    "Normalization": "statistics are non-trainable weights",
}



def reconcile_keras(model, *, symbolic=()) -> Reconciliation:
    """Compare symparam with a live Keras model built in this process.

    The model is read through its configuration (``to_json()``), exactly as a saved file would
    be, so the comparison checks the importer and the equations together.

    Args:
        model: a Sequential or functional Keras model.
        symbolic: rules such as ``"Dense.units=u"`` so that rows show formulas in ``u``.
    """
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
