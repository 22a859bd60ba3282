"""One shared check of symparam against real Keras 3, in the spirit of Keras's ``run_layer_test``.

A layer is written once as a ``Spec`` (its Keras class name and Keras arguments); sizes that the
symbolic route should turn into dimension symbols are written ``Dim("u", 32)``. ``check_spec``
then builds the layer three times:

* in Keras, on ``keras.Input(shape)`` with the concrete sizes: the reference;
* in symparam with the concrete sizes, derived on ``(None, *shape)``;
* in symparam with every ``Dim`` replaced by ``S.dims(name)``, derived, then ``.subs(...)``
  with the concrete sizes.

Both symparam routes must agree with Keras on params, trainable and non-trainable counts and
output shape(s). Expected values come from Keras only, never from symparam.
"""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "jax")

from dataclasses import dataclass  # noqa: E402

import keras  # noqa: E402
import numpy as np  # noqa: E402
import sympy  # noqa: E402

import symparam as S  # noqa: E402
import symparam.layers as SL  # noqa: E402

# Keras names the class of ``keras.Model(inputs, outputs)`` "Functional"; symparam's is ``Model``.
CLASS_ALIASES = {"Functional": "Model"}


# -- describing a layer once, for both libraries: tests/layer_specs.py ----------------------
from layer_specs import Dim, Spec, build, dim_values, resolve, spec  # noqa: E402,F401


# -- facts about one layer --------------------------------------------------------------------
@dataclass(frozen=True)
class Facts:
    params: object
    trainable: object
    non_trainable: object
    output_shape: object


@dataclass(frozen=True)
class SymbolicRoute:
    """The same layer with symbols for sizes, its symbolic input shape and the values to subs."""

    layer: object
    input_shape: object
    values: dict


def concrete(value):
    """A plain int from a SymPy Integer (or int); anything else is returned unchanged so that
    the comparison fails and shows it (an unevaluated ``ceiling`` or a leftover symbol)."""
    if value is None or isinstance(value, (bool, float)):
        return value
    if isinstance(value, (int, np.integer)):
        return int(value)
    expr = sympy.sympify(value)
    return int(expr) if expr.is_Integer else expr


def shape_facts(shape):
    """A shape as a tuple of ints / None, or a list of those for several outputs."""
    if isinstance(shape, list):
        return [shape_facts(item) for item in shape]
    return tuple(concrete(item) for item in shape)


def weight_count(weights) -> int:
    return int(sum(int(np.prod(w.shape)) for w in weights))


def with_batch(input_shape):
    """``(None, *shape)``, or a list of those for a layer with several inputs."""
    if isinstance(input_shape, list):
        return [(None, *shape) for shape in input_shape]
    return (None, *input_shape)


def keras_inputs(input_shape, dtype=None):
    if isinstance(input_shape, list):
        return [keras.Input(shape=tuple(shape), dtype=dtype) for shape in input_shape]
    return keras.Input(shape=tuple(input_shape), dtype=dtype)


def keras_output_shape(outputs):
    if isinstance(outputs, (list, tuple)):
        return [tuple(t.shape) for t in outputs]
    return tuple(outputs.shape)


def keras_layer_facts(layer, input_shape, dtype=None) -> Facts:
    """Build the Keras layer on ``keras.Input`` and read its counts and output shape(s)."""
    outputs = layer(keras_inputs(input_shape, dtype))
    return Facts(
        params=int(layer.count_params()),
        trainable=weight_count(layer.trainable_weights),
        non_trainable=weight_count(layer.non_trainable_weights),
        output_shape=keras_output_shape(outputs),
    )


def derivation_facts(derivation) -> Facts:
    return Facts(
        params=concrete(derivation.params),
        trainable=concrete(derivation.trainable),
        non_trainable=concrete(derivation.non_trainable),
        output_shape=shape_facts(derivation.output_shape),
    )


def symbols_in(derivation) -> set:
    """Free symbols of the counts and output shape(s) of a derivation."""
    found = set()
    for expr in (derivation.params, derivation.trainable, derivation.non_trainable):
        found |= sympy.sympify(expr).free_symbols
    shapes = derivation.output_shape
    for shape in shapes if isinstance(shapes, list) else [shapes]:
        for item in shape:
            if item is not None:
                found |= sympy.sympify(item).free_symbols
    return found


