"""Coercion of layer arguments: sizes, tuples of sizes, flags and choices.

Every layer argument may arrive as a Python value, a SymPy expression or a string from the CLI or a
spec file.  These helpers turn each into one canonical value or raise a ``SymparamError`` that names
the layer and the field, so a bad spec fails with one clear line.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

import sympy

from symparam.core.dims import MAX_LITERAL, parse
from symparam.core.errors import SymparamError, shorten


def where(layer: object) -> str:
    """How an error names a layer: its class, and its name when it has one."""
    name = getattr(layer, "name", None)
    cls = type(layer).__name__
    return f"{cls} {name!r}" if name else cls


def size(value: object, *, field: str, owner: str, minimum: int = 1) -> sympy.Expr:
    """A size: a positive integer (or at least ``minimum``), a SymPy expression or a safe string."""
    if isinstance(value, bool) or value is None:
        raise SymparamError(f"{owner}: {field} must be an integer size, got {shorten(value)}")
    if isinstance(value, int):
        expr = sympy.Integer(value)
    elif isinstance(value, str):
        try:
            expr = parse(value)
        except SymparamError as error:
            raise SymparamError(f"{owner}: {field}: {error}") from None
    elif isinstance(value, sympy.Basic):
        expr = value
    else:
        raise SymparamError(f"{owner}: {field} must be an integer size, got {shorten(value)}")
    return _checked_size(expr, value, field=field, owner=owner, minimum=minimum)


def _checked_size(expr, value, *, field, owner, minimum):
    if isinstance(expr, sympy.Integer):  # the common case, without walking an expression
        if not minimum <= int(expr) <= MAX_LITERAL:
            raise SymparamError(
                f"{owner}: {field} must be an integer from {minimum} to {MAX_LITERAL}, "
                f"got {shorten(value)}")
        return expr
    problem = _size_problem(expr, minimum) if isinstance(expr, sympy.Expr) else "an integer size"
    if problem:
        raise SymparamError(f"{owner}: {field} must be {problem}, got {shorten(value)}")
    return expr


@lru_cache(maxsize=4096)
def _size_problem(expr: sympy.Expr, minimum: int) -> str:
    """What ``expr`` fails to be as a size (``""``: nothing), remembered per expression: every
    layer of a deep model checks its input shape, and the previous layer's output repeats."""
    if any(not isinstance(symbol, sympy.Symbol) for symbol in expr.free_symbols):
        return "an integer size"
    if _plainly_positive_integer(expr):
        return ""
    if expr.is_number:
        if not expr.is_Integer or not minimum <= int(expr) <= MAX_LITERAL:
            return f"an integer from {minimum} to {MAX_LITERAL}"
    elif expr.has(sympy.floor, sympy.ceiling):
        # a strided layer's output length, which every next layer receives: SymPy's sign and
        # integrality inference on a rounded quotient runs ``signsimp`` and ``_monotonic_sign``
        # over the whole argument (0.1 s per layer of a deep stack), and a rounding is an
        # integer whatever its argument; only a number is checked further (above)
        return ""
    elif expr.is_integer is False or (minimum >= 1 and expr.is_positive is False):
        return "a positive integer"
    return ""


def _plainly_positive_integer(expr) -> bool:
    """True for a sum of products of positive integer symbols with positive integer
    coefficients (``u*v + w``, ``4*u``): a size by construction, decided from the nodes alone
    (SymPy's assumption system took half of deriving a layer of distinct symbolic width)."""
    for term in sympy.Add.make_args(expr):
        coefficient, rest = term.as_coeff_Mul()
        if not (coefficient.is_Integer and coefficient > 0):
            return False
        for factor in sympy.Mul.make_args(rest):
            base, exponent = factor.as_base_exp()
            if not (base.is_Symbol and base.is_integer and base.is_positive
                    and exponent.is_Integer and exponent > 0):
                return False
    return True


def sizes(value: object, rank: int, *, field: str, owner: str, minimum: int = 1) -> tuple:
    """A size per spatial axis: one value repeated, or a sequence (or "3,3" string) of ``rank``."""
    items = _as_items(value)
    if len(items) == 1:
        items = items * rank
    if len(items) != rank:
        raise SymparamError(f"{owner}: {field} needs {rank} values, got {shorten(value)}")
    return tuple(size(item, field=field, owner=owner, minimum=minimum) for item in items)


def _as_items(value: object) -> list:
    if isinstance(value, str) and "," in value:
        return [part.strip() for part in value.strip("()[] ").split(",") if part.strip()]
    if isinstance(value, Iterable) and not isinstance(value, (str, sympy.Basic)):
        return list(value)
    return [value]


def flag(value: object, *, field: str, owner: str) -> bool:
    """A boolean; the strings ``true``/``false`` (any case) are accepted for the CLI and specs."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise SymparamError(f"{owner}: {field} must be true or false, got {shorten(value)}")


def choice(value: object, allowed: Iterable[str | None], *, field: str, owner: str):
    """One of a fixed set of options (case-insensitive strings, or None where allowed)."""
    options = tuple(allowed)
    key = value.lower() if isinstance(value, str) else value
    if key in ("none", "null") and None in options:
        key = None
    if key not in options:
        shown = ", ".join(repr(option) for option in options)
        raise SymparamError(f"{owner}: {field} must be one of {shown}, got {shorten(value)}")
    return key


def integer(value: object, *, field: str, owner: str) -> int:
    """A plain Python integer (possibly negative), used for axes."""
    if isinstance(value, bool):
        raise SymparamError(f"{owner}: {field} must be an integer, got {shorten(value)}")
    if isinstance(value, str):
        value = value.strip()
        digits = value[1:] if value.startswith("-") else value
        if digits.isascii() and digits.isdigit() and len(value) < 8:  # "²".isdigit() is True
            return int(value)
    if isinstance(value, int) and abs(value) < 10**6:
        return value
    raise SymparamError(f"{owner}: {field} must be an integer, got {shorten(value)}")


def number(value: object, *, field: str, owner: str, low: float = 0.0, high: float = 1.0) -> float:
    """A real number in ``[low, high]`` such as a dropout rate (never changes a count)."""
    try:
        result = float(value) if not isinstance(value, bool) else None
    except (TypeError, ValueError):
        result = None
    if result is None or not low <= result <= high:
        raise SymparamError(f"{owner}: {field} must be a number from {low} to {high}, "
                            f"got {shorten(value)}")
    return result
