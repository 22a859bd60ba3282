"""``nn.MaxPool*d``, ``nn.AvgPool*d`` and the adaptive poolings (PyTorch ``torch.nn``
documentation, "Pooling layers"), channels first, without weights.

The equations are Keras's pooling equations (a maximum or a mean over each window, channel by
channel), reused; the shape rules are PyTorch's, with ``ceil_mode`` (``symparam.torch._shapes``).
"""

from __future__ import annotations

import symparam.torch._shapes as _shapes
from symparam.core import args
from symparam.core.dims import dim
from symparam.layers.pooling import (
    AveragePooling1D,
    AveragePooling2D,
    AveragePooling3D,
    MaxPooling1D,
    MaxPooling2D,
    MaxPooling3D,
)
from symparam.torch._base import Borrowed, register
from symparam.torch.conv import SPATIAL

KERAS_POOL = {("max", 1): MaxPooling1D, ("max", 2): MaxPooling2D, ("max", 3): MaxPooling3D,
              ("avg", 1): AveragePooling1D, ("avg", 2): AveragePooling2D,
              ("avg", 3): AveragePooling3D}


class Pool(Borrowed):
    """A window slid over ``rank`` channels-first spatial axes; the channels are kept."""

    rank = 2
    reduce = "max"
    return_indices = False

    def keras_layer(self):
        return KERAS_POOL[self.reduce, self.rank](pool_size=1, data_format="channels_first")

    def keras_shape(self, input_shape):
        channels = input_shape[-self.rank - 1]
        return (None, dim("C") if channels is None else channels, *([1] * self.rank))

    def check_input(self, input_shape):
        _shapes.check_rank(self, input_shape, (self.rank + 1, self.rank + 2))

    def lengths(self, spatial) -> list:
        raise NotImplementedError

    def compute_output_shape(self, input_shape):
        self.check_input(input_shape)
        output = (*input_shape[:-self.rank], *self.lengths(input_shape[-self.rank:]))
        return [output, output] if self.return_indices else output

    def input_layout(self):
        return (None, dim("C"), *(dim(s) for s in SPATIAL[self.rank]))


class Windowed(Pool):
    """``kernel_size``, ``stride`` (default: the kernel size), ``padding`` and ``ceil_mode``."""

    def configure(self, kernel_size, stride, padding, ceil_mode, dilation=1):
        self.kernel_size = self.as_sizes("kernel_size", kernel_size, self.rank)
        self.stride = self.kernel_size if stride in (None, [], ()) else \
            self.as_sizes("stride", stride, self.rank)
        self.padding = self.as_sizes("padding", padding, self.rank, minimum=0)
        self.dilation = self.as_sizes("dilation", dilation, self.rank)
        self.ceil_mode = self.as_flag("ceil_mode", ceil_mode)
        _shapes.check_pool_padding(self, self.kernel_size, self.padding, self.dilation)

    def lengths(self, spatial):
        return [_shapes.pool_out(n, k, stride=s, padding=p, dilation=d, ceil_mode=self.ceil_mode,
                                 owner=args.where(self))
                for n, k, s, p, d in zip(spatial, self.kernel_size, self.stride, self.padding,
                                         self.dilation)]


class MaxPool(Windowed):
    """Maximum over each window (PyTorch ``nn.MaxPool*d``); ``return_indices`` adds the
    indices of the maxima, a second output of the same shape."""

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False,
                 ceil_mode=False, **kwargs):
        super().__init__(**kwargs)
        self.configure(kernel_size, stride, padding, ceil_mode, dilation)
        self.return_indices = self.as_flag("return_indices", return_indices)


class AvgPool(Windowed):
    """Mean over each window (PyTorch ``nn.AvgPool*d``)."""

    reduce = "avg"

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False,
                 count_include_pad=True, divisor_override=None, **kwargs):
        super().__init__(**kwargs)
        self.configure(kernel_size, stride, padding, ceil_mode)
        self.count_include_pad = self.as_flag("count_include_pad", count_include_pad)


class AdaptivePool(Pool):
    """Windows chosen so that the output has ``output_size`` (``None`` keeps an axis)
    (PyTorch ``nn.Adaptive*Pool*d``)."""

    def __init__(self, output_size, return_indices=False, **kwargs):
        super().__init__(**kwargs)
        items = args._as_items(output_size)
        items = items * self.rank if len(items) == 1 else items
        if len(items) != self.rank:
            raise args.SymparamError(f"{args.where(self)}: output_size needs {self.rank} "
                                     f"values, got {output_size!r}")
        self.output_size = tuple(None if item is None else self.as_size("output_size", item)
                                 for item in items)
        self.return_indices = self.as_flag("return_indices", return_indices) and \
            self.reduce == "max"

    def lengths(self, spatial):
        return [n if size is None else size for n, size in zip(spatial, self.output_size)]


class AdaptiveAvgPool(AdaptivePool):
    """The mean over each adaptive window (PyTorch ``nn.AdaptiveAvgPool*d``)."""

    reduce = "avg"


class AdaptiveMaxPool(AdaptivePool):
    """The maximum over each adaptive window (PyTorch ``nn.AdaptiveMaxPool*d``);
    ``return_indices`` adds the indices of the maxima, a second output of the same shape."""


@register
class MaxPool1d(MaxPool):
    """PyTorch ``nn.MaxPool1d``: ``MaxPool`` over 1 spatial axis."""

    rank = 1


@register
class MaxPool2d(MaxPool):
    """PyTorch ``nn.MaxPool2d``: ``MaxPool`` over 2 spatial axes."""

    rank = 2


@register
class MaxPool3d(MaxPool):
    """PyTorch ``nn.MaxPool3d``: ``MaxPool`` over 3 spatial axes."""

    rank = 3


@register
class AvgPool1d(AvgPool):
    """PyTorch ``nn.AvgPool1d``: ``AvgPool`` over 1 spatial axis."""

    rank = 1


@register
class AvgPool2d(AvgPool):
    """PyTorch ``nn.AvgPool2d``: ``AvgPool`` over 2 spatial axes."""

    rank = 2


@register
class AvgPool3d(AvgPool):
    """PyTorch ``nn.AvgPool3d``: ``AvgPool`` over 3 spatial axes."""

    rank = 3


@register
class AdaptiveAvgPool1d(AdaptiveAvgPool):
    """PyTorch ``nn.AdaptiveAvgPool1d``: ``AdaptiveAvgPool`` over 1 spatial axis."""

    rank = 1


@register
class AdaptiveAvgPool2d(AdaptiveAvgPool):
    """PyTorch ``nn.AdaptiveAvgPool2d``: ``AdaptiveAvgPool`` over 2 spatial axes."""

    rank = 2


@register
class AdaptiveAvgPool3d(AdaptiveAvgPool):
    """PyTorch ``nn.AdaptiveAvgPool3d``: ``AdaptiveAvgPool`` over 3 spatial axes."""

    rank = 3


@register
class AdaptiveMaxPool1d(AdaptiveMaxPool):
    """PyTorch ``nn.AdaptiveMaxPool1d``: ``AdaptiveMaxPool`` over 1 spatial axis."""

    rank = 1


@register
class AdaptiveMaxPool2d(AdaptiveMaxPool):
    """PyTorch ``nn.AdaptiveMaxPool2d``: ``AdaptiveMaxPool`` over 2 spatial axes."""

    rank = 2


@register
class AdaptiveMaxPool3d(AdaptiveMaxPool):
    """PyTorch ``nn.AdaptiveMaxPool3d``: ``AdaptiveMaxPool`` over 3 spatial axes."""

    rank = 3
