"""Merging layers: several inputs, one output, no weights."""

from __future__ import annotations

import sympy
from sympy import Eq

from symparam import args
from symparam.engine import Layer
from symparam.errors import SymparamError
from symparam.layers._math import stack, vector
from symparam.layers.registry import register
from symparam.shapes import format_shape, is_shape_list, same_dims


class Merge(Layer):
    """Inputs of one shape (or broadcastable shapes) combined element-wise (Keras ``Merge``)."""

    def _inputs(self, input_shape) -> list:
        if not is_shape_list(input_shape) or len(input_shape) < 2:
            raise SymparamError(f"{args.where(self)}: expects a list of at least 2 inputs, "
                                f"got {format_shape(input_shape)}")
        return input_shape

    def output_shape(self, input_shape):
        shapes = self._inputs(input_shape)
        result = list(shapes[0])
        for shape in shapes[1:]:
            result = self._broadcast(result, list(shape), shapes)
        return tuple(result)

    def _broadcast(self, left, right, shapes):
        if len(left) != len(right):
            raise SymparamError(f"{args.where(self)}: inputs of different ranks: "
                                f"{', '.join(format_shape(s) for s in shapes)}")
        merged = []
        for a, b in zip(left, right):
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
        width = self._last_axis(self.output_shape(input_shape))
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

    def output_shape(self, input_shape):
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
        self.output_shape(input_shape)
        return [self._last_axis(shape) for shape in input_shape]

    def equations(self, xs):
        rank_last = self.axis == -1
        if rank_last:
            joined = stack(*xs)
            return [Eq(vector("y", joined.shape[0]), joined)]
        return [Eq(vector("y", xs[0].shape[0]), xs[0])]
