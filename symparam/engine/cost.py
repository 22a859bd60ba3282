"""Compute cost read off the same expression trees that give the parameter counts.

A product of an ``(m x n)`` matrix with an ``(n x p)`` one costs ``m*n*p`` multiply-accumulates
(MACs); an element-wise operation (a sum, a Hadamard product, an activation) costs one operation
per element; a product with a one-hot vector is a lookup and costs nothing, and a product with
a matrix of ones is a sum (one addition per element summed).  A layer's equations
describe one position (a time step, an output pixel, a token), and the layer says how many
positions there are (``Layer.repeats``); wrappers and models add up their parts' costs.

FLOPs follow a stated convention (``FlopConvention``): ``macs`` counts 2 per MAC only, as
PyTorch's ``FlopCounterMode`` and most papers do; ``full`` adds the element-wise operations.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import sympy
from sympy import (
    BlockMatrix,
    HadamardPower,
    HadamardProduct,
    MatAdd,
    MatMul,
    MatrixExpr,
    MatrixSymbol,
    OneMatrix,
    Transpose,
)
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

from symparam.core.algebra import add_up
from symparam.core.errors import SymparamError

BYTES = {"float64": 8, "float32": 4, "float16": 2, "bfloat16": 2, "int8": 1, "uint8": 1,
         "int32": 4, "int64": 8, "float8": 1}


class FlopConvention(StrEnum):
    """How FLOPs are counted from MACs and element-wise operations."""

    MACS = "macs"   # 2 FLOPs per MAC, element-wise operations ignored (PyTorch's counter)
    FULL = "full"   # 2 FLOPs per MAC plus one per element-wise operation


class OneHot(MatrixSymbol):
    """A one-hot column vector: multiplying by it selects a column, a lookup with no MACs."""


@dataclass(frozen=True)
class Cost:
    """Multiply-accumulates and element-wise operations for one example."""

    macs: sympy.Expr = sympy.Integer(0)
    elementwise: sympy.Expr = sympy.Integer(0)

    def __add__(self, other: "Cost") -> "Cost":
        return Cost(sympy.Add(self.macs, other.macs),
                    sympy.Add(self.elementwise, other.elementwise))

    def times(self, factor) -> "Cost":
        return Cost(sympy.Mul(factor, self.macs), sympy.Mul(factor, self.elementwise))

    def flops(self, convention=FlopConvention.MACS) -> sympy.Expr:
        convention = FlopConvention(convention)
        doubled = sympy.Mul(2, self.macs)
        return doubled if convention is FlopConvention.MACS else \
            sympy.Add(doubled, self.elementwise)

    def xreplace(self, mapping) -> "Cost":
        return Cost(self.macs.xreplace(mapping), self.elementwise.xreplace(mapping))


def total(costs) -> Cost:
    """The sum of several costs, built with one ``Add`` per field."""
    costs = list(costs)
    return Cost(add_up(c.macs for c in costs), add_up(c.elementwise for c in costs))


def equations_cost(equations) -> Cost:
    """The cost of evaluating each equation's right-hand side once."""
    macs, elementwise = [], []
    for eq in equations:
        _walk(eq.rhs, macs, elementwise)
    return Cost(sympy.Add(*macs), sympy.Add(*elementwise))


def _size(expr) -> sympy.Expr:
    rows, cols = expr.shape
    return sympy.Mul(rows, cols)


def _walk(expr, macs: list, elementwise: list) -> None:
    """Collect the MAC and element-wise terms of one matrix expression tree."""
    if not isinstance(expr, MatrixExpr) or isinstance(expr, MatrixSymbol):
        return
    if isinstance(expr, MatMul):
        _matmul(expr, macs, elementwise)
        return
    if isinstance(expr, (MatAdd, HadamardProduct)):
        elementwise.append(sympy.Mul(len(expr.args) - 1, _size(expr)))
    elif isinstance(expr, (HadamardPower, ElementwiseApplyFunction)):
        elementwise.append(_size(expr))
    children = expr.blocks.args if isinstance(expr, BlockMatrix) else expr.args
    for child in children:
        _walk(child, macs, elementwise)


def _matmul(expr, macs: list, elementwise: list) -> None:
    scalars = [a for a in expr.args if not isinstance(a, MatrixExpr)]
    matrices = [a for a in expr.args if isinstance(a, MatrixExpr)]
    if scalars:
        elementwise.append(_size(expr))
    rows, inner = matrices[0].shape
    previous = matrices[0]
    for right in matrices[1:]:  # left to right: (rows x inner) times (inner x cols)
        if isinstance(right, OneHot) or isinstance(previous, OneHot):
            pass  # selecting a column: a lookup
        elif isinstance(right, OneMatrix) or isinstance(previous, OneMatrix):
            elementwise.append(sympy.Mul(inner, right.shape[1]))  # a sum, broadcast
        else:
            macs.append(sympy.Mul(rows, inner, right.shape[1]))
        inner, previous = right.shape[1], right
    for matrix in matrices:
        if isinstance(matrix, Transpose):
            matrix = matrix.arg
        _walk(matrix, macs, elementwise)


def dtype_bytes(dtype: str) -> int:
    """Bytes per element of a dtype name."""
    if dtype not in BYTES:
        raise SymparamError(f"unknown dtype {dtype!r}; use one of {', '.join(sorted(BYTES))}")
    return BYTES[dtype]
