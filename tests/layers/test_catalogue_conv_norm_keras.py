"""Transposed, depthwise and separable convolutions and the normalization layers against Keras 3.

Each case is written once (``spec``) with the sizes the symbolic route replaces by dimension
symbols written ``Dim(name, value)``; ``check_spec`` compares symparam's concrete and symbolic
derivations with the Keras layer built on ``keras.Input``.  Published formulas are checked as
oracles at the end, and bad arguments must raise ``SymparamError``.
"""

from __future__ import annotations

import re

import keras
import pytest
import sympy
from keras_reference import Dim, check_spec, spec

import symparam as S
import symparam.layers as SL

L, H, W, D = Dim("L", 9), Dim("H", 7), Dim("W", 6), Dim("D", 5)
c, f, m = Dim("c", 3), Dim("f", 4), Dim("m", 2)
a, b = Dim("a", 4), Dim("b", 5)


def case(layer_spec, *input_shape):
    label = re.sub(r"Dim\(name='(\w+)', value=(\d+)\)", r"\1=\2",
                   f"{layer_spec!r}@{input_shape!r}")
    return pytest.param(layer_spec, tuple(input_shape), id=label)


# -- transposed convolutions ------------------------------------------------------------------
# Keras refuses strides > 1 with dilation_rate > 1 here too, and output_padding >= strides.
TRANSPOSE = [
    case(spec("Conv1DTranspose", f, 3), L, c),
    case(spec("Conv1DTranspose", f, Dim("k", 4)), L, c),
    case(spec("Conv1DTranspose", f, 3, strides=2), L, c),
    case(spec("Conv1DTranspose", f, 2, strides=3), L, c),  # stride beyond the window
    case(spec("Conv1DTranspose", f, 3, strides=2, padding="same"), L, c),
    case(spec("Conv1DTranspose", f, 3, strides=3, output_padding=2), L, c),
    case(spec("Conv1DTranspose", f, 4, strides=3, padding="same", output_padding=1), L, c),
    case(spec("Conv1DTranspose", f, 3, dilation_rate=2), L, c),
    case(spec("Conv1DTranspose", f, 3, dilation_rate=2, padding="same", output_padding=0), L, c),
    case(spec("Conv1DTranspose", f, 4, padding="same", output_padding=0), L, c),
    case(spec("Conv1DTranspose", f, 3, use_bias=False, activation="relu"), L, c),
    case(spec("Conv1DTranspose", f, 3, strides=2, data_format="channels_first"), c, L),
    case(spec("Conv1DTranspose", f, 3, strides=2), None, c),
    case(spec("Conv2DTranspose", f, 3), H, W, c),
    case(spec("Conv2DTranspose", f, (Dim("kh", 3), Dim("kw", 2))), H, W, c),
    case(spec("Conv2DTranspose", f, 3, strides=2, output_padding=1), H, W, c),
    case(spec("Conv2DTranspose", f, 3, strides=2, output_padding=1, padding="same"), H, W, c),
    case(spec("Conv2DTranspose", f, (3, 4), strides=(2, 3), output_padding=(0, 2)), H, W, c),
    case(spec("Conv2DTranspose", f, (2, 5), strides=(3, 2), padding="same"), H, W, c),
    case(spec("Conv2DTranspose", f, 4, strides=2, padding="same", output_padding=(1, 0)),
         H, W, c),
    case(spec("Conv2DTranspose", f, 3, dilation_rate=(2, 3)), H, W, c),
    case(spec("Conv2DTranspose", f, 3, dilation_rate=2, padding="same"), H, W, c),
    case(spec("Conv2DTranspose", f, 3, use_bias=False), H, W, c),
    case(spec("Conv2DTranspose", f, 3, strides=2, data_format="channels_first"), c, H, W),
    case(spec("Conv2DTranspose", f, 3, strides=2, output_padding=1, padding="same",
              data_format="channels_first"), c, H, W),
    case(spec("Conv2DTranspose", f, 3, trainable=False), H, W, c),
    case(spec("Conv2DTranspose", f, 3, strides=2, output_padding=1), None, W, c),
    case(spec("Conv3DTranspose", f, 3), D, H, W, c),
    case(spec("Conv3DTranspose", f, (2, 3, 1), strides=(1, 2, 3), padding="same"), D, H, W, c),
    case(spec("Conv3DTranspose", f, 3, strides=2, output_padding=(1, 0, 1)), D, H, W, c),
    case(spec("Conv3DTranspose", f, 2, use_bias=False, data_format="channels_first"),
         c, D, H, W),
]


