"""The Vision Transformer family (``model_type: "vit"``, transformers' ``ViTConfig``) and its
assembly: an image, not a sequence of token ids, goes in.

``pixel_values`` of shape ``(None, C, H, W)`` (channels first, as transformers takes them) is
cut into patches by ``nn.Conv2d`` (kernel and stride the patch size), read as ``h*w`` tokens
after a learnt class token, given a learnt position each, and run through a stack of pre-norm
encoder layers.  The image side is the config's ``image_size`` unless ``from_hf_config`` is
given ``image_size=`` (a number, a dimension name such as ``"S"`` for a formula in the side, or
``(H, W)``); the sequence is then ``floor(H/p) * floor(W/p) + 1`` tokens long.  Another side
than the config's is what transformers runs with ``interpolate_pos_encoding=True``: the
position table keeps the config's size (its bicubic resampling is element-wise work, no MACs).
``seq_len`` is refused for an image model rather than guessed at.

Heads: ``ViTModel`` keeps its pooler (``add_pooling_layer`` defaults to true),
``ViTForImageClassification`` a linear classifier on the class token (no pooler),
``ViTForMaskedImageModeling`` SimMIM's mask token and its decoder (a 1x1 convolution to
``encoder_stride**2 * C`` channels and a pixel shuffle back to the image).
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy

from symparam.core import args
from symparam.core.errors import SymparamError, shorten
from symparam.importers.hf.config import Config
from symparam.importers.hf.families import Options, Stack, attention
from symparam.layers.wrappers import Repeated
from symparam.models.functional import Input, Model
from symparam.torch.conv import Conv2d
from symparam.torch.linear import Linear
from symparam.torch.llm import MLP, FirstToken, PositionTable
from symparam.torch.llm_block import TransformerLayer
from symparam.torch.normalization import LayerNorm
from symparam.torch.vision import PatchTokens, PixelShuffle, TokenGrid

#: the heads an image model has (``build.HEADS`` names them from ``architectures[0]``)
VISION_HEADS = (None, "image_classifier", "masked_image")


@dataclass(frozen=True)
class Variant:
    """What keras-hub's ``ViTBackbone`` may switch off and transformers' ViT always has: the
    class token, the patch convolution's bias, the attention output's bias (``None``: always
    there, as in transformers), the feed-forward biases; and the bare model's pooler."""

    class_token: bool = True
    patch_bias: bool = True
    output_bias: bool | None = None
    mlp_bias: bool = True
    pooler: bool = True


@dataclass(frozen=True)
class VisionParts:
    """An image model's parts: the encoder stack, the config's image and patch sides
    ``(H, W)``, channels, the pooler's width (``None``: no pooler) and SimMIM's stride."""

    hidden: int
    stack: Stack
    image: tuple
    patch: tuple
    channels: int
    pooler: object
    encoder_stride: int
    variant: Variant = Variant()
    kind: str = "vision"

    def positions(self):
        """The rows of the position table: one per patch of the config's image, and one for
        the class token."""
        grid = sympy.Mul(*(sympy.floor(sympy.sympify(n, strict=True) / p)
                           for n, p in zip(self.image, self.patch)))
        return grid + (1 if self.variant.class_token else 0)


def pair(c: Config, name: str) -> tuple:
    """A side given as one size (square) or as ``[height, width]``."""
    value = c.data.get(name)
    if isinstance(value, (list, tuple)) and name not in c.symbols:
        if len(value) != 2:
            raise c.fail(name, "a size or a list [height, width]", value)
        sides = Config({f"{name}[{i}]": v for i, v in enumerate(value)}, {}, c.where)
        return sides.size(f"{name}[0]"), sides.size(f"{name}[1]")
    side = c.size(name)
    return side, side


