"""Normalization layers: learnt scale and shift, and statistics kept out of training.

Axes follow Keras: they index the whole input shape, batch axis 0 included, and negative axes
count from the end.  A layer's weights have the input's sizes on its axes, so the equations act
on the vector ``x`` of the entries those axes span (``n`` = the product of their sizes).
"""

from __future__ import annotations

from sympy import HadamardPower, HadamardProduct, Lambda, OneMatrix, Symbol, ZeroMatrix, sqrt

from symparam.core import args
from symparam.core.dims import dim
from symparam.core.errors import SymparamError
from symparam.core.shapes import format_shape, product
from symparam.engine.equations import Eq, stack, vector
from symparam.engine.layer import Layer
from symparam.layers.registry import register

EPSILON = Symbol("epsilon")
_T = Symbol("t")


# -- the pieces the equations are written with ------------------------------------------------
def inverse_std(variance):
    """``(sigma^2 + epsilon)^(-1/2)`` entry by entry."""
    return HadamardPower(variance.applyfunc(Lambda(_T, sqrt(_T + EPSILON))), -1)


def standardized(x, mean, variance):
    """``(x - mu) ⊙ (sigma^2 + epsilon)^(-1/2)``."""
    return HadamardProduct(x - mean, inverse_std(variance))


def mean_of(v):
    """A vector whose every entry is the mean of the entries of ``v``: ``(1/n) 1 1^T v``."""
    n = v.shape[0]
    return OneMatrix(n, n) * v / n


def scale_shift(layer, z, n, scale: bool, center: bool):
    """``gamma ⊙ z + beta``, either part left out as Keras's ``scale``/``center`` say."""
    if scale:
        z = HadamardProduct(layer.weight("gamma", n), z)
    if center:
        z = z + layer.weight("beta", n)
    return z


# -- axes -------------------------------------------------------------------------------------
def axis_list(layer, value) -> tuple:
    """Keras's ``axis``: one integer or a list of them (``"1,2"`` from the CLI)."""
    items = args._as_items(value)
    if not items:
        raise SymparamError(f"{args.where(layer)}: axis must list at least one axis")
    return tuple(layer.as_axis("axis", item) for item in items)


def axis_sizes(layer, input_shape, axes, *, batch=False, known=True) -> list:
    """The sizes of ``input_shape`` on ``axes`` in increasing axis order, checked as Keras
    would fail: out of range, the batch axis (unless ``batch``), an axis twice, unknown."""
    rank, owner = len(input_shape), args.where(layer)
    positions = []
    for axis in axes:
        if not -rank <= axis < rank or (not batch and axis % rank == 0):
            raise SymparamError(f"{owner}: axis {axis} is not a feature axis of "
                                f"{format_shape(input_shape)}")
        positions.append(axis % rank)
    if len(set(positions)) != len(positions):
        raise SymparamError(f"{owner}: axis {list(axes)} names an axis twice")
    sizes = [input_shape[p] for p in sorted(positions)]
    if known and None in sizes:
        raise SymparamError(f"{owner}: axis {list(axes)} of {format_shape(input_shape)} "
                            "must be known")
    return sizes


class Normalizing(Layer):
    """A layer whose equations act on the entries its ``axes`` span; the shape is kept."""

    axes: tuple = (-1,)

    def features(self, input_shape):
        return product(axis_sizes(self, input_shape, self.axes))

    def compute_output_shape(self, input_shape):
        return input_shape


