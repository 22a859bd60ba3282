"""Every collapsed floor and ceiling equals the nested one it replaces, numerically.

``core.rounding`` rewrites nested roundings with identities that hold for positive integers;
these tests evaluate the collapsed expression and an independent integer simulation (Python's
``//`` on the layer rules, or SymPy's own nested ``floor``/``ceiling``) over exhaustive small
ranges and Hypothesis-drawn chains, so a wrong rewrite fails here.
"""

import itertools

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import symparam as S
from symparam.core.rounding import rounded_quotient
from symparam.core.shapes import conv_length

n, k, s, m = S.dims("n k s m")
KINDS = (sympy.floor, sympy.ceiling)


def simulate(length: int, layers) -> int:
    """The output length after ``layers`` (``(padding, kernel, stride, dilation)``), with the
    integer rules of Keras's ``compute_conv_output_shape``."""
    for padding, kernel, stride, dilation in layers:
        if padding == "same":
            length = -(-length // stride)
        else:
            length = (length - ((kernel - 1) * dilation + 1)) // stride + 1
    return length


def symbolic(layers, start=n):
    length = start
    for padding, kernel, stride, dilation in layers:
        length = conv_length(length, kernel, stride=stride, padding=padding, dilation=dilation)
    return length


def value(expr, **values) -> int:
    result = expr.xreplace({S.dim(name): sympy.Integer(v) for name, v in values.items()})
    assert result.is_Integer, result
    return int(result)


@pytest.mark.parametrize("outer,inner", list(itertools.product(KINDS, KINDS)))
def test_one_merge_equals_the_nested_form(outer, inner):
    """``outer((inner(P/r) + c)/q)`` for every small ``r, c, q`` and integer-valued ``P``."""
    for r, q, c in itertools.product((1, 2, 3, 5), (1, 2, 3, 4, 7), (-4, -1, 0, 2)):
        for numerator in (n, 2 * n + 1, n - 3, 3 * n * m):
            collapsed = rounded_quotient(outer, inner(numerator / r) + c, q)
            for nv, mv in itertools.product(range(1, 40), (1, 2, 5)):
                nested = outer((inner(sympy.Rational(numerator.xreplace({n: nv, m: mv}), r))
                                + c) / sympy.Integer(q))
                assert value(collapsed, n=nv, m=mv) == nested, (collapsed, nv, mv)


def test_pooling_chain_collapses_to_one_ceiling():
    length = symbolic([("same", 2, 2, 1)] * 150)
    assert length == sympy.ceiling(n / 2**150)
    assert symbolic([("same", 3, 3, 1), ("same", 2, 2, 1)]) == sympy.ceiling(n / 6)


def test_valid_chain_collapses_to_one_floor():
    length = symbolic([("valid", 3, 2, 1)] * 300)
    assert len(length.atoms(sympy.floor)) == 1
    assert sympy.count_ops(length) < 20
    for nv in (1, 2, 3, 7, 10**6, 2**302 + 12345):
        assert value(length, n=nv) == simulate(nv, [("valid", 3, 2, 1)] * 300)


LAYER = st.tuples(st.sampled_from(("same", "valid")), st.integers(1, 5), st.integers(1, 4),
                  st.integers(1, 3))


@settings(max_examples=150, deadline=None)
@given(st.lists(LAYER, min_size=1, max_size=8), st.integers(0, 3))
def test_mixed_chains_match_the_integer_rules(layers, padding):
    """Random chains of same/valid windows (integer strides, kernels, dilations) on ``n``,
    after a zero padding of ``padding`` on both sides."""
    length = symbolic(layers, start=n + 2 * padding)
    assert len(length.atoms(sympy.floor, sympy.ceiling)) <= 1
    for nv in range(1, 60):
        assert value(length, n=nv) == simulate(nv + 2 * padding, layers)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(("same", "valid")), min_size=1, max_size=6))
def test_symbolic_strides_and_kernels_match_the_integer_rules(paddings):
    """Strides ``s`` and kernels ``k`` as symbols: the rewrite's premises are proven from the
    symbols' assumptions (positive integers), and the values still agree."""
    layers = [(p, k, s, 1) for p in paddings]
    length = symbolic(layers)
    for nv, kv, sv in itertools.product((1, 5, 17, 64, 999), (1, 2, 3), (1, 2, 3)):
        concrete = [(p, kv, sv, 1) for p in paddings]
        assert value(length, n=nv, k=kv, s=sv) == simulate(nv, concrete)


def test_no_rewrite_without_proof():
    """A stride SymPy cannot prove a positive integer keeps the nested form."""
    x = sympy.Symbol("x", positive=True)  # not known to be an integer
    nested = rounded_quotient(sympy.floor, sympy.floor(n / 2) + 1, x)
    assert nested == sympy.floor((sympy.floor(n / 2) + 1) / x)
    half = rounded_quotient(sympy.floor, sympy.floor(n / 2) + sympy.Rational(1, 2), 2)
    assert half.has(sympy.floor(n / 2))  # a fractional offset is not an integer: no merge


def test_collapsed_lengths_evaluate_to_integers():
    length = symbolic([("valid", 3, 2, 1), ("same", 1, 2, 1)])
    assert length.xreplace({n: 11}) == simulate(11, [("valid", 3, 2, 1), ("same", 1, 2, 1)])
    assert str(length) == "ceiling(n/4 - 1/2)"  # floor((n-1)/2) = ceiling((n-2)/2)


def test_a_stride_of_one_keeps_the_length_as_it_is():
    """``ceiling(L/1) = L`` for an integer ``L``: a same-padded layer of stride 1 after a
    strided one leaves its floor alone (branches of a ResNet block must agree in form)."""
    length = symbolic([("valid", 3, 2, 1)])
    assert conv_length(length, 3, stride=1, padding="same") == length
    assert conv_length(length, 1, stride=1) == length
    assert conv_length(sympy.ceiling(n / 2), 1, stride=1) == sympy.ceiling(n / 2)
