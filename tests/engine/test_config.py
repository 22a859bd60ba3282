"""A layer's repr is its constructor call with the non-default arguments (Keras's get_config)."""

import symparam as S
from symparam.layers import LSTM, Bidirectional, Conv2D, Dense

u, d = S.dims("u d")


def test_repr_shows_the_arguments_given():
    assert repr(LSTM(units=u)) == "LSTM(units=u)"
    assert repr(LSTM(u)) == "LSTM(units=u)"  # positional, named as Keras names it


def test_repr_leaves_out_defaults_and_keeps_the_rest():
    assert repr(LSTM(u, return_sequences=False, trainable=True)) == "LSTM(units=u)"
    assert (repr(Conv2D(8, 3, padding="same", name="c1"))
            == "Conv2D(filters=8, kernel_size=3, padding='same', name='c1')")
    assert repr(Bidirectional(LSTM(u))) == "Bidirectional(layer=LSTM(units=u))"


def test_repr_is_short_for_long_values_and_models():
    assert len(repr(Dense("4*u + " + " + ".join(["d"] * 30)))) < 90
    model = S.Sequential([S.Input((25, d)), LSTM(u), Dense(10)], name="m")
    assert repr(model) == "<Sequential 'm': 2 layers>"
