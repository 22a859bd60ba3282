"""Regularization layers: active in training only, so they never change counts or shapes."""

from __future__ import annotations

import math

from sympy import Function, HadamardProduct, MatrixSymbol, OneMatrix, Symbol

import symparam.layers._spatial as _spatial
from symparam.engine.equations import Eq, vector
from symparam.engine.layer import Layer
from symparam.layers.core import Elementwise
from symparam.layers.registry import register


@register
class Dropout(Layer):
    """Random zeroing ``y = m * x / (1 - rate)`` while training (Keras ``Dropout``)."""

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = self.as_number("rate", rate)

    def equations(self, x):
        return [Eq(vector("y", x.shape[0]), x.applyfunc(Function("dropout")))]


class SpatialDropout(Layer):
    """Keras ``BaseSpatialDropout``: whole channels dropped, one mask entry per channel shared
    by every position: ``y = m * x`` with ``m`` the scaled channel mask (Tompson et al. 2015)."""

    rank = 1

    def configure(self, rate, data_format=None):
        self.rate = self.as_number("rate", rate)
        self.data_format = _spatial.data_format(self, data_format)

    def features(self, input_shape):
        return _spatial.channels(self, input_shape, self.rank, self.data_format)

    def equations(self, x):
        mask = MatrixSymbol("m", x.shape[0], 1)
        return [Eq(vector("y", x.shape[0]), HadamardProduct(mask, x))]

    def compute_output_shape(self, input_shape):
        return input_shape


@register
class SpatialDropout1D(SpatialDropout):
    """Feature maps of a sequence dropped whole (Keras ``SpatialDropout1D``)."""

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.configure(rate)


@register
class SpatialDropout2D(SpatialDropout):
    """Feature maps of an image dropped whole (Keras ``SpatialDropout2D``)."""

    rank = 2

    def __init__(self, rate, data_format=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.configure(rate, data_format)


@register
class SpatialDropout3D(SpatialDropout):
    """Feature maps of a volume dropped whole (Keras ``SpatialDropout3D``)."""

    rank = 3

    def __init__(self, rate, data_format=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.configure(rate, data_format)


@register
class GaussianNoise(Elementwise):
    """``y = x + e`` with ``e ~ N(0, stddev^2)`` while training (Keras ``GaussianNoise``)."""

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.stddev = self.as_number("stddev", stddev)

    def equations(self, x):
        return [Eq(vector("y", x.shape[0]), x + MatrixSymbol("epsilon", x.shape[0], 1))]


@register
class GaussianDropout(Elementwise):
    """``y = e * x`` with ``e ~ N(1, rate / (1 - rate))`` while training (Srivastava et al.
    2014; Keras ``GaussianDropout``)."""

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = self.as_number("rate", rate)

    def equations(self, x):
        noise = MatrixSymbol("epsilon", x.shape[0], 1)
        return [Eq(vector("y", x.shape[0]), HadamardProduct(noise, x))]


@register
class AlphaDropout(Elementwise):
    """Dropout that keeps SELU's mean and variance (Klambauer et al. 2017; Keras
    ``AlphaDropout``): dropped entries become ``alpha'``, then ``y = a (.) + b``."""

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = self.as_number("rate", rate)

    def equations(self, x):
        n = x.shape[0]
        mask, ones = MatrixSymbol("m", n, 1), OneMatrix(n, 1)
        kept = HadamardProduct(mask, x) + Symbol("alpha'") * (ones - mask)
        return [Eq(vector("y", n), Symbol("a") * kept + Symbol("b") * ones)]


@register
class ActivityRegularization(Elementwise):
    """``y = x``; adds ``l1 * sum|y| + l2 * sum y^2`` to the training loss (Keras
    ``ActivityRegularization``)."""

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        super().__init__(**kwargs)
        self.l1 = self.as_number("l1", l1, 0.0, math.inf)
        self.l2 = self.as_number("l2", l2, 0.0, math.inf)

    def equations(self, x):
        return [Eq(vector("y", x.shape[0]), x)]
