"""What a Keras user sees first: ``print(m.summary())`` is the table, reprs are one line."""

import symparam as S
from symparam.layers import LSTM, Dense

u, d = S.dims("u d")


def small():
    return S.Sequential([S.Input((25, d)), LSTM(u, name="enc"), Dense(10, name="out")],
                        name="small")


def test_str_of_a_summary_is_the_text_table():
    shown = str(small().summary())
    assert shown.startswith('Model: "small"')
    assert "enc (LSTM)" in shown and "4*u*(d + u + 1)" in shown and "Total params" in shown
    assert shown == small().summary().render("text")


def test_repr_of_a_summary_stays_one_short_line():
    text = repr(small().summary())
    assert "\n" not in text and len(text) < 100 and text.startswith("<Summary 'small'")


def test_a_model_renders_its_summary():
    model = small()
    assert model.render("markdown") == model.summary().render("markdown")
    assert "\n" not in repr(model)


def test_str_of_a_derivation_is_its_text_report():
    shown = str(LSTM(units=u).derive((None, 25, d)))
    assert "f_t = sigma(" in shown and "Params: 4*u*(d + u + 1)" in shown