@pytest.mark.parametrize("layer_spec, shape", TRANSPOSE)
def test_transposed_convolution(layer_spec, shape):
    check_spec(layer_spec, shape)


# -- depthwise and separable convolutions -----------------------------------------------------
# Unlike Conv and ConvTranspose, these Keras bases accept strides > 1 with dilation_rate > 1.
DEPTHWISE = [
    case(spec("DepthwiseConv1D", 3), L, c),
    case(spec("DepthwiseConv1D", Dim("k", 4), depth_multiplier=m), L, c),
    case(spec("DepthwiseConv1D", 3, strides=2, padding="same"), L, c),
    case(spec("DepthwiseConv1D", 3, dilation_rate=2, strides=2), L, c),
    case(spec("DepthwiseConv1D", 3, depth_multiplier=m, use_bias=False), L, c),
    case(spec("DepthwiseConv1D", 3, depth_multiplier=2, data_format="channels_first"), c, L),
    case(spec("DepthwiseConv1D", 3, padding="same"), None, c),
    case(spec("DepthwiseConv2D", 3), H, W, c),
    case(spec("DepthwiseConv2D", (Dim("kh", 3), Dim("kw", 2)), depth_multiplier=m), H, W, c),
    case(spec("DepthwiseConv2D", 3, strides=(2, 1), padding="same", activation="relu"),
         H, W, c),
    case(spec("DepthwiseConv2D", 2, strides=2, dilation_rate=2), H, W, c),
    case(spec("DepthwiseConv2D", 3, dilation_rate=(2, 1), padding="same"), H, W, c),
    case(spec("DepthwiseConv2D", 3, depth_multiplier=m, use_bias=False), H, W, c),
    case(spec("DepthwiseConv2D", 3, depth_multiplier=m, data_format="channels_first"), c, H, W),
    case(spec("DepthwiseConv2D", 3, trainable=False), H, W, c),
]
SEPARABLE = [
    case(spec("SeparableConv1D", f, 3), L, c),
    case(spec("SeparableConv1D", f, Dim("k", 4), depth_multiplier=m), L, c),
    case(spec("SeparableConv1D", f, 3, strides=2, padding="same", dilation_rate=2), L, c),
    case(spec("SeparableConv1D", f, 3, use_bias=False), L, c),
    case(spec("SeparableConv1D", f, 3, depth_multiplier=m, data_format="channels_first"), c, L),
    case(spec("SeparableConv2D", f, 3), H, W, c),
    case(spec("SeparableConv2D", f, (Dim("kh", 3), Dim("kw", 2)), depth_multiplier=m),
         H, W, c),
    case(spec("SeparableConv2D", f, 3, strides=2, padding="same"), H, W, c),
    case(spec("SeparableConv2D", f, 3, strides=(1, 2), dilation_rate=(2, 1)), H, W, c),
    case(spec("SeparableConv2D", f, 3, depth_multiplier=3, use_bias=False), H, W, c),
    case(spec("SeparableConv2D", f, 3, padding="same", data_format="channels_first"), c, H, W),
    case(spec("SeparableConv2D", f, 3, trainable=False), None, None, c),
]


