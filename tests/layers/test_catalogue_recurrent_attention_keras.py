"""Recurrent cells, ``RNN``, ``ConvLSTM*`` and the attention layers against real Keras 3.

Each case is a layer written once (``spec``) with the sizes the symbolic route replaces by
dimension symbols written ``Dim(name, value)``.  Layers whose Keras call is not ``layer(x)``
(a cell needs its states, ``MultiHeadAttention`` takes ``query, value, key``) or whose outputs
Keras nests (the states of stacked cells) go through ``check_called`` below, which flattens the
Keras outputs the way a Keras model's node does; the rest through the shared ``check_spec``.
Expected values come from Keras only.
"""

from __future__ import annotations

import re

import keras
import pytest
import sympy
from keras_reference import (
    Dim,
    build,
    check_spec,
    derivation_facts,
    dim_values,
    keras_inputs,
    resolve,
    spec,
    symbols_in,
    weight_count,
    with_batch,
)

import symparam as S
import symparam.layers as SL
from symparam.layers import (
    GRU,
    LSTM,
    RNN,
    AdditiveAttention,
    Attention,
    Bidirectional,
    ConvLSTM1D,
    ConvLSTM2D,
    ConvLSTM3D,
    Dense,
    GRUCell,
    LSTMCell,
    MultiHeadAttention,
    SimpleRNN,
    SimpleRNNCell,
    StackedRNNCells,
)
from symparam.report.printers import text

# Sizes shared by the cases; the symbolic route names them.
u, e, d, T, S_ = Dim("u", 8), Dim("e", 5), Dim("d", 3), Dim("T", 5), Dim("S", 7)
f, c, L, H, W, D = Dim("f", 4), Dim("c", 2), Dim("L", 9), Dim("H", 7), Dim("W", 6), Dim("D", 5)


def case(layer_spec, *input_shape, inputs=None):
    shape = inputs if inputs is not None else tuple(input_shape)
    label = re.sub(r"Dim\(name='(\w+)', value=(\d+)\)", r"\1=\2", f"{layer_spec!r}@{shape!r}")
    return pytest.param(layer_spec, shape, id=label)


# -- a check for layers called differently, or with nested outputs ---------------------------
def flat_shapes(outputs) -> list:
    """Every output tensor's shape, nested lists flattened in order (as a Keras node does)."""
    if isinstance(outputs, (list, tuple)):
        return [shape for item in outputs for shape in flat_shapes(item)]
    return [tuple(outputs.shape)]


def keras_states(state_size):
    """Placeholder state tensors shaped like a Keras cell's ``state_size`` (maybe nested)."""
    if isinstance(state_size, (list, tuple)):
        return [keras_states(size) for size in state_size]
    return keras.Input((state_size,))


def call_layer(layer, inputs):
    return layer(inputs)


def call_cell(cell, inputs):
    """A cell's output for one step: ``cell(x_t, states)`` returns ``(output, new_states)``."""
    return cell(inputs, keras_states(cell.state_size))[0]


def call_with_arguments(layer, inputs):
    """``mha(query, value)`` or ``mha(query, value, key)``, as Keras calls attention."""
    return layer(*inputs)


def check_called(layer_spec, input_shape, call=call_layer):
    """``check_spec`` for a layer that Keras calls through ``call`` (outputs flattened)."""
    layer = build(layer_spec, keras.layers)
    outputs = call(layer, keras_inputs(resolve(input_shape, SL, symbolic=False)))
    shapes = flat_shapes(outputs)
    expected = (int(layer.count_params()), weight_count(layer.trainable_weights),
                weight_count(layer.non_trainable_weights),
                shapes if isinstance(outputs, (list, tuple)) else shapes[0])
    facts = lambda r: tuple(vars(derivation_facts(r)).values())  # noqa: E731
    concrete = build(layer_spec, SL).derive(with_batch(resolve(input_shape, SL, False)))
    assert facts(concrete) == expected, f"concrete route: {facts(concrete)} != {expected}"
    values = dim_values(layer_spec, input_shape)
    symbolic = build(layer_spec, SL, symbolic=True).derive(
        with_batch(resolve(input_shape, SL, symbolic=True)))
    assert {s.name for s in symbols_in(symbolic)} & set(values), symbolic
    got = facts(symbolic.at(values))
    assert got == expected, f"symbolic route: {symbolic!r} -> {got} != {expected}"


