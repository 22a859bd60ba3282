"""Printers that write layer equations the way a reader of the seed post would.

SymPy's default string form of element-wise functions is ``Lambda(_d, sigma(_d)).(W*x + b)``;
these printers, hooked into SymPy's printer dispatch (never string surgery), write
``sigma(W*x + b)``, ``[h_{t-1}; x_t]`` for a stacked vector and ``a ⊙ b`` for a Hadamard product.
"""

from __future__ import annotations

import sympy
from sympy.printing.str import StrPrinter


class TextPrinter(StrPrinter):
    """Plain-text equations: ``f_t = sigma(W_f*[h_{t-1}; x_t] + b_f)``."""

    def _print_ElementwiseApplyFunction(self, expr):
        return self._print(_applied(expr, self._print(expr.expr)))

    def _print_BlockMatrix(self, expr):
        if expr.blockshape[1] == 1:
            return "[" + "; ".join(self._print(block) for block in expr.blocks) + "]"
        return super()._print_BlockMatrix(expr)

    def _print_HadamardProduct(self, expr):
        return " ⊙ ".join(self.parenthesize(arg, 50) for arg in expr.args)

    def _print_HadamardPower(self, expr):
        return f"{self.parenthesize(expr.base, 60)}^∘{self._print(expr.exp)}"

    def _print_OneMatrix(self, expr):
        return "1"

    def _print_Equality(self, expr):
        return f"{self._print(expr.lhs)} = {self._print(expr.rhs)}"


def _applied(expr, argument_text: str):
    """The element-wise function's body with its variable shown as the argument."""
    function = expr.function
    variable = function.variables[0]
    return function.expr.xreplace({variable: sympy.Symbol(argument_text)})


def text(expr) -> str:
    """``expr`` as plain text with the conventions above."""
    return TextPrinter().doprint(expr)
