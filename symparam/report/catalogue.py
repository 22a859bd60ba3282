"""The formulas table: every catalogue layer on its symbolic example, like the seed post's
summary table (with the Dense row the right way round: ``u*(d + 1)``), plus a worked number."""

from __future__ import annotations

from dataclasses import dataclass

from symparam.core.errors import SymparamError
from symparam.core.renderable import Renderable
from symparam.layers import LAYERS
from symparam.layers.samples import EXAMPLES, NUMERIC, WRAPPED, example


@dataclass(frozen=True)
class TableRow:
    """One layer of the formulas table."""

    class_name: str
    arguments: str
    input_shape: object
    output_shape: object
    params: object
    numeric_params: object
    numeric_output_shape: object


@dataclass(frozen=True)
class FormulasTable(Renderable):
    """Derived formulas for a set of catalogue layers, and the values used for the examples."""

    report_kind = "table"  # which view and template render it

    rows: tuple
    values: tuple

    def __repr__(self) -> str:
        return f"<FormulasTable: {len(self.rows)} layers>"


def formulas_table(names=None, *, values=None) -> FormulasTable:
    """The table for the layers called ``names`` (by default every layer with an example),
    its examples evaluated at ``NUMERIC`` updated with ``values`` (``{"u": 1024}``)."""
    numeric = {**NUMERIC, **(values or {})}
    from symparam.layers import layer_class
    chosen = list(names) if names else sorted(set(LAYERS) & (set(EXAMPLES) | set(WRAPPED)))
    rows = []
    for name in chosen:
        layer_class(name)  # refuses unknown names with a suggestion
        if name not in EXAMPLES and name not in WRAPPED:
            raise SymparamError(f"{name} has no example in symparam/examples.py yet")
        layer, shape = example(name)
        derivation = layer.derive(shape)
        evaluated = derivation.at(numeric)
        rows.append(TableRow(name, _arguments(name, layer), derivation.input_shape,
                             derivation.output_shape, derivation.params, evaluated.params,
                             evaluated.output_shape))
    return FormulasTable(tuple(rows), tuple(sorted(numeric.items())))


def _arguments(name: str, layer) -> str:
    """The example's keyword arguments as written: ``filters=f, kernel_size=(k_h, k_w)``."""
    given = EXAMPLES[name][0] if name in EXAMPLES else {
        key: getattr(layer, key) for key in ("layer",) if hasattr(layer, key)}
    return ", ".join(f"{key}={_argument(value)}" for key, value in given.items())


def _argument(value) -> str:
    if hasattr(value, "class_name"):
        return f"{value.class_name}({_arguments_of(value)})"
    if isinstance(value, tuple):
        return "(" + ", ".join(_argument(item) for item in value) + ")"
    return str(value)


def _arguments_of(layer) -> str:
    """A wrapped layer's size, e.g. ``LSTM(u)``: its (or its cell's) ``units``."""
    units = getattr(layer, "units", getattr(getattr(layer, "cell", None), "units", None))
    return "" if units is None else str(units)
