"""The formulas table: every catalogue layer on its symbolic example, like the seed post's
summary table (with the Dense row the right way round: ``u*(d + 1)``), plus a worked number."""

from __future__ import annotations

from dataclasses import dataclass

from symparam.examples import NUMERIC, example
from symparam.layers import LAYERS


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
class FormulasTable:
    """Derived formulas for a set of catalogue layers, and the values used for the examples."""

    rows: tuple
    values: tuple

    def render(self, fmt: str = "text", **options) -> str:
        from symparam.render import render
        return render(self, fmt, **options)

    def __repr__(self) -> str:
        return f"<FormulasTable: {len(self.rows)} layers>"


def formulas_table(names=None) -> FormulasTable:
    """The table for the layers called ``names`` (all registered layers by default)."""
    from symparam.layers import layer_class
    chosen = list(names) if names else sorted(LAYERS)
    rows = []
    for name in chosen:
        layer_class(name)  # refuses unknown names with a suggestion
        layer, shape = example(name)
        derivation = layer.derive(shape)
        numeric = derivation.subs(**NUMERIC)
        rows.append(TableRow(name, _arguments(layer), derivation.input_shape,
                             derivation.output_shape, derivation.params, numeric.params,
                             numeric.output_shape))
    return FormulasTable(tuple(rows), tuple(sorted(NUMERIC.items())))


def _arguments(layer) -> str:
    shown = []
    for key, value in vars(layer).items():
        if key.startswith("_") or key in ("name", "trainable"):
            continue
        if hasattr(value, "class_name"):
            value = f"{value.class_name}(...)"
        shown.append(f"{key}={value}")
    return ", ".join(shown[:3])
