"""Every catalogue layer against real Keras 3, over many hyperparameter settings.

Each case is a layer written once (``spec``) with the sizes the symbolic route replaces by
dimension symbols written ``Dim(name, value)``; ``check_spec`` compares symparam's concrete and
symbolic derivations with the Keras layer built on ``keras.Input``. The seed post's published
numbers and formulas are checked as oracles at the end.
"""

from __future__ import annotations

import re

import keras
import pytest
import sympy
from keras_reference import Dim, SymbolicRoute, check_layer, check_spec, spec

import symparam as S
import symparam.layers as SL
from symparam.layers import GRU, LSTM, Conv2D, Dense, Embedding

# Sizes shared by the cases; the symbolic route names them.
u, d, T = Dim("u", 8), Dim("d", 3), Dim("T", 5)
f, c = Dim("f", 4), Dim("c", 6)
L, H, W = Dim("L", 20), Dim("H", 12), Dim("W", 10)


def case(layer_spec, *input_shape, dtype=None, inputs=None):
    """A pytest case: ``case(spec, *shape)`` for one input, ``inputs=[shape, ...]`` for several."""
    shape = inputs if inputs is not None else tuple(input_shape)
    label = re.sub(r"Dim\(name='(\w+)', value=(\d+)\)", r"\1=\2", f"{layer_spec!r}@{shape!r}")
    return pytest.param(layer_spec, shape, dtype, id=label)


def run(layer_spec, shape, dtype):
    check_spec(layer_spec, shape, dtype=dtype)


# -- core ----------------------------------------------------------------------------------------
CORE = [
    case(spec("Dense", Dim("u", 32)), Dim("d", 784)),
    case(spec("Dense", u), T, d),
    case(spec("Dense", u, use_bias=False), Dim("a", 2), T, d),
    case(spec("Dense", units=u, activation="relu", use_bias=False), Dim("d", 10)),
    case(spec("Dense", u, activation="softmax"), Dim("a", 2), Dim("b", 3), T, d),
    case(spec("Dense", u, trainable=False), d),
    case(spec("Embedding", Dim("V", 1024), Dim("e", 256)), Dim("n", 25), dtype="int32"),
    case(spec("Embedding", input_dim=Dim("V", 50), output_dim=Dim("e", 8)),
         Dim("n", 4), Dim("m", 3), dtype="int32"),
    case(spec("Embedding", Dim("V", 10), Dim("e", 4), trainable=False), Dim("n", 7),
         dtype="int32"),
    case(spec("Activation", "relu"), Dim("d", 5)),
    case(spec("Activation", "softmax"), T, d),
    case(spec("Dropout", 0.5), Dim("d", 7)),
    case(spec("Dropout", rate=0.2), T, d),
]


@pytest.mark.parametrize("layer_spec, shape, dtype", CORE)
def test_core(layer_spec, shape, dtype):
    run(layer_spec, shape, dtype)


# -- recurrent -----------------------------------------------------------------------------------
RNN_OPTIONS = [
    {},
    {"use_bias": False},
    {"return_sequences": True},
    {"return_state": True},
    {"return_sequences": True, "return_state": True},
    {"go_backwards": True},
    {"trainable": False},
]
GRU_OPTIONS = [
    {"reset_after": False},
    {"reset_after": False, "use_bias": False},
    {"reset_after": False, "return_sequences": True, "return_state": True},
    {"reset_after": True, "use_bias": False},
    {"reset_after": True, "return_state": True},
]
RECURRENT = (
    [case(spec(name, u, **options), T, d)
     for name in ("SimpleRNN", "LSTM", "GRU") for options in RNN_OPTIONS]
    + [case(spec("GRU", u, **options), T, d) for options in GRU_OPTIONS]
    + [case(spec("LSTM", Dim("u", 16), activation="relu"), Dim("T", 7), Dim("d", 11))]
)


@pytest.mark.parametrize("layer_spec, shape, dtype", RECURRENT)
def test_recurrent(layer_spec, shape, dtype):
    run(layer_spec, shape, dtype)


