"""Queries on derived formulas, each answer checked independently of the code that found it."""

import numpy as np
import pytest
import sympy

import symparam as S
from symparam.analysis.query import (
    crossover,
    leading_term,
    parse_budget,
    sensitivity,
    shares,
    solve_budget,
    sweep,
)
from symparam.layers import GRU, LSTM, Dense

u, d, L, V = S.dims("u d L V")


def lstm_count(units, features):
    """The seed post's published LSTM formula, written out independently."""
    return 4 * units * (units + features + 1)


def test_solve_budget_is_feasible_and_tight():
    params = LSTM(u).derive((None, 25, d)).params
    width = solve_budget(params, 1_000_000, u, values={"d": 256})
    assert lstm_count(width, 256) <= 1_000_000 < lstm_count(width + 1, 256)


def test_solve_budget_on_a_model_total_against_keras():
    import keras
    m = S.Sequential([S.Input((64,)), Dense(u), Dense(u), Dense(10)])
    width = solve_budget(m.summary().total, "100k", "u")

    def keras_count(units):
        model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(units),
                                  keras.layers.Dense(units), keras.layers.Dense(10)])
        return model.count_params()
    assert keras_count(width) <= 100_000 < keras_count(width + 1)


@pytest.mark.parametrize("text, expected", [("1M", 10**6), ("2.5k", 2500), ("175B", 175 * 10**9),
                                            ("1000", 1000), (42, 42)])
def test_parse_budget(text, expected):
    assert parse_budget(text) == expected


@pytest.mark.parametrize("call, needle", [
    (lambda: solve_budget(4 * u * (u + 300), 100, u), "fixed cost"),
    (lambda: solve_budget(4 * u * (u + d), 10**6, "q", values={"d": 1}), "does not occur"),
    (lambda: solve_budget(4 * u * (u + d), -5, u, values={"d": 1}), "positive"),
    (lambda: solve_budget(4 * u * (u + d), "lots", u, values={"d": 1}), "number"),
    (lambda: solve_budget(4 * u * (u + d), 10**6, u), "give values for d"),
    (lambda: sweep({"p": u * d}, {"u": range(10**5), "d": range(10**5)}), "more than"),
    (lambda: sweep({"p": u * d}, {"u": range(3)}), "give values for d"),
])
def test_bad_queries_give_one_clear_error(call, needle):
    with pytest.raises(S.SymparamError, match=needle):
        call()


def test_leading_term_of_a_transformer_stack():
    # per block: attention 4*d**2 + 4*d, MLP 8*d**2 + 5*d, two layer norms 4*d; embeddings V*d
    total = L * (12 * d**2 + 13 * d) + V * d
    assert leading_term(total, [d]) == 12 * L * d**2
    assert leading_term(total, [L, d]) == 12 * L * d**2


def test_sensitivity_is_the_derivative():
    params = LSTM(u).derive((None, 25, d)).params
    slopes = sensitivity(params)
    for units, features in ((8, 3), (100, 50)):
        exact = lstm_count(units + 1, features) - lstm_count(units, features)
        # the derivative at u + 1/2 equals the forward difference of a quadratic exactly
        assert slopes["u"].xreplace({u: sympy.Rational(2 * units + 1, 2), d: features}) == exact


def test_shares_add_terms_containing_each_dimension():
    result = shares(4 * u * (u + d + 1), {"u": 128, "d": 256})
    assert result["u"] == 1
    assert result["d"] == sympy.Rational(4 * 128 * 256, lstm_count(128, 256))


def test_sweep_is_vectorised_and_exact():
    params = GRU(u).derive((None, 25, d)).params
    table = sweep({"params": params}, {"u": range(64, 1025, 64), "d": [128, 256]})
    assert len(table["u"]) == 32
    expected = [3 * a * (a + b + 2) for a, b in zip(table["u"], table["d"])]
    assert np.array_equal(table["params"], np.array(expected))


