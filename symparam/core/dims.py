"""Dimension symbols and the safe parser that turns user text into SymPy expressions.

User text (CLI arguments, YAML specs, Keras files) must never reach ``eval``, ``sympify`` or
``parse_expr``: all of them can be steered into arbitrary code.  ``parse`` instead reads Python's
``ast`` and rebuilds the expression from SymPy constructors, allowing only a small whitelist
(DESIGN.md section 6).
"""

from __future__ import annotations

import ast
import functools
import re

import sympy

from symparam.core.errors import SymparamError, shorten
from symparam.core.numbers import suffixed

NAME_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,31}")
MAX_TEXT = 256
MAX_NODES = 200
MAX_DEPTH = 32
MAX_LITERAL = 10**12
MAX_EXPONENT = 8
MAX_RESULT = 10**18
#: the highest total degree a size may have (``u**8`` is allowed, ``(u**8)**8`` is not)
MAX_DEGREE = 16

_FUNCTIONS = {"ceil": sympy.ceiling, "floor": sympy.floor, "min": sympy.Min, "max": sympy.Max}
_ARITY = {"ceil": (1, 1), "floor": (1, 1), "min": (2, 8), "max": (2, 8)}


def dim(name: str) -> sympy.Symbol:
    """The dimension symbol called ``name``: a positive integer, so SymPy can simplify
    ``ceiling(n)`` to ``n`` and knows that sizes never vanish."""
    check_name(name)
    return sympy.Symbol(name, positive=True, integer=True)


def dims(names: str):
    """Dimension symbols from a space- or comma-separated string, like ``sympy.symbols``.

    >>> u, d = dims("u d")
    >>> (u * (d + 1)).expand()
    d*u + u
    """
    parts = [part for part in re.split(r"[\s,]+", names.strip()) if part]
    if not parts:
        raise SymparamError("dims: no dimension names given")
    symbols = tuple(dim(part) for part in parts)
    return symbols[0] if len(symbols) == 1 else symbols


def check_name(name: object, what: str = "dimension name") -> str:
    """Refuse anything but a short ASCII identifier (SymPy copies names verbatim into LaTeX)."""
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name) or name in _FUNCTIONS:
        raise SymparamError(f"invalid {what} {shorten(name)}: use letters, digits and _ "
                            "(at most 32)")
    return name


def parse(text: str) -> sympy.Expr:
    """Parse a dimension expression such as ``"4*u + ceil(n/2)"`` without executing anything.

    Allowed: a number with a size suffix (``1k``, ``1M``, ``175B``), integers up to 10**12,
    names, ``+ - * / // **`` (literal exponent 0..8), unary
    minus, and ``ceil floor min max``.  Anything else raises ``SymparamError``.

    >>> parse("4*u + ceil(n/2)")
    4*u + ceiling(n/2)
    """
    if not isinstance(text, str):
        raise SymparamError(f"expected an expression string, got {shorten(text)}")
    return _parse_text(text)


@functools.lru_cache(maxsize=1024)
def _parse_text(text: str) -> sympy.Expr:
    """``parse`` of a string, remembered: a spec of 10,000 layers repeats ``units: u`` 10,000
    times, and each parse walks an ``ast`` (a tenth of reading such a spec).  A refused text
    raises every time (exceptions are not cached); a result is an immutable expression."""
    if len(text) > MAX_TEXT:
        raise SymparamError(f"expression longer than {MAX_TEXT} characters")
    if not text.isascii():
        raise SymparamError(f"expression {shorten(text)} contains non-ASCII characters")
    number = suffixed(text)  # "1M", "2.5k", "175B": the one rule for numbers with a suffix
    if number is not None:
        return _checked_result(number, text)
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise SymparamError(f"cannot parse expression {shorten(text)}") from None
    if sum(1 for _ in ast.walk(tree)) > MAX_NODES:
        raise SymparamError(f"expression {shorten(text)} has more than {MAX_NODES} parts")
    result = _Translator(text).visit(tree.body, depth=0)
    return _checked_result(result, text)


def _checked_result(result: sympy.Expr, text: str) -> sympy.Expr:
    if result.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        raise SymparamError(f"expression {shorten(text)} is undefined or infinite")
    for number in result.atoms(sympy.Number):
        if abs(number) > MAX_RESULT:
            raise SymparamError(f"expression {shorten(text)} is absurdly large")
    return result


