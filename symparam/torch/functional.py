"""Tensor functions a module's ``forward`` calls itself: ``torch.matmul`` (``@``, ``bmm``) and
``F.scaled_dot_product_attention``.

They are no modules and hold no parameters, but they compute: a GPT block that projects with
``nn.Linear`` and attends with ``F.scaled_dot_product_attention`` spends its ``QK^T`` and ``AV``
products there.  ``from_torch`` gives each call found while tracing a row of its own, derived
like any layer: the products are written as matrix equations on the last two axes, and the
cost is read off them, once per leading index (batch ``None`` aside: heads, groups...).
"""

from __future__ import annotations

import sympy
from sympy import MatrixSymbol

from symparam.core import args
from symparam.core.errors import SymparamError
from symparam.core.shapes import format_shape, is_shape_list
from symparam.engine.equations import Eq, activate
from symparam.torch._base import TorchLayer, example_size


class Function(TorchLayer):
    """A function's call as a layer without weights, derived on its tensor arguments' shapes
    (each of rank 2 or more: matrices on the last two axes, indexed by the leading ones)."""

    #: how the row is labelled: the function as a user writes it
    label = ""
    inputs = 2
    #: which call of ``forward`` this is, counting every function with a row (``from_torch``)
    call_order = 0

    @property
    def class_name(self) -> str:
        return self.label

    def _matrices(self, input_shape) -> list:
        shapes = input_shape if is_shape_list(input_shape) else [input_shape]
        if len(shapes) != self.inputs or any(len(shape) < 2 or None in shape[-2:]
                                             for shape in shapes):
            raise SymparamError(f"{args.where(self)}: expects {self.inputs} tensors of rank 2 "
                                f"or more, got {format_shape(list(shapes))}")
        return [shape[-2:] for shape in shapes]

    def _lead(self, input_shape):
        """The leading axes of the result: the first argument's (broadcasting aside)."""
        shapes = input_shape if is_shape_list(input_shape) else [input_shape]
        return tuple(shapes[0][:-2])

    def repeats(self, input_shape, output_shape, equations):
        return example_size(self._lead(input_shape))

    def input_layout(self):
        raise SymparamError(f"{args.where(self)}: a function is derived on the shapes it is "
                            "called with")


class MatMul(Function):
    """``Y = A B`` for ``(..., m, k) @ (..., k, n)`` (``torch.matmul``, ``@``, ``torch.bmm``):
    ``m*k*n`` multiply-accumulates per leading index."""

    label = "torch.matmul"

    def equations_for(self, input_shape):
        (m, k), (k_right, n) = self._matrices(input_shape)
        if (sympy.sympify(k, strict=True) - k_right).is_zero is False:
            raise SymparamError(f"{args.where(self)}: inner sizes {k} and {k_right} differ")
        a, b = MatrixSymbol("A", m, k), MatrixSymbol("B", k, n)
        return [Eq(MatrixSymbol("Y", m, n), a * b)]

    def compute_output_shape(self, input_shape):
        (m, _), (_, n) = self._matrices(input_shape)
        return (*self._lead(input_shape), m, n)


class ScaledDotProductAttention(Function):
    """``Y = softmax(Q K^T / sqrt(E)) V`` for query ``(..., L, E)``, key ``(..., S, E)`` and
    value ``(..., S, E_v)`` (``F.scaled_dot_product_attention``): ``L*S*(E + E_v)``
    multiply-accumulates per leading index (a causal mask or dropout change no size)."""

    label = "F.scaled_dot_product_attention"
    inputs = 3

    def equations_for(self, input_shape):
        (length, width), (keys, key_width), (values, value_width) = self._matrices(input_shape)
        if (sympy.sympify(width, strict=True) - key_width).is_zero is False or \
                (sympy.sympify(keys, strict=True) - values).is_zero is False:
            raise SymparamError(f"{args.where(self)}: query, key and value do not fit: "
                                f"{format_shape(list(input_shape))}")
        q, k = MatrixSymbol("Q", length, width), MatrixSymbol("K", keys, width)
        v = MatrixSymbol("V", keys, value_width)
        scores = Eq(MatrixSymbol("A", length, keys),
                    activate("softmax", sympy.Pow(width, sympy.Rational(-1, 2),
                                                  evaluate=False) * q * k.T))
        return [scores, Eq(MatrixSymbol("Y", length, value_width), scores.lhs * v)]

    def compute_output_shape(self, input_shape):
        (length, _), _, (_, value_width) = self._matrices(input_shape)
        return (*self._lead(input_shape), length, value_width)


#: the function names ``torch.fx`` records, and the layer standing for each
FUNCTIONS = {"matmul": MatMul, "bmm": MatMul,
             "scaled_dot_product_attention": ScaledDotProductAttention}