@register
class BatchNormalization(Normalizing):
    """``y = gamma * (x - mu) / sqrt(sigma^2 + eps) + beta`` per feature (Ioffe and Szegedy 2015).

    Keras counts the moving mean ``mu`` and variance ``sigma^2`` as non-trainable weights that
    are still part of ``count_params()``; ``center`` and ``scale`` drop ``beta`` and ``gamma``.
    """

    def __init__(self, axis=-1, momentum=0.99, epsilon=0.001, center=True, scale=True,
                 renorm=False, renorm_clipping=None, renorm_momentum=0.99, **kwargs):
        super().__init__(**kwargs)
        self.axis = self.as_axis("axis", axis)
        self.axes = (self.axis,)
        self.center = self.as_flag("center", center)
        self.scale = self.as_flag("scale", scale)
        self.renorm = self.as_flag("renorm", renorm)

    def equations(self, x):
        n = x.shape[0]
        mean = self.weight("mu", n, trainable=False)
        variance = self.weight("sigma^2", n, trainable=False)
        if not self.renorm:
            y = scale_shift(self, standardized(x, mean, variance), n, self.scale, self.center)
            return [Eq(vector("y", n), y)]
        return self.renormalized(x, standardized(x, mean, variance))

    def renormalized(self, x, inference):
        """Batch renormalization (Ioffe 2017): in training the batch statistics ``mu_B`` and
        ``sigma_B`` are corrected by ``r`` and ``d`` computed from the renorm moving mean
        ``mu_r`` and standard deviation ``sigma_r``; Keras also keeps a moving standard
        deviation ``sigma_m``.  All three are non-trainable weights."""
        n = x.shape[0]
        mu_r, sigma_r, sigma_m = (self.weight(name, n, trainable=False)
                                  for name in ("mu_r", "sigma_r", "sigma_m"))
        mu_b, sigma_b = vector("mu_B", n), vector("sigma_B", n)
        r = Eq(vector("r", n), HadamardProduct(sigma_b, HadamardPower(sigma_r, -1)))
        d = Eq(vector("d", n), HadamardProduct(mu_b - mu_r, HadamardPower(sigma_r, -1)))
        corrected = HadamardProduct(x - mu_b, HadamardPower(sigma_b, -1), r.lhs) + d.lhs
        gamma = self.weight("gamma", n) if self.scale else None
        beta = self.weight("beta", n) if self.center else None
        affine = lambda z: (HadamardProduct(gamma, z) if gamma is not None else z) + (  # noqa
            beta if beta is not None else ZeroMatrix(n, 1))
        kept = Eq(vector("s", n), sigma_m)  # the moving standard deviation Keras tracks
        return [r, d, kept, Eq(vector("y_train", n), affine(corrected)),
                Eq(vector("y", n), affine(inference))]


@register
class LayerNormalization(Normalizing):
    """Each example standardized over ``axis``, then ``gamma ⊙ x̂ + beta`` (Ba et al. 2016,
    "Layer Normalization"; Keras ``LayerNormalization``).

    Args:
        axis: an int or a list of ints indexing the whole input shape (axis 0 is the batch and
            is refused, as Keras fails on it; -1 is the last axis).  Keras sorts the list and
            gives ``gamma`` and ``beta`` the input's sizes on those axes, so ``axis=[1, 2]`` on
            ``(None, a, b, c)`` makes weights of shape ``(a, b)``.  An axis named twice is
            refused (Keras builds a weight but fails when called).
        center, scale: keep ``beta`` and ``gamma``.
        rms_scaling: Keras's deprecated flag: ``y = gamma ⊙ x ⊙ (var(x) + eps)^(-1/2)``
            (the input not centred), ``gamma`` kept even with ``scale=False``, no ``beta``.
    """

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True, *, rms_scaling=False,
                 **kwargs):
        super().__init__(**kwargs)
        self.axes = axis_list(self, axis)
        self.as_number("epsilon", epsilon)
        self.center = self.as_flag("center", center)
        self.scale = self.as_flag("scale", scale)
        self.rms_scaling = self.as_flag("rms_scaling", rms_scaling)

    def equations(self, x):
        n = x.shape[0]
        mean, variance = vector("mu", n), vector("sigma^2", n)
        statistics = [Eq(mean, mean_of(x)), Eq(variance, mean_of(HadamardPower(x - mean, 2)))]
        if self.rms_scaling:
            y = scale_shift(self, HadamardProduct(x, inverse_std(variance)), n, True, False)
        else:
            y = scale_shift(self, standardized(x, mean, variance), n, self.scale, self.center)
        return [*statistics, Eq(vector("y", n), y)]


@register
class GroupNormalization(Normalizing):
    """Channels split into ``groups``, each standardized over its channels and all positions,
    then ``gamma ⊙ x̂ + beta`` per channel (Wu and He 2018, "Group Normalization").

    ``mu`` and ``sigma^2`` hold, for each channel, the statistics of its group; ``groups=-1``
    makes one group per channel (instance normalization).  ``axis`` is one int.
    """

    def __init__(self, groups=32, axis=-1, epsilon=1e-3, center=True, scale=True, **kwargs):
        super().__init__(**kwargs)
        self.groups = -1 if groups in (-1, "-1") else self.as_size("groups", groups)
        self.axis = self.as_axis("axis", axis)
        self.axes = (self.axis,)
        self.as_number("epsilon", epsilon)
        self.center = self.as_flag("center", center)
        self.scale = self.as_flag("scale", scale)

    def features(self, input_shape):
        channels = super().features(input_shape)
        groups = channels if self.groups == -1 else self.groups
        if (channels - groups).is_negative or (channels / groups).is_integer is False:
            raise SymparamError(f"{args.where(self)}: groups={groups} must divide the "
                                f"{channels} channels on axis {self.axis}")
        return channels

    def equations(self, x):
        n = x.shape[0]
        mean, variance = vector("mu", n), vector("sigma^2", n)
        y = scale_shift(self, standardized(x, mean, variance), n, self.scale, self.center)
        return [Eq(vector("y", n), y)]


