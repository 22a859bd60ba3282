"""Reshaping layers: they move numbers around and own no weights.

Apart from ``Flatten`` and ``Reshape`` (which keep the numbers in order, ``y = x``), each is a
fixed linear map ``y = S x``: a 0/1 matrix (an interpolation matrix for ``UpSampling2D``
with ``bilinear``) that is part of the layer's definition, not a weight.  It acts on the whole
example, or for padding, cropping and up-sampling on one channel's grid of positions.
"""

from __future__ import annotations

from sympy import MatrixSymbol

import symparam.layers._spatial as _spatial
from symparam.core import args
from symparam.core.dims import dim
from symparam.core.errors import SymparamError, shorten
from symparam.core.shapes import format_shape, product, same_dims
from symparam.engine.cost import Cost
from symparam.engine.equations import Eq, vector
from symparam.engine.layer import Layer
from symparam.layers.registry import register


@register
class Flatten(Layer):
    """``(None, a, b, c) -> (None, a*b*c)``: the example's tensor read as one vector."""

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = self.as_choice("data_format", data_format or "channels_last",
                                          ("channels_last", "channels_first"))

    def features(self, input_shape):
        if len(input_shape) < 2:
            raise SymparamError(f"{args.where(self)}: cannot flatten {format_shape(input_shape)}")
        return product(input_shape[1:]) or dim("n")

    def equations(self, x):
        return [Eq(vector("y", x.shape[0]), x)]

    def compute_output_shape(self, input_shape):
        if len(input_shape) < 2:
            raise SymparamError(f"{args.where(self)}: cannot flatten {format_shape(input_shape)}")
        return (input_shape[0], product(input_shape[1:]))


def _flat(sizes, placeholder: str):
    """The number of entries of a grid of ``sizes``; a placeholder symbol if one is unknown."""
    found = product(sizes)
    return dim(placeholder) if found is None else found


@register
class Reshape(Layer):
    """The example's numbers, in order, read with a new shape (Keras ``Reshape``): ``y = x``.

    ``target_shape`` excludes the batch axis; one entry may be ``-1``, worked out from the
    input size (``None`` when an input axis is unknown).
    """

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        items = args._as_items(target_shape)
        if not items or len(items) > 15:
            raise SymparamError(f"{args.where(self)}: target_shape must list 1 to 15 sizes, "
                                f"got {shorten(target_shape)}")
        self.target_shape = tuple(-1 if str(item).strip() == "-1" else
                                  self.as_size("target_shape", item) for item in items)
        if self.target_shape.count(-1) > 1:
            raise SymparamError(f"{args.where(self)}: target_shape may contain -1 only once, "
                                f"got {shorten(target_shape)}")

    def features(self, input_shape):
        return _flat(input_shape[1:], "n")

    def equations(self, x):
        return [Eq(vector("y", x.shape[0]), x)]

    def compute_output_shape(self, input_shape):
        sizes = product(input_shape[1:])
        known = product([t for t in self.target_shape if t != -1])
        if sizes is None or -1 not in self.target_shape:
            fixed = tuple(None if t == -1 else t for t in self.target_shape)
            if sizes is not None and not same_dims(sizes, known):
                raise self._mismatch(input_shape)
            return (input_shape[0], *fixed)
        missing = sizes / known
        if missing.is_integer is False or missing.is_positive is False:
            raise self._mismatch(input_shape)
        return (input_shape[0], *(missing if t == -1 else t for t in self.target_shape))

    def _mismatch(self, input_shape):
        return SymparamError(f"{args.where(self)}: cannot reshape {format_shape(input_shape)} "
                             f"to target_shape {self.target_shape}: the sizes differ")


class Rearrangement(Layer):
    """Base of layers that move numbers with a fixed matrix: ``y = S x`` on ``grid``."""

    matrix = "S"

    def grid(self, shape):
        """The axes the matrix acts on (by default the whole example)."""
        return shape[1:]

    def equations_for(self, input_shape):
        x = vector("x", _flat(self.grid(input_shape), "n"))
        y = vector("y", _flat(self.grid(self.compute_output_shape(input_shape)), "m"))
        return [Eq(y, MatrixSymbol(self.matrix, y.shape[0], x.shape[0]) * x)]

    def cost(self, input_shape, output_shape, equations):
        """Moving numbers is no arithmetic: ``S`` selects (or repeats) entries, so the layer
        costs no multiply-accumulate, as PyTorch's FLOP counter has it for padding and
        permutes (read as a product, ``S x`` of a padded 224 x 224 image would be billions)."""
        return Cost()

    def expect_rank(self, input_shape, rank: int):
        if len(input_shape) != rank:
            raise SymparamError(f"{args.where(self)}: expects an input of rank {rank}, got "
                                f"{format_shape(input_shape)}")


@register
class Permute(Rearrangement):
    """The example's axes reordered by ``dims`` (1-based, the batch axis stays first; Keras
    ``Permute``): ``y = P x`` with ``P`` a permutation matrix."""

    matrix = "P"

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        self.dims = tuple(self.as_axis("dims", item) for item in args._as_items(dims))
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise SymparamError(f"{args.where(self)}: dims must be a permutation of 1..n, got "
                                f"{shorten(dims)}")

    def compute_output_shape(self, input_shape):
        self.expect_rank(input_shape, len(self.dims) + 1)
        return (input_shape[0], *(input_shape[axis] for axis in self.dims))