def test_crossover_of_lstm_and_gru_with_a_fixed_cost():
    lstm = LSTM(u).derive((None, 25, 256)).params
    gru_plus = GRU(u).derive((None, 25, 256)).params + 5000
    width = crossover(lstm, gru_plus, u)
    assert lstm_count(width, 256) >= 3 * width * (width + 258) + 5000
    assert lstm_count(width - 1, 256) < 3 * (width - 1) * (width + 257) + 5000
    assert crossover(u, u + 1, u, up_to=1000) is None


# -- the command line ----------------------------------------------------------------------
def run_cli(capsys, *argv):
    from symparam.cli import main
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_solve_answers_a_feasible_tight_width(capsys):
    code, out, _ = run_cli(capsys, "solve", "docs/examples/lstm.yaml", "--budget", "1M",
                           "--for", "u")
    width = int(out.splitlines()[0].split("=")[1])
    total = lambda w: 1000 * 256 + lstm_count(w, 256)  # noqa: E731 - embedding + LSTM
    assert code == 0 and total(width) <= 10**6 < total(width + 1)
    # the count at the answer and at the next value, and what was bounded
    assert f"parameters at u = {width}: {total(width):,} (budget 1,000,000)" in out
    assert f"parameters at u = {width + 1}: {total(width + 1):,} (over the budget)" in out
    assert "bound: total parameters of 'text-lstm' (all layers) at V = 1000, d = 256" in out


def test_cli_solve_macs(capsys):
    code, out, _ = run_cli(capsys, "solve", "docs/examples/gpt.yaml", "--budget", "1e12",
                           "--for", "L", "--of", "macs")
    assert code == 2 and "budget" in _  # "1e12" is not a budget; use 1T
    code, out, _ = run_cli(capsys, "solve", "docs/examples/gpt.yaml", "--budget", "1T",
                           "--for", "L", "--of", "macs")
    layers = int(out.splitlines()[0].split("=")[1])
    per_layer = 1024 * 12 * 768**2 + 2 * 1024**2 * 768
    head = 1024 * 768 * 50257  # the output layer tied to the token embedding
    assert code == 0 and head + layers * per_layer <= 10**12 < head + (layers + 1) * per_layer


def test_cli_sweep_csv_json_and_plot(capsys, tmp_path):
    code, out, _ = run_cli(capsys, "sweep", "docs/examples/lstm.yaml", "--grid", "u=64:256:64")
    lines = out.strip().splitlines()
    assert code == 0 and lines[0] == "u,params,macs" and len(lines) == 5
    width, params, _macs = (int(v) for v in lines[1].split(","))
    assert params == 1000 * 256 + lstm_count(width, 256)
    plot = tmp_path / "sweep.png"
    code, out, _ = run_cli(capsys, "sweep", "docs/examples/lstm.yaml", "--grid", "u=8,16",
                           "--format", "json", "--plot", str(plot))
    import json
    assert code == 0 and json.loads(out)["u"] == [8, 16]
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("argv, needle", [
    (["solve", "docs/examples/lstm.yaml", "--budget", "10", "--for", "u"], "fixed cost"),
    (["solve", "docs/examples/lstm.yaml", "--budget", "-1", "--for", "u"], "budget"),
    (["solve", "docs/examples/lstm.yaml", "--budget", "1M", "--for", "zz"], "does not occur"),
    (["sweep", "docs/examples/lstm.yaml", "--grid", "u=1:1000000000"], "more than"),
    (["sweep", "docs/examples/lstm.yaml", "--grid", "u=a:b"], "integers"),
])
def test_cli_bad_queries_exit_2(capsys, argv, needle):
    code, out, err = run_cli(capsys, *argv)
    assert code == 2 and needle in err and err.count("\n") == 1


def test_formulas_given_as_text_go_through_the_safe_parser(tmp_path):
    assert solve_budget("4*u*(u + d + 1)", "1M", "u", values={"d": 256}) == \
        solve_budget(4 * u * (u + d + 1), "1M", "u", values={"d": 256})
    marker = tmp_path / "ran"
    with pytest.raises(S.SymparamError):
        solve_budget(f"__import__('pathlib').Path({str(marker)!r}).touch()", 10, "u")
    assert not marker.exists()