# -- cells derived on their own: (None, d) -> (None, units) ----------------------------------
CELLS = [
    case(spec("SimpleRNNCell", u), d),
    case(spec("SimpleRNNCell", u, use_bias=False, activation="relu"), d),
    case(spec("LSTMCell", u), d),
    case(spec("LSTMCell", u, use_bias=False), d),
    case(spec("LSTMCell", u, trainable=False), d),
    case(spec("GRUCell", u), d),
    case(spec("GRUCell", u, use_bias=False), d),
    case(spec("GRUCell", u, reset_after=False), d),
    case(spec("GRUCell", u, reset_after=False, use_bias=False), d),
    case(spec("StackedRNNCells", [spec("LSTMCell", u), spec("GRUCell", e),
                                  spec("SimpleRNNCell", u)]), d),
    case(spec("StackedRNNCells", [spec("GRUCell", u, reset_after=False)]), d),
    case(spec("StackedRNNCells", [spec("LSTMCell", u, use_bias=False), spec("LSTMCell", e)]), d),
]


@pytest.mark.parametrize("layer_spec, shape", CELLS)
def test_cells(layer_spec, shape):
    check_called(layer_spec, shape, call=call_cell)


# -- RNN(cell): one cell, or stacked cells whose states Keras nests ---------------------------
RNN_OPTIONS = [{}, {"return_sequences": True}, {"return_state": True},
               {"return_sequences": True, "return_state": True}, {"go_backwards": True},
               {"unroll": True}, {"trainable": False}]
MIXED = [spec("LSTMCell", u), spec("GRUCell", e), spec("SimpleRNNCell", u)]
RNNS = (
    [case(spec("RNN", spec(cell, u), **options), T, d)
     for cell in ("SimpleRNNCell", "LSTMCell") for options in RNN_OPTIONS]
    + [case(spec("RNN", spec("GRUCell", u, reset_after=False), return_state=True), T, d),
       case(spec("RNN", spec("GRUCell", u), return_sequences=True), None, d),
       case(spec("RNN", MIXED), T, d),
       case(spec("RNN", MIXED, return_state=True), T, d),
       case(spec("RNN", MIXED, return_sequences=True, return_state=True), T, d),
       case(spec("RNN", spec("StackedRNNCells", MIXED), return_state=True), T, d),
       case(spec("RNN", [spec("LSTMCell", u)], return_state=True), T, d),
       case(spec("RNN", [spec("GRUCell", u), spec("GRUCell", e)], return_state=True), None, d),
       case(spec("RNN", spec("LSTMCell", u, trainable=False)), T, d)]
)


@pytest.mark.parametrize("layer_spec, shape", RNNS)
def test_rnn(layer_spec, shape):
    check_called(layer_spec, shape)


# -- convolutional LSTMs ------------------------------------------------------------------------
# Keras refuses strides > 1 together with dilation_rate > 1, and 'causal' padding.
CONV_LSTM = [
    case(spec("ConvLSTM2D", f, 3), T, H, W, c),
    case(spec("ConvLSTM2D", f, (Dim("kh", 3), Dim("kw", 2))), T, H, W, c),
    case(spec("ConvLSTM2D", f, 3, padding="same"), T, H, W, c),
    case(spec("ConvLSTM2D", f, 3, strides=2), T, H, W, c),
    case(spec("ConvLSTM2D", f, (3, 2), strides=(2, 3), padding="same"), T, H, Dim("W", 8), c),
    case(spec("ConvLSTM2D", f, 3, dilation_rate=2), T, H, W, c),
    case(spec("ConvLSTM2D", f, 3, dilation_rate=(1, 2), padding="same"), T, H, W, c),
    case(spec("ConvLSTM2D", f, 3, use_bias=False), T, H, W, c),
    case(spec("ConvLSTM2D", f, 3, data_format="channels_first"), T, c, H, W),
    case(spec("ConvLSTM2D", f, 3, strides=2, padding="same", data_format="channels_first",
              return_state=True), T, c, H, W),
    case(spec("ConvLSTM2D", f, 3, return_sequences=True), T, H, W, c),
    case(spec("ConvLSTM2D", f, 3, return_state=True), T, H, W, c),
    case(spec("ConvLSTM2D", f, 3, return_sequences=True, return_state=True), None, H, W, c),
    case(spec("ConvLSTM2D", f, 3, go_backwards=True, activation="relu"), T, H, W, c),
    case(spec("ConvLSTM2D", f, 3, trainable=False), T, H, W, c),
    case(spec("ConvLSTM1D", f, 3), T, L, c),
    case(spec("ConvLSTM1D", f, Dim("k", 4), strides=3), T, L, c),
    case(spec("ConvLSTM1D", f, 3, strides=2, padding="same", return_sequences=True), T, L, c),
    case(spec("ConvLSTM1D", f, 3, data_format="channels_first", return_state=True), T, c, L),
    case(spec("ConvLSTM1D", f, 2, dilation_rate=3, use_bias=False), T, L, c),
    case(spec("ConvLSTM3D", f, 2), T, D, H, W, c),
    case(spec("ConvLSTM3D", f, (2, 3, 1), strides=(1, 2, 3), padding="same"), T, D, H, W, c),
    case(spec("ConvLSTM3D", f, 2, data_format="channels_first", return_sequences=True),
         T, c, D, H, W),
]


