"""A guard against slow paths coming back, without timing anything (timings live in bench/).

Deriving a long symbolic stack must not call SymPy's expensive functions per layer, and
identical layer configurations must be derived once.
"""

import sys

import pytest
import sympy

import symparam as S
from symparam.engine.cache import DERIVATIONS
from symparam.layers import Dense, Dropout

EXPENSIVE = ("expand", "simplify", "factor", "nsimplify", "together", "cancel")


@pytest.fixture
def calls(monkeypatch):
    counts = {}

    def counting(name, original):
        def wrapper(*args, **kwargs):
            caller = sys._getframe(1).f_globals.get("__name__", "")
            if caller.startswith("symparam"):  # SymPy's own internals may use them freely
                counts[name] = counts.get(name, 0) + 1
            return original(*args, **kwargs)
        return wrapper

    for name in EXPENSIVE:  # symparam calls SymPy through the ``sympy`` namespace
        monkeypatch.setattr(sympy, name, counting(name, getattr(sympy, name)))
    monkeypatch.setattr(sympy.Basic, "subs", counting("subs", sympy.Basic.subs))
    return counts


def test_long_stack_calls_no_expensive_sympy_function(calls):
    u, d = S.dims("u d")
    widths = [u, 2 * u, d]
    layers = [S.Input((d,))]
    for i in range(600):
        layers += [Dense(widths[i % 3]), Dropout(0.1)]
    summary = S.Sequential(layers).summary()
    summary.subs(u=64, d=32)
    assert sum(calls.values()) == 0, calls


def test_identical_configurations_are_reused():
    u, d = S.dims("u d")
    before = DERIVATIONS.misses
    S.Sequential([S.Input((d,))] + [Dense(u) for _ in range(500)]).summary()
    # the first Dense sees d features, all others u: two distinct derivations
    assert DERIVATIONS.misses - before <= 2


def test_cache_is_bounded(monkeypatch):
    small = type(DERIVATIONS)(capacity=8)
    monkeypatch.setattr("symparam.engine.cache.DERIVATIONS", small)
    for units in range(1, 30):
        Dense(units).derive((None, 2))
    assert len(small.entries) == 8 and small.misses == 29
    Dense(29).derive((None, 2))
    assert small.hits == 1
    assert DERIVATIONS.capacity <= 10_000
