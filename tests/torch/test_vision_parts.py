"""``symparam.torch.vision``: the Vision Transformer's class token, its token grid and
``nn.PixelShuffle``, each against what PyTorch (or transformers' ``ViTEmbeddings``) does."""

import pytest
import torch

import symparam as S
from symparam.torch.vision import PatchTokens, PixelShuffle, TokenGrid

d, h, w = S.dims("d h w")


def test_the_class_token_is_one_learnt_vector_and_the_mask_token_another():
    assert PatchTokens(d).derive((None, d, h, w)).params == d
    assert PatchTokens(d, mask_token=True).derive((None, d, h, w)).params == 2 * d
    plain = PatchTokens(d, class_token=False).derive((None, d, h, w))
    assert plain.params == 0 and plain.output_shape == (None, h * w, d)
    derived = PatchTokens(d).derive((None, d, h, w))
    assert derived.output_shape == (None, h * w + 1, d) and derived.macs == 0


def test_token_grid_drops_the_class_token_into_the_grid():
    derived = TokenGrid(h, w).derive((None, h * w + 1, d))
    assert derived.output_shape == (None, d, h, w) and derived.params == 0
    with pytest.raises(S.SymparamError, match="number of tokens"):
        TokenGrid(3, 4).derive((None, 12, 8))


@pytest.mark.parametrize("factor, shape", [(2, (1, 12, 3, 5)), (3, (2, 18, 4, 4))])
def test_pixel_shuffle_shape_is_pytorchs(factor, shape):
    expected = tuple(torch.nn.PixelShuffle(factor)(torch.zeros(shape)).shape[1:])
    derived = PixelShuffle(factor).derive((None, *shape[1:]))
    assert derived.output_shape == (None, *expected) and derived.macs == 0
    symbolic = PixelShuffle(factor).derive((None, factor**2 * d, h, w))
    assert symbolic.output_shape == (None, d, factor * h, factor * w)


def test_bad_inputs_are_refused():
    with pytest.raises(S.SymparamError, match="divisible"):
        PixelShuffle(2).derive((None, 6, 4, 4))
    with pytest.raises(S.SymparamError, match="grid"):
        PatchTokens(8).derive((None, 5, 8))
    with pytest.raises(S.SymparamError, match="channel count"):
        PatchTokens(8).derive((None, 7, 2, 2))


@pytest.mark.parametrize("layer", [PatchTokens(8), PixelShuffle(2)])
@pytest.mark.parametrize("shape", [(None, None, 2, 2), (None, 8, None, 2)])
def test_unknown_grid_axes_are_one_clear_error(layer, shape):
    with pytest.raises(S.SymparamError, match="must be known"):
        layer.derive(shape)
