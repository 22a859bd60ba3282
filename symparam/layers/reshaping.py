"""Reshaping layers: they move numbers around and own no weights."""

from __future__ import annotations

from sympy import Eq

from symparam import args
from symparam.dims import dim
from symparam.engine import Layer
from symparam.errors import SymparamError
from symparam.layers._math import vector
from symparam.layers.registry import register
from symparam.shapes import format_shape, product


@register
class Flatten(Layer):
    """``(None, a, b, c) -> (None, a*b*c)``: the example's tensor read as one vector."""

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = self.as_choice("data_format", data_format or "channels_last",
                                          ("channels_last", "channels_first"))

    def features(self, input_shape):
        if len(input_shape) < 2:
            raise SymparamError(f"{args.where(self)}: cannot flatten {format_shape(input_shape)}")
        return product(input_shape[1:]) or dim("n")

    def equations(self, x):
        return [Eq(vector("y", x.shape[0]), x)]

    def output_shape(self, input_shape):
        if len(input_shape) < 2:
            raise SymparamError(f"{args.where(self)}: cannot flatten {format_shape(input_shape)}")
        return (input_shape[0], product(input_shape[1:]))
