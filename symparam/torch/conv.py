"""``nn.Conv1d/2d/3d`` and ``nn.ConvTranspose1d/2d/3d`` (PyTorch ``torch.nn`` documentation,
"Convolution Layers"), channels first: ``(N, C, *spatial)`` or unbatched ``(C, *spatial)``.

Both reuse the equations of Keras's grouped ``Conv``: every output channel is a dot product of
its ``W`` row with a patch of ``prod(kernel_size) * in_channels / groups`` inputs.  For a
transposed convolution this is the convolution of the zero-stuffed input (Dumoulin and Visin
2016), so PyTorch's ``weight`` of shape ``(in_channels, out_channels/groups, *kernel_size)``
has the same size as ``W``.  Only the shape rules differ (``symparam.torch._shapes``).
"""

from __future__ import annotations

import symparam.torch._shapes as _shapes
from symparam.core import args
from symparam.core.dims import dim
from symparam.core.errors import SymparamError
from symparam.layers.convolutional import Conv1D, Conv2D, Conv3D
from symparam.torch._base import Borrowed, example_size, register, same_size

KERAS_CONV = {1: Conv1D, 2: Conv2D, 3: Conv3D}
PADDING_MODES = ("zeros", "reflect", "replicate", "circular")
SPATIAL = {1: ("L",), 2: ("H", "W"), 3: ("D", "H", "W")}


class Convolution(Borrowed):
    """What ``nn.Conv*d`` and ``nn.ConvTranspose*d`` share (PyTorch ``_ConvNd``)."""

    rank = 2

    def configure(self, in_channels, out_channels, kernel_size, stride, dilation, groups, bias,
                  padding_mode):
        self.in_channels = self.as_size("in_channels", in_channels)
        self.out_channels = self.as_size("out_channels", out_channels)
        self.kernel_size = self.as_sizes("kernel_size", kernel_size, self.rank)
        self.stride = self.as_sizes("stride", stride, self.rank)
        self.dilation = self.as_sizes("dilation", dilation, self.rank)
        self.groups = self.as_size("groups", groups)
        self.bias = self.as_flag("bias", bias)
        self.padding_mode = self.as_choice("padding_mode", padding_mode, PADDING_MODES)
        for field in ("in_channels", "out_channels"):
            if (getattr(self, field) / self.groups).is_integer is False:
                raise SymparamError(f"{args.where(self)}: {field} must be divisible by groups")

    def keras_layer(self):
        # the Keras layer lends its equations only: 'same' keeps its own shape rule quiet
        return KERAS_CONV[self.rank](self.out_channels, self.kernel_size, padding="same",
                                     groups=self.groups, use_bias=self.bias,
                                     data_format="channels_first")

    def keras_shape(self, input_shape):
        return (None, self.in_channels, *([1] * self.rank))

    def check_input(self, input_shape):
        _shapes.check_rank(self, input_shape, (self.rank + 1, self.rank + 2))
        same_size(self, input_shape[-self.rank - 1], self.in_channels, "channel count")

    def compute_output_shape(self, input_shape):
        self.check_input(input_shape)
        lead, spatial = input_shape[:-self.rank - 1], input_shape[-self.rank:]
        lengths = [self.length(n, axis) for axis, n in enumerate(spatial)]
        return (*lead, self.out_channels, *lengths)

    def input_layout(self):
        return (None, self.in_channels, *(dim(s) for s in SPATIAL[self.rank]))


class Conv(Convolution):
    """``nn.Conv*d``: output length ``floor((L + 2p - d*(k-1) - 1)/s) + 1`` per axis;
    ``padding`` is an int, a tuple, ``'valid'`` (0) or ``'same'`` (stride 1 only)."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 groups=1, bias=True, padding_mode="zeros", **kwargs):
        super().__init__(**kwargs)
        self.configure(in_channels, out_channels, kernel_size, stride, dilation, groups, bias,
                       padding_mode)
        padding = _shapes.paddings(self, padding, self.rank)
        self.padding = (0,) * self.rank if padding == "valid" else padding
        if self.padding == "same" and any(s != 1 for s in self.stride):
            raise SymparamError(f"{args.where(self)}: padding='same' is not supported for "
                                "strided convolutions (as in PyTorch)")

    def length(self, n, axis):
        padding = "same" if self.padding == "same" else self.padding[axis]
        return _shapes.conv_out(n, self.kernel_size[axis], stride=self.stride[axis],
                                padding=padding, dilation=self.dilation[axis],
                                owner=args.where(self))


class ConvTranspose(Convolution):
    """``nn.ConvTranspose*d``: output length ``(L-1)*s - 2p + d*(k-1) + output_padding + 1``
    per axis; ``output_padding`` must be smaller than the stride or the dilation."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 output_padding=0, groups=1, bias=True, dilation=1, padding_mode="zeros",
                 **kwargs):
        super().__init__(**kwargs)
        self.configure(in_channels, out_channels, kernel_size, stride, dilation, groups, bias,
                       padding_mode)
        self.padding = self.as_sizes("padding", padding, self.rank, minimum=0)
        self.output_padding = self.as_sizes("output_padding", output_padding, self.rank,
                                            minimum=0)
        for pad, stride, rate in zip(self.output_padding, self.stride, self.dilation):
            if (pad - stride).is_nonnegative and (pad - rate).is_nonnegative:
                raise SymparamError(f"{args.where(self)}: output_padding={pad} must be smaller "
                                    "than either stride or dilation")

    def repeats(self, input_shape, output_shape, equations):
        """Counted per input position, as PyTorch's counter (and Keras's ``ConvTranspose``
        here) does: each input vector meets the whole kernel once."""
        return example_size(input_shape[-self.rank:])

    def length(self, n, axis):
        length = _shapes.transpose_out(n, self.kernel_size[axis], stride=self.stride[axis],
                                       padding=self.padding[axis],
                                       output_padding=self.output_padding[axis],
                                       dilation=self.dilation[axis])
        if length is not None and length.is_number and length < 1:
            raise SymparamError(f"{args.where(self)}: output length {length} is not "
                                "positive")
        return length


@register
class Conv1d(Conv):
    """PyTorch ``nn.Conv1d``: ``Conv`` over 1 spatial axis."""

    rank = 1


@register
class Conv2d(Conv):
    """PyTorch ``nn.Conv2d``: ``Conv`` over 2 spatial axes."""

    rank = 2


@register
class Conv3d(Conv):
    """PyTorch ``nn.Conv3d``: ``Conv`` over 3 spatial axes."""

    rank = 3


@register
class ConvTranspose1d(ConvTranspose):
    """PyTorch ``nn.ConvTranspose1d``: ``ConvTranspose`` over 1 spatial axis."""

    rank = 1


@register
class ConvTranspose2d(ConvTranspose):
    """PyTorch ``nn.ConvTranspose2d``: ``ConvTranspose`` over 2 spatial axes."""

    rank = 2


@register
class ConvTranspose3d(ConvTranspose):
    """PyTorch ``nn.ConvTranspose3d``: ``ConvTranspose`` over 3 spatial axes."""

    rank = 3