@register
class RepeatVector(Rearrangement):
    """``(None, d) -> (None, n, d)``: the vector repeated ``n`` times (Keras ``RepeatVector``):
    ``y = R x`` with ``R`` the stack of ``n`` identity matrices."""

    matrix = "R"

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        self.n = self.as_size("n", n)

    def compute_output_shape(self, input_shape):
        self.expect_rank(input_shape, 2)
        return (input_shape[0], self.n, input_shape[1])


class SpatialRearrangement(Rearrangement):
    """Base of padding, cropping and up-sampling: each channel's grid of positions changes
    length axis by axis (``length``), the channels stay."""

    rank = 1

    def grid(self, shape):
        return _spatial.split_spatial(self, shape, self.rank, self.data_format)[1]

    def length(self, axis: int, size):
        raise NotImplementedError

    def compute_output_shape(self, input_shape):
        batch, spatial, c = _spatial.split_spatial(self, input_shape, self.rank,
                                                   self.data_format)
        lengths = [None if n is None else self.length(i, n) for i, n in enumerate(spatial)]
        return _spatial.join_spatial(batch, lengths, c, self.data_format)

    def as_pairs(self, field, value):
        """Keras's ``(before, after)`` per axis: one int for all, or one entry per axis (an
        int or a pair); in 1D a single int or pair."""
        items = args._as_items(value)
        if self.rank == 1 or len(items) == 1:
            items = [value] * self.rank
        if len(items) != self.rank:
            raise SymparamError(f"{args.where(self)}: {field} needs an entry for each of "
                                f"{self.rank} axes, got {shorten(value)}")
        return tuple(self.as_sizes(field, item, 2, minimum=0) for item in items)


class ZeroPadding(SpatialRearrangement):
    """Zeros added before and after each spatial axis: ``y = P x``, ``P`` places ``x`` inside
    the larger grid (Keras ``ZeroPadding1D/2D/3D``)."""

    matrix = "P"

    def configure(self, padding, data_format):
        self.data_format = _spatial.data_format(self, data_format)
        self.padding = self.as_pairs("padding", padding)

    def length(self, axis, size):
        return size + sum(self.padding[axis])


@register
class ZeroPadding1D(ZeroPadding):
    """Zeros at the start and end of the time axis (Keras ``ZeroPadding1D``)."""

    def __init__(self, padding=1, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.configure(padding, data_format)


@register
class ZeroPadding2D(ZeroPadding):
    """Zero rows and columns around an image (Keras ``ZeroPadding2D``)."""

    rank = 2

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.configure(padding, data_format)


@register
class ZeroPadding3D(ZeroPadding):
    """Zeros around a volume (Keras ``ZeroPadding3D``)."""

    rank = 3

    def __init__(self, padding=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.configure(padding, data_format)


class Cropping(SpatialRearrangement):
    """Positions removed at the start and end of each spatial axis: ``y = C x``, ``C`` keeps
    the inner grid (Keras ``Cropping1D/2D/3D``); cropping a whole axis is refused."""

    matrix = "C"

    def configure(self, cropping, data_format=None):
        self.data_format = _spatial.data_format(self, data_format)
        self.cropping = self.as_pairs("cropping", cropping)

    def length(self, axis, size):
        kept = size - sum(self.cropping[axis])
        if kept.is_positive is False:
            raise SymparamError(f"{args.where(self)}: cropping {self.cropping[axis]} removes "
                                f"all {size} positions of spatial axis {axis + 1}")
        return kept


@register
class Cropping1D(Cropping):
    """Time steps cut at the start and end of a sequence (Keras ``Cropping1D``)."""

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(**kwargs)
        self.configure(cropping)


@register
class Cropping2D(Cropping):
    """Rows and columns cut around an image (Keras ``Cropping2D``)."""

    rank = 2

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.configure(cropping, data_format)


@register
class Cropping3D(Cropping):
    """Positions cut around a volume (Keras ``Cropping3D``)."""

    rank = 3

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.configure(cropping, data_format)


class UpSampling(SpatialRearrangement):
    """Each position repeated ``size`` times along each spatial axis: ``y = U x`` (Keras
    ``UpSampling1D/2D/3D``; ``U`` interpolates instead when ``UpSampling2D`` is not
    ``nearest``)."""

    matrix = "U"

    def configure(self, size, data_format=None):
        self.data_format = _spatial.data_format(self, data_format)
        self.size = self.as_sizes("size", size, self.rank)

    def length(self, axis, size):
        return self.size[axis] * size


@register
class UpSampling1D(UpSampling):
    """Each time step repeated ``size`` times (Keras ``UpSampling1D``)."""

    def __init__(self, size=2, **kwargs):
        super().__init__(**kwargs)
        self.configure(size)


@register
class UpSampling2D(UpSampling):
    """An image enlarged ``size`` times, by repetition or ``interpolation`` (Keras
    ``UpSampling2D``)."""

    rank = 2

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(**kwargs)
        self.configure(size, data_format)
        self.interpolation = self.as_choice(
            "interpolation", interpolation,
            ("nearest", "bilinear", "bicubic", "lanczos3", "lanczos5"))


@register
class UpSampling3D(UpSampling):
    """A volume enlarged ``size`` times by repetition (Keras ``UpSampling3D``)."""

    rank = 3

    def __init__(self, size=(2, 2, 2), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.configure(size, data_format)
