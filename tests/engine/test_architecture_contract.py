"""The engine's contract after the Architecture issue: one substitution for every report
value, Keras's names for the shape hooks, catalogues that tolerate only their own arguments,
and an explicit derivation cache."""

import warnings

import pytest

import symparam as S
import symparam.torch.nn as snn
from symparam.engine.cache import DerivationCache
from symparam.layers import LSTM, Dense

u, d = S.dims("u d")


def _small_model():
    return S.Sequential([S.Input((25, d)), LSTM(u), Dense(u)])


def test_mermaid_edge_labels_follow_values_like_the_text_table():
    summary = _small_model().summary()
    values = {"u": 128, "d": 64}
    mermaid = summary.render("mermaid", values=values)
    text = summary.render("text", values=values)
    assert "(None, 25, 64)" in mermaid and "(None, 128)" in mermaid
    assert "(None, u)" not in mermaid and "(None, 25, d)" not in mermaid
    assert "(None, 128)" in text and "(None, u)" not in text


def test_summary_subs_reaches_every_field():
    summary = _small_model().summary().subs(u=128, d=64)
    assert [edge[2] for edge in summary.edges] == [(None, 25, 64), (None, 128), (None, 128)]
    assert summary.total == 4 * 128 * (64 + 128 + 1) + 128 * 129
    assert summary.free_symbols == set()
    assert summary.values == (("d", 64), ("u", 128))


def test_output_shape_is_a_property_as_in_keras():
    model = _small_model()
    assert model.output_shape == (None, u)
    dense = Dense(3)
    tensor = dense(S.Input((7, 5)))
    assert dense.output_shape == (None, 7, 3) == tensor.shape
    with pytest.raises(S.SymparamError, match="not been called"):
        _ = Dense(3).output_shape
    assert Dense(3).compute_output_shape((None, 5)) == (None, 3)


def test_an_old_output_shape_override_still_works_with_a_warning():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")

        class Halve(S.Layer):
            def equations(self, x):
                return [sympy_eq(x)]

            def output_shape(self, input_shape):
                return (*input_shape[:-1], input_shape[-1])

    assert any(issubclass(w.category, DeprecationWarning) and "compute_output_shape" in
               str(w.message) for w in caught)
    assert Halve().derive((None, 4)).output_shape == (None, 4)


def sympy_eq(x):
    import sympy
    return sympy.Eq(sympy.MatrixSymbol("y", x.shape[0], 1), x)


def test_pytorch_layers_refuse_keras_only_arguments():
    with pytest.raises(S.SymparamError, match="kernel_initializer"):
        snn.Linear(3, 4, kernel_initializer="x")
    with pytest.raises(S.SymparamError, match="momentum"):
        snn.Linear(3, 4, momentum=0.3)
    assert Dense(4, kernel_initializer="glorot_uniform").derive((None, 3)).params == 16


def test_an_explicit_cache_is_used_and_can_be_cleared():
    cache = DerivationCache(capacity=4)
    first = Dense(u).derive((None, d), cache=cache)
    again = Dense(u).derive((None, d), cache=cache)
    assert (cache.misses, cache.hits) == (1, 1) and again.params == first.params
    cache.clear()
    assert not cache.entries