# -- wrappers ------------------------------------------------------------------------------------
MERGE_MODES = ["concat", "sum", "mul", "ave", None]
SEQUENCE_FLAGS = [(False, False), (True, False), (False, True), (True, True)]
WRAPPERS = (
    [case(spec("Bidirectional", spec("LSTM", u, return_sequences=rs, return_state=st),
               merge_mode=mode), T, d)
     for mode in MERGE_MODES for rs, st in SEQUENCE_FLAGS]
    + [case(spec("Bidirectional", spec("GRU", u, return_sequences=rs, return_state=st),
                 merge_mode=mode), T, d)
       for mode in MERGE_MODES for rs, st in [(False, False), (True, True)]]
    + [
        case(spec("Bidirectional", spec("GRU", u, reset_after=False)), T, d),
        case(spec("Bidirectional", spec("SimpleRNN", u, return_sequences=True)), T, d),
        case(spec("Bidirectional", spec("LSTM", u, use_bias=False), merge_mode="sum"), T, d),
        case(spec("Bidirectional", spec("LSTM", u, return_sequences=True),
                  backward_layer=spec("GRU", u, return_sequences=True, go_backwards=True)),
             T, d),
        case(spec("TimeDistributed", spec("Dense", u)), T, d),
        case(spec("TimeDistributed", spec("Dense", u, use_bias=False)), T, Dim("a", 2), d),
        case(spec("TimeDistributed", spec("Conv2D", f, 3)), T, H, W, Dim("c", 3)),
        case(spec("TimeDistributed", spec("Conv2D", f, (2, 3), strides=2, padding="same")),
             T, H, W, Dim("c", 3)),
        case(spec("TimeDistributed", spec("Conv2D", f, 3, data_format="channels_first")),
             T, Dim("c", 3), H, W),
        case(spec("TimeDistributed", spec("MaxPooling2D", 2)), T, H, W, Dim("c", 3)),
        case(spec("TimeDistributed", spec("Flatten")), T, Dim("a", 2), d),
    ]
)


@pytest.mark.parametrize("layer_spec, shape, dtype", WRAPPERS)
def test_wrappers(layer_spec, shape, dtype):
    run(layer_spec, shape, dtype)


