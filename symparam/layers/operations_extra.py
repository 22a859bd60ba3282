"""More ``keras.ops`` operations recorded in functional configs: clipping, selection, constant
fills, flips, rolls, cumulative sums, axis swaps and norms (see ``operations.py``)."""

from __future__ import annotations

import math

import sympy

from symparam.core import args
from symparam.core.errors import SymparamError
from symparam.layers.operations import ElementwiseOperation, Unary, register
from symparam.layers.operations_shape import Moving, Reduction, _axes, _one_shape


@register
class Clip(Unary):
    """``y = min(max(x, x_min), x_max)`` entry by entry (``keras.ops.clip``)."""

    def __init__(self, x_min, x_max, **kwargs):
        super().__init__(**kwargs)
        self.bounds = (self.as_number("x_min", x_min, -math.inf, math.inf),
                       self.as_number("x_max", x_max, -math.inf, math.inf))

    def function(self, t):
        return sympy.Min(sympy.Max(t, self.bounds[0]), self.bounds[1])

    def apply(self, x, *rest):
        from symparam.layers.core import curve
        return curve(self.function, x)


@register
class OnesLike(Unary):
    """``y = 1`` with ``x``'s shape (``keras.ops.ones_like``)."""

    function = staticmethod(lambda t: sympy.Integer(1))

    def __init__(self, dtype=None, **kwargs):
        super().__init__(**kwargs)


@register
class ZerosLike(OnesLike):
    """``y = 0`` with ``x``'s shape (``keras.ops.zeros_like``)."""

    function = staticmethod(lambda t: sympy.Integer(0))


@register
class Where(ElementwiseOperation):
    """``y = c ⊙ x_1 + (1 - c) ⊙ x_2``: entries picked by a condition, broadcast
    (``keras.ops.where``)."""

    def apply(self, *xs):
        if len(xs) != 3:
            raise SymparamError(f"{args.where(self)}: takes a condition and two operands")
        condition, first, second = xs
        return sympy.HadamardProduct(condition, first) + \
            sympy.HadamardProduct(sympy.OneMatrix(*condition.shape) - condition, second)


class AxisMove(Moving):
    """Numbers moved along axes without a change of shape: ``y = P x``."""

    matrix = "P"

    def compute_output_shape(self, input_shape):
        return _one_shape(self, input_shape)


@register
class Flip(AxisMove):
    """``keras.ops.flip(x, axis)``: the order along ``axis`` reversed."""

    def __init__(self, axis=None, **kwargs):
        super().__init__(**kwargs)
        self.axis = None if axis is None else tuple(self.as_axis("axis", a)
                                                    for a in args._as_items(axis))


@register
class Roll(Flip):
    """``keras.ops.roll(x, shift, axis)``: entries shifted cyclically."""

    def __init__(self, shift, axis=None, **kwargs):
        super().__init__(axis=axis, **kwargs)
        self.shift = tuple(self.as_axis("shift", s) for s in args._as_items(shift))


@register
class Cumsum(Flip):
    """``keras.ops.cumsum(x, axis)``: running sums, ``y = L x`` with ``L`` lower triangular
    (the whole example flattened when ``axis`` is None)."""

    matrix = "L"

    def __init__(self, axis=None, dtype=None, **kwargs):
        super().__init__(axis=axis, **kwargs)

    def compute_output_shape(self, input_shape):
        shape = _one_shape(self, input_shape)
        if self.axis is None:  # the batch axis is flattened too, as in NumPy
            from symparam.core.shapes import product
            return (product(shape),)
        return shape


@register
class Swapaxes(AxisMove):
    """``keras.ops.swapaxes(x, axis1, axis2)``: two axes exchanged."""

    def __init__(self, axis1, axis2, **kwargs):
        super().__init__(**kwargs)
        self.pair = (self.as_axis("axis1", axis1), self.as_axis("axis2", axis2))

    def compute_output_shape(self, input_shape):
        shape = list(_one_shape(self, input_shape))
        a, b = _axes(self, self.pair, len(shape), field="axis1, axis2")
        shape[a], shape[b] = shape[b], shape[a]
        return tuple(shape)


@register
class Norm(Reduction):
    """``keras.ops.norm(x, ord, axis, keepdims)``: ``y = (1^T |x|^p)^(1/p)`` over ``axis``
    (every axis when ``None``)."""

    def __init__(self, ord=None, axis=None, keepdims=False, **kwargs):
        super().__init__(axis=axis, keepdims=keepdims, **kwargs)

    def reduce(self, x):
        from symparam.layers.core import curve
        total = sympy.OneMatrix(1, x.shape[0]) * curve(lambda t: t**2, x)
        return curve(sympy.sqrt, total, "s")