@register
class UnitNormalization(Normalizing):
    """``y = x / ||x||_2`` over ``axis`` (an int or a list; Keras ``UnitNormalization`` floors
    the squared norm at 1e-12); no weights.  As in Keras, any axis in range is accepted, the
    batch axis and axes of unknown length included (the equations then call the length
    ``N``)."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axes = axis_list(self, axis)

    def features(self, input_shape):
        size = product(axis_sizes(self, input_shape, self.axes, batch=True, known=False))
        return dim("N") if size is None else size

    def equations(self, x):
        square_norm = OneMatrix(x.shape[0], x.shape[0]) * HadamardPower(x, 2)
        root = square_norm.applyfunc(Lambda(_T, sqrt(_T)))
        return [Eq(vector("y", x.shape[0]), HadamardProduct(x, HadamardPower(root, -1)))]


@register
class RMSNormalization(Normalizing):
    """``y = gamma ⊙ x ⊙ (mean(x^2) + eps)^(-1/2)`` over ``axis`` (Zhang and Sennrich 2019,
    "Root Mean Square Layer Normalization"; Keras ``RMSNormalization``, whose weight ``scale``
    is ``gamma`` here, shaped like ``LayerNormalization``'s)."""

    def __init__(self, axis=-1, epsilon=1e-6, **kwargs):
        super().__init__(**kwargs)
        self.axes = axis_list(self, axis)
        self.as_number("epsilon", epsilon)

    def equations(self, x):
        n = x.shape[0]
        mean_square = vector("r", n)
        y = HadamardProduct(self.weight("gamma", n), x, inverse_std(mean_square))
        return [Eq(mean_square, mean_of(HadamardPower(x, 2))), Eq(vector("y", n), y)]


@register
class Normalization(Normalizing):
    """Preprocessing ``y = (x - mu) / sqrt(sigma^2)`` per entry of the kept ``axis`` (Keras
    ``Normalization``, which floors the root at its epsilon); ``invert=True`` undoes it:
    ``y = mu + x ⊙ sqrt(sigma^2)``.

    Without ``mean``/``variance``, Keras keeps ``mu`` and ``sigma^2`` (the input's sizes on
    ``axis``; one entry for ``axis=None``) and a scalar ``count`` as non-trainable weights, the
    state ``s`` that ``adapt()`` fills.  Given ``mean`` and ``variance``, they are constants and
    the layer has no weights.
    """

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        # Keras saves axis=None as an empty list
        self.axes = () if axis is None or axis == [] or axis == () else axis_list(self, axis)
        if (mean is None) != (variance is None):
            raise SymparamError(f"{args.where(self)}: give both mean and variance, or neither")
        if mean is not None and _shape(mean) != _shape(variance):
            raise SymparamError(f"{args.where(self)}: mean and variance must have one shape")
        if mean is not None and len(_shape(mean)) > len(self.axes):
            raise SymparamError(f"{args.where(self)}: mean has more axes than axis lists")
        self.adapted = mean is None
        self.invert = self.as_flag("invert", invert)

    def equations(self, x):
        n = x.shape[0]
        state = []
        if self.adapted:
            mean = self.weight("mu", n, trainable=False)
            variance = self.weight("sigma^2", n, trainable=False)
            count = self.weight("count", 1, trainable=False)
            state = [Eq(vector("s", 2 * n + 1), stack(mean, variance, count))]
        else:
            mean, variance = vector("mu", n), vector("sigma^2", n)
        spread = variance.applyfunc(Lambda(_T, sqrt(_T)))
        y = mean + HadamardProduct(x, spread) if self.invert else \
            HadamardProduct(x - mean, HadamardPower(spread, -1))
        return [*state, Eq(vector("y", n), y)]


def _shape(value) -> tuple:
    """The shape of a nested list of numbers (``()`` for a number), or of an array."""
    if hasattr(value, "shape") and not hasattr(value, "free_symbols"):
        return tuple(value.shape)
    shape = []
    while isinstance(value, (list, tuple)):
        shape.append(len(value))
        value = value[0] if value else None
    return tuple(shape)
