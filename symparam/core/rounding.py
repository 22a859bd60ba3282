"""Exact floors and ceilings of quotients, with nested roundings collapsed as they are built.

A stack of strided or pooling layers on a symbolic length nests one rounding per layer:
``ceiling(ceiling(n/2)/2)`` after two same-padded poolings, ``floor((floor((n - 3)/2) + 1 - 3)/2)
+ 1`` after two valid convolutions.  Left nested, the expression grows with depth and SymPy's own
``floor``/``ceiling`` evaluation (which asks signs and integrality of its whole argument) makes
each layer cost more than the last.  ``rounded_quotient`` instead applies three identities that
hold for every real ``x``, integer ``m``, positive integer ``q``, integer-valued ``P`` and
positive integer ``r`` (Graham, Knuth and Patashnik, *Concrete Mathematics*, 2nd ed., eq. 3.11
and exercise 3.12)::

    (1)  floor((floor(x) + m) / q)       = floor((x + m) / q)
    (2)  ceiling((ceiling(x) + m) / q)   = ceiling((x + m) / q)
    (3)  ceiling(P / r) = floor((P + r - 1) / r),   floor(P / r) = ceiling((P - r + 1) / r)

so ``ceiling(n/2**150)`` after 150 poolings, and one ``floor`` of a linear argument after any
chain of valid convolutions with integer strides.  Each rule fires only when SymPy *proves* its
premises (``is_integer``/``is_positive`` is ``True``, never ``None``) on the small pieces (the
stride and the offset), and it looks only at the top level of the numerator: no walk of the
whole expression, no ``simplify``.  Otherwise the rounding is built as SymPy builds it.
``tests/test_rounding.py`` checks every rule numerically against the nested form.
"""

from __future__ import annotations

import sympy
from sympy import Add, Mul, Pow, ceiling, floor

ROUNDINGS = (floor, ceiling)


def rounded_quotient(kind, numerator, divisor) -> sympy.Expr:
    """``kind(numerator / divisor)`` for ``kind`` in ``(sympy.floor, sympy.ceiling)``, with a
    rounding inside ``numerator`` merged into this one where the identities above allow.

    >>> from symparam.core.dims import dims
    >>> n = dims("n")
    >>> rounded_quotient(sympy.ceiling, sympy.ceiling(n / 2), 2)
    ceiling(n/4)
    """
    numerator = sympy.sympify(numerator, strict=True)
    divisor = sympy.sympify(divisor, strict=True)
    merged = _merged_argument(kind, numerator, divisor)
    return rounded(kind, numerator / divisor if merged is None else merged)


def rounded(kind, argument) -> sympy.Expr:
    """``kind(argument)``, evaluated as SymPy would for a real size but without asking the
    sign of a symbolic argument: SymPy's ``floor`` does (to spot arguments in ``[0, 1)``),
    which runs ``_monotonic_sign`` on the whole argument and cost 30 ms per layer of a deep
    convolution stack.  Integer terms come out (``floor(x + 1) = floor(x) + 1``); the rest
    stays inside, unevaluated: an exact value SymPy evaluates as soon as the symbols get values.
    """
    if isinstance(argument, ROUNDINGS) or argument.is_number:  # is_number stops at a symbol
        return kind(argument)
    terms = Add.make_args(argument)
    whole = [t for t in terms if _whole(t)]
    if len(whole) == len(terms):
        return argument
    rest = Add(*(t for t in terms if not _whole(t)))
    # an unevaluated rounding must keep a symbol, or no later substitution would evaluate it
    return Add(*whole, kind(rest, evaluate=rest.is_number))


def _whole(term) -> bool:
    """A term proven integer cheaply: an integer coefficient times integer factors.  A term
    with a fractional coefficient (``n/4``) is left inside the rounding without asking SymPy,
    whose answer for it costs milliseconds; leaving an integer inside is exact all the same."""
    coefficient, rest = term.as_coeff_Mul()
    return coefficient.is_Integer and all(_integer_factor(f) for f in Mul.make_args(rest))


def _integer_factor(factor) -> bool:
    """An integer symbol, a rounding, or an integer symbol to a non-negative integer power:
    decided from the node alone (SymPy's ``Mul.is_integer`` on a quotient of polynomials runs
    ``signsimp`` and took 0.2 s per layer of a stack with symbolic strides)."""
    if factor.is_Pow:
        base, exponent = factor.args
        return exponent.is_Integer and exponent >= 0 and _integer_factor(base)
    return isinstance(factor, ROUNDINGS) or (factor.is_Symbol and factor.is_integer is True) \
        or factor.is_Integer


def _merged_argument(kind, numerator, divisor):
    """The argument ``y`` with ``kind(numerator/divisor) = kind(y)`` and no rounding left at
    the top of ``numerator``, or ``None`` when no identity applies."""
    split = _split_rounding(numerator)
    if split is None or not _positive_integer(divisor):
        return None
    inner, offset = split
    if divisor == 1:  # an integer already: kept as it is, in whichever rounding it has
        return numerator
    argument = inner.args[0]
    if not isinstance(inner, kind):
        argument = _switched(argument, to=kind)  # identity (3)
        if argument is None:
            return None
    top, bottom = _fraction(argument)
    # identities (1) and (2): kind((top/bottom + offset)/divisor), over one denominator
    return Mul(Add(top, Mul(offset, bottom)), Pow(Mul(bottom, divisor), -1))


def _split_rounding(numerator):
    """``(rounding, offset)`` when ``numerator`` is one floor or ceiling (coefficient 1) plus
    an offset proven integer; ``None`` otherwise.  Only the top-level terms are looked at."""
    terms = Add.make_args(numerator)
    found = [t for t in terms if isinstance(t, ROUNDINGS)]
    if len(found) != 1:
        return None
    offset = Add(*(t for t in terms if t is not found[0]))
    if offset.is_integer is not True:
        return None
    return found[0], offset


def _switched(argument, *, to):
    """``y`` with ``to(y)`` equal to the other rounding of ``argument`` (identity (3)), when
    ``argument`` is ``P/r`` with ``P`` proven integer-valued and ``r`` a positive integer."""
    top, bottom = _fraction(argument)
    if top.is_integer is not True or not _positive_integer(bottom):
        return None
    shift = bottom - 1 if to is floor else 1 - bottom
    return Mul(Add(top, shift), Pow(bottom, -1))


def _fraction(expr):
    """``(P, r)`` with ``expr == P/r``: SymPy's numerator and denominator.  A quotient this
    module built (``Mul(P, Pow(r, -1))`` with a symbolic ``r``) is read without a walk."""
    if expr.is_Mul and len(expr.args) == 2:
        first, second = expr.args
        for top, power in ((first, second), (second, first)):
            if power.is_Pow and power.exp.is_Integer and power.exp.is_negative:
                return top, Pow(power.base, -power.exp)
    return expr.as_numer_denom()


def _positive_integer(value) -> bool:
    return value.is_integer is True and value.is_positive is True