# -- convolution ---------------------------------------------------------------------------------
# Keras refuses strides > 1 together with dilation_rate > 1, so no case combines them.
CONV = [
    case(spec("Conv1D", f, 3), L, c),
    case(spec("Conv1D", f, Dim("k", 5)), L, c),
    case(spec("Conv1D", f, 3, padding="same"), L, c),
    case(spec("Conv1D", f, 3, padding="causal"), L, c),
    case(spec("Conv1D", f, 3, strides=2), L, c),
    case(spec("Conv1D", f, 4, strides=3), Dim("L", 21), c),
    case(spec("Conv1D", f, 3, strides=3, padding="same"), L, c),
    case(spec("Conv1D", f, 3, dilation_rate=2), L, c),
    case(spec("Conv1D", f, 3, dilation_rate=2, padding="causal"), L, c),
    case(spec("Conv1D", f, 4, strides=3, padding="causal"), L, c),
    case(spec("Conv1D", f, 2, strides=2, padding="same"), Dim("L", 21), c),
    case(spec("Conv1D", f, 3, dilation_rate=3, padding="same"), L, c),
    case(spec("Conv1D", f, 3, groups=2), L, c),
    case(spec("Conv1D", Dim("f", 6), 3, groups=3), L, c),
    case(spec("Conv1D", f, 3, use_bias=False), L, c),
    case(spec("Conv1D", f, 3, data_format="channels_first"), c, L),
    case(spec("Conv1D", f, 3, strides=2, padding="same", data_format="channels_first"), c, L),
    case(spec("Conv1D", f, 3, data_format="channels_first", groups=2, use_bias=False), c, L),
    case(spec("Conv2D", Dim("f", 8), 3), H, W, Dim("c", 4)),
    case(spec("Conv2D", Dim("f", 8), (Dim("kh", 3), Dim("kw", 5))), H, W, Dim("c", 4)),
    case(spec("Conv2D", f, 3, padding="same", activation="relu"), H, W, Dim("c", 4)),
    case(spec("Conv2D", f, 3, strides=2), H, W, Dim("c", 4)),
    case(spec("Conv2D", f, (3, 2), strides=(2, 3)), H, W, Dim("c", 4)),
    case(spec("Conv2D", f, (3, 2), strides=(2, 3), padding="same"), H, Dim("W", 11), Dim("c", 4)),
    case(spec("Conv2D", f, 3, dilation_rate=(2, 1)), H, W, Dim("c", 4)),
    case(spec("Conv2D", f, (4, 2), strides=(3, 2), padding="same"), Dim("H", 13), W, Dim("c", 4)),
    case(spec("Conv2D", f, 3, dilation_rate=2, padding="same"), H, W, Dim("c", 4)),
    case(spec("Conv2D", Dim("f", 8), 3, groups=2), H, W, Dim("c", 4)),
    case(spec("Conv2D", Dim("f", 8), (1, 3), groups=4), H, W, Dim("c", 4)),
    case(spec("Conv2D", f, 3, use_bias=False), H, W, Dim("c", 4)),
    case(spec("Conv2D", f, 3, data_format="channels_first"), Dim("c", 4), H, W),
    case(spec("Conv2D", f, (3, 4), strides=2, padding="same", data_format="channels_first"),
         Dim("c", 4), Dim("H", 13), W),
    case(spec("Conv2D", Dim("f", 8), 3, groups=2, data_format="channels_first"),
         Dim("c", 4), H, W),
    case(spec("Conv2D", f, 3, trainable=False), H, W, Dim("c", 4)),
    case(spec("Conv3D", f, 3), Dim("D", 8), Dim("H", 9), W, Dim("c", 2)),
    case(spec("Conv3D", f, (2, 3, 1), strides=(1, 2, 3), padding="same"),
         Dim("D", 8), Dim("H", 9), W, Dim("c", 2)),
    case(spec("Conv3D", f, (2, 3, 1), strides=(1, 2, 3)), Dim("D", 8), Dim("H", 9), W,
         Dim("c", 2)),
    case(spec("Conv3D", f, 2, dilation_rate=2), Dim("D", 8), Dim("H", 9), W, Dim("c", 2)),
    case(spec("Conv3D", f, 3, groups=2), Dim("D", 8), Dim("H", 9), W, Dim("c", 2)),
    case(spec("Conv3D", f, 3, use_bias=False), Dim("D", 8), Dim("H", 9), W, Dim("c", 2)),
    case(spec("Conv3D", f, 3, data_format="channels_first"), Dim("c", 2), Dim("D", 8),
         Dim("H", 9), W),
    case(spec("Conv3D", f, 3, strides=2, padding="same", data_format="channels_first"),
         Dim("c", 2), Dim("D", 7), Dim("H", 9), W),
]


@pytest.mark.parametrize("layer_spec, shape, dtype", CONV)
def test_convolution(layer_spec, shape, dtype):
    run(layer_spec, shape, dtype)


# -- pooling -------------------------------------------------------------------------------------
P1, P2, P3 = (Dim("L", 11),), (Dim("H", 9), Dim("W", 11)), (Dim("D", 6), Dim("H", 7), Dim("W", 8))
POOL_SETTINGS = {
    1: [({}, P1), ({"pool_size": 3, "strides": 2}, P1), ({"pool_size": 3, "padding": "same"}, P1),
        ({"pool_size": 2, "strides": 1, "padding": "same"}, P1),
        ({"pool_size": 4, "strides": 3}, P1),
        ({"pool_size": 3, "data_format": "channels_first"}, P1)],
    2: [({}, P2), ({"pool_size": (3, 2), "strides": (2, 1)}, P2),
        ({"pool_size": 3, "strides": 2, "padding": "same"}, P2),
        ({"pool_size": 2, "strides": 3}, P2),
        ({"pool_size": (2, 3), "data_format": "channels_first"}, P2),
        ({"pool_size": 2, "padding": "same", "data_format": "channels_first"}, P2)],
    3: [({}, P3), ({"pool_size": (2, 3, 2), "strides": 1, "padding": "same"}, P3),
        ({"pool_size": 3, "strides": 2}, P3),
        ({"pool_size": 2, "data_format": "channels_first"}, P3),
        ({"pool_size": (1, 2, 3), "strides": (1, 2, 2), "padding": "same",
          "data_format": "channels_first"}, P3)],
}


def pool_case(kind, rank, options, spatial):
    channels = Dim("c", 3)
    first = options.get("data_format") == "channels_first"
    shape = (channels, *spatial) if first else (*spatial, channels)
    if kind == "Average" and "pool_size" not in options:
        options = {"pool_size": 2, **options}  # Keras's AveragePooling has no default size
    return case(spec(f"{kind}Pooling{rank}D", **options), *shape)


