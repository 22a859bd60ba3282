"""Convolutions: weights acting on the receptive-field patch at every output position.

For ``groups = g`` each output channel sees only its group's ``c/g`` input channels, so the
patch has ``prod(kernel_size) * c / g`` entries (Keras kernel shape ``(*kernel_size, c/g, f)``).
A transposed convolution is the same filter bank applied to the input with ``s - 1`` zeros
inserted between positions (Dumoulin and Visin 2016, "A guide to convolution arithmetic");
a depthwise convolution gives each input channel its own ``depth_multiplier`` filters
(Chollet 2017, "Xception"), and a separable one follows it with a 1x1 convolution.
Output lengths follow ``symparam.core.shapes.conv_length`` and ``transpose_length``.
"""

from __future__ import annotations

import sympy
from sympy import HadamardProduct, MatrixSymbol, OneMatrix

import symparam.layers._spatial as _spatial
from symparam.core import args
from symparam.core.errors import SymparamError
from symparam.core.shapes import conv_length, product, transpose_length
from symparam.engine.equations import Eq, activate, activation_name, affine, vector
from symparam.engine.layer import Layer
from symparam.layers.registry import register


class Sliding(Layer):
    """The arguments and the shape rule every convolution shares (Keras ``BaseConv`` and kin).

    Subclasses give ``out_channels(c)`` and may replace ``length`` (one spatial axis).
    """

    rank = 2
    paddings = ("valid", "same")
    #: Keras's BaseConv and BaseConvTranspose refuse strides > 1 with dilation_rate > 1;
    #: the depthwise and separable bases accept the combination.
    strided_dilation = False

    def __init__(self, kernel_size, *, strides, padding, data_format, dilation_rate, activation,
                 use_bias, **kwargs):
        super().__init__(**kwargs)
        self.kernel_size = self.as_sizes("kernel_size", kernel_size, self.rank)
        self.strides = self.as_sizes("strides", strides, self.rank)
        self.padding = self.as_choice("padding", padding, self.paddings)
        self.data_format = _spatial.data_format(self, data_format)
        self.dilation_rate = self.as_sizes("dilation_rate", dilation_rate, self.rank)
        self.activation = activation_name(activation, owner=args.where(self))
        self.use_bias = self.as_flag("use_bias", use_bias)
        if not self.strided_dilation and any(s != 1 for s in self.strides) \
                and any(r != 1 for r in self.dilation_rate):
            raise SymparamError(f"{args.where(self)}: strides > 1 cannot be combined with "
                                "dilation_rate > 1 (as in Keras)")

    def features(self, input_shape):
        return _spatial.channels(self, input_shape, self.rank, self.data_format)

    def out_channels(self, channels):
        return self.filters

    def length(self, n, axis: int):
        """The output length of spatial axis ``axis`` whose input length is ``n``."""
        return conv_length(n, self.kernel_size[axis], stride=self.strides[axis],
                           padding=self.padding, dilation=self.dilation_rate[axis],
                           owner=args.where(self))

    def compute_output_shape(self, input_shape):
        batch, spatial, c = _spatial.split_spatial(self, input_shape, self.rank,
                                                   self.data_format)
        lengths = [self.length(n, axis) for axis, n in enumerate(spatial)]
        return _spatial.join_spatial(batch, lengths, self.out_channels(c), self.data_format)

    def filter_bank(self, patch_size):
        """``y = f(W p + b)``: ``filters`` dot products with a patch of ``patch_size`` entries."""
        patch = vector("p", patch_size)
        kernel = self.weight("W", self.filters, patch_size)
        bias = self.weight("b", self.filters) if self.use_bias else None
        return [Eq(vector("y", self.filters), activate(self.activation,
                                                       affine(kernel, patch, bias)))]


def depthwise(layer, channels):
    """``z = (D ⊙ P) 1``: row ``j`` of ``P`` is the window of the input channel that output
    channel ``j`` reads, and each of the ``c * depth_multiplier`` rows of ``D`` is one filter."""
    window = sympy.Mul(*layer.kernel_size)
    rows = channels * layer.depth_multiplier
    kernel = layer.weight("D", rows, window)
    return HadamardProduct(kernel, MatrixSymbol("P", rows, window)) * OneMatrix(window, 1)


class Conv(Sliding):
    """Keras ``BaseConv``: the arguments shared by Conv1D, 2D and 3D."""

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True, lora_rank=None,
                 **kwargs):
        super().__init__(kernel_size, strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
                         **kwargs)
        self.filters = self.as_size("filters", filters)
        self.groups = self.as_size("groups", groups)
        if lora_rank is not None:
            raise SymparamError(f"{args.where(self)}: lora_rank is not supported for convolutions")
        self._check_divides(self.filters, "filters")

    def _check_divides(self, value, field):
        if (value / self.groups).is_integer is False:
            raise SymparamError(f"{args.where(self)}: {field}={value} is not divisible by "
                                f"groups={self.groups}")

    def features(self, input_shape):
        found = super().features(input_shape)
        self._check_divides(found, "the input channel count")
        return found

    def equations(self, x):
        return self.filter_bank(sympy.Mul(*self.kernel_size) * x.shape[0] / self.groups)


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


