"""Property tests against real Keras 3: Hypothesis draws layer hyperparameters and small models;
each is built in Keras, saved, read back by ``from_keras`` and must agree on every row.

Strategies only produce settings Keras itself accepts (for example no strides > 1 together with
dilation > 1); what Keras rejects is covered by the error tests.
"""

import keras
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import symparam as S
from keras_reference import check_summary, keras_model_facts

SETTINGS = settings(max_examples=6, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow,
                                           HealthCheck.function_scoped_fixture])
small = st.integers(1, 6)
flag = st.booleans()
activation = st.sampled_from([None, "relu", "tanh", "sigmoid"])


@st.composite
def conv_case(draw, rank, class_name, paddings=("valid", "same")):
    channels_first = draw(flag)
    kernel = draw(st.tuples(*[st.integers(1, 3)] * rank))
    dilated = draw(flag)
    strides = (1,) * rank if dilated else draw(st.tuples(*[st.integers(1, 2)] * rank))
    dilation = draw(st.tuples(*[st.integers(1, 2)] * rank)) if dilated else (1,) * rank
    groups = draw(st.sampled_from([1, 2]))
    channels = groups * draw(st.integers(1, 3))
    spatial = [draw(st.integers(8, 12)) for _ in range(rank)]
    shape = (channels, *spatial) if channels_first else (*spatial, channels)
    kwargs = dict(filters=groups * draw(st.integers(1, 3)), kernel_size=kernel, strides=strides,
                  dilation_rate=dilation, groups=groups, padding=draw(st.sampled_from(paddings)),
                  use_bias=draw(flag), activation=draw(activation),
                  data_format="channels_first" if channels_first else "channels_last")
    return class_name, kwargs, shape


@st.composite
def pool_case(draw, rank, class_name):
    channels_first = draw(flag)
    spatial = [draw(st.integers(6, 10)) for _ in range(rank)]
    shape = (2, *spatial) if channels_first else (*spatial, 2)
    pool = draw(st.tuples(*[st.integers(1, 3)] * rank))
    strides = draw(st.none() | st.tuples(*[st.integers(1, 3)] * rank))
    return class_name, dict(pool_size=pool, strides=strides, padding=draw(st.sampled_from(
        ["valid", "same"])), data_format="channels_first" if channels_first else
        "channels_last"), shape


@st.composite
def recurrent_case(draw, class_name):
    kwargs = dict(units=draw(small), use_bias=draw(flag), return_sequences=draw(flag),
                  return_state=draw(flag))
    if class_name == "GRU":
        kwargs["reset_after"] = draw(flag)
    return class_name, kwargs, (draw(st.integers(2, 5)), draw(small))


@st.composite
def dense_case(draw):
    rank = draw(st.integers(1, 3))
    return "Dense", dict(units=draw(small), use_bias=draw(flag), activation=draw(activation)), \
        tuple(draw(small) for _ in range(rank))


LAYER_CASES = {
    "Dense": dense_case(),
    "Embedding": st.builds(lambda v, e, n: ("Embedding", dict(input_dim=v, output_dim=e), (n,)),
                           st.integers(2, 50), small, small),
    "SimpleRNN": recurrent_case("SimpleRNN"),
    "LSTM": recurrent_case("LSTM"),
    "GRU": recurrent_case("GRU"),
    "Conv1D": conv_case(1, "Conv1D", ("valid", "same", "causal")),
    "Conv2D": conv_case(2, "Conv2D"),
    "Conv3D": conv_case(3, "Conv3D"),
    "MaxPooling1D": pool_case(1, "MaxPooling1D"),
    "MaxPooling2D": pool_case(2, "MaxPooling2D"),
    "MaxPooling3D": pool_case(3, "MaxPooling3D"),
    "AveragePooling1D": pool_case(1, "AveragePooling1D"),
    "AveragePooling2D": pool_case(2, "AveragePooling2D"),
    "AveragePooling3D": pool_case(3, "AveragePooling3D"),
    "BatchNormalization": st.builds(
        lambda center, scale, axis, shape: ("BatchNormalization",
                                            dict(center=center, scale=scale, axis=axis), shape),
        flag, flag, st.sampled_from([-1, 1]), st.tuples(small, small)),
    "Flatten": st.builds(lambda shape: ("Flatten", {}, shape), st.tuples(small, small, small)),
    "Dropout": st.builds(lambda shape: ("Dropout", dict(rate=0.3), shape), st.tuples(small)),
    "Activation": st.builds(lambda a, shape: ("Activation", dict(activation=a or "linear"),
                                              shape), activation, st.tuples(small)),
    "Bidirectional": st.builds(
        lambda inner, mode: ("Bidirectional", dict(layer=inner[:2], merge_mode=mode), inner[2]),
        st.sampled_from(["LSTM", "GRU", "SimpleRNN"]).flatmap(recurrent_case),
        st.sampled_from(["concat", "sum", "mul", "ave", None])),
    "TimeDistributed": st.builds(
        lambda inner, steps: ("TimeDistributed", dict(layer=inner[:2]), (steps, *inner[2])),
        dense_case() | conv_case(2, "Conv2D"), st.integers(2, 4)),
}


