"""What the property tests against real Keras 3 share: plain-data cases that the tests build
into Keras objects, Hypothesis settings and small strategies, and the round trip (save as a
``.keras`` file, read back with ``from_keras``, compare every row with Keras)."""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field

import keras
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from keras_reference import check_summary, keras_model_facts

import symparam as S

SETTINGS = settings(max_examples=6, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow,
                                           HealthCheck.function_scoped_fixture])
small = st.integers(1, 6)
flag = st.booleans()
activation = st.sampled_from([None, "relu", "tanh", "sigmoid"])


# -- what a strategy draws: plain data, built into Keras objects by the test ---------------------
@dataclass(frozen=True)
class Sub:
    """A layer by its Keras class name and arguments: a case's layer, or one nested in it (the
    ``layer`` of a wrapper, an RNN's ``cell``, a ``Sequential``'s ``layers``)."""

    class_name: str
    kwargs: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Case:
    """One layer on its inputs: ``shapes`` without the batch, one per ``keras.Input``.

    ``call`` is how Keras calls it: ``"one"`` ``layer(x)``; ``"list"`` ``layer([a, b, ...])``
    (merging, ``Attention``); ``"args"`` ``layer(query, value[, key])`` and ``"keywords"``
    ``layer(query=..., value=...[, key=...])`` (``MultiHeadAttention``).
    """

    class_name: str
    kwargs: dict
    shapes: tuple
    call: str = "one"
    dtype: str = "float32"


def one(class_name, kwargs, shape, dtype="float32") -> Case:
    return Case(class_name, kwargs, (tuple(shape),), "one", dtype)


def keras_object(value, zeros=True):
    """``value`` with every ``Sub`` built as a Keras layer; with ``zeros``, every initializer
    the layer takes is ``"zeros"`` (see the module docstring), else Keras's default."""
    if isinstance(value, Sub):
        cls = keras.Sequential if value.class_name == "Sequential" \
            else getattr(keras.layers, value.class_name)
        kwargs = {key: keras_object(item, zeros) for key, item in value.kwargs.items()}
        for name in inspect.signature(cls.__init__).parameters if zeros else ():
            if name.endswith("_initializer"):
                kwargs.setdefault(name, "zeros")
        return cls(**kwargs)
    if isinstance(value, list):
        return [keras_object(item, zeros) for item in value]
    return value


def keras_case_model(case: Case, frozen: str | None):
    """The case's layer in a functional model; ``frozen`` is when ``layer.trainable = False``
    is set: ``"before"`` the layer is built (as loading a saved frozen layer does) or
    ``"after"`` (as users freeze a built model), or never (``None``)."""
    inputs = [keras.Input(shape, dtype=case.dtype) for shape in case.shapes]
    layer = keras_object(Sub(case.class_name, case.kwargs))
    if frozen == "before":
        layer.trainable = False
    if case.call == "one":
        outputs = layer(inputs[0])
    elif case.call == "list":
        outputs = layer(inputs)
    elif case.call == "args":
        outputs = layer(*inputs)
    else:
        outputs = layer(**dict(zip(["query", "value", "key"], inputs)))
    model = keras.Model(inputs[0] if case.call == "one" else inputs, keras.tree.flatten(outputs))
    if frozen == "after":
        layer.trainable = False
    return model


def roundtrip(model, tmp_path):
    """Save the Keras model as a .keras file, read it back with symparam, compare every row."""
    path = tmp_path / "model.keras"
    model.save(path)
    expected = keras_model_facts(model)
    # The garbage collection of clear_session's default costs 0.1 s a call; the names are reset.
    keras.backend.clear_session(free_memory=False)
    check_summary(S.from_keras(path).summary(), expected)