@pytest.mark.parametrize("layer_spec, shape", CONV_LSTM)
def test_conv_lstm(layer_spec, shape):
    check_spec(layer_spec, shape)


def test_conv_lstm2d_keeps_one_bias_of_four_times_the_filters():
    """Keras's ConvLSTM2D weights: kernel (k, k, c, 4f), recurrent kernel (k, k, f, 4f) and ONE
    bias (4f,) on the input convolution; the recurrent convolution has none."""
    keras_layer = keras.layers.ConvLSTM2D(4, 3)
    keras_layer(keras.Input((5, 7, 6, 2)))
    shapes = sorted(tuple(w.shape) for w in keras_layer.weights)
    assert shapes == [(3, 3, 2, 16), (3, 3, 4, 16), (16,)]
    r = ConvLSTM2D(4, 3).derive((None, 5, 7, 6, 2))
    biases = [w for name, w in r.weights.items() if name.startswith("b_")]
    assert sum(w.size for w in biases) == 16 and r.params == keras_layer.count_params()
    f_, k_, c_ = S.dims("f k c")
    formula = ConvLSTM2D(f_, k_).derive((None, 5, 9, 9, c_)).params
    assert sympy.expand(formula - 4 * f_ * (k_**2 * (c_ + f_) + 1)) == 0, formula


# -- Bidirectional around RNN(cell) and ConvLSTM -------------------------------------------------
BIDIRECTIONAL_FLAT = (
    [case(spec("Bidirectional", spec("RNN", spec("GRUCell", u), return_sequences=rs,
                                     return_state=st), merge_mode=mode), T, d)
     for mode in ("concat", "sum", None) for rs, st in [(False, False), (True, True)]]
    + [case(spec("Bidirectional", spec("ConvLSTM2D", f, 3, return_sequences=rs,
                                       return_state=st), merge_mode=mode), T, H, W, c)
       for mode in ("concat", "mul", None) for rs, st in [(False, False), (True, True)]]
    + [case(spec("Bidirectional", spec("ConvLSTM2D", f, 3, data_format="channels_first")),
            T, c, H, W),
       case(spec("Bidirectional", spec("ConvLSTM1D", f, 3, padding="same")), T, L, c),
       case(spec("Bidirectional", spec("RNN", spec("LSTMCell", u)), merge_mode="ave"), T, d)]
)


@pytest.mark.parametrize("layer_spec, shape", BIDIRECTIONAL_FLAT)
def test_bidirectional(layer_spec, shape):
    check_spec(layer_spec, shape)


@pytest.mark.parametrize("mode", ["concat", None])
def test_bidirectional_stacked_cells_return_every_state_twice(mode):
    layer_spec = spec("Bidirectional", spec("RNN", MIXED, return_state=True), merge_mode=mode)
    check_called(layer_spec, (T, d))