class _Translator:
    """Rebuilds a whitelisted ``ast`` expression with SymPy constructors, node by node."""

    def __init__(self, text: str):
        self.text = text

    def fail(self, why: str) -> SymparamError:
        return SymparamError(f"expression {shorten(self.text)}: {why}")

    def visit(self, node: ast.AST, depth: int) -> sympy.Expr:
        if depth > MAX_DEPTH:
            raise self.fail(f"nested deeper than {MAX_DEPTH}")
        method = getattr(self, "visit_" + type(node).__name__, None)
        if method is None:
            raise self.fail(f"{type(node).__name__} is not allowed")
        return self.bounded(method(node, depth + 1))

    def bounded(self, expr: sympy.Expr) -> sympy.Expr:
        """Refuse each partial result as soon as a number in it passes 10**18 or its degree
        passes 16: a tower such as ``((10**12)**8)**8`` or ``((u**8)**8)**8`` stops at its
        second level instead of computing numbers of thousands of digits."""
        for number in expr.atoms(sympy.Rational):
            if abs(number.p) > MAX_RESULT or number.q > MAX_RESULT:
                raise self.fail("absurdly large")
        if _degree(expr) > MAX_DEGREE:
            raise self.fail(f"degree above {MAX_DEGREE}")
        return expr

    def visit_Constant(self, node: ast.Constant, depth: int) -> sympy.Expr:
        value = node.value
        if type(value) is not int:
            raise self.fail(f"only integer literals are allowed, not {shorten(value)}")
        if value > MAX_LITERAL:
            raise self.fail(f"literal larger than {MAX_LITERAL}")
        return sympy.Integer(value)

    def visit_Name(self, node: ast.Name, depth: int) -> sympy.Expr:
        if not NAME_PATTERN.fullmatch(node.id) or node.id in _FUNCTIONS:
            raise self.fail(f"invalid name {shorten(node.id)}")
        return dim(node.id)

    def visit_UnaryOp(self, node: ast.UnaryOp, depth: int) -> sympy.Expr:
        operand = self.visit(node.operand, depth)
        if isinstance(node.op, ast.USub):
            return -operand
        if isinstance(node.op, ast.UAdd):
            return operand
        raise self.fail(f"operator {type(node.op).__name__} is not allowed")

    def visit_BinOp(self, node: ast.BinOp, depth: int) -> sympy.Expr:
        if isinstance(node.op, ast.Pow):
            return self._power(node, depth)
        left, right = self.visit(node.left, depth), self.visit(node.right, depth)
        if isinstance(node.op, ast.Add):
            return sympy.Add(left, right)
        if isinstance(node.op, ast.Sub):
            return sympy.Add(left, -right)
        if isinstance(node.op, ast.Mult):
            return sympy.Mul(left, right)
        if isinstance(node.op, (ast.Div, ast.FloorDiv)):
            if right.is_zero:
                raise self.fail("division by zero")
            quotient = sympy.Mul(left, sympy.Pow(right, -1))
            return sympy.floor(quotient) if isinstance(node.op, ast.FloorDiv) else quotient
        raise self.fail(f"operator {type(node.op).__name__} is not allowed")

    def _power(self, node: ast.BinOp, depth: int) -> sympy.Expr:
        exponent = node.right
        if not (isinstance(exponent, ast.Constant) and type(exponent.value) is int
                and 0 <= exponent.value <= MAX_EXPONENT):
            raise self.fail(f"exponents must be integer literals from 0 to {MAX_EXPONENT}")
        return sympy.Pow(self.visit(node.left, depth), sympy.Integer(exponent.value))

    def visit_Call(self, node: ast.Call, depth: int) -> sympy.Expr:
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name not in _FUNCTIONS or node.keywords:
            raise self.fail("only ceil, floor, min and max may be called")
        low, high = _ARITY[name]
        if not low <= len(node.args) <= high:
            raise self.fail(f"{name} takes {low} to {high} arguments")
        return _FUNCTIONS[name](*(self.visit(arg, depth) for arg in node.args))


def _degree(expr: sympy.Expr) -> int:
    """An upper bound of the total degree of a parsed expression in its symbols."""
    if expr.is_Symbol:
        return 1
    if expr.is_Number or not expr.args:
        return 0
    if expr.is_Pow:
        exponent = expr.exp
        if not exponent.is_Integer:
            return MAX_DEGREE + 1
        return _degree(expr.base) * abs(int(exponent))
    if expr.is_Mul:
        return sum(_degree(arg) for arg in expr.args)
    return max(_degree(arg) for arg in expr.args)
