"""Presenting counts: common factors pulled out of a sum, cheaply.

``sympy.factor_terms`` gives ``4*u*(d + u + 1)`` from ``4*u*(d + u) + 4*u`` but costs a few
milliseconds per call, most of an uncached derivation.  A parameter count is a sum of products
of sizes, so intersecting the terms' factors (and the gcd of their coefficients) does the same
job without polynomial algebra; inner sums are tidied the same way.
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache

from sympy import Add, Integer, Mul, Pow, Rational, igcd, ilcm


@lru_cache(maxsize=4096)
def tidy(total):
    """``total`` with the factors common to all its terms pulled out, recursively.

    Remembered per expression: a layer's weights repeat its sizes (``u*v + w`` rows in ``W``
    and in ``b``), and a deep model repeats its layers' counts.

    >>> from symparam.core.dims import dims
    >>> u, d = dims("u d")
    >>> tidy(4*u*(d + u) + 4*u)
    4*u*(d + u + 1)
    """
    terms = Add.make_args(total)
    if len(terms) < 2:
        return _tidy_term(total)
    split = [_factors(term) for term in terms]
    if any(coefficient is None for coefficient, _ in split):
        return total
    numerator, denominator = 0, 1
    for coefficient, _ in split:
        numerator, denominator = igcd(numerator, abs(coefficient.p)), ilcm(denominator,
                                                                           coefficient.q)
    common = {}
    for base, exponent in split[0][1].items():
        lowest = min([exponent] + [powers.get(base, 0) for _, powers in split[1:]])
        if lowest > 0:
            common[base] = lowest
    if numerator == denominator == 1 and not common:  # nothing in common: tidy the terms
        tidied = [_tidy_term(term) for term in terms]
        return total if all(a is b for a, b in zip(tidied, terms)) else Add(*tidied)
    factor = Mul(Rational(numerator, denominator), *(Pow(b, e) for b, e in common.items()))
    return Mul(factor, Add(*(_tidy_term(term / factor) for term in terms)))


def _factors(term):
    """A term's rational coefficient and its other factors as ``{base: integer exponent}``."""
    coefficient, rest = term.as_coeff_Mul()
    if not coefficient.is_Rational:
        return None, {}
    powers: dict = {}
    for factor in Mul.make_args(rest):
        if factor.is_Add:
            factor = tidy(factor)
        base, exponent = factor.as_base_exp()
        if not exponent.is_Integer:
            base, exponent = factor, Integer(1)
        powers[base] = powers.get(base, 0) + exponent
    return coefficient, powers


def _tidy_term(term):
    if term.is_Add:
        return tidy(term)
    if term.is_Mul:
        args = [tidy(arg) if arg.is_Add else arg for arg in term.args]
        return term if all(a is b for a, b in zip(args, term.args)) else Mul(*args)
    return term


def add_up(terms):
    """``Add(*terms)``, with equal terms counted first: a model of 10,000 identical layers
    sums 10,000 equal counts, and ``Add`` canonicalises each one; ``Counter`` only hashes them
    (a SymPy expression caches its hash).  ``k*t`` is what ``Add`` itself makes of ``k``
    copies of ``t``, so the result is the same expression.

    >>> from symparam.core.dims import dims
    >>> u, d = dims("u d")
    >>> add_up([u*(u + 1)] * 3 + [d])
    d + 3*u*(u + 1)
    """
    counted = Counter(terms)
    return Add(*(term if times == 1 else Mul(times, term) for term, times in counted.items()))
