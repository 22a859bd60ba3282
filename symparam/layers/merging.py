"""Merging layers: several inputs, one output, no weights."""

from __future__ import annotations

import sympy
from sympy import HadamardPower, Integer, Rational

from symparam.core import args
from symparam.core.dims import dim
from symparam.core.errors import SymparamError, shorten
from symparam.core.shapes import format_shape, is_shape_list, same_dims
from symparam.engine.equations import Eq, stack, vector
from symparam.engine.layer import Layer
from symparam.layers.core import curve
from symparam.layers.registry import register


class Merge(Layer):
    """Inputs of one shape (or broadcastable shapes) combined element-wise (Keras ``Merge``)."""

    def _inputs(self, input_shape) -> list:
        if not is_shape_list(input_shape) or len(input_shape) < 2:
            raise SymparamError(f"{args.where(self)}: expects a list of at least 2 inputs, "
                                f"got {format_shape(input_shape)}")
        return input_shape

    def compute_output_shape(self, input_shape):
        shapes = self._inputs(input_shape)
        result = list(shapes[0][1:])
        for shape in shapes[1:]:
            result = self._broadcast(result, list(shape[1:]), shapes)
        return (None, *result)

    def _broadcast(self, left, right, shapes):
        """Keras's element-wise rule on the axes after the batch: right-aligned, sizes equal
        or 1, and the lower-rank input's missing leading axes taken from the other."""
        if len(left) < len(right):
            left, right = right, left
        merged = left[:len(left) - len(right)]
        for a, b in zip(left[len(left) - len(right):], right):
            if a is None or b is None:
                merged.append(None)
            elif a == 1 or b == 1:
                merged.append(b if a == 1 else a)
            elif same_dims(a, b):
                merged.append(a)
            else:
                raise SymparamError(f"{args.where(self)}: incompatible input shapes "
                                    f"{', '.join(format_shape(s) for s in shapes)}")
        return merged

    def features(self, input_shape):
        width = self._last_axis(self.compute_output_shape(input_shape))
        return [width] * len(input_shape)

    def equations(self, xs):
        return [Eq(vector("y", xs[0].shape[0]), sympy.MatAdd(*xs))]


@register
class Add(Merge):
    """Element-wise sum ``y = x_1 + x_2 + ...`` (Keras ``Add``)."""


