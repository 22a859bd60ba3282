"""Image preprocessing and augmentation layers (Keras ``keras.layers.preprocessing``).

None of them owns a weight.  ``Rescaling`` is an affine map of each number; ``Resizing``,
``CenterCrop`` and ``RandomCrop`` give each channel a new grid of ``height x width`` positions
(``y = S x``, ``S`` the fixed interpolation or crop matrix of the layer's definition); the other
``Random*`` augmentations, which Keras applies only in training, pass the image through
unchanged at inference, so their equation is ``y = x`` and their shape the input's;
``AutoContrast`` and contrast-limited histogram equalization adjust values at inference too.
``Normalization`` (with its non-trainable statistics) is in ``normalization.py``.
"""

from __future__ import annotations

import math

from sympy import HadamardProduct, MatAdd, MatrixSymbol

import symparam.layers._spatial as _spatial
from symparam.engine.equations import Eq, activate, vector
from symparam.layers.core import Elementwise
from symparam.layers.registry import register
from symparam.layers.reshaping import SpatialRearrangement


@register
class Rescaling(Elementwise):
    """``y = s ⊙ x + o``: every number scaled by ``scale`` and shifted by ``offset`` (constants,
    one for all channels or one per channel; Keras ``Rescaling``)."""

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = _constants(self, "scale", scale)
        self.offset = _constants(self, "offset", offset)

    def equations(self, x):
        n = x.shape[0]
        scaled = HadamardProduct(MatrixSymbol("s", n, 1), x)
        shifted = MatAdd(scaled, MatrixSymbol("o", n, 1)) if any(self.offset) else scaled
        return [Eq(vector("y", n), shifted)]


def _constants(layer, field: str, value) -> tuple:
    """A number or a list of numbers (never a size), checked and kept as a tuple."""
    items = value if isinstance(value, (list, tuple)) else [value]
    return tuple(layer.as_number(field, item, -math.inf, math.inf) for item in items)


class Regridding(SpatialRearrangement):
    """Base of the layers that give an image ``height x width`` positions, whatever its size
    (Keras's ``compute_output_shape`` of ``Resizing``, ``CenterCrop``, ``RandomCrop``)."""

    rank = 2

    def configure(self, height, width, data_format):
        self.data_format = _spatial.data_format(self, data_format)
        self.size = (self.as_size("height", height), self.as_size("width", width))

    def length(self, axis, size):
        return self.size[axis]

    def compute_output_shape(self, input_shape):
        batch, _, c = _spatial.split_spatial(self, input_shape, self.rank, self.data_format)
        return _spatial.join_spatial(batch, list(self.size), c, self.data_format)


@register
class Resizing(Regridding):
    """An image resized to ``height x width`` by ``interpolation`` (Keras ``Resizing``);
    ``crop_to_aspect_ratio`` and ``pad_to_aspect_ratio`` change which pixels, not how many."""

    matrix = "R"

    def __init__(self, height, width, interpolation="bilinear", crop_to_aspect_ratio=False,
                 pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0,
                 antialias=False, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.configure(height, width, data_format)
        self.interpolation = self.as_choice("interpolation", interpolation, (
            "nearest", "bilinear", "bicubic", "lanczos3", "lanczos5", "area"))
        for field, value in (("crop_to_aspect_ratio", crop_to_aspect_ratio),
                             ("pad_to_aspect_ratio", pad_to_aspect_ratio),
                             ("antialias", antialias)):
            self.as_flag(field, value)


@register
class CenterCrop(Regridding):
    """The central ``height x width`` window of an image (Keras ``CenterCrop``, which resizes
    first when the image is smaller)."""

    matrix = "C"

    def __init__(self, height, width, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.configure(height, width, data_format)


@register
class RandomCrop(Regridding):
    """A random ``height x width`` window in training; at inference the central one (Keras
    ``RandomCrop``)."""

    matrix = "C"

    def __init__(self, height, width, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.configure(height, width, data_format)


class Augmentation(Elementwise):
    """Base of the ``Random*`` image augmentations: the identity at inference (Keras applies
    them with ``training=True`` only).  Their options choose the random transform and change
    no shape, so they are accepted as Keras writes them."""

    def __init__(self, factor=None, value_range=None, data_format=None, fill_mode=None,
                 fill_value=None, interpolation=None, mode=None, scale=None,
                 height_factor=None, width_factor=None, x_factor=None, y_factor=None,
                 kernel_size=None, sigma=None, alpha=None, num_ops=None, num_chains=None,
                 chain_depth=None, all_ops=None, bins=None, brightness_factor=None,
                 contrast_factor=None, saturation_factor=None, hue_factor=None,
                 addition_factor=None, threshold_factor=None, clip_limit=None,
                 tile_grid_size=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = _spatial.data_format(self, data_format)

    def equations(self, x):
        return [Eq(vector("y", x.shape[0]), x)]


AUGMENTATION_NAMES = (
    "RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation", "RandomContrast",
    "RandomBrightness", "RandomGrayscale", "RandomHue", "RandomSaturation", "RandomSharpness",
    "RandomColorDegeneration", "RandomColorJitter", "RandomPerspective", "RandomShear",
    "RandomErasing", "RandomGaussianBlur", "RandomInvert", "RandomPosterization",
    "RandomElasticTransform", "Solarization", "Equalization", "MixUp", "CutMix",
    "RandAugment", "AugMix")

AUGMENTATIONS = [register(type(name, (Augmentation,), {
    "__doc__": f"Keras ``{name}``: a random image transform in training, ``y = x`` at "
               "inference; the shape is kept.", "__module__": __name__}))
    for name in AUGMENTATION_NAMES]


class Adjustment(Augmentation):
    """Base of the image adjustments Keras applies at inference too (``AutoContrast``, and
    ``ContrastLimitedAdaptiveHistogramEqualization``): ``y = T(x)``, ``T`` the layer's fixed
    transform of the image's values, the shape kept."""

    def equations(self, x):
        return [Eq(vector("y", x.shape[0]), activate("T", x))]


ADJUSTMENT_NAMES = ("AutoContrast", "ContrastLimitedAdaptiveHistogramEqualization")
ADJUSTMENTS = [register(type(name, (Adjustment,), {
    "__doc__": f"Keras ``{name}``: ``y = T(x)``, a fixed adjustment of the image's values at "
               "training and inference; the shape is kept.", "__module__": __name__}))
    for name in ADJUSTMENT_NAMES]