# -- attention ---------------------------------------------------------------------------------
Q, V, K = (T, Dim("dq", 3)), (S_, Dim("dv", 6)), (S_, Dim("dk", 4))
h, kd = Dim("h", 2), Dim("kd", 5)
MHA = [
    case(spec("MultiHeadAttention", h, kd), inputs=[Q, V]),
    case(spec("MultiHeadAttention", h, kd), inputs=[Q, Q]),
    case(spec("MultiHeadAttention", h, kd, output_shape=Dim("o", 7)), inputs=[Q, V, K]),
    case(spec("MultiHeadAttention", h, kd, output_shape=(3, 4)), inputs=[Q, V, K]),
    case(spec("MultiHeadAttention", h, kd, value_dim=Dim("vd", 6)), inputs=[Q, V, K]),
    case(spec("MultiHeadAttention", h, kd, use_bias=False), inputs=[Q, V, K]),
    case(spec("MultiHeadAttention", h, kd, value_dim=6, use_gate=True), inputs=[Q, V]),
    case(spec("MultiHeadAttention", h, kd, use_gate=True, use_bias=False, output_shape=7),
         inputs=[Q, V, K]),
    case(spec("MultiHeadAttention", h, kd, dropout=0.1, trainable=False), inputs=[Q, V]),
    case(spec("MultiHeadAttention", 4, 8, attention_axes=(1,)),
         inputs=[(T, Dim("a", 2), Dim("dq", 3)), (S_, Dim("a", 2), Dim("dv", 6))]),
    case(spec("MultiHeadAttention", h, kd),
         inputs=[(T, Dim("a", 2), Dim("dq", 3)), (S_, Dim("b", 3), Dim("dv", 6))]),
    case(spec("MultiHeadAttention", h, kd), inputs=[(Dim("dq", 3),), (Dim("dv", 6),)]),
    case(spec("MultiHeadAttention", h, kd), inputs=[(None, Dim("dq", 3)), (None, Dim("dv", 6))]),
]


@pytest.mark.parametrize("layer_spec, shape", MHA)
def test_multi_head_attention(layer_spec, shape):
    check_called(layer_spec, shape, call=call_with_arguments)


Qa, Va, Ka = (T, Dim("dq", 4)), (S_, Dim("dv", 6)), (S_, Dim("dq", 4))
ATTENTION = [
    case(spec("Attention"), inputs=[Qa, Ka]),
    case(spec("Attention"), inputs=[Qa, Va, Ka]),
    case(spec("Attention", use_scale=True), inputs=[Qa, Va, Ka]),
    case(spec("Attention", score_mode="concat"), inputs=[Qa, Va, Ka]),
    case(spec("Attention", use_scale=True, score_mode="concat", dropout=0.2), inputs=[Qa, Ka]),
    case(spec("Attention", use_scale=True), inputs=[(None, Dim("dq", 4)), (None, Dim("dq", 4))]),
    case(spec("AdditiveAttention"), inputs=[Qa, Ka]),
    case(spec("AdditiveAttention"), inputs=[Qa, Va, Ka]),
    case(spec("AdditiveAttention", use_scale=False), inputs=[Qa, Va, Ka]),
    case(spec("AdditiveAttention", trainable=False), inputs=[Qa, Ka]),
]


@pytest.mark.parametrize("layer_spec, shape", ATTENTION)
def test_attention(layer_spec, shape):
    check_spec(layer_spec, shape)


# -- the layers reuse their cells' equations ----------------------------------------------------
def same_derivation(a, b) -> bool:
    return (a.params, a.output_shape, a.weights, a.equations) == \
        (b.params, b.output_shape, b.weights, b.equations)


@pytest.mark.parametrize("options", [{}, {"return_sequences": True, "return_state": True},
                                     {"use_bias": False}])
def test_rnn_of_a_cell_equals_the_built_in_layer(options):
    u_, d_, t_ = S.dims("u d T")
    flags = {k: v for k, v in options.items() if k != "use_bias"}
    cell_options = {k: v for k, v in options.items() if k == "use_bias"}
    for layer, cell in ((LSTM, LSTMCell), (GRU, GRUCell), (SimpleRNN, SimpleRNNCell)):
        built_in = layer(u_, **options).derive((None, t_, d_))
        generic = RNN(cell(u_, **cell_options), **flags).derive((None, t_, d_))
        assert same_derivation(built_in, generic), layer.__name__
    keras_lstm, keras_rnn = keras.layers.LSTM(8), keras.layers.RNN(keras.layers.LSTMCell(8))
    x = keras.Input((5, 3))
    keras_lstm(x), keras_rnn(x)
    assert keras_lstm.count_params() == keras_rnn.count_params() == \
        RNN(LSTMCell(8)).derive((None, 5, 3)).params


