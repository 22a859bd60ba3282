"""Exact evaluation of a derived formula over many points at once, for sweeps and searches.

``lambdify`` over NumPy arrays computes in int64 and float64: a GPT-style count at
``d = 1.01e8`` overflowed int64 (a wrong 8th digit, negative MACs) and ``ceiling(n/2)`` at
``n = 2**53 + 1`` came out wrong in float64.  Here every value is a fraction kept as two NumPy
object arrays of Python integers (numerator, positive denominator), so sums, products, powers,
``floor``, ``ceiling``, ``Min``, ``Max`` and ``Mod`` are exact at any size; the few node types a
size formula can hold are handled by one small function each, and anything else is refused.
"""

from __future__ import annotations

import sympy

from symparam.core.errors import SymparamError, shorten


def numpy():
    """NumPy, or one clear error with the install hint (sweeps need it; nothing else does)."""
    try:
        import numpy as np
    except ImportError:
        raise SymparamError("sweep needs NumPy: pip install numpy") from None
    return np


def column(values) -> object:
    """Python integers as a NumPy object array (exact, never int64)."""
    np = numpy()
    array = np.empty(len(values), dtype=object)
    array[:] = [int(v) for v in values]
    return array


class Fractions:
    """Evaluates SymPy expressions exactly at every point of ``columns`` (``{Symbol: object
    array}``), each value a pair ``(numerator, denominator)`` with a positive denominator."""

    def __init__(self, columns: dict):
        self.columns = columns

    def value(self, expr: sympy.Expr):
        """``(numerator, denominator)`` of ``expr`` at every point."""
        if expr.is_Rational:
            return int(expr.p), int(expr.q)
        if expr.is_Symbol:
            if expr not in self.columns:
                raise SymparamError(f"no values for {expr} to evaluate the formula at")
            return self.columns[expr], 1
        handler = _HANDLERS.get(expr.func)
        if handler is None:
            raise SymparamError(f"cannot evaluate {shorten(str(expr))} exactly")
        return handler(self, expr)

    def integers(self, expr: sympy.Expr):
        """``(values, exact)``: ``expr`` floored at every point, and where it is an integer."""
        np = numpy()
        num, den = self.value(expr)
        num, den = np.broadcast_arrays(_array(num), _array(den))
        return num // den, (num % den) == 0


def _array(value):
    np = numpy()
    if isinstance(value, int):
        single = np.empty((), dtype=object)
        single[()] = value
        return single
    return value


def _add(ev: Fractions, expr):
    num, den = 0, 1
    for arg in expr.args:
        n, d = ev.value(arg)
        num, den = num * d + n * den, den * d
    return num, den


def _mul(ev: Fractions, expr):
    num, den = 1, 1
    for arg in expr.args:
        n, d = ev.value(arg)
        num, den = num * n, den * d
    return _signed(num, den)


def _pow(ev: Fractions, expr):
    exponent = expr.exp
    if not exponent.is_Integer or abs(int(exponent)) > 64:
        raise SymparamError(f"cannot evaluate {shorten(str(expr))} exactly")
    n, d = ev.value(expr.base)
    k = int(exponent)
    if k >= 0:
        return n ** k, d ** k
    if _any_zero(n):
        raise SymparamError(f"{shorten(str(expr))}: division by zero at some point")
    return _signed(d ** -k, n ** -k)


def _signed(num, den):
    """The same fraction with a positive denominator."""
    np = numpy()
    if isinstance(den, int):
        return (num, den) if den > 0 else (-num, -den)
    negative = den < 0
    return np.where(negative, -num, num), np.where(negative, -den, den)


def _any_zero(value) -> bool:
    np = numpy()
    return bool(np.any(_array(value) == 0))


def _floor(ev: Fractions, expr):
    n, d = ev.value(expr.args[0])
    return n // d, 1


def _ceiling(ev: Fractions, expr):
    n, d = ev.value(expr.args[0])
    return -((-n) // d), 1


def _extreme(ev: Fractions, expr):
    np = numpy()
    num, den = ev.value(expr.args[0])
    for arg in expr.args[1:]:
        n, d = ev.value(arg)
        below = n * den < num * d
        keep = below if expr.func is sympy.Min else np.logical_not(below)
        num, den = np.where(keep, n, num), np.where(keep, d, den)
    return num, den


def _mod(ev: Fractions, expr):
    (n1, d1), (n2, d2) = ev.value(expr.args[0]), ev.value(expr.args[1])
    if _any_zero(n2):
        raise SymparamError(f"{shorten(str(expr))}: modulo zero at some point")
    a, b = n1 * d2, n2 * d1  # both over d1*d2
    return a % b, d1 * d2


_HANDLERS = {sympy.Add: _add, sympy.Mul: _mul, sympy.Pow: _pow, sympy.floor: _floor,
             sympy.ceiling: _ceiling, sympy.Min: _extreme, sympy.Max: _extreme,
             sympy.Mod: _mod}
