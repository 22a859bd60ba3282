"""Activation layers: element-wise functions, with learnt slopes only for ``PReLU``.

Each function is written as the ``Piecewise`` curve of its Keras documentation, applied to every
number of the input, so the equations show the exact curve the arguments choose.
"""

from __future__ import annotations

import math

from sympy import Float, HadamardProduct, Piecewise, exp

from symparam.core import args
from symparam.core.dims import dim
from symparam.core.errors import SymparamError, shorten
from symparam.core.shapes import format_shape, product
from symparam.engine.equations import Eq, activate, vector
from symparam.layers.core import Elementwise, curve
from symparam.layers.registry import register


class Curve(Elementwise):
    """Base of activation layers ``y = f(x)`` element-wise, with ``f`` given by ``curve``."""

    def curve(self, t):
        raise NotImplementedError

    def equations(self, x):
        return [Eq(vector("y", x.shape[0]), curve(self.curve, x))]

    def as_slope(self, field, value):
        """A non-negative real number (Keras refuses negative slopes, caps and thresholds)."""
        return self.as_number(field, value, 0.0, math.inf)


@register
class ReLU(Curve):
    """Rectified linear unit with an optional cap, slope and threshold (Keras ``ReLU``):
    ``max_value`` above it, ``x`` from ``threshold``, ``negative_slope * (x - threshold)``
    below."""

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        self.max_value = None if max_value is None else self.as_slope("max_value", max_value)
        self.negative_slope = self.as_slope("negative_slope", negative_slope)
        self.threshold = self.as_slope("threshold", threshold)

    def curve(self, t):
        pieces = [] if self.max_value is None else [(Float(self.max_value), t >= self.max_value)]
        return Piecewise(*pieces, (t, t >= self.threshold),
                         (self.negative_slope * (t - self.threshold), True))


@register
class LeakyReLU(Curve):
    """``y = x`` for ``x >= 0`` and ``negative_slope * x`` below (Keras ``LeakyReLU``; Maas et
    al. 2013).  ``alpha`` is Keras 3's deprecated name for ``negative_slope``."""

    def __init__(self, negative_slope=0.3, alpha=None, **kwargs):
        super().__init__(**kwargs)
        field, value = ("negative_slope", negative_slope) if alpha is None else ("alpha", alpha)
        self.negative_slope = self.as_slope(field, value)

    def curve(self, t):
        return Piecewise((t, t >= 0), (self.negative_slope * t, True))


@register
class ELU(Curve):
    """Exponential linear unit ``x`` for ``x > 0``, ``alpha (e^x - 1)`` below (Clevert et al.
    2016; Keras ``ELU``)."""

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = self.as_number("alpha", alpha, -math.inf, math.inf)

    def curve(self, t):
        return Piecewise((t, t > 0), (self.alpha * (exp(t) - 1), True))


@register
class Softmax(Elementwise):
    """``y = exp(x) / sum(exp(x))`` over ``axis`` (an axis or a list of them; Keras
    ``Softmax``).  The feature vector holds the numbers one normalisation runs over."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        items = axis if isinstance(axis, (list, tuple)) else [axis]
        if not items:
            raise SymparamError(f"{args.where(self)}: axis must not be empty")
        self.axis = tuple(self.as_axis("axis", item) for item in items)

    def features(self, input_shape):
        rank = len(input_shape)
        axes = {a % rank for a in self.axis if -rank <= a < rank}
        if len(axes) != len(self.axis):
            raise SymparamError(f"{args.where(self)}: axis {list(self.axis)} does not name "
                                f"distinct axes of {format_shape(input_shape)}")
        sizes = product([input_shape[a] for a in sorted(axes)])
        return dim("d") if sizes is None else sizes

    def equations(self, x):
        return [Eq(vector("y", x.shape[0]), activate("softmax", x))]


@register
class PReLU(Elementwise):
    """``y = relu(x) - alpha * relu(-x)`` with a learnt slope per position (He et al. 2015;
    Keras ``PReLU``).

    ``alpha`` covers every non-batch axis except the 1-based ``shared_axes``, so the feature
    vector is one example's numbers along the axes that are not shared; e.g.
    ``shared_axes=[1, 2]`` on ``(None, H, W, c)`` leaves one slope per channel.
    """

    def __init__(self, shared_axes=None, **kwargs):
        super().__init__(**kwargs)
        items = [] if shared_axes is None else \
            shared_axes if isinstance(shared_axes, (list, tuple)) else [shared_axes]
        self.shared_axes = tuple(sorted({self.as_axis("shared_axes", a) for a in items}))

    def features(self, input_shape):
        rank = len(input_shape)
        if any(not 1 <= a < rank for a in self.shared_axes):
            raise SymparamError(f"{args.where(self)}: shared_axes {list(self.shared_axes)} "
                                f"must be axes 1 to {rank - 1} of {format_shape(input_shape)}")
        kept = [input_shape[a] for a in range(1, rank) if a not in self.shared_axes]
        if None in kept:
            raise SymparamError(f"{args.where(self)}: the axes of {format_shape(input_shape)} "
                                "that are not in shared_axes must be known "
                                f"(shared_axes={shorten(list(self.shared_axes))})")
        return product(kept)

    def equations(self, x):
        alpha = self.weight("alpha", x.shape[0])
        return [Eq(vector("y", x.shape[0]),
                   activate("relu", x) - HadamardProduct(alpha, activate("relu", -x)))]
