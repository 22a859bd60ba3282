"""Normalization layers: learnt scale and shift, and statistics kept out of training."""

from __future__ import annotations

from sympy import Eq, HadamardProduct, HadamardPower, Lambda, Symbol, sqrt

from symparam import args
from symparam.engine import Layer
from symparam.errors import SymparamError
from symparam.layers._math import vector
from symparam.layers.registry import register
from symparam.shapes import format_shape


@register
class BatchNormalization(Layer):
    """``y = gamma * (x - mu) / sqrt(sigma^2 + eps) + beta`` per feature (Ioffe and Szegedy 2015).

    Keras counts the moving mean ``mu`` and variance ``sigma^2`` as non-trainable weights that
    are still part of ``count_params()``; ``center`` and ``scale`` drop ``beta`` and ``gamma``.
    """

    def __init__(self, axis=-1, momentum=0.99, epsilon=0.001, center=True, scale=True,
                 **kwargs):
        super().__init__(**kwargs)
        self.axis = self.as_axis("axis", axis)
        self.center = self.as_flag("center", center)
        self.scale = self.as_flag("scale", scale)

    def features(self, input_shape):
        rank = len(input_shape)
        if not -rank <= self.axis < rank or self.axis % rank == 0:
            raise SymparamError(f"{args.where(self)}: axis {self.axis} is not a feature axis of "
                                f"{format_shape(input_shape)}")
        size = input_shape[self.axis]
        if size is None:
            raise SymparamError(f"{args.where(self)}: axis {self.axis} of "
                                f"{format_shape(input_shape)} must be known")
        return size

    def equations(self, x):
        n = x.shape[0]
        mean = self.weight("mu", n, trainable=False)
        variance = self.weight("sigma^2", n, trainable=False)
        t = Symbol("t")
        inverse_std = HadamardPower(variance.applyfunc(Lambda(t, sqrt(t + Symbol("epsilon")))),
                                    -1)
        normalized = HadamardProduct(x - mean, inverse_std)
        if self.scale:
            normalized = HadamardProduct(self.weight("gamma", n), normalized)
        if self.center:
            normalized = normalized + self.weight("beta", n)
        return [Eq(vector("y", n), normalized)]

    def output_shape(self, input_shape):
        return input_shape