def test_lstm_equations_still_read_as_in_the_seed_post():
    lines = [text(eq) for eq in LSTM(8).derive((None, 5, 3)).equations]
    assert lines[0] == "f_t = sigma(W_f*[h_{t-1}; x_t] + b_f)"
    assert lines[-1] == "h_t = o_t ⊙ tanh(c_t)"


def test_a_cell_on_its_own_maps_one_step_to_units():
    u_, d_ = S.dims("u d")
    r = LSTMCell(u_).derive((None, d_))
    assert r.output_shape == (None, u_)
    assert sympy.expand(r.params - 4 * u_ * (u_ + d_ + 1)) == 0


def test_stacked_cells_chain_their_inputs_and_keep_symbols_apart():
    u_, e_, d_ = S.dims("u e d")
    r = StackedRNNCells([LSTMCell(u_), GRUCell(e_, reset_after=False)]).derive((None, d_))
    assert r.output_shape == (None, e_)
    lstm = 4 * u_ * (u_ + d_ + 1)
    gru = 3 * e_ * (e_ + u_ + 1)
    assert sympy.expand(r.params - lstm - gru) == 0
    lines = [text(eq) for eq in r.equations]
    assert "f_t^(1) = sigma(W_f^(1)*[h_{t-1}^(1); x_t] + b_f^(1))" in lines
    assert any("W_z^(2)*h_t^(1)" in line for line in lines), lines
    states = RNN(StackedRNNCells([LSTMCell(u_), GRUCell(e_)]), return_state=True)
    assert states.derive((None, 5, d_)).output_shape == \
        [(None, e_), (None, u_), (None, u_), (None, e_)]


def test_conv_lstm_gates_read_input_and_state_patches():
    lines = [text(eq) for eq in ConvLSTM2D(4, 3).derive((None, 5, 7, 6, 2)).equations]
    assert lines[0] == "f_t = sigma(W_f*[p^h_{t-1}; p^x_t] + b_f)"


def test_attention_products_carry_no_parameters():
    h_, k_, dq, dv, dk = S.dims("h k d_q d_v d_k")
    r = MultiHeadAttention(h_, k_).derive([(None, 5, dq), (None, 7, dv), (None, 7, dk)])
    expected = h_ * k_ * (dq + 1) + h_ * k_ * (dk + 1) + h_ * k_ * (dv + 1) + dq * (h_ * k_ + 1)
    assert sympy.expand(r.params - expected) == 0, r.params
    assert [text(eq) for eq in r.equations][3] == "o = attend(q, k, v)"
    assert not r.equations[3].rhs.atoms(S.Param)
    assert sorted(r.weights) == ["W_K", "W_O", "W_Q", "W_V", "b_K", "b_O", "b_Q", "b_V"]


def test_multi_head_attention_is_called_as_in_keras():
    q, v, k = S.Input((5, 3)), S.Input((7, 6)), S.Input((7, 4))
    mha = MultiHeadAttention(2, 5, output_shape=(8,))
    for out in (mha(q, v), mha([q, v]), mha(q, v, k), mha([q, v, k]),
                mha(query=q, value=v, key=k, use_causal_mask=True, training=False)):
        assert out.shape == (None, 5, 8)
    model = S.Model([q, v, k], mha(q, v, k))
    keras_mha = keras.layers.MultiHeadAttention(2, 5, output_shape=(8,))
    kq, kv, kk = keras.Input((5, 3)), keras.Input((7, 6)), keras.Input((7, 4))
    keras_model = keras.Model([kq, kv, kk], keras_mha(kq, kv, kk))
    assert model.summary().total == keras_model.count_params()
    with pytest.raises(S.SymparamError, match="return_attention_scores"):
        mha(q, v, return_attention_scores=True)
    with pytest.raises(S.SymparamError, match="unknown call argument"):
        mha(q, v, scores=True)
    assert Attention()([q, S.Input((7, 3))]).shape == (None, 5, 3)