POOLING = [pool_case(kind, rank, options, spatial)
           for kind in ("Max", "Average") for rank, settings in POOL_SETTINGS.items()
           for options, spatial in settings]


@pytest.mark.parametrize("layer_spec, shape, dtype", POOLING)
def test_pooling(layer_spec, shape, dtype):
    run(layer_spec, shape, dtype)


# -- reshaping, merging, normalization ---------------------------------------------------------
OTHERS = [
    case(spec("Flatten"), Dim("a", 4)),
    case(spec("Flatten"), Dim("a", 3), Dim("b", 4)),
    case(spec("Flatten"), Dim("a", 2), Dim("b", 3), Dim("c", 4)),
    case(spec("Flatten", data_format="channels_first"), Dim("c", 3), Dim("h", 4), Dim("w", 5)),
    case(spec("Concatenate"), inputs=[(Dim("a", 3),), (Dim("b", 4),)]),
    case(spec("Concatenate", axis=-1), inputs=[(T, Dim("a", 3)), (T, Dim("b", 4))]),
    case(spec("Concatenate", axis=1), inputs=[(Dim("m", 2), d), (Dim("n", 4), d)]),
    case(spec("Concatenate", axis=-2),
         inputs=[(Dim("h", 2), Dim("m", 3), d), (Dim("h", 2), Dim("n", 5), d)]),
    case(spec("Concatenate"), inputs=[(Dim("a", 3),), (Dim("b", 4),), (Dim("e", 5),)]),
    case(spec("Add"), inputs=[(Dim("a", 3),), (Dim("a", 3),)]),
    case(spec("Add"), inputs=[(T, Dim("a", 3))] * 3),
    case(spec("Add"), inputs=[(T, Dim("a", 3)), (Dim("a", 3),)]),      # ranks broadcast
    case(spec("Add"), inputs=[(T, 1), (1, Dim("a", 3))]),
    case(spec("BatchNormalization"), Dim("d", 6)),
    case(spec("BatchNormalization", renorm=True), Dim("d", 6)),                 # batch renorm
    case(spec("BatchNormalization", renorm=True, center=False, axis=1), Dim("c", 3), Dim("h", 4)),
    case(spec("BatchNormalization"), Dim("h", 4), Dim("w", 5), Dim("c", 3)),
    case(spec("BatchNormalization", axis=1), Dim("c", 3), Dim("h", 4), Dim("w", 5)),
    case(spec("BatchNormalization", axis=1), Dim("c", 3), Dim("t", 4)),
    case(spec("BatchNormalization", center=False), Dim("d", 6)),
    case(spec("BatchNormalization", scale=False), T, Dim("d", 6)),
    case(spec("BatchNormalization", center=False, scale=False), Dim("d", 6)),
    case(spec("BatchNormalization", axis=1, center=False), Dim("c", 3), Dim("h", 4), Dim("w", 5)),
    case(spec("BatchNormalization", trainable=False), Dim("d", 6)),
]


@pytest.mark.parametrize("layer_spec, shape, dtype", OTHERS)
def test_reshaping_merging_normalization(layer_spec, shape, dtype):
    run(layer_spec, shape, dtype)


