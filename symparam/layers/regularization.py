"""Regularization layers: active in training only, so they never change counts or shapes."""

from __future__ import annotations

from sympy import Eq, Function

from symparam.engine import Layer
from symparam.layers._math import vector
from symparam.layers.registry import register


@register
class Dropout(Layer):
    """Random zeroing ``y = m * x / (1 - rate)`` while training (Keras ``Dropout``)."""

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = self.as_number("rate", rate)

    def equations(self, x):
        return [Eq(vector("y", x.shape[0]), x.applyfunc(Function("dropout")))]