@register
class Concatenate(Layer):
    """Concatenation along ``axis`` (Keras ``Concatenate``); along features it is ``[x_1; x_2]``."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = self.as_axis("axis", axis)

    def compute_output_shape(self, input_shape):
        if not is_shape_list(input_shape) or len(input_shape) < 2:
            raise SymparamError(f"{args.where(self)}: expects a list of at least 2 inputs")
        rank = len(input_shape[0])
        axis = self.axis % rank if -rank <= self.axis < rank else None
        if axis in (None, 0) or any(len(s) != rank for s in input_shape):
            raise SymparamError(f"{args.where(self)}: cannot concatenate "
                                f"{', '.join(format_shape(s) for s in input_shape)} on axis "
                                f"{self.axis}")
        result = list(input_shape[0])
        for shape in input_shape[1:]:
            for i, (a, b) in enumerate(zip(result, shape)):
                if i == axis:
                    result[i] = None if a is None or b is None else a + b
                elif not same_dims(a, b):
                    raise SymparamError(f"{args.where(self)}: shapes "
                                        f"{', '.join(format_shape(s) for s in input_shape)} "
                                        f"differ outside axis {self.axis}")
                elif a is None:
                    result[i] = b
        return tuple(result)

    def features(self, input_shape):
        self.compute_output_shape(input_shape)
        return [self._last_axis(shape) for shape in input_shape]

    def equations(self, xs):
        rank_last = self.axis == -1
        if rank_last:
            joined = stack(*xs)
            return [Eq(vector("y", joined.shape[0]), joined)]
        return [Eq(vector("y", xs[0].shape[0]), xs[0])]


@register
class Subtract(Merge):
    """Element-wise difference ``y = x_1 - x_2`` of exactly two inputs (Keras ``Subtract``)."""

    def _inputs(self, input_shape) -> list:
        if not is_shape_list(input_shape) or len(input_shape) != 2:
            raise SymparamError(f"{args.where(self)}: expects a list of exactly 2 inputs, got "
                                f"{format_shape(input_shape)}")
        return input_shape

    def equations(self, xs):
        return [Eq(vector("y", xs[0].shape[0]), xs[0] - xs[1])]


@register
class Multiply(Merge):
    """Element-wise product ``y = x_1 * x_2 * ...`` (Keras ``Multiply``)."""

    def equations(self, xs):
        return [Eq(vector("y", xs[0].shape[0]), sympy.HadamardProduct(*xs))]


@register
class Average(Merge):
    """Element-wise mean ``y = (x_1 + ... + x_n) / n`` (Keras ``Average``)."""

    def equations(self, xs):
        return [Eq(vector("y", xs[0].shape[0]),
                   sympy.MatMul(sympy.Rational(1, len(xs)), sympy.MatAdd(*xs)))]


class Extremum(Merge):
    """Element-wise maximum (or minimum) of the inputs, folded pairwise through running
    results ``m_k``: ``max(a, b) = a + max(b - a, 0)`` and ``min(a, b) = a + min(b - a, 0)``."""

    pick = staticmethod(sympy.Max)

    def equations(self, xs):
        equations, result = [], xs[0]
        for i, x in enumerate(xs[1:], start=2):
            target = vector("y" if i == len(xs) else f"m_{i}", x.shape[0])
            equations.append(Eq(target, result + curve(lambda t: self.pick(t, 0), x - result)))
            result = target
        return equations


@register
class Maximum(Extremum):
    """Element-wise maximum of the inputs (Keras ``Maximum``)."""


@register
class Minimum(Extremum):
    """Element-wise minimum of the inputs (Keras ``Minimum``)."""

    pick = staticmethod(sympy.Min)


@register
class Dot(Layer):
    """Dot product of two inputs along one axis each, per example (Keras ``Dot``, batch dot).

    The feature vectors are the two contracted axes: ``y = x_1^T x_2`` (cosine similarity with
    ``normalize=True``).  The output shape is Keras's: the first input's other axes, then the
    second's without its batch axis, and ``(None, 1)`` when only the batch would remain.
    """

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        items = list(axes) if isinstance(axes, (list, tuple)) else [axes]
        if len(items) not in (1, 2):
            raise SymparamError(f"{args.where(self)}: axes must be an integer or a pair of "
                                f"integers, got {shorten(axes)}")
        self.axes = tuple(self.as_axis("axes", a) for a in items) * (3 - len(items))
        self.normalize = self.as_flag("normalize", normalize)

    def _contracted(self, input_shape) -> list:
        if not is_shape_list(input_shape) or len(input_shape) != 2:
            raise SymparamError(f"{args.where(self)}: expects a list of exactly 2 inputs, got "
                                f"{format_shape(input_shape)}")
        found = []
        for shape, axis in zip(input_shape, self.axes):
            if not -len(shape) <= axis < len(shape) or axis % len(shape) == 0:
                raise SymparamError(f"{args.where(self)}: axes {list(self.axes)} must name a "
                                    f"non-batch axis of {format_shape(shape)}")
            found.append(axis % len(shape))
        first, second = (shape[a] for shape, a in zip(input_shape, found))
        if not same_dims(first, second):
            raise SymparamError(f"{args.where(self)}: axis sizes {first} and {second} differ "
                                f"in {format_shape(input_shape)}")
        return found

    def features(self, input_shape):
        first, second = (shape[a] for shape, a in zip(input_shape,
                                                         self._contracted(input_shape)))
        size = first if first is not None else second
        return [dim("d") if size is None else size] * 2

    def equations(self, xs):
        if self.normalize:
            xs = [x * HadamardPower(x.T * x, Rational(-1, 2)) for x in xs]
        return [Eq(vector("y", 1), xs[0].T * xs[1])]

    def compute_output_shape(self, input_shape):
        a, b = self._contracted(input_shape)
        first, second = list(input_shape[0]), list(input_shape[1])
        del first[a], second[b], second[0]
        result = first + second
        return tuple(result + [Integer(1)] if len(result) == 1 else result)