# -- Keras arguments that change nothing countable, and nested wrappers -----------------------
MORE = [
    case(spec("Embedding", Dim("V", 50), Dim("e", 8), mask_zero=True), Dim("n", 4),
         dtype="int32"),
    case(spec("Dense", u, kernel_initializer="zeros", bias_initializer="ones",
              kernel_regularizer="l2"), d),
    case(spec("LSTM", u, dropout=0.1, recurrent_dropout=0.2, unit_forget_bias=False), T, d),
    case(spec("GRU", u, dropout=0.1, unroll=True), T, d),
    case(spec("Conv2D", f, 3, kernel_initializer="he_normal", bias_regularizer="l1"),
         H, W, Dim("c", 3)),
    case(spec("Conv2D", f, 4, dilation_rate=2, padding="same"), H, W, Dim("c", 3)),
    case(spec("Conv1D", f, 3, activation="swish", padding="causal", dilation_rate=4), L, c),
    case(spec("MaxPooling1D", pool_size=2, strides=3), L, c),
    case(spec("MaxPooling2D", pool_size=(2, 2), strides=(3, 1), padding="same"),
         H, W, Dim("c", 3)),
    case(spec("Bidirectional", spec("LSTM", u, return_state=True, return_sequences=True),
              merge_mode=None, trainable=False), T, d),
    case(spec("Bidirectional", spec("SimpleRNN", u, use_bias=False, return_state=True),
              merge_mode="ave"), T, d),
    case(spec("TimeDistributed", spec("LSTM", u)), T, Dim("t", 4), d),
    case(spec("TimeDistributed", spec("Bidirectional", spec("GRU", u))), T, Dim("t", 4), d),
    case(spec("TimeDistributed", spec("Dense", u), trainable=False), T, d),
    case(spec("BatchNormalization", axis=2), Dim("a", 3), Dim("b", 4), Dim("c", 5)),
    case(spec("BatchNormalization", axis=-2), Dim("a", 3), Dim("b", 4), Dim("c", 5)),
    case(spec("Activation", "gelu"), d),
    case(spec("Dense", u, activation="leaky_relu"), d),
]


@pytest.mark.parametrize("layer_spec, shape, dtype", MORE)
def test_more_keras_arguments(layer_spec, shape, dtype):
    run(layer_spec, shape, dtype)


# -- unknown lengths (None) inside the shape, as for variable-length sequences -----------------
VARIABLE_LENGTH = [
    case(spec("Dense", u), None, d),
    case(spec("Embedding", Dim("V", 50), Dim("e", 8)), None, dtype="int32"),
    case(spec("LSTM", u, return_sequences=True), None, d),
    case(spec("GRU", u, return_state=True), None, d),
    case(spec("Bidirectional", spec("LSTM", u, return_sequences=True)), None, d),
    case(spec("TimeDistributed", spec("Dense", u)), None, d),
    case(spec("Conv1D", f, 3), None, c),
    case(spec("Conv1D", f, 3, strides=2, padding="causal"), None, c),
    case(spec("Conv2D", f, 3, padding="same"), None, None, Dim("c", 3)),
    case(spec("MaxPooling1D", 2), None, c),
    case(spec("AveragePooling2D", 2, data_format="channels_first"), Dim("c", 3), None, W),
    case(spec("Concatenate"), inputs=[(None, Dim("a", 3)), (None, Dim("b", 4))]),
    case(spec("Concatenate", axis=1), inputs=[(None, d), (Dim("n", 4), d)]),
    case(spec("Add"), inputs=[(None, Dim("a", 3)), (None, Dim("a", 3))]),
    case(spec("BatchNormalization"), None, Dim("d", 6)),
    case(spec("Dropout", 0.1), None, d),
    # an unknown feature or channel axis: fine for layers without weights, as in Keras
    case(spec("Activation", "relu"), T, None),
    case(spec("Dropout", 0.3), T, None),
    case(spec("Add"), inputs=[(T, None), (T, None)]),
    case(spec("Concatenate"), inputs=[(T, None), (T, None)]),
    case(spec("MaxPooling2D", 2), H, W, None),
    case(spec("MaxPooling1D", 2, data_format="channels_first"), None, L),
    case(spec("MaxPooling3D", 2), Dim("a", 4), Dim("b", 4), Dim("e", 4), None),
    case(spec("SpatialDropout3D", 0.5), Dim("a", 3), Dim("b", 4), Dim("e", 5), None),
]


@pytest.mark.parametrize("layer_spec, shape, dtype", VARIABLE_LENGTH)
def test_unknown_lengths(layer_spec, shape, dtype):
    run(layer_spec, shape, dtype)


def test_flatten_of_an_unknown_length_is_unknown():
    # No symbol survives (the product is unknown), so only the concrete route applies.
    check_layer(SL.Flatten(), keras.layers.Flatten(), (None, 3))


def test_sizes_given_as_strings():
    """Sizes may be strings parsed by ``S.parse``; compared with Keras after ``subs``."""
    r = Dense(units="4*u").derive((None, "d")).subs(u=8, d=3)
    assert (r.params, r.output_shape) == (keras_params(keras.layers.Dense(32), (3,)), (None, 32))
    r = LSTM(units="2*u", return_sequences=True).derive("None,T,d").subs(u=4, d=3, T=5)
    keras_lstm = keras.layers.LSTM(8, return_sequences=True)
    out = keras_lstm(keras.Input((5, 3)))
    assert (r.params, r.output_shape) == (keras_lstm.count_params(), tuple(out.shape))