@pytest.mark.parametrize("layer_spec, shape", DEPTHWISE + SEPARABLE)
def test_depthwise_and_separable_convolution(layer_spec, shape):
    check_spec(layer_spec, shape)


# -- normalization ----------------------------------------------------------------------------
NORMALIZATION = [
    case(spec("LayerNormalization"), Dim("d", 6)),
    case(spec("LayerNormalization", axis=-1), a, b, c),
    case(spec("LayerNormalization", axis=[1, 2]), a, b, c),
    case(spec("LayerNormalization", axis=(2, 3)), a, b, c),
    case(spec("LayerNormalization", axis=[-1, 1]), a, b, c),  # Keras sorts to [-1, 1]
    case(spec("LayerNormalization", axis=[1, 2, 3]), a, b, c),
    case(spec("LayerNormalization", axis=1), a, b, c),
    case(spec("LayerNormalization", axis=-2), a, None),
    case(spec("LayerNormalization", center=False), a, c),
    case(spec("LayerNormalization", scale=False), a, c),
    case(spec("LayerNormalization", center=False, scale=False), a, c),
    case(spec("LayerNormalization", rms_scaling=True), a, c),
    case(spec("LayerNormalization", rms_scaling=True, scale=False), a, c),
    case(spec("LayerNormalization", rms_scaling=True, axis=[1, 2]), a, c),
    case(spec("LayerNormalization", trainable=False), None, c),
    case(spec("GroupNormalization", groups=3), a, Dim("c", 6)),
    case(spec("GroupNormalization", groups=Dim("g", 2)), a, b, Dim("c", 6)),
    case(spec("GroupNormalization", groups=-1), a, Dim("c", 6)),
    case(spec("GroupNormalization", groups=2, axis=1), Dim("c", 6), a, b),
    case(spec("GroupNormalization", groups=6, center=False), a, Dim("c", 6)),
    case(spec("GroupNormalization", groups=1, scale=False, center=False), a, Dim("c", 6)),
    case(spec("GroupNormalization", groups=2, axis=-2), Dim("c", 6), a),
    case(spec("GroupNormalization", groups=32), None, Dim("c", 64)),
    case(spec("UnitNormalization"), Dim("d", 6)),
    case(spec("UnitNormalization", axis=[1, 2]), a, c),
    case(spec("UnitNormalization", axis=1), None, c),
    case(spec("UnitNormalization", axis=0), a, c),  # Keras accepts the batch axis here
    case(spec("RMSNormalization"), a, c),
    case(spec("RMSNormalization", axis=[1, 2]), a, c),
    case(spec("RMSNormalization", axis=[-1, -2]), a, b, c),
    case(spec("RMSNormalization", axis=1, epsilon=1e-5), a, b, c),
    case(spec("RMSNormalization", trainable=False), None, c),
    case(spec("Normalization"), Dim("d", 6)),
    case(spec("Normalization"), a, c),
    case(spec("Normalization", axis=None), a, c),
    case(spec("Normalization", axis=(1, 2)), a, c),
    case(spec("Normalization", axis=[-1, 1]), a, b, c),
    case(spec("Normalization", axis=1), a, c),
    case(spec("Normalization", invert=True), None, c),
    case(spec("Normalization", mean=2.0, variance=3.0), a, c),
    case(spec("Normalization", mean=[1.0, 2.0, 3.0], variance=[1.0, 4.0, 9.0]), a, c),
    case(spec("Normalization", axis=(1, 2), mean=[0.0, 1.0, 2.0], variance=[1.0, 1.0, 1.0],
              invert=True), a, c),
]


@pytest.mark.filterwarnings("ignore:You passed `rms_scaling=True`:UserWarning")
@pytest.mark.parametrize("layer_spec, shape", NORMALIZATION)
def test_normalization(layer_spec, shape):
    check_spec(layer_spec, shape)


