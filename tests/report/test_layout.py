"""Text tables fit a width: formulas wrap, nothing is repeated, the width is the caller's."""

import symparam as S
from symparam.layers import GRU, LSTM, Dense, Embedding
from symparam.report import layout
from symparam.report.catalogue import formulas_table

u, d, n = S.dims("u d n")


def widest(text):
    return max(len(line) for line in text.splitlines())


def gpt_like():
    q = S.Input((n,), dtype="int32")
    x = Embedding(50257, d, name="wte")(q)
    for i in range(3):
        x = Dense(4 * d, name=f"up{i}")(x)
        x = Dense(d, name=f"down{i}")(x)
    return S.Model(q, Dense(50257, name="lm_head")(x), name="gpt")


def test_symbolic_tables_fit_100_columns_by_default():
    assert widest(formulas_table().render("text")) <= 100  # was 269
    assert widest(gpt_like().summary().render("text")) <= 100
    assert widest(str(gpt_like().summary())) <= 100


def test_width_is_chosen_by_the_caller():
    text = formulas_table(["LSTM", "Conv2D", "Embedding"]).render("text", width=60)
    assert widest(text.split("\n Examples")[0]) <= 60
    assert widest(formulas_table().render("text", width=300)) > 100  # nothing wrapped


def test_one_formula_column_and_one_value_column():
    summary = S.Sequential([S.Input((25, d)), LSTM(u), Dense(10)]).summary()
    header = str(summary).splitlines()[2]
    assert header.count("Param") == 1  # symbolic, nothing evaluated: the formula once
    row = next(line for line in str(summary).splitlines() if "lstm (LSTM)" in line)
    assert row.count("4*u*(d + u + 1)") == 1
    evaluated = summary.render("text", values={"u": 128, "d": 256})
    header = evaluated.splitlines()[2]
    assert "Param formula" in header and "Param #" in header
    assert "│ 4*u*(d + u + 1) │ 197,120 │" in evaluated  # 4*128*(128 + 256 + 1), by hand


def test_long_cells_wrap_at_spaces_and_keep_words():
    assert layout.wrap("L*d*(12*d + 13) + V*d", 10) == ["L*d*(12*d", "+ 13) +", "V*d"]
    assert layout.column_widths([30, 5], 20, [4, 5]) == [8, 5]  # 8 + 5 + 3*2 + 1 = 20


def test_no_thousands_separators_inside_shapes_or_values():
    model = S.Sequential([S.Input((100,)), Embedding(160000, 50257)], name="m")
    for fmt in ("text", "markdown", "latex", "html"):
        out = model.summary().render(fmt, values={})
        assert "50257" in out and "50,257" not in out and "50{,}257" not in out, fmt
    where = Dense(u).derive((None, d)).render("text", values={"d": 1024, "u": 4096})
    assert "d = 1024" in where and "4,198,400" in where  # a size plain, a count grouped


def test_powers_print_as_powers_in_every_format():
    gru = GRU(units=u).derive((None, 25, d))
    assert "3*u**2" in gru.render("text") and "3*u*u" not in gru.render("text")
    assert "3 \\cdot u^{2}" in gru.render("latex")
    assert "3 \\cdot u^{2}" in gru.render("markdown")
    html = gru.render("html")
    assert "<msup><mi>u</mi><mn>2</mn></msup>" in html
    assert "<mi>u</mi><mo>&#xB7;</mo><mi>u</mi>" not in html


def test_html_shapes_have_plain_fences_and_vectors_stretch():
    html = LSTM(units=u).derive((None, 25, d)).render("html")
    assert '<mrow><mo stretchy="false">(</mo><mi mathvariant="normal">None</mi>' in html
    assert "<mo>[</mo><mtable>" in html  # the stacked [h; x] keeps a tall bracket
