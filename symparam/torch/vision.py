"""The parts of a Vision Transformer around its encoder (Dosovitskiy et al. 2021, "An Image is
Worth 16x16 Words"; Xie et al. 2022, SimMIM, for the masked-image head), as Hugging Face
``transformers`` builds them: the patch grid read as a sequence of tokens after a learnt class
token, and that sequence read back as a grid.

The patches themselves come from ``nn.Conv2d`` (kernel and stride the patch size) and the
encoder from ``symparam.torch.llm``'s parts; like those, these layers live in the ``HF``
registry (``torch.nn`` has no class for them).
"""

from __future__ import annotations

import sympy

from symparam.core import args
from symparam.core.errors import SymparamError
from symparam.core.shapes import format_shape
from symparam.engine.cost import Cost
from symparam.engine.equations import Eq, vector
from symparam.torch._base import TorchLayer, same_size
from symparam.torch.llm import register


def _grid(layer, input_shape) -> tuple:
    """``(d, h, w)`` of a ``(None, d, h, w)`` grid, refused otherwise."""
    if len(input_shape) != 4:
        raise SymparamError(f"{args.where(layer)}: expects a grid (None, d, h, w), got "
                            f"{format_shape(input_shape)}")
    if any(size is None for size in input_shape[1:]):
        raise SymparamError(f"{args.where(layer)}: the channels and sides of "
                            f"{format_shape(input_shape)} must be known (a number or a name)")
    return tuple(input_shape[1:])


@register
class PatchTokens(TorchLayer):
    """The patch grid ``(None, d, h, w)`` as ``h*w`` tokens ``(None, h*w + 1, d)`` after a
    learnt class token ``c`` (ViT's ``cls_token``); ``class_token=False`` (keras-hub's
    ``use_class_token``) keeps the ``h*w`` tokens alone.  ``mask_token`` adds SimMIM's learnt
    ``m``, which replaces each masked patch (``mu`` is 1 there, 0 elsewhere)."""

    def __init__(self, hidden_size, class_token=True, mask_token=False, **kwargs):
        super().__init__(**kwargs)
        self.hidden_size = self.as_size("hidden_size", hidden_size)
        self.class_token = self.as_flag("class_token", class_token)
        self.mask_token = self.as_flag("mask_token", mask_token)

    def features(self, input_shape):
        return _grid(self, input_shape)[0]

    def equations(self, x):
        d = self.hidden_size
        same_size(self, x.shape[0], d, "channel count")
        equations, patch = [], x
        if self.mask_token:
            mu = sympy.Symbol("mu")
            equations.append(Eq(vector("e", d), (1 - mu) * x + mu * self.weight("m", d)))
            patch = equations[-1].lhs
        if self.class_token:
            equations.append(Eq(vector("t", d), self.weight("c", d)))
        return equations + [Eq(vector("y", d), patch)]

    def compute_output_shape(self, input_shape):
        d, h, w = _grid(self, input_shape)
        return (input_shape[0], h * w + (1 if self.class_token else 0), d)

    def input_layout(self):
        return (None, self.hidden_size, sympy.Symbol("h"), sympy.Symbol("w"))


@register
class TokenGrid(TorchLayer):
    """The tokens after the first (the class token) read back as the ``(None, d, h, w)`` grid
    of patches they came from (``ViTForMaskedImageModeling`` before its decoder): a reshape,
    no arithmetic."""

    def __init__(self, height, width, **kwargs):
        super().__init__(**kwargs)
        self.height = self.as_size("height", height)
        self.width = self.as_size("width", width)

    def equations(self, x):
        return [Eq(vector("y", x.shape[0]), x)]

    def compute_output_shape(self, input_shape):
        if len(input_shape) != 3:
            raise SymparamError(f"{args.where(self)}: expects tokens (None, T, d), got "
                                f"{format_shape(input_shape)}")
        same_size(self, input_shape[1], self.height * self.width + 1, "number of tokens")
        return (input_shape[0], input_shape[2], self.height, self.width)

    def cost(self, input_shape, output_shape, equations):
        return Cost()

    def input_layout(self):
        return (None, self.height * self.width + 1, sympy.Symbol("d"))


@register
class PixelShuffle(TorchLayer):
    """``(None, C r^2, h, w) -> (None, C, h r, w r)`` (PyTorch ``nn.PixelShuffle``; Shi et al.
    2016): channels moved into space, no arithmetic."""

    def __init__(self, upscale_factor, **kwargs):
        super().__init__(**kwargs)
        self.upscale_factor = self.as_size("upscale_factor", upscale_factor)

    def features(self, input_shape):
        return _grid(self, input_shape)[0]

    def equations(self, x):
        return [Eq(vector("y", x.shape[0]), x)]

    def compute_output_shape(self, input_shape):
        channels, h, w = _grid(self, input_shape)
        r = self.upscale_factor
        if (channels / r**2).is_integer is False:
            raise SymparamError(f"{args.where(self)}: {channels} channels are not divisible "
                                f"by upscale_factor**2 = {r**2}")
        return (input_shape[0], channels / r**2, h * r, w * r)

    def cost(self, input_shape, output_shape, equations):
        return Cost()

    def input_layout(self):
        return (None, sympy.Symbol("C") * self.upscale_factor**2, sympy.Symbol("h"),
                sympy.Symbol("w"))
