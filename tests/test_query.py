"""Queries on derived formulas, each answer checked independently of the code that found it."""

import numpy as np
import pytest
import sympy

import symparam as S
from symparam.layers import GRU, LSTM, Dense
from symparam.query import (crossover, leading_term, parse_budget, sensitivity, shares,
                            solve_budget, sweep)

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
