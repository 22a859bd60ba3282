"""Property tests against real Keras 3 for whole models: Hypothesis draws small random
Sequential stacks (vectors, images, token sequences; nested, frozen, mixed precision) and
two-input functional graphs (shared layers, nested models, merges, two outputs); each is saved
as a ``.keras`` file, read back by ``from_keras`` and must agree with Keras on every row, output
shape and total.  These keep Keras's default initializers."""

from __future__ import annotations

import keras
import pytest
from hypothesis import given
from hypothesis import strategies as st
from keras_cases import SETTINGS, Sub, activation, flag, keras_object, roundtrip, small

# Keras on JAX converts arrays the NumPy 2 way it warns about; nothing of ours.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")


@st.composite
def sequential_stack(draw):
    """A random vector, image or token-sequence stack of layers Keras accepts in sequence,
    maybe ending in a nested Sequential, maybe with one layer frozen."""
    kind = draw(st.sampled_from(["vector", "image", "sequence"]))
    if kind == "vector":
        policy = draw(st.sampled_from([None, "mixed_bfloat16"]))
        layers = [Sub("Dense", dict(units=draw(small), activation=draw(activation),
                                    dtype=policy))
                  for _ in range(draw(st.integers(1, 3)))]
        extra = draw(st.sampled_from([Sub("BatchNormalization"), Sub("Dropout", dict(rate=0.2)),
                                      Sub("LayerNormalization")]))
        layers.insert(draw(st.integers(0, len(layers))), extra)
        shape = (draw(small),)
    elif kind == "image":
        layers = [Sub("Conv2D", dict(filters=draw(small), kernel_size=3,
                                     padding=draw(st.sampled_from(["same", "valid"])))),
                  Sub(draw(st.sampled_from(["MaxPooling2D", "AveragePooling2D"])),
                      dict(pool_size=draw(st.integers(1, 3)))),
                  Sub(draw(st.sampled_from(["Flatten", "GlobalAveragePooling2D"]))),
                  Sub("Dense", dict(units=draw(small)))]
        shape = (draw(st.integers(8, 12)), draw(st.integers(8, 12)), draw(small))
    else:
        recurrent = Sub(draw(st.sampled_from(["LSTM", "GRU", "SimpleRNN"])),
                        dict(units=draw(small), return_sequences=draw(flag)))
        layers = [Sub("Embedding", dict(input_dim=draw(st.integers(5, 30)),
                                        output_dim=draw(small), mask_zero=draw(flag))),
                  Sub("Bidirectional", dict(layer=recurrent)) if draw(flag) else recurrent,
                  Sub("Dense", dict(units=draw(small)))]
        if recurrent.kwargs["return_sequences"]:
            layers.insert(2, Sub("GlobalMaxPooling1D"))
        shape = (draw(st.integers(2, 6)),)
    if draw(flag):  # a nested Sequential in place of the last layer
        layers[-1] = Sub("Sequential", dict(layers=[layers[-1],
                                                    Sub("Dense", dict(units=draw(small)))]))
    frozen = draw(st.none() | st.integers(0, len(layers) - 1))
    return kind, shape, layers, frozen


@pytest.mark.filterwarnings("ignore:.*does not support masking:UserWarning")
@SETTINGS
@given(sequential_stack())
def test_random_sequential_models_roundtrip(tmp_path_factory, case):
    kind, shape, subs, frozen = case
    layers = keras_object(subs, zeros=False)
    if frozen is not None:
        layers[frozen].trainable = False  # as Keras users freeze a layer
    dtype = "int32" if kind == "sequence" else "float32"
    model = keras.Sequential([keras.Input(shape, dtype=dtype), *layers])
    roundtrip(model, tmp_path_factory.mktemp("seq"))


@st.composite
def functional_graph(draw):
    """The plan of a two-input graph: separate or shared branches (a shared layer maybe called
    on inputs of two ranks), a nested model on one or both branches, a merge, maybe a frozen
    layer, a mixed-precision head and a second output."""
    return dict(width=draw(small), units=draw(small), out=draw(small), steps=draw(small),
                branches=draw(st.sampled_from(["separate", "shared", "shared_ranks"])),
                nested=draw(st.sampled_from([None, "functional", "sequential"])),
                nested_on=draw(st.sampled_from(["right", "both"])),
                merge=draw(st.sampled_from(["Add", "Concatenate", "Multiply", "Average"])),
                frozen=draw(st.sampled_from([None, "branch", "nested", "head"])),
                policy=draw(st.sampled_from([None, "float32", "mixed_bfloat16"])),
                two_outputs=draw(flag))


def nested_model(kind, units):
    if kind == "functional":
        inner_in = keras.Input((units,))
        hidden = keras.layers.Dense(units, activation="relu")(inner_in)
        return keras.Model(inner_in, keras.layers.BatchNormalization()(hidden), name="inner")
    return keras.Sequential([keras.layers.Dense(units), keras.layers.LayerNormalization()],
                            name="inner")


def build_functional(plan):
    width, units = plan["width"], plan["units"]
    a = keras.Input((width,))
    b = keras.Input((plan["steps"], width) if plan["branches"] == "shared_ranks" else (width,))
    first = keras.layers.Dense(units)
    second = keras.layers.Dense(units) if plan["branches"] == "separate" else first
    branch = left = first(a)
    right = second(b)
    if plan["branches"] == "shared_ranks":  # the shared layer's row shows its latest call
        right = keras.layers.GlobalAveragePooling1D()(right)
    nested = nested_model(plan["nested"], units) if plan["nested"] else None
    if nested is not None:
        right = nested(right)
        if plan["nested_on"] == "both":
            left = nested(left)
    joined = getattr(keras.layers, plan["merge"])()([left, right])
    head = keras.layers.Dense(plan["out"], dtype=plan["policy"])
    outputs = head(joined)
    frozen = {"branch": first, "nested": nested, "head": head}.get(plan["frozen"])
    if frozen is not None:
        frozen.trainable = False
    # Not drawn: a nested functional model's call as an output of the outer model.  Keras
    # writes that output as ["inner", 1, 0] (node 0 of a functional model is its own), which
    # from_keras refuses ("unknown tensor"); a nested Sequential's output is fine.
    extra = branch if plan["nested"] == "functional" else left
    return keras.Model([a, b], [outputs, extra] if plan["two_outputs"] else outputs)


@SETTINGS
@given(functional_graph())
def test_random_functional_models_roundtrip(tmp_path_factory, plan):
    roundtrip(build_functional(plan), tmp_path_factory.mktemp("fn"))
