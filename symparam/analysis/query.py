"""Questions asked of a derived formula: budgets, leading terms, sensitivities, sweeps.

Each works on any SymPy expression symparam derives (a layer's ``params``, a summary's
``total``, a cost) and answers exactly: budgets by integer search on the formula, sweeps by
exact vectorised evaluation over NumPy object arrays of Python integers (``exact.py``; never a
Python loop per configuration, never int64 or float64).  Both answer only points at which every
size of the model is a positive integer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import sympy

from symparam.core.dims import parse
from symparam.core.errors import SymparamError, shorten
from symparam.engine.substitute import Substitutable, substitution

MAX_GRID = 10**6  # exact (object-array) evaluation: about 3 s for a GPT total at the cap
MAX_SEARCH = 10**15
MAX_SCAN = 2**20  # candidates below a budget's boundary tried for integer sizes
BLOCK = 4096
_SUFFIXES = {"": 1, "k": 10**3, "m": 10**6, "g": 10**9, "b": 10**9, "t": 10**12}


__all__ = ["as_expression", "crossover", "leading_term", "parse_budget", "parse_grid",
           "sensitivity", "shares", "solve_budget", "sweep", "sweep_table"]

def parse_budget(value) -> int:
    """A budget as a positive integer: ``1000000``, ``"1M"``, ``"2.5k"``, ``"175B"``."""
    if isinstance(value, bool):
        raise SymparamError(f"budget must be a positive number, got {shorten(value)}")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        match = re.fullmatch(r"\s*([0-9]{1,15}(?:\.[0-9]{1,6})?)\s*([kKmMgGbBtT]?)\s*", value,
                             re.ASCII)
        if not match:
            raise SymparamError(f"budget must be a number such as 1000000 or 1M, got "
                                f"{shorten(value)}")
        mantissa, suffix = match.groups()
        number = int(sympy.Rational(mantissa) * _SUFFIXES[suffix.lower()])
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


def _at(expr, symbol, n: int) -> sympy.Rational:
    """``expr`` at ``symbol = n``, exactly (``int()`` would truncate a fractional count)."""
    value = expr.xreplace({symbol: sympy.Integer(n)})
    if not value.is_Rational:
        raise SymparamError(f"the expression is not a number at {symbol} = {n}: {shorten(value)}")
    return value


def solve_budget(expr, budget, for_, *, values: Mapping | None = None,
                 sizes: Mapping | None = None) -> int:
    """The largest positive integer value of ``for_`` keeping ``expr`` within ``budget``.

    Parameter counts and costs never decrease as a size grows, so an exponential then binary
    search on exact integers finds the boundary; the answer is checked on both sides.
    ``sizes`` (``size_fields`` of the model) restricts the answer to values at which every
    size is a positive integer: with ``key_dim = d/h``, ``d`` must be a multiple of ``h``.
    Given a ``Summary`` or a ``Derivation`` as ``expr``, its total and its sizes are used.

    >>> import symparam as S
    >>> u, d = S.dims("u d")
    >>> solve_budget(4*u*(u + d + 1), 1_000_000, u, values={"d": 256})
    387
    """
    limit = parse_budget(budget)
    if isinstance(expr, Substitutable):  # a summary or a derivation: its count and its sizes
        from symparam.engine.substitute import size_fields
        sizes = size_fields(expr) if sizes is None else sizes
        expr = expr.total if hasattr(expr, "total") else expr.params
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
    return _largest_valid(low, symbol, sizes or {}, values or {}) if sizes else low


def _largest_valid(high: int, symbol, sizes: Mapping, values: Mapping) -> int:
    """The largest ``n <= high`` at which every size is a positive integer, scanning down in
    exact vectorised blocks (at most ``MAX_SCAN`` candidates)."""
    from symparam.analysis.exact import column
    checks = _size_checks(sizes, values, [symbol])
    scanned = 0
    while high >= 1 and scanned < MAX_SCAN:
        low = max(1, high - BLOCK + 1)
        candidates = column(range(high, low - 1, -1))
        good = _valid_points(checks, {symbol: candidates})
        if good.any():
            return int(candidates[int(good.argmax())])
        scanned += high - low + 1
        high = low - 1
    owner, field, _, expr = checks[0] if checks else ("model", "size", 1, symbol)
    raise SymparamError(f"no value of {symbol} within the budget makes every size a positive "
                        f"integer (e.g. {owner}: {field} {expr})")


def _size_checks(sizes: Mapping, values: Mapping, free) -> list:
    """``(owner, field, minimum, expr)`` for each size left depending only on the symbols
    ``free`` once ``values`` are given; a size already bad at ``values`` alone is refused."""
    from symparam.engine.substitute import check_sizes
    exprs = list(sizes)
    mapping = substitution(values, set().union(*(e.free_symbols for e in exprs)))
    check_sizes(sizes, mapping)
    names = {s.name for s in free}
    checks = []
    for expr in exprs:
        fixed = expr.xreplace(mapping)
        if fixed.free_symbols and {s.name for s in fixed.free_symbols} <= names:
            checks.append((*sizes[expr], fixed))
    return checks


def _valid_points(checks: list, columns: dict):
    """Where every checked size is an integer of at least its minimum, over the points of
    ``columns``."""
    from symparam.analysis.exact import Fractions, numpy
    np = numpy()
    length = len(next(iter(columns.values())))
    by_name = {symbol.name: array for symbol, array in columns.items()}
    good = np.ones(length, dtype=bool)
    for _, _, minimum, expr in checks:
        evaluator = Fractions({s: by_name[s.name] for s in expr.free_symbols})
        value, exact = evaluator.integers(expr)
        good &= np.broadcast_to(exact & (value >= minimum), (length,)).astype(bool)
    return good


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


class SweepResult(dict):
    """``{"u": column, ..., "params": column}`` and ``skipped``: how many grid points were left
    out because some size was not a positive integer there."""

    skipped: int = 0


def sweep(exprs: Mapping, grid: Mapping, *, values: Mapping | None = None,
          sizes: Mapping | None = None) -> SweepResult:
    """Evaluate named expressions over every combination of ``grid`` values, exactly.

    Args:
        exprs: ``{"params": summary.total, ...}``.
        grid: ``{"u": range(64, 1025, 64), ...}``: positive integers up to 10**12, at most
            10**6 points in all; every name must occur in some expression.
        values: fixed values for the other dimensions.
        sizes: the model's ``size_fields``: points where one of them is not a positive
            integer are skipped (counted in ``skipped``); none left is an error.

    Returns columns of Python integers (NumPy object arrays: never int64 or float64), one row
    per point kept.
    """
    from symparam.analysis.exact import Fractions, column, numpy
    np = numpy()
    axes = _grid_axes(grid)
    fixed = {label: _fixed(expr, axes, values) for label, expr in exprs.items()}
    used = {s.name for expr, _ in fixed.values() for s in expr.free_symbols}
    unused = [name for name in axes if name not in used]
    if unused:
        raise SymparamError(f"sweep: the dimension {unused[0]!r} occurs in no formula")
    _grid_values(axes)
    mesh = np.meshgrid(*(column(axis) for axis in axes.values()), indexing="ij", copy=True)
    columns = {name: axis.ravel() for name, axis in zip(axes, mesh)}
    symbols = {sympy.Symbol(name, positive=True, integer=True): columns[name] for name in axes}
    good = _valid_points(_size_checks(sizes or {}, values or {}, symbols), symbols) \
        if sizes else np.ones(len(columns[next(iter(axes))]), dtype=bool)
    result = SweepResult(columns)
    for label, (expr, _) in fixed.items():
        value, exact = Fractions({s: columns[s.name] for s in expr.free_symbols}).integers(expr)
        good &= np.broadcast_to(exact, good.shape).astype(bool)
        result[label] = np.broadcast_to(value, good.shape)
    if not good.any():
        raise SymparamError("sweep: at no point of the grid is every size a positive integer")
    for key in result:
        result[key] = np.asarray(result[key])[good]
    result.skipped = int(good.size - good.sum())
    return result


def _grid_axes(grid: Mapping) -> dict:
    """The grid's names and sizes checked first (at most 10**6 points, counted before
    anything is listed), then its values: positive integers up to 10**12."""
    from symparam.core.dims import check_name
    if not isinstance(grid, Mapping) or not grid:
        raise SymparamError("sweep: the grid is empty")
    points = 1
    for name, axis in grid.items():
        check_name(name, "grid dimension")
        try:
            points *= len(axis)
        except TypeError:
            raise SymparamError(f"sweep: {name} needs a sequence of integers") from None
        if points > MAX_GRID:
            raise SymparamError(f"sweep: more than {MAX_GRID} points; narrow the grid")
    if points == 0:
        raise SymparamError("sweep: the grid is empty")
    return {name: list(axis) for name, axis in grid.items()}


def _grid_values(axes: dict) -> None:
    from symparam.core.dims import MAX_LITERAL
    for name, items in axes.items():
        if not all(type(v) is int and 1 <= v <= MAX_LITERAL for v in items):
            raise SymparamError(f"sweep: {name} needs integers from 1 to {MAX_LITERAL}")


def _fixed(expr, grid, values):
    expr = as_expression(expr)
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


_DIGITS = re.compile(r"[0-9]{1,13}")


def _grid_integer(text: str, name: str) -> int:
    """One ASCII integer from 1 to 10**12 (``isdigit`` accepts ``²``, which ``int`` refuses)."""
    from symparam.core.dims import MAX_LITERAL
    text = text.strip()
    if not _DIGITS.fullmatch(text) or not 1 <= int(text) <= MAX_LITERAL:
        raise SymparamError(f"--grid {name}: expected positive integers up to {MAX_LITERAL}, "
                            f"got {shorten(text)}")
    return int(text)


def parse_grid(text: str) -> tuple[str, range | list]:
    """``u=64:1024:64`` (start:stop:step, stop included) or ``u=64,128,256``; refused before
    anything is allocated when it holds more than 10**6 values."""
    name, sep, spec = text.partition("=")
    name = name.strip()
    if not sep or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,31}", name):
        raise SymparamError(f"--grid expects NAME=START:STOP:STEP or NAME=A,B,C, got "
                            f"{shorten(text)}")
    if ":" in spec:
        parts = spec.split(":")
        if len(parts) not in (2, 3):
            raise SymparamError(f"--grid {name}: expected START:STOP[:STEP] integers")
        start, stop, step = (_grid_integer(p, name) for p in (parts + ["1"])[:3])
        if stop < start:
            raise SymparamError(f"--grid {name}: need START <= STOP")
        if (stop - start) // step + 1 > MAX_GRID:
            raise SymparamError(f"--grid {name}: more than {MAX_GRID} values")
        return name, range(start, stop + 1, step)
    items = spec.split(",")
    if len(items) > MAX_GRID:
        raise SymparamError(f"--grid {name}: more than {MAX_GRID} values")
    return name, [_grid_integer(p, name) for p in items]


def sweep_table(result: dict, fmt: str) -> str:
    """A sweep's columns as CSV (one row per point) or JSON (one list per column)."""
    import json
    names = list(result)
    if fmt == "json":
        return json.dumps({k: [int(v) for v in result[k]] for k in names}, indent=1) + "\n"
    lines = [",".join(names)]
    lines += [",".join(str(int(v)) for v in row) for row in zip(*(result[k] for k in names))]
    return "\n".join(lines) + "\n"