class ConvTranspose(Sliding):
    """Keras ``BaseConvTranspose``: a convolution on the zero-stuffed input, so every output
    position sees a patch of ``prod(kernel_size) * c`` entries; Keras's kernel has shape
    ``(*kernel_size, filters, c)`` and there is no ``groups`` argument.

    Args:
        output_padding: extra length on the high side of each axis, each value strictly less
            than its stride; ``None`` lets Keras pick it (see ``shapes.transpose_length``).
    """

    def __init__(self, filters, kernel_size, strides=1, padding="valid", output_padding=None,
                 data_format=None, dilation_rate=1, activation=None, use_bias=True, **kwargs):
        super().__init__(kernel_size, strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
                         **kwargs)
        self.filters = self.as_size("filters", filters)
        self.output_padding = None if output_padding is None else \
            self.as_sizes("output_padding", output_padding, self.rank, minimum=0)
        for pad, stride in zip(self.output_padding or (), self.strides):
            if (pad - stride).is_nonnegative:
                raise SymparamError(f"{args.where(self)}: output_padding={pad} must be less "
                                    f"than its stride {stride}")

    def equations(self, x):
        return self.filter_bank(sympy.Mul(*self.kernel_size) * x.shape[0])

    def repeats(self, input_shape, output_shape, equations):
        """Counted per input position, as PyTorch's counter does: each input vector is
        multiplied by the whole kernel once (the patch form per output position is the
        same product, gathered instead of scattered)."""
        spatial = _spatial.split_spatial(self, input_shape, self.rank, self.data_format)[1]
        size = product(spatial)
        return size

    def length(self, n, axis: int):
        pad = None if self.output_padding is None else self.output_padding[axis]
        return transpose_length(n, self.kernel_size[axis], stride=self.strides[axis],
                                padding=self.padding, output_padding=pad,
                                dilation=self.dilation_rate[axis])


@register
class Conv1DTranspose(ConvTranspose):
    """Transposed 1D convolution, upsampling sequences (Keras ``Conv1DTranspose``)."""

    rank = 1


@register
class Conv2DTranspose(ConvTranspose):
    """Transposed 2D convolution, upsampling images (Keras ``Conv2DTranspose``)."""

    rank = 2


@register
class Conv3DTranspose(ConvTranspose):
    """Transposed 3D convolution (Keras ``Conv3DTranspose``, whose ``data_format`` comes
    before ``output_padding`` among the positional arguments)."""

    rank = 3

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 output_padding=None, dilation_rate=1, activation=None, use_bias=True,
                 **kwargs):
        super().__init__(filters, kernel_size, strides, padding, output_padding=output_padding,
                         data_format=data_format, dilation_rate=dilation_rate,
                         activation=activation, use_bias=use_bias, **kwargs)


class DepthwiseConv(Sliding):
    """Keras ``BaseDepthwiseConv``: ``y = f((D ⊙ P) 1 + b)`` with ``c * depth_multiplier``
    outputs, kernel ``(*kernel_size, c, depth_multiplier)`` and bias ``c * depth_multiplier``."""

    strided_dilation = True

    def __init__(self, kernel_size, strides=1, padding="valid", depth_multiplier=1,
                 data_format=None, dilation_rate=1, activation=None, use_bias=True, **kwargs):
        super().__init__(kernel_size, strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
                         **kwargs)
        self.depth_multiplier = self.as_size("depth_multiplier", depth_multiplier)

    def out_channels(self, channels):
        return channels * self.depth_multiplier

    def equations(self, x):
        z = depthwise(self, x.shape[0])
        if self.use_bias:
            z = z + self.weight("b", z.shape[0])
        return [Eq(vector("y", z.shape[0]), activate(self.activation, z))]


@register
class DepthwiseConv1D(DepthwiseConv):
    """Depthwise 1D convolution, one set of filters per channel (Keras ``DepthwiseConv1D``)."""

    rank = 1


@register
class DepthwiseConv2D(DepthwiseConv):
    """Depthwise 2D convolution, one set of filters per channel (Keras ``DepthwiseConv2D``)."""

    rank = 2


class SeparableConv(Sliding):
    """Keras ``BaseSeparableConv``: the depthwise step ``z = (D ⊙ P) 1`` (no bias), then the
    pointwise ``y = f(W z + b)``: kernels ``(*kernel_size, c, m)`` and ``(1, ..., c*m, filters)``
    and one bias of ``filters``."""

    strided_dilation = True

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, depth_multiplier=1, activation=None, use_bias=True, **kwargs):
        super().__init__(kernel_size, strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
                         **kwargs)
        self.filters = self.as_size("filters", filters)
        self.depth_multiplier = self.as_size("depth_multiplier", depth_multiplier)

    def equations(self, x):
        z = vector("z", x.shape[0] * self.depth_multiplier)
        pointwise = self.weight("W", self.filters, z.shape[0])
        bias = self.weight("b", self.filters) if self.use_bias else None
        return [Eq(z, depthwise(self, x.shape[0])),
                Eq(vector("y", self.filters), activate(self.activation,
                                                       affine(pointwise, z, bias)))]


@register
class SeparableConv1D(SeparableConv):
    """Depthwise-separable 1D convolution (Keras ``SeparableConv1D``)."""

    rank = 1


@register
class SeparableConv2D(SeparableConv):
    """Depthwise-separable 2D convolution (Keras ``SeparableConv2D``)."""

    rank = 2
