"""Giving dimensions values: one ``substitute`` for every report value, and the mapping it uses.

Every report (a derivation, a summary, a comparison, a PyTorch summary) is a frozen dataclass of
SymPy expressions, shapes, weights and nested values.  ``substitute`` walks any of them and
replaces symbols everywhere at once with ``xreplace`` (fast, exact, never re-simplifying), so no
report can forget a field (a summary once forgot its diagram's edges).  A field marked
``metadata={"substitute": False}`` is kept as it is (a summary row's full derivation, which
only a per-layer report reads, and which would make ``Summary.subs`` walk every equation).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping

import sympy

from symparam.core import args
from symparam.core.errors import SymparamError
from symparam.engine.weights import replaced

#: the field metadata key that keeps a field out of substitution and symbol collection
KEEP = "substitute"


def substitution(values: Mapping[str, object], symbols) -> dict:
    """An ``xreplace`` mapping from dimension names to values (ints, expressions or strings)."""
    by_name = {}
    for symbol in symbols:
        by_name.setdefault(symbol.name, []).append(symbol)
    exprs = {name: args.size(value, field=name, owner="subs") for name, value in values.items()}
    exprs = _resolved(exprs)
    return {symbol: exprs[name] for name in exprs for symbol in by_name.get(name, [])}


def _resolved(exprs: dict) -> dict:
    """Values that mention other substituted names (``u="2*d", d=3``) resolved in turn."""
    for _ in range(len(exprs) + 1):
        pending = {name: {s: exprs[s.name] for s in value.free_symbols if s.name in exprs}
                   for name, value in exprs.items()}
        if not any(pending.values()):
            return exprs
        exprs = {name: value.xreplace(pending[name]) for name, value in exprs.items()}
    raise SymparamError("subs: the values refer to each other in a cycle")


def substitute(value, mapping: dict, memo: dict | None = None):
    """``value`` with every symbol in ``mapping`` replaced, through dataclasses, tuples, lists
    and dicts; equations keep their unevaluated form (``replaced``).

    ``memo`` remembers each expression's result during one call: a summary of 10,000 rows
    repeats a few expressions (identical layers share one cached derivation), and each is
    replaced once."""
    if not mapping:
        return value
    memo = {} if memo is None else memo
    if isinstance(value, sympy.Basic):
        found = memo.get(value)
        if found is None:
            found = memo[value] = replaced(value, mapping) if isinstance(value, sympy.Eq) \
                else value.xreplace(mapping)
        return found
    if isinstance(value, tuple):
        return tuple(substitute(item, mapping, memo) for item in value)
    if isinstance(value, list):
        return [substitute(item, mapping, memo) for item in value]
    if isinstance(value, dict):
        return {key: substitute(item, mapping, memo) for key, item in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {name: substitute(getattr(value, name), mapping, memo)
                   for name in _walked(type(value))}
        return dataclasses.replace(value, **changes)
    return value


def free_symbols(value) -> set:
    """The scalar symbols (dimensions) in a report value: counts, shapes and costs, not the
    matrix symbols of its equations."""
    found: set = set()
    pending, seen = [value], set()
    while pending:
        item = pending.pop()
        if item is None or isinstance(item, (str, int, float, sympy.Eq)):
            continue  # an equation's sizes occur in the counts and shapes too
        if isinstance(item, sympy.Basic):
            if item not in seen:  # the rows of a deep model repeat a few expressions
                seen.add(item)
                found |= {s for s in item.free_symbols if isinstance(s, sympy.Symbol)}
        elif isinstance(item, (tuple, list)):
            pending.extend(item)
        elif isinstance(item, dict):
            pending.extend(item.values())
        elif dataclasses.is_dataclass(item) and not isinstance(item, type):
            pending.extend(getattr(item, name) for name in _walked(type(item)))
    return found


def size_fields(value) -> dict:
    """``{size expression: (owner, field, minimum)}`` for every size a report value holds:
    what each derivation inside it lists in its own ``size_fields`` (arguments, shapes, weight
    shapes, the matrices of its equations), including fields kept out of substitution (a
    summary row's derivation)."""
    found: dict = {}
    pending = [value]
    while pending:
        item = pending.pop()
        own = getattr(item, "size_fields", None)
        if isinstance(own, dict):
            for expr, place in own.items():
                found.setdefault(expr, place)
        elif isinstance(item, (tuple, list)):
            pending.extend(item)
        elif isinstance(item, dict):
            pending.extend(item.values())
        elif dataclasses.is_dataclass(item) and not isinstance(item, type):
            pending.extend(getattr(item, f.name) for f in dataclasses.fields(item))
    return found


def check_sizes(fields: dict, mapping: dict) -> None:
    """Refuse ``mapping`` when it makes a size a non-integer or non-positive number (or an
    expression SymPy knows is one): ``units: u/3`` at ``u=4`` would otherwise give
    ``(None, 4/3)`` and a fractional count, silently."""
    if not mapping:
        return
    given = set(mapping)
    for expr, (owner, field, minimum) in fields.items():
        if not expr.free_symbols & given:
            continue
        value = expr.xreplace(mapping)
        if value.is_number:
            bad = not (value.is_Integer and value >= minimum)
        else:
            bad = value.is_integer is False or (minimum > 0 and value.is_positive is False) \
                or value.is_negative is True
        if bad:
            shown = ", ".join(f"{s}={mapping[s]}" for s in sorted(expr.free_symbols & given,
                                                                  key=str))
            need = "a positive integer" if minimum > 0 else "an integer of at least 0"
            raise SymparamError(f"{owner}: {field} {expr} is {value} at {shown}; every size "
                                f"must be {need}")


def refuse_unknown(values: Mapping, symbols, what: str = "subs") -> None:
    """Refuse a value for a name that occurs nowhere (it would be silently ignored)."""
    names = {symbol.name for symbol in symbols}
    unknown = sorted(name for name in values if name not in names)
    if unknown:
        shown = ", ".join(sorted(names)) or "none"
        raise SymparamError(f"{what}: no dimension {unknown[0]!r} occurs (dimensions: {shown})")


@functools.cache
def _walked(cls) -> tuple:
    """The fields of a report dataclass that hold values (not those marked ``KEEP``), the
    ones both ``substitute`` and ``free_symbols`` walk, computed once per class."""
    return tuple(f.name for f in dataclasses.fields(cls) if f.init and f.metadata.get(KEEP, True))


class Substitutable:
    """``subs(**values)`` and ``free_symbols`` for a frozen report dataclass, both from the one
    walk above, so every field follows the values."""

    def subs(self, **values):
        """The same value with dimensions replaced by values, e.g. ``subs(u=128, d=256)``.

        A name that occurs nowhere, and a value that makes some size (a shape, a weight's
        shape, a matrix of the equations) non-integer or non-positive, are refused."""
        sizes = size_fields(self)
        symbols = self.free_symbols.union(*(expr.free_symbols for expr in sizes))
        refuse_unknown(values, symbols)  # a size argument's symbol (h in d/h) is known too
        mapping = substitution(values, symbols)
        check_sizes(sizes, mapping)
        return substitute(self, mapping)

    def at(self, values: Mapping):
        """``subs`` with the values of ``values`` for the dimensions this report contains,
        skipping the others: for a shared table of example values (``subs`` itself refuses a
        name that occurs nowhere, which would otherwise be silently ignored)."""
        names = {symbol.name for symbol in self.free_symbols}
        present = {name: value for name, value in values.items() if name in names}
        return self.subs(**present) if present else self

    @property
    def free_symbols(self) -> set:
        return free_symbols(self)