def vit(c: Config, opts: Options, variant: Variant = Variant()) -> VisionParts:
    """transformers' ``ViTModel``: pre-norm encoder layers with biases everywhere but, when
    ``qkv_bias`` is false, the query, key and value projections."""
    d, heads = c.size("hidden_size"), c.size("num_attention_heads")
    qkv = c.flag("qkv_bias")
    output = True if variant.output_bias is None else variant.output_bias
    attn = attention(opts, d, heads, head_dim=c.head_dim(d, heads, None),
                     bias=(qkv, qkv, output), causal=False)
    mlp = MLP(d, c.size("intermediate_size"), bias=variant.mlp_bias,
              activation=c.name("hidden_act"))
    stack = Stack(TransformerLayer(attn, mlp, LayerNorm(d), "pre"),
                  c.layers("num_hidden_layers"), final_norm=LayerNorm(d, name="layernorm"))
    if variant.pooler:
        c.name("pooler_act")
    return VisionParts(d, stack, pair(c, "image_size"), pair(c, "patch_size"),
                       c.size("num_channels", maximum=10**5),
                       (c.optional_size("pooler_output_size") or d) if variant.pooler
                       else None,
                       c.size("encoder_stride", maximum=10**3), variant)


def image_shape(parts: VisionParts, image_size, seq_len) -> tuple:
    """``(H, W)``: the config's, or ``image_size`` (a size, a name, or a pair)."""
    if seq_len is not None:
        raise SymparamError("from_hf_config: an image model reads images, not sequences: give "
                            "image_size (the side, or (height, width)) instead of seq_len")
    if image_size is None:
        return parts.image
    sides = list(image_size) if isinstance(image_size, (list, tuple)) else [image_size] * 2
    if len(sides) != 2:
        raise SymparamError(f"from_hf_config: image_size must be a side or (height, width), "
                            f"got {shorten(image_size)}")
    return tuple(args.size(side, field="image_size", owner="from_hf_config") for side in sides)


def trunk(parts: VisionParts, image: tuple, *, batch, mask: bool) -> tuple:
    """The input, the patch grid and the final norm's output on images of ``image = (H, W)``
    (with SimMIM's mask token when ``mask``)."""
    d, variant = parts.hidden, parts.variant
    pixels = Input((parts.channels, *image), batch_size=batch, name="pixel_values")
    grid = Conv2d(parts.channels, d, parts.patch, stride=parts.patch, bias=variant.patch_bias,
                  name="patch_embeddings")(pixels)
    h = PatchTokens(d, class_token=variant.class_token, mask_token=mask,
                    name="cls_token" if variant.class_token else "patch_tokens")(grid)
    h = PositionTable(parts.positions(), d, name="position_embeddings")(h)
    h = Repeated(parts.stack.block, parts.stack.layers, name="layers")(h)
    return pixels, grid, parts.stack.final_norm(h)


def assemble_vision(parts: VisionParts, head, name: str, config: Config, *, batch,
                    image) -> Model:
    """The model of ``architectures[0]`` (``head``) on images of ``image = (H, W)``."""
    if head not in VISION_HEADS:
        raise SymparamError(f"config.json: architectures[0] names a head ({head}) that "
                            "symparam does not build for an image model")
    pixels, grid, h = trunk(parts, image, batch=batch, mask=head == "masked_image")
    d = parts.hidden
    if head == "image_classifier":
        first = FirstToken(name="first_token")(h)
        return Model(pixels, Linear(d, config.labels(), name="classifier")(first), name=name)
    if head == "masked_image":
        return Model(pixels, _reconstruct(parts, h, grid.shape[2:]), name=name)
    if parts.pooler is None:
        return Model(pixels, h, name=name)
    pooled = Linear(d, parts.pooler, name="pooler")(FirstToken(name="first_token")(h))
    return Model(pixels, [h, pooled], name=name)


def _reconstruct(parts: VisionParts, h, grid):
    """SimMIM's decoder: the patch tokens as a grid, a 1x1 convolution to ``stride**2 * C``
    channels, and a pixel shuffle to an image ``stride`` times the grid."""
    stride = parts.encoder_stride
    h = TokenGrid(*grid, name="token_grid")(h)
    h = Conv2d(parts.hidden, stride**2 * parts.channels, 1, name="decoder")(h)
    return PixelShuffle(stride, name="pixel_shuffle")(h)