# -- bad arguments --------------------------------------------------------------------------------
BAD = [
    (lambda: SimpleRNNCell(0), "SimpleRNNCell: units"),
    (lambda: LSTMCell(4, use_bias="maybe"), "LSTMCell: use_bias"),
    (lambda: GRUCell(4, reset_after=2), "GRUCell: reset_after"),
    (lambda: LSTMCell(4, activation=3), "LSTMCell: activation"),
    (lambda: LSTMCell(4).derive((None, 5, 3)), "LSTMCell: a cell takes one time step"),
    (lambda: StackedRNNCells([]), "StackedRNNCells: cells"),
    (lambda: StackedRNNCells([Dense(3)]), "StackedRNNCells: cells"),
    (lambda: RNN(Dense(3)), "RNN: cell"),
    (lambda: RNN(LSTMCell(4), return_sequences="x"), "RNN: return_sequences"),
    (lambda: RNN(LSTMCell(4), stateful="x"), "RNN: stateful"),
    (lambda: RNN(LSTMCell(4)).derive((None, 3)), "RNN: expects an input of rank 3"),
    (lambda: RNN(LSTMCell(4), recurrent_dropout=0.1, cel=3), "did you mean 'cell'"),
    (lambda: LSTM(-1, name="enc"), "LSTM 'enc': LSTMCell: units"),
    (lambda: GRU(4, reset_after="sometimes"), "GRU: GRUCell: reset_after"),
    (lambda: ConvLSTM2D(4, 3, padding="causal"), "ConvLSTM2D: ConvLSTMCell: padding"),
    (lambda: ConvLSTM2D(4, 3, strides=2, dilation_rate=2), "strides > 1"),
    (lambda: ConvLSTM2D(4, (3, 3, 3)), "kernel_size needs 2 values"),
    (lambda: ConvLSTM1D(0, 3), "filters"),
    (lambda: ConvLSTM3D(4, 3, data_format="nhwc"), "data_format"),
    (lambda: ConvLSTM2D(4, 3).derive((None, 5, 7, 2)), "ConvLSTM2D: expects an input of rank 5"),
    (lambda: ConvLSTM2D(4, 3).derive((None, 5, None, 6, 2)), "spatial sizes"),
    (lambda: ConvLSTM2D(4, 5).derive((None, 5, 3, 6, 2)), "larger than the input"),
    (lambda: Bidirectional(Dense(3)), "Bidirectional: layer must be a recurrent layer"),
    (lambda: MultiHeadAttention(0, 4), "MultiHeadAttention: num_heads"),
    (lambda: MultiHeadAttention(2, "a b"), "MultiHeadAttention: key_dim"),
    (lambda: MultiHeadAttention(2, 4, value_dim=0), "value_dim"),
    (lambda: MultiHeadAttention(2, 4, output_shape=(3, 0)), "output_shape"),
    (lambda: MultiHeadAttention(2, 4, dropout=2), "dropout"),
    (lambda: MultiHeadAttention(2, 4, attention_axes="x"), "attention_axes"),
    (lambda: MultiHeadAttention(2, 4, use_gate="yes"), "use_gate"),
    (lambda: MultiHeadAttention(2, 4).derive((None, 5, 3)), "expects a list"),
    (lambda: MultiHeadAttention(2, 4).derive([(None, 5, 3), (None, 7, 6), (None, 8, 6)]),
     "must agree"),
    (lambda: Attention(score_mode="mul"), "Attention: score_mode"),
    (lambda: Attention(use_scale="x"), "Attention: use_scale"),
    (lambda: Attention().derive([(None, 5, 3), (None, 7, 4)]), "same last axis"),
    (lambda: Attention().derive([(None, 5, 3)]), "expects a list"),
    (lambda: AdditiveAttention(score_mode="dot"), "unknown argument 'score_mode'"),
    (lambda: AdditiveAttention(dropout=-1), "dropout"),
]


@pytest.mark.parametrize("make, message", BAD, ids=[message for _, message in BAD])
def test_bad_arguments_raise_symparam_errors(make, message):
    with pytest.raises(S.SymparamError, match=re.escape(message)):
        make()