# -- the seed post's published numbers and formulas ---------------------------------------------
def keras_params(layer, shape, dtype=None):
    layer(keras.Input(shape, dtype=dtype))
    return layer.count_params()


def test_published_lstm_count():
    r = LSTM(128).derive((None, 25, 256))
    assert r.params == 197120
    assert r.output_shape == (None, 128)
    assert keras_params(keras.layers.LSTM(128), (25, 256)) == 197120


def test_published_gru_count_reset_before():
    r = GRU(128, reset_after=False).derive((None, 25, 256))
    assert r.params == 147840
    assert keras_params(keras.layers.GRU(128, reset_after=False), (25, 256)) == 147840


def test_published_dense_count():
    r = Dense(32).derive((None, 784))
    assert r.params == 25120
    assert r.output_shape == (None, 32)
    assert keras_params(keras.layers.Dense(32), (784,)) == 25120


def test_published_embedding():
    r = Embedding(1024, 256).derive((None, 25))
    assert r.params == 262144
    assert r.output_shape == (None, 25, 256)
    assert keras_params(keras.layers.Embedding(1024, 256), (25,), "int32") == 262144


def same_expression(a, b) -> bool:
    return sympy.expand(a - b) == 0


def test_published_lstm_formula():
    u_, d_ = S.dims("u d")
    r = LSTM(units=u_).derive((None, 25, d_))
    assert same_expression(r.params, 4 * u_ * (u_ + d_ + 1)), r.params
    assert r.trainable == r.params and r.non_trainable == 0
    assert r.output_shape == (None, u_)
    assert r.subs(u=128, d=256).params == 197120


def test_published_gru_formulas():
    u_, d_ = S.dims("u d")
    after = GRU(u_).derive((None, 25, d_)).params
    before = GRU(u_, reset_after=False).derive((None, 25, d_)).params
    assert same_expression(after, 3 * u_ * (u_ + d_ + 2)), after
    assert same_expression(before, 3 * u_ * (u_ + d_ + 1)), before


def test_published_conv2d_formula():
    f_, kh, kw, c_, g = S.dims("f k_h k_w c g")
    r = Conv2D(f_, (kh, kw)).derive((None, 32, 32, c_))
    assert same_expression(r.params, f_ * (kh * kw * c_ + 1)), r.params
    grouped = Conv2D(f_, (kh, kw), groups=g).derive((None, 32, 32, c_)).params
    assert same_expression(grouped, f_ * (kh * kw * c_ / g + 1)), grouped
    assert keras_params(keras.layers.Conv2D(8, (3, 5), groups=2), (32, 32, 4)) == \
        8 * (3 * 5 * 4 // 2 + 1)


# -- the shared check itself can fail ----------------------------------------------------------
def test_check_layer_rejects_a_wrong_concrete_count():
    with pytest.raises(AssertionError, match="concrete route"):
        check_layer(Dense(33), keras.layers.Dense(32), (4,))


def test_check_layer_rejects_a_wrong_symbolic_route():
    u_ = S.dims("u")
    route = SymbolicRoute(layer=Dense(u_ + 1), input_shape=(4,), values={"u": 32})
    with pytest.raises(AssertionError, match="symbolic route"):
        check_layer(Dense(32), keras.layers.Dense(32), (4,), symbols=route)


def test_check_layer_rejects_a_wrong_output_shape():
    # Equal counts (none), different shapes: (None, 3, 4) against Keras's (None, 12).
    with pytest.raises(AssertionError, match="output_shape"):
        check_layer(SL.Dropout(0.5), keras.layers.Flatten(), (3, 4))


@pytest.mark.parametrize("name", ["GlobalAveragePooling3D", "GlobalMaxPooling2D"])
def test_global_pooling_of_an_unknown_channel_axis(name):
    """Keras pools an input whose channel count is unknown into ``(None, None)``."""
    shape = (4, 4, 4, None)[-(int(name[-2]) + 1):]
    expected = tuple(getattr(keras.layers, name)()(keras.Input(shape)).shape)
    assert getattr(SL, name)().derive((None, *shape)).output_shape == expected == (None, None)
