"""Pooling: a maximum or a mean over each window (or over every position), channel by channel,
with no weights."""

from __future__ import annotations

from sympy import Function, Integer

import symparam.layers._spatial as _spatial
from symparam.core import args
from symparam.core.errors import SymparamError
from symparam.core.shapes import conv_length
from symparam.engine.equations import Eq, vector
from symparam.engine.layer import Layer
from symparam.layers.registry import register


class Pooling(Layer):
    """Keras ``BasePooling``: ``strides`` default to ``pool_size``, which defaults to 2 for
    maximum pooling and must be given for average pooling (as in Keras 3)."""

    rank = 2
    reduce = "max"

    def __init__(self, pool_size=None, strides=None, padding="valid", data_format=None,
                 **kwargs):
        super().__init__(**kwargs)
        if pool_size is None and self.reduce != "max":
            raise SymparamError(f"{args.where(self)}: pool_size is required")
        self.pool_size = self.as_sizes("pool_size", 2 if pool_size is None else pool_size,
                                       self.rank)
        self.strides = self.pool_size if strides is None else \
            self.as_sizes("strides", strides, self.rank)
        self.padding = self.as_choice("padding", padding, ("valid", "same"))
        self.data_format = _spatial.data_format(self, data_format)

    def features(self, input_shape):
        return _spatial.channels(self, input_shape, self.rank, self.data_format)

    def equations(self, x):
        window = vector("p", x.shape[0])
        return [Eq(vector("y", x.shape[0]), window.applyfunc(Function(f"{self.reduce}_window")))]

    def compute_output_shape(self, input_shape):
        batch, spatial, c = _spatial.split_spatial(self, input_shape, self.rank,
                                                   self.data_format)
        lengths = [conv_length(n, k, stride=s, padding=self.padding, owner=args.where(self))
                   for n, k, s in zip(spatial, self.pool_size, self.strides)]
        return _spatial.join_spatial(batch, lengths, c, self.data_format)


@register
class MaxPooling1D(Pooling):
    """Maximum over 1D windows (Keras ``MaxPooling1D``)."""

    rank = 1
    reduce = "max"


@register
class MaxPooling2D(Pooling):
    """Maximum over 2D windows (Keras ``MaxPooling2D``)."""

    rank = 2
    reduce = "max"


@register
class MaxPooling3D(Pooling):
    """Maximum over 3D windows (Keras ``MaxPooling3D``)."""

    rank = 3
    reduce = "max"


@register
class AveragePooling1D(Pooling):
    """Mean over 1D windows (Keras ``AveragePooling1D``)."""

    rank = 1
    reduce = "average"


@register
class AveragePooling2D(Pooling):
    """Mean over 2D windows (Keras ``AveragePooling2D``)."""

    rank = 2
    reduce = "average"


@register
class AveragePooling3D(Pooling):
    """Mean over 3D windows (Keras ``AveragePooling3D``)."""

    rank = 3
    reduce = "average"


class GlobalPooling(Layer):
    """Keras ``BaseGlobalPooling``: one maximum or mean per channel over every position.

    ``keepdims=True`` keeps the spatial axes with length 1.
    """

    rank = 2
    reduce = "max"

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = _spatial.data_format(self, data_format)
        self.keepdims = self.as_flag("keepdims", keepdims)

    def features(self, input_shape):
        return _spatial.channels(self, input_shape, self.rank, self.data_format)

    def equations(self, x):
        over_positions = Function(f"global_{self.reduce}")
        return [Eq(vector("y", x.shape[0]), x.applyfunc(over_positions))]

    def compute_output_shape(self, input_shape):
        batch, _, c = _spatial.split_spatial(self, input_shape, self.rank, self.data_format)
        if not self.keepdims:
            return (batch, c)
        return _spatial.join_spatial(batch, [Integer(1)] * self.rank, c, self.data_format)


@register
class GlobalMaxPooling1D(GlobalPooling):
    """Maximum of each channel over all positions of a 1D input (Keras ``GlobalMaxPooling1D``)."""

    rank = 1
    reduce = "max"


@register
class GlobalMaxPooling2D(GlobalPooling):
    """Maximum of each channel over all positions of a 2D input (Keras ``GlobalMaxPooling2D``)."""

    rank = 2
    reduce = "max"


@register
class GlobalMaxPooling3D(GlobalPooling):
    """Maximum of each channel over all positions of a 3D input (Keras ``GlobalMaxPooling3D``)."""

    rank = 3
    reduce = "max"


@register
class GlobalAveragePooling1D(GlobalPooling):
    """Mean of each channel over all positions of a 1D input (Keras ``GlobalAveragePooling1D``).
    """

    rank = 1
    reduce = "average"


@register
class GlobalAveragePooling2D(GlobalPooling):
    """Mean of each channel over all positions of a 2D input (Keras ``GlobalAveragePooling2D``).
    """

    rank = 2
    reduce = "average"


@register
class GlobalAveragePooling3D(GlobalPooling):
    """Mean of each channel over all positions of a 3D input (Keras ``GlobalAveragePooling3D``).
    """

    rank = 3
    reduce = "average"