def check_layer(sym_layer, keras_layer, input_shape, symbols: SymbolicRoute | None = None,
                dtype=None) -> Facts:
    """Assert that ``sym_layer`` (and its symbolic twin, if given) matches ``keras_layer``.

    Args:
        sym_layer: a symparam layer with concrete sizes.
        keras_layer: the same layer in Keras (not yet built).
        input_shape: the input shape without the batch axis, or a list of them.
        symbols: the symbolic route: the layer built with symbols, its symbolic input shape
            (without batch) and the ``{name: value}`` to substitute.
        dtype: the Keras input dtype (``"int32"`` for token indices).
    Returns:
        The Keras facts.
    """
    expected = keras_layer_facts(keras_layer, input_shape, dtype)
    got = derivation_facts(sym_layer.derive(with_batch(input_shape)))
    assert got == expected, (
        f"\nconcrete route: {sym_layer!r} on {with_batch(input_shape)}"
        f"\n  symparam: {got}\n  keras:    {expected}")
    if symbols is not None:
        derivation = symbols.layer.derive(with_batch(symbols.input_shape))
        names = {s.name for s in symbols_in(derivation)}
        assert names & set(symbols.values), (
            f"symbolic route kept none of the symbols {sorted(symbols.values)}: {derivation!r}")
        got = derivation_facts(derivation.at(symbols.values))
        assert got == expected, (
            f"\nsymbolic route: {symbols.layer!r} on {with_batch(symbols.input_shape)}"
            f"\n  derived: params={derivation.params}, output_shape={derivation.output_shape}"
            f"\n  .subs({symbols.values})"
            f"\n  symparam: {got}\n  keras:    {expected}")
    return expected


def check_spec(layer_spec: Spec, input_shape, dtype=None) -> Facts:
    """``check_layer`` for a layer written once as a ``Spec`` with ``Dim`` sizes."""
    values = dim_values(layer_spec, input_shape)
    assert values, f"{layer_spec!r}: give at least one Dim so the symbolic route is tested"
    route = SymbolicRoute(
        layer=build(layer_spec, SL, symbolic=True),
        input_shape=resolve(input_shape, SL, symbolic=True),
        values=values,
    )
    return check_layer(
        build(layer_spec, SL),
        build(layer_spec, keras.layers),
        resolve(input_shape, SL, symbolic=False),
        symbols=route,
        dtype=dtype,
    )


# -- whole models -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Row:
    class_name: str
    output_shape: object
    params: object
    trainable: object
    non_trainable: object


@dataclass(frozen=True)
class ModelFacts:
    rows: tuple
    total: object
    trainable: object
    non_trainable: object


def class_name(name: str) -> str:
    return CLASS_ALIASES.get(name, name)


def keras_row_shape(layer):
    """The output shape Keras's own summary prints for a row (its last inbound node)."""
    outputs = layer._inbound_nodes[-1].output_tensors
    if len(outputs) == 1:
        return tuple(outputs[0].shape)
    return [tuple(t.shape) for t in outputs]


def keras_model_facts(model) -> ModelFacts:
    """Rows of ``model.layers`` in Keras's order, and the model's totals."""
    rows = tuple(
        Row(
            class_name=class_name(type(layer).__name__),
            output_shape=keras_row_shape(layer),
            params=int(layer.count_params()),
            trainable=weight_count(layer.trainable_weights),
            non_trainable=weight_count(layer.non_trainable_weights),
        )
        for layer in model.layers
    )
    return ModelFacts(
        rows=rows,
        total=int(model.count_params()),
        trainable=weight_count(model.trainable_weights),
        non_trainable=weight_count(model.non_trainable_weights),
    )


def summary_facts(summary) -> ModelFacts:
    rows = tuple(
        Row(
            class_name=class_name(row.class_name),
            output_shape=shape_facts(row.output_shape),
            params=concrete(row.params),
            trainable=concrete(row.trainable),
            non_trainable=concrete(row.non_trainable),
        )
        for row in summary.rows
    )
    return ModelFacts(rows=rows, total=concrete(summary.total),
                      trainable=concrete(summary.trainable),
                      non_trainable=concrete(summary.non_trainable))


def describe_rows(rows) -> str:
    return "\n".join(f"    {i}: {row}" for i, row in enumerate(rows))


def check_summary(summary, expected: ModelFacts) -> None:
    """Assert a symparam ``Summary`` equals Keras's model facts, row by row in order."""
    got = summary_facts(summary)
    totals = lambda f: (f.total, f.trainable, f.non_trainable)  # noqa: E731
    assert totals(got) == totals(expected), (
        f"totals (params, trainable, non_trainable): symparam {totals(got)}, "
        f"keras {totals(expected)}")
    assert got.rows == expected.rows, (
        f"\nsymparam rows:\n{describe_rows(got.rows)}\nkeras rows:\n{describe_rows(expected.rows)}")


def check_rows_unordered(summary, expected: ModelFacts) -> None:
    """The same rows as Keras in any order (tells a wrong row from a wrong order)."""
    got = summary_facts(summary)
    key = lambda row: repr(row)  # noqa: E731
    assert sorted(got.rows, key=key) == sorted(expected.rows, key=key), (
        f"\nsymparam rows:\n{describe_rows(got.rows)}\nkeras rows:\n{describe_rows(expected.rows)}")