# -- Keras facts the layers rely on -----------------------------------------------------------
def test_keras_transposes_take_no_groups():
    with pytest.raises(ValueError, match="groups"):
        keras.layers.Conv2DTranspose(4, 3, groups=2)
    with pytest.raises(S.SymparamError, match="groups"):
        SL.Conv2DTranspose(4, 3, groups=2)


def test_keras_normalization_weights_when_not_adapted():
    layer = keras.layers.Normalization(axis=(1, 2))
    layer(keras.Input((4, 3)))
    assert [(w.name, tuple(w.shape), w.trainable) for w in layer.weights] == [
        ("mean", (4, 3), False), ("variance", (4, 3), False), ("count", (), False)]
    r = SL.Normalization(axis=(1, 2)).derive((None, 4, 3))
    assert {name: w.shape for name, w in r.weights.items()} == {
        "mu": (12, 1), "sigma^2": (12, 1), "count": (1, 1)}


def test_keras_layer_normalization_axis_zero_is_the_batch():
    with pytest.raises(ValueError):
        keras.layers.LayerNormalization(axis=0)(keras.Input((4, 3)))
    with pytest.raises(S.SymparamError, match="axis 0"):
        SL.LayerNormalization(axis=0).derive((None, 4, 3))


# -- published formulas as oracles ------------------------------------------------------------
def same(a_, b_) -> bool:
    return sympy.expand(a_ - b_) == 0


kh, kw, cc, mm, ff, hh, ww, ss, pp, kk = S.dims("k_h k_w c m f H W s p k")


def test_depthwise_2d_formula():
    r = SL.DepthwiseConv2D((kh, kw), depth_multiplier=mm).derive((None, hh, ww, cc))
    assert same(r.params, kh * kw * cc * mm + cc * mm), r.params
    assert r.output_shape == (None, hh - kh + 1, ww - kw + 1, cc * mm)
    r = SL.DepthwiseConv2D((kh, kw), depth_multiplier=mm, use_bias=False).derive(
        (None, hh, ww, cc))
    assert same(r.params, kh * kw * cc * mm), r.params


def test_separable_2d_formula():
    r = SL.SeparableConv2D(ff, (kh, kw), depth_multiplier=mm).derive((None, hh, ww, cc))
    assert same(r.params, kh * kw * cc * mm + cc * mm * ff + ff), r.params
    assert r.output_shape[-1] == ff


def test_transposed_2d_formula_and_lengths():
    r = SL.Conv2DTranspose(ff, (kh, kw), strides=ss).derive((None, hh, ww, cc))
    assert same(r.params, ff * (kh * kw * cc + 1)), r.params
    assert r.output_shape == (None, (hh - 1) * ss + sympy.Max(kh, ss),
                              (ww - 1) * ss + sympy.Max(kw, ss), ff)
    same_padded = SL.Conv2DTranspose(ff, kk, strides=ss, padding="same").derive(
        (None, hh, ww, cc))
    assert same_padded.output_shape == (None, hh * ss, ww * ss, ff)
    padded = SL.Conv1DTranspose(ff, kk, strides=ss, output_padding=pp).derive((None, hh, cc))
    assert same(padded.output_shape[1], (hh - 1) * ss + kk + pp)
    padded = SL.Conv1DTranspose(ff, kk, strides=ss, output_padding=pp, padding="same").derive(
        (None, hh, cc))
    assert same(padded.output_shape[1], (hh - 1) * ss + sympy.Mod(kk, 2) + pp)


def test_normalization_formulas():
    a_, b_, c_ = S.dims("a b c")
    assert SL.LayerNormalization(axis=[1, 2]).derive((None, a_, b_, c_)).params == 2 * a_ * b_
    assert SL.LayerNormalization().derive((None, a_, b_, c_)).params == 2 * c_
    assert SL.RMSNormalization(axis=[1, 2]).derive((None, a_, b_, c_)).params == a_ * b_
    r = SL.Normalization().derive((None, a_, c_))
    assert (r.trainable, r.non_trainable) == (0, 2 * c_ + 1)
    assert SL.GroupNormalization(groups=cc).derive((None, a_, cc)).params == 2 * cc


