"""Layers that ``keras.applications`` defines for its own models, read by their registered name.

ConvNeXt scales each residual branch by a learnt vector (``LayerScale``, Touvron et al. 2021,
"Going deeper with image transformers"); Inception-ResNet-v2 adds a scaled residual to its
shortcut (``CustomScaleLayer``, Szegedy et al. 2016).  They are part of Keras, registered under
``keras.src.applications.*``, so symparam states their equations here, in a registry of their
own: they are not ``keras.layers`` classes.
"""

from __future__ import annotations

import math

import sympy
from sympy import HadamardProduct

from symparam.core import args
from symparam.core.errors import SymparamError
from symparam.engine.equations import Eq, vector
from symparam.engine.layer import Layer
from symparam.engine.registry import Registry
from symparam.layers.merging import Merge
from symparam.layers.registry import IGNORED_KERAS_ARGS

APPLICATION_LAYERS = Registry("keras.applications layer", tolerated=IGNORED_KERAS_ARGS)


@APPLICATION_LAYERS.register
class LayerScale(Layer):
    """``y = gamma ⊙ x`` with ``gamma`` a learnt vector of ``projection_dim`` entries
    (``keras.src.applications.convnext.LayerScale``)."""

    def __init__(self, init_values, projection_dim, **kwargs):
        super().__init__(**kwargs)
        self.as_number("init_values", init_values, -math.inf, math.inf)
        self.projection_dim = self.as_size("projection_dim", projection_dim)

    def equations(self, x):
        if (x.shape[0] - self.projection_dim).is_zero is False:
            raise SymparamError(f"{args.where(self)}: projection_dim {self.projection_dim} "
                                f"differs from the input's last axis {x.shape[0]}")
        gamma = self.weight("gamma", self.projection_dim)
        return [Eq(vector("y", self.projection_dim), HadamardProduct(gamma, x))]


@APPLICATION_LAYERS.register
class CustomScaleLayer(Merge):
    """``y = x_1 + s x_2``: the shortcut plus the residual branch scaled by the constant
    ``scale`` (``keras.src.applications.inception_resnet_v2.CustomScaleLayer``)."""

    def __init__(self, scale, **kwargs):
        super().__init__(**kwargs)
        self.scale = self.as_number("scale", scale, -math.inf, math.inf)

    def _inputs(self, input_shape) -> list:
        shapes = super()._inputs(input_shape)
        if len(shapes) != 2:
            raise SymparamError(f"{args.where(self)}: expects exactly 2 inputs")
        return shapes

    def equations(self, xs):
        scaled = sympy.MatMul(sympy.Symbol("s"), xs[1])
        return [Eq(vector("y", xs[0].shape[0]), sympy.MatAdd(xs[0], scaled))]
