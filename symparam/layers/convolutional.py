"""Convolutions: one weight matrix acting on the receptive-field patch at every output position.

For ``groups = g`` each output channel sees only its group's ``c/g`` input channels, so the
patch has ``prod(kernel_size) * c / g`` entries (Keras kernel shape ``(*kernel_size, c/g, f)``).
Output lengths follow ``symparam.shapes.conv_length``.
"""

from __future__ import annotations

import sympy
from sympy import Eq

from symparam import args
from symparam.engine import Layer
from symparam.errors import SymparamError
from symparam.layers import _spatial
from symparam.layers._math import activate, activation_name, affine, vector
from symparam.layers.registry import register
from symparam.shapes import conv_length


class Conv(Layer):
    """Keras ``BaseConv``: the arguments and the shape rule shared by Conv1D, 2D and 3D."""

    rank = 2
    paddings = ("valid", "same")

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True, lora_rank=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.filters = self.as_size("filters", filters)
        self.kernel_size = self.as_sizes("kernel_size", kernel_size, self.rank)
        self.strides = self.as_sizes("strides", strides, self.rank)
        self.padding = self.as_choice("padding", padding, self.paddings)
        self.data_format = _spatial.data_format(self, data_format)
        self.dilation_rate = self.as_sizes("dilation_rate", dilation_rate, self.rank)
        self.groups = self.as_size("groups", groups)
        self.activation = activation_name(activation, owner=args.where(self))
        self.use_bias = self.as_flag("use_bias", use_bias)
        if lora_rank is not None:
            raise SymparamError(f"{args.where(self)}: lora_rank is not supported for convolutions")
        if any(s != 1 for s in self.strides) and any(r != 1 for r in self.dilation_rate):
            raise SymparamError(f"{args.where(self)}: strides > 1 cannot be combined with "
                                "dilation_rate > 1 (as in Keras)")
        self._check_divides(self.filters, "filters")

    def _check_divides(self, value, field):
        if (value / self.groups).is_integer is False:
            raise SymparamError(f"{args.where(self)}: {field}={value} is not divisible by "
                                f"groups={self.groups}")

    def features(self, input_shape):
        found = _spatial.channels(self, input_shape, self.rank, self.data_format)
        self._check_divides(found, "the input channel count")
        return found

    def equations(self, x):
        patch = vector("p", sympy.Mul(*self.kernel_size) * x.shape[0] / self.groups)
        kernel = self.weight("W", self.filters, patch.shape[0])
        bias = self.weight("b", self.filters) if self.use_bias else None
        return [Eq(vector("y", self.filters), activate(self.activation,
                                                       affine(kernel, patch, bias)))]

    def output_shape(self, input_shape):
        batch, spatial, _ = _spatial.split_spatial(self, input_shape, self.rank,
                                                   self.data_format)
        lengths = [conv_length(n, k, stride=s, padding=self.padding, dilation=r,
                               owner=args.where(self))
                   for n, k, s, r in zip(spatial, self.kernel_size, self.strides,
                                         self.dilation_rate)]
        return _spatial.join_spatial(batch, lengths, self.filters, self.data_format)


@register
class Conv1D(Conv):
    """1D convolution over time (Keras ``Conv1D``); ``causal`` pads on the left only."""

    rank = 1
    paddings = ("valid", "same", "causal")


@register
class Conv2D(Conv):
    """2D convolution over images (Keras ``Conv2D``)."""

    rank = 2


@register
class Conv3D(Conv):
    """3D convolution over volumes or video (Keras ``Conv3D``)."""

    rank = 3