# -- bad arguments ----------------------------------------------------------------------------
BAD = [
    ("Conv2DTranspose", (4, 3), {"groups": 2}, None),
    ("Conv2DTranspose", (4, 3), {"strides": 2, "output_padding": 2}, None),
    ("Conv2DTranspose", (4, 3), {"output_padding": -1}, None),
    ("Conv2DTranspose", (4, 3), {"strides": 2, "dilation_rate": 2}, None),
    ("Conv1DTranspose", (4, 3), {"padding": "causal"}, None),
    ("Conv2DTranspose", (0, 3), {}, None),
    ("Conv3DTranspose", (4, (3, 3)), {}, None),
    ("Conv2DTranspose", (4, 3), {"data_format": "channels_middle"}, None),
    ("Conv2DTranspose", (4, 3), {}, (None, 5, 5)),
    ("DepthwiseConv1D", (3,), {"padding": "causal"}, None),
    ("DepthwiseConv2D", (3,), {"depth_multiplier": 0}, None),
    ("DepthwiseConv2D", (3,), {"filters": 4}, None),
    ("DepthwiseConv2D", (10,), {}, (None, 9, 9, 2)),
    ("DepthwiseConv2D", (3,), {}, (None, 9, 9, None)),
    ("SeparableConv2D", (4, 3), {"depth_multiplier": "m+"}, None),
    ("SeparableConv1D", (4, 3), {"use_bias": "maybe"}, None),
    ("SeparableConv2D", (4, 3), {"groups": 2}, None),
    ("LayerNormalization", (), {"axis": 0}, (None, 4, 3)),
    ("LayerNormalization", (), {"axis": 3}, (None, 4, 3)),
    ("LayerNormalization", (), {"axis": [1, 1]}, (None, 4, 3)),
    ("LayerNormalization", (), {"axis": [1, -2]}, (None, 4, 3)),
    ("LayerNormalization", (), {"axis": 1}, (None, None, 3)),
    ("LayerNormalization", (), {"axis": "last"}, None),
    ("LayerNormalization", (), {"axis": []}, None),
    ("LayerNormalization", (), {"center": "yes"}, None),
    ("GroupNormalization", (), {"groups": 4}, (None, 5, 6)),
    ("GroupNormalization", (), {"groups": 8}, (None, 5, 6)),
    ("GroupNormalization", (), {"groups": 0}, None),
    ("GroupNormalization", (), {"groups": 2, "axis": 0}, (None, 5, 6)),
    ("GroupNormalization", (), {"groups": 2, "axis": 1}, (None, None, 6)),
    ("UnitNormalization", (), {"axis": 3}, (None, 4, 3)),
    ("UnitNormalization", (), {"axis": 1.5}, None),
    ("RMSNormalization", (), {"axis": 0}, (None, 4, 3)),
    ("RMSNormalization", (), {"epsilon": "tiny"}, None),
    ("Normalization", (), {"mean": 1.0}, None),
    ("Normalization", (), {"mean": [1.0, 2.0], "variance": [1.0]}, None),
    ("Normalization", (), {"mean": [[1.0, 2.0]], "variance": [[1.0, 2.0]]}, None),
    ("Normalization", (), {"invert": "no"}, None),
    ("Normalization", (), {"axis": 1}, (None, None, 3)),
    ("Normalization", (), {"axis": 0}, (None, 4, 3)),
]


@pytest.mark.parametrize("name, positional, options, shape", BAD,
                         ids=[f"{n}-{o}-{s}" for n, _, o, s in BAD])
def test_bad_arguments_raise(name, positional, options, shape):
    with pytest.raises(S.SymparamError, match=name):
        layer = getattr(SL, name)(*positional, **options)
        layer.derive(shape if shape is not None else (None, 8, 8, 4))