def keras_layer(class_name, kwargs):
    built = {k: keras_layer(*v) if k == "layer" else v for k, v in kwargs.items()}
    return getattr(keras.layers, class_name)(**built)


def roundtrip(model, tmp_path):
    """Save the Keras model as a .keras file, read it back with symparam, compare every row."""
    path = tmp_path / "model.keras"
    model.save(path)
    expected = keras_model_facts(model)
    keras.backend.clear_session()
    check_summary(S.from_keras(path).summary(), expected)


@pytest.mark.parametrize("name", sorted(LAYER_CASES))
def test_random_layer_settings_roundtrip(name, tmp_path):
    @SETTINGS
    @given(LAYER_CASES[name])
    def check(case):
        class_name, kwargs, shape = case
        inputs = keras.Input(shape, dtype="int32" if class_name == "Embedding" else "float32")
        outputs = keras_layer(class_name, kwargs)(inputs)
        roundtrip(keras.Model(inputs, outputs), tmp_path)
    check()


@st.composite
def sequential_stack(draw):
    """A random vector or image stack of layers Keras accepts in sequence."""
    if draw(flag):
        layers = [keras.layers.Dense(draw(small), activation=draw(activation))
                  for _ in range(draw(st.integers(1, 4)))]
        layers.insert(draw(st.integers(0, len(layers))), keras.layers.BatchNormalization())
        return (draw(small),), layers
    layers = [keras.layers.Conv2D(draw(small), 3, padding=draw(st.sampled_from(["same",
                                                                                 "valid"]))),
              keras.layers.MaxPooling2D(), keras.layers.Flatten(),
              keras.layers.Dense(draw(small))]
    return (draw(st.integers(8, 12)), draw(st.integers(8, 12)), draw(small)), layers


@SETTINGS
@given(sequential_stack())
def test_random_sequential_models_roundtrip(tmp_path_factory, case):
    shape, layers = case
    roundtrip(keras.Sequential([keras.Input(shape), *layers]), tmp_path_factory.mktemp("seq"))


@st.composite
def functional_graph(draw):
    """Two inputs, branches joined by Concatenate or Add, optionally a shared layer."""
    width, units = draw(small), draw(small)
    a, b = keras.Input((width,)), keras.Input((width,))
    if draw(flag):
        shared = keras.layers.Dense(units)
        left, right = shared(a), shared(b)
    else:
        left, right = keras.layers.Dense(units)(a), keras.layers.Dense(units)(b)
    joined = (keras.layers.Add() if draw(flag) else keras.layers.Concatenate())([left, right])
    outputs = keras.layers.Dense(draw(small))(joined)
    return keras.Model([a, b], [outputs, left] if draw(flag) else outputs)


@SETTINGS
@given(functional_graph())
def test_random_functional_models_roundtrip(tmp_path_factory, model):
    roundtrip(model, tmp_path_factory.mktemp("fn"))


def test_layer_cases_cover_the_core_catalogue():
    core = {"Dense", "Embedding", "SimpleRNN", "LSTM", "GRU", "Conv1D", "Conv2D", "Conv3D",
            "BatchNormalization", "Flatten", "Dropout", "Activation", "Bidirectional",
            "TimeDistributed"}
    assert core <= set(LAYER_CASES)
