"""Questions asked of a derived formula: budgets, leading terms, sensitivities, sweeps.

Each works on any SymPy expression symparam derives (a layer's ``params``, a summary's
``total``, a cost) and answers exactly: budgets by integer search on the formula, sweeps by
``lambdify`` over NumPy arrays (never a Python loop per configuration).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import sympy

from symparam.core.dims import parse
from symparam.core.numbers import suffixed
from symparam.engine.substitute import substitution
from symparam.core.errors import SymparamError, shorten

MAX_GRID = 10**7
MAX_SEARCH = 10**15


__all__ = ["as_expression", "crossover", "leading_term", "parse_budget", "parse_grid",
           "sensitivity", "shares", "solve_budget", "sweep", "sweep_table"]

def parse_budget(value) -> int:
    """A budget as a positive integer: ``1000000``, ``"1M"``, ``"2.5k"``, ``"175B"``."""
    if isinstance(value, bool):
        raise SymparamError(f"budget must be a positive number, got {shorten(value)}")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        number = suffixed(value) if not value.strip().isdigit() else int(value)
        if number is None:
            raise SymparamError(f"budget must be a number such as 1000000 or 1M, got "
                                f"{shorten(value)}")
        number = int(number)
    else:
        raise SymparamError(f"budget must be a positive number, got {shorten(value)}")
    if number <= 0 or number > MAX_SEARCH:
        raise SymparamError(f"budget must be a positive number up to {MAX_SEARCH}, got "
                            f"{shorten(value)}")
    return number


def as_expression(expr) -> sympy.Expr:
    """A formula: a SymPy expression, an integer, or text read by the safe parser (never
    ``sympify``, which would evaluate it)."""
    if isinstance(expr, sympy.Basic):
        return expr
    if isinstance(expr, str):
        return parse(expr)
    if isinstance(expr, int) and not isinstance(expr, bool):
        return sympy.Integer(expr)
    raise SymparamError(f"expected a formula, got {shorten(expr)}")


def _univariate(expr, for_, values, what="expression"):
    """``expr`` with ``values`` substituted; it must then depend on ``for_`` only."""
    expr = as_expression(expr)
    symbol = _symbol(expr, for_)
    if values:
        expr = expr.xreplace(substitution(values, expr.free_symbols))
    others = sorted(s.name for s in expr.free_symbols - {symbol})
    if others:
        raise SymparamError(f"give values for {', '.join(others)} (the {what} also depends on "
                            "them)")
    return expr, symbol


def _symbol(expr, for_):
    name = for_.name if isinstance(for_, sympy.Symbol) else for_
    found = [s for s in expr.free_symbols if s.name == name]
    if not found:
        shown = ", ".join(sorted(s.name for s in expr.free_symbols)) or "none"
        raise SymparamError(f"the dimension {shorten(name)} does not occur (dimensions: "
                            f"{shown})")
    return found[0]


def _at(expr, symbol, n: int) -> int:
    return int(expr.xreplace({symbol: sympy.Integer(n)}))


def solve_budget(expr, budget, for_, *, values: Mapping | None = None) -> int:
    """The largest positive integer value of ``for_`` keeping ``expr`` within ``budget``.

    Parameter counts and costs never decrease as a size grows, so an exponential then binary
    search on exact integers finds the boundary; the answer is checked on both sides.

    >>> import symparam as S
    >>> u, d = S.dims("u d")
    >>> solve_budget(4*u*(u + d + 1), 1_000_000, u, values={"d": 256})
    387
    """
    limit = parse_budget(budget)
    expr, symbol = _univariate(expr, for_, values)
    if _at(expr, symbol, 1) > limit:
        raise SymparamError(f"budget {limit} is below the cost at {symbol} = 1 "
                            f"({_at(expr, symbol, 1)}), the model's fixed cost")
    low, high = 1, 2
    while _at(expr, symbol, high) <= limit:
        low, high = high, high * 2
        if high > MAX_SEARCH:
            raise SymparamError(f"{symbol} does not make the expression grow past the budget")
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if _at(expr, symbol, middle) <= limit else (low, middle)
    return low


def leading_term(expr, dims) -> sympy.Expr:
    """The terms of highest total degree in ``dims``: what dominates as they grow together.

    >>> import symparam as S
    >>> L, d, V = S.dims("L d V")
    >>> leading_term(L*(12*d**2 + 13*d) + V*d, [d])
    12*L*d**2
    """
    symbols = [_symbol(expr, dim) for dim in _as_list(dims)]
    terms = sympy.Add.make_args(sympy.expand(expr))
    degree = lambda term: sympy.Poly(term, *symbols).total_degree()  # noqa: E731
    top = max(degree(term) for term in terms)
    return sympy.Add(*(term for term in terms if degree(term) == top))


def shares(expr, values: Mapping) -> dict:
    """Each dimension's share of the total at ``values``: the fraction contributed by the
    terms that contain it (terms with several dimensions count for each)."""
    terms = sympy.Add.make_args(sympy.expand(expr))
    mapping = substitution(values, expr.free_symbols)
    total = expr.xreplace(mapping)
    if total.free_symbols:
        names = ", ".join(sorted(s.name for s in total.free_symbols))
        raise SymparamError(f"give values for {names}")
    return {symbol.name: sympy.Add(*(t for t in terms if symbol in t.free_symbols))
            .xreplace(mapping) / total for symbol in sorted(expr.free_symbols, key=str)}


def sensitivity(expr, dims=None) -> dict:
    """The partial derivative of ``expr`` with respect to each dimension, as formulas."""
    symbols = [_symbol(expr, dim) for dim in _as_list(dims)] if dims else \
        sorted(expr.free_symbols, key=str)
    return {symbol.name: sympy.factor_terms(sympy.diff(expr, symbol)) for symbol in symbols}


def sweep(exprs: Mapping, grid: Mapping, *, values: Mapping | None = None) -> dict:
    """Evaluate named expressions over every combination of ``grid`` values, vectorised.

    Args:
        exprs: ``{"params": summary.total, ...}``.
        grid: ``{"u": range(64, 1025, 64), ...}``; at most 10**7 points in all.
        values: fixed values for the other dimensions.

    Returns ``{"u": array, ..., "params": array, ...}`` of equal length (one row per point).
    """
    import numpy as np
    sizes = [len(axis) for axis in grid.values()]
    if not sizes or min(sizes) == 0:
        raise SymparamError("sweep: the grid is empty")
    if int(np.prod(sizes, dtype=object)) > MAX_GRID:
        raise SymparamError(f"sweep: {int(np.prod(sizes, dtype=object))} points is more than "
                            f"{MAX_GRID}; narrow the grid")
    mesh = np.meshgrid(*(np.asarray(list(axis), dtype=np.int64) for axis in grid.values()),
                       indexing="ij")
    columns = {name: axis.ravel() for name, axis in zip(grid, mesh)}
    result = dict(columns)
    for label, expr in exprs.items():
        fixed, symbols = _fixed(expr, grid, values)
        function = sympy.lambdify(symbols, fixed, "numpy")
        evaluated = function(*(columns[s.name] for s in symbols))
        result[label] = np.broadcast_to(np.asarray(evaluated), columns[next(iter(grid))].shape)
    return result


def _fixed(expr, grid, values):
    expr = expr.xreplace(substitution(values or {}, expr.free_symbols))
    free = {s.name: s for s in expr.free_symbols}
    missing = sorted(set(free) - set(grid))
    if missing:
        raise SymparamError(f"sweep: give values for {', '.join(missing)}")
    return expr, [free[name] for name in grid if name in free]


def crossover(first, second, for_, *, values: Mapping | None = None, up_to: int = 10**6):
    """The smallest positive integer value of ``for_`` at which ``first`` stops being below
    ``second`` (or the reverse), or ``None`` when their order never changes up to ``up_to``."""
    a, symbol = _univariate(first, for_, values, "first expression")
    b, _ = _univariate(second.xreplace({s: symbol for s in second.free_symbols
                                        if s.name == symbol.name}), symbol, values,
                       "second expression")
    below = lambda n: _at(a, symbol, n) < _at(b, symbol, n)  # noqa: E731
    start = below(1)
    n = 1
    while n <= up_to and below(n) == start:
        n *= 2
    if n > up_to and below(up_to) == start:
        return None
    low, high = n // 2 if n > 1 else 0, min(n, up_to)
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if below(middle) == start else (low, middle)
    return high


def _as_list(dims):
    if isinstance(dims, (str, sympy.Symbol)):
        return [dims]
    return list(dims)


def parse_grid(text: str) -> tuple[str, range | list]:
    """``u=64:1024:64`` (start:stop:step, stop included) or ``u=64,128,256``; refused before
    anything is allocated when it holds more than 10**7 values."""
    name, sep, spec = text.partition("=")
    name = name.strip()
    if not sep or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,31}", name):
        raise SymparamError(f"--grid expects NAME=START:STOP:STEP or NAME=A,B,C, got "
                            f"{shorten(text)}")
    if ":" in spec:
        parts = spec.split(":")
        if len(parts) not in (2, 3) or not all(p.strip().isdigit() for p in parts):
            raise SymparamError(f"--grid {name}: expected START:STOP[:STEP] integers")
        start, stop, step = (int(p) for p in (parts + ["1"])[:3])
        if step < 1 or start < 1 or stop < start:
            raise SymparamError(f"--grid {name}: need 1 <= START <= STOP and STEP >= 1")
        if (stop - start) // step + 1 > MAX_GRID:
            raise SymparamError(f"--grid {name}: more than {MAX_GRID} values")
        return name, range(start, stop + 1, step)
    items = [p.strip() for p in spec.split(",")]
    if not items or len(items) > MAX_GRID or not all(p.isdigit() and int(p) > 0 for p in items):
        raise SymparamError(f"--grid {name}: expected positive integers")
    return name, [int(p) for p in items]


def sweep_table(result: dict, fmt: str) -> str:
    """A sweep's columns as CSV (one row per point) or JSON (one list per column)."""
    import json
    names = list(result)
    if fmt == "json":
        return json.dumps({k: [int(v) for v in result[k]] for k in names}, indent=1) + "\n"
    lines = [",".join(names)]
    lines += [",".join(str(int(v)) for v in row) for row in zip(*(result[k] for k in names))]
    return "\n".join(lines) + "\n"
