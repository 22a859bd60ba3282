"""Basic catalogue layers against real Keras 3: core extras, activations, global pooling,
reshaping, merging and regularization.

Each case is a layer written once (``spec``) with the sizes the symbolic route replaces by
dimension symbols written ``Dim(name, value)``; ``check_spec`` compares symparam's concrete and
symbolic derivations with the Keras layer built on ``keras.Input`` (params, trainable,
non-trainable, output shape).  Expected values come from Keras only.
"""

from __future__ import annotations

import re
import warnings

import keras
import pytest
import sympy
from keras_reference import (
    Dim,
    SymbolicRoute,
    check_layer,
    check_spec,
    check_summary,
    keras_model_facts,
    spec,
)

import symparam as S
import symparam.layers as SL
from symparam.layers.core import Lambda

# Sizes shared by the cases; the symbolic route names them.
d, u, T = Dim("d", 6), Dim("u", 4), Dim("T", 7)
H, W, D, c = Dim("H", 9), Dim("W", 8), Dim("D", 5), Dim("c", 3)
n, s, p = Dim("n", 4), Dim("s", 3), Dim("p", 2)


def case(layer_spec, *input_shape, inputs=None):
    """A pytest case: ``case(spec, *shape)`` for one input, ``inputs=[shape, ...]`` for several."""
    shape = inputs if inputs is not None else tuple(input_shape)
    label = re.sub(r"Dim\(name='(\w+)', value=(\d+)\)", r"\1=\2", f"{layer_spec!r}@{shape!r}")
    return pytest.param(layer_spec, shape, id=label)


def run(layer_spec, shape):
    with warnings.catch_warnings():  # Keras warns about the deprecated LeakyReLU(alpha=...)
        warnings.simplefilter("ignore", UserWarning)
        check_spec(layer_spec, shape)


# -- core: Identity, Masking ---------------------------------------------------------------------
CORE = [
    case(spec("Identity"), d),
    case(spec("Identity"), T, d),
    case(spec("Identity", trainable=False), H, W, c),
    case(spec("Identity"), None, d),
    case(spec("Masking"), T, d),
    case(spec("Masking", mask_value=-1.0), T, d),
    case(spec("Masking", 0.5), Dim("a", 2), T, d),
    case(spec("Masking"), T, Dim("d", 1)),
]

# -- activations ---------------------------------------------------------------------------------
ACTIVATIONS = [
    case(spec("ReLU"), d),
    case(spec("ReLU", max_value=6.0), T, d),
    case(spec("ReLU", negative_slope=0.1, threshold=0.5), H, W, c),
    case(spec("ReLU", 1.0, 0.2, 0.3), Dim("d", 1)),
    case(spec("LeakyReLU"), d),
    case(spec("LeakyReLU", negative_slope=0.2), T, d),
    case(spec("LeakyReLU", alpha=0.1), T, d),
    case(spec("ELU"), d),
    case(spec("ELU", alpha=0.5), T, d),
    case(spec("Softmax"), d),
    case(spec("Softmax", axis=1), T, d),
    case(spec("Softmax", axis=-2), H, W, c),
    case(spec("Softmax", axis=[1, 2]), H, W, c),
    case(spec("Softmax", axis=1), None, d),
    case(spec("PReLU"), d),
    case(spec("PReLU"), T, d),
    case(spec("PReLU"), H, W, c),
    case(spec("PReLU", shared_axes=[1, 2]), H, W, c),
    case(spec("PReLU", shared_axes=1), T, d),
    case(spec("PReLU", shared_axes=1), None, d),
    case(spec("PReLU", shared_axes=[1, 2]), None, None, c),
    case(spec("PReLU", shared_axes=[2]), H, W, c),
    case(spec("PReLU", shared_axes=(1, 2, 3)), H, W, c),
    case(spec("PReLU", shared_axes=[1, 2, 3]), D, H, W, c),
    case(spec("PReLU", trainable=False), T, d),
    case(spec("PReLU", shared_axes=[1, 2], trainable=False), H, W, c),
]

# -- global pooling ------------------------------------------------------------------------------
GLOBAL_POOLING = [
    case(spec(f"Global{kind}Pooling{rank}D", **options), *shape)
    for kind in ("Max", "Average")
    for rank, shape_last, shape_first in (
        (1, (T, c), (c, T)),
        (2, (H, W, c), (c, H, W)),
        (3, (D, H, W, c), (c, D, H, W)),
    )
    for options, shape in (
        ({}, shape_last),
        ({"keepdims": True}, shape_last),
        ({"data_format": "channels_first"}, shape_first),
        ({"data_format": "channels_first", "keepdims": True}, shape_first),
        ({}, (None,) * rank + (c,)),
    )
]

# -- reshaping -----------------------------------------------------------------------------------
RESHAPING = [
    case(spec("Reshape", (H, -1)), H, W, c),
    case(spec("Reshape", (-1,)), H, W),
    case(spec("Reshape", target_shape=(W, H)), H, W),
    case(spec("Reshape", (2, -1)), Dim("d", 6)),
    case(spec("Reshape", (-1, 2, c)), Dim("L", 4), c),
    case(spec("Reshape", (-1, c)), None, c),
    case(spec("Reshape", (Dim("e", 4), 3)), Dim("a", 2), d),
    case(spec("Permute", (2, 1)), T, d),
    case(spec("Permute", dims=(3, 1, 2)), H, W, c),
    case(spec("Permute", (1, 2)), None, d),
    case(spec("RepeatVector", n), d),
    case(spec("RepeatVector", 3), d),
    case(spec("ZeroPadding1D"), T, d),
    case(spec("ZeroPadding1D", padding=(1, 2)), T, d),
    case(spec("ZeroPadding1D", p), T, d),
    case(spec("ZeroPadding1D", 3, data_format="channels_first"), c, T),
    case(spec("ZeroPadding1D", 2), None, d),
    case(spec("ZeroPadding2D"), H, W, c),
    case(spec("ZeroPadding2D", ((1, 2), (3, 4))), H, W, c),
    case(spec("ZeroPadding2D", (1, 2)), H, W, c),
    case(spec("ZeroPadding2D", ((p, 0), 1)), H, W, c),
    case(spec("ZeroPadding2D", 2, data_format="channels_first"), c, H, W),
    case(spec("ZeroPadding3D"), D, H, W, c),
    case(spec("ZeroPadding3D", (1, (2, 3), 0)), D, H, W, c),
    case(spec("ZeroPadding3D", 2, data_format="channels_first"), c, D, H, W),
    case(spec("Cropping1D"), T, d),
    case(spec("Cropping1D", (2, 0)), T, d),
    case(spec("Cropping1D", cropping=p), T, d),
    case(spec("Cropping1D", (3, 3)), None, d),
    case(spec("Cropping2D"), H, W, c),
    case(spec("Cropping2D", ((1, 2), (0, 3))), H, W, c),
    case(spec("Cropping2D", 2), H, W, c),
    case(spec("Cropping2D", (1, p)), H, W, c),
    case(spec("Cropping2D", 1, data_format="channels_first"), c, H, W),
    case(spec("Cropping3D"), D, H, W, c),
    case(spec("Cropping3D", ((1, 0), (0, 1), (2, 2))), D, H, W, c),
    case(spec("Cropping3D", 1, data_format="channels_first"), c, D, H, W),
    case(spec("UpSampling1D"), T, d),
    case(spec("UpSampling1D", size=s), T, d),
    case(spec("UpSampling2D"), H, W, c),
    case(spec("UpSampling2D", (2, s)), H, W, c),
    case(spec("UpSampling2D", 3, interpolation="bilinear"), H, W, c),
    case(spec("UpSampling2D", (2, 3), data_format="channels_first"), c, H, W),
    case(spec("UpSampling3D"), D, H, W, c),
    case(spec("UpSampling3D", (1, 2, s)), D, H, W, c),
    case(spec("UpSampling3D", 2, data_format="channels_first"), c, D, H, W),
    case(spec("UpSampling3D", 2), None, H, W, c),
]

# -- merging -------------------------------------------------------------------------------------
MERGING = [
    case(spec("Subtract"), inputs=[(d,), (d,)]),
    case(spec("Subtract"), inputs=[(T, d), (T, d)]),
    case(spec("Subtract"), inputs=[(T, d), (1, d)]),
    case(spec("Multiply"), inputs=[(d,), (d,)]),
    case(spec("Multiply"), inputs=[(T, d), (T, d), (T, d)]),
    case(spec("Multiply"), inputs=[(T, 1), (T, d)]),
    case(spec("Average"), inputs=[(d,), (d,)]),
    case(spec("Average"), inputs=[(H, W, c)] * 3),
    case(spec("Maximum"), inputs=[(d,), (d,)]),
    case(spec("Maximum"), inputs=[(T, d)] * 3),
    case(spec("Minimum"), inputs=[(d,), (d,)]),
    case(spec("Minimum"), inputs=[(T, d), (T, d), (1, d)]),
    case(spec("Dot", 1), inputs=[(d,), (d, u)]),
    case(spec("Dot", axes=-1), inputs=[(T, d), (u, d)]),
    case(spec("Dot", axes=(2, 2)), inputs=[(T, d), (Dim("S", 5), d)]),
    case(spec("Dot", axes=1), inputs=[(T, d), (T, u)]),
    case(spec("Dot", axes=(2, 1)), inputs=[(T, d), (d, u)]),
    case(spec("Dot", axes=(-1, -2), normalize=True), inputs=[(T, d), (d, u)]),
    case(spec("Dot", axes=-1), inputs=[(T, d), (d,)]),
    case(spec("Dot", axes=(1, 2)), inputs=[(d,), (T, d)]),
    case(spec("Dot", axes=[1, 1], normalize=True), inputs=[(d, T), (d,)]),
    case(spec("Dot", axes=2), inputs=[(H, W, c), (Dim("a", 2), W)]),
]

# -- regularization ------------------------------------------------------------------------------
REGULARIZATION = [
    case(spec("SpatialDropout1D", 0.5), T, c),
    case(spec("SpatialDropout1D", rate=0.1), None, c),
    case(spec("SpatialDropout2D", 0.2), H, W, c),
    case(spec("SpatialDropout2D", 0.2, data_format="channels_first"), c, H, W),
    case(spec("SpatialDropout3D", 0.3), D, H, W, c),
    case(spec("SpatialDropout3D", 0.3, data_format="channels_first"), c, D, H, W),
    case(spec("GaussianNoise", 0.1), d),
    case(spec("GaussianNoise", stddev=0.5), T, d),
    case(spec("GaussianDropout", 0.3), d),
    case(spec("GaussianDropout", rate=0.1), H, W, c),
    case(spec("AlphaDropout", 0.2), d),
    case(spec("AlphaDropout", 0.1, noise_shape=(None, 1, 6)), T, d),
    case(spec("ActivityRegularization"), d),
    case(spec("ActivityRegularization", l1=0.01, l2=0.02), T, d),
    case(spec("ActivityRegularization", 0.1, trainable=False), Dim("d", 1)),
]


@pytest.mark.parametrize("layer_spec, shape", CORE)
def test_core(layer_spec, shape):
    run(layer_spec, shape)


@pytest.mark.parametrize("layer_spec, shape", ACTIVATIONS)
def test_activations(layer_spec, shape):
    run(layer_spec, shape)


@pytest.mark.parametrize("layer_spec, shape", GLOBAL_POOLING)
def test_global_pooling(layer_spec, shape):
    run(layer_spec, shape)


@pytest.mark.parametrize("layer_spec, shape", RESHAPING)
def test_reshaping(layer_spec, shape):
    run(layer_spec, shape)


@pytest.mark.parametrize("layer_spec, shape", MERGING)
def test_merging(layer_spec, shape):
    run(layer_spec, shape)


@pytest.mark.parametrize("layer_spec, shape", REGULARIZATION)
def test_regularization(layer_spec, shape):
    run(layer_spec, shape)


@pytest.mark.parametrize("axes", [1, -1, (1, 1)])
def test_dot_of_two_vectors_keeps_a_unit_axis(axes):
    """Keras's batch dot of ``(None, d)`` and ``(None, d)`` is ``(None, 1)``, not ``(None,)``."""
    facts = check_layer(SL.Dot(axes), keras.layers.Dot(axes), [(6,), (6,)])
    assert facts.output_shape == (None, 1)


# -- PReLU frozen after construction, as Keras users do it ---------------------------------------
@pytest.mark.parametrize("shared_axes", [None, [1, 2]])
def test_prelu_frozen_like_keras_trainable_attribute(shared_axes):
    """``layer.trainable = False`` in Keras moves ``alpha`` to the non-trainable weights;
    symparam's ``trainable=False`` must do the same."""
    keras_layer = keras.layers.PReLU(shared_axes=shared_axes)
    keras_layer.trainable = False
    h, w, ch = S.dims("H W c")
    route = SymbolicRoute(SL.PReLU(shared_axes=shared_axes, trainable=False), (h, w, ch),
                          {"H": 4, "W": 5, "c": 3})
    facts = check_layer(SL.PReLU(shared_axes=shared_axes, trainable=False), keras_layer,
                        (4, 5, 3), symbols=route)
    assert facts.trainable == 0 and facts.non_trainable == facts.params > 0


def test_prelu_formula_is_the_published_one():
    """He et al. (2015): one slope per channel when shared over space, else one per entry."""
    h, w, ch = S.dims("H W c")
    assert SL.PReLU(shared_axes=[1, 2]).derive((None, h, w, ch)).params == ch
    assert SL.PReLU().derive((None, h, w, ch)).params == h * w * ch


# -- a small model of these layers, row by row against Keras -----------------------------------
def _model(k, layers):
    x = k.Input((7, 6))
    masked = layers.Masking()(x)
    a = layers.PReLU(shared_axes=1)(masked)
    b = layers.LeakyReLU(negative_slope=0.2)(layers.ZeroPadding1D((0, 0))(masked))
    scores = layers.Dot(axes=(2, 2))([a, b])
    pooled = layers.GlobalAveragePooling1D()(layers.Softmax()(scores))
    mixed = layers.Subtract()([layers.RepeatVector(7)(pooled), scores])
    y = layers.Reshape((-1,))(layers.Cropping1D((1, 2))(layers.Maximum()([mixed, scores])))
    return k.Model(x, y)


@pytest.mark.filterwarnings("ignore:.*does not support masking")
def test_model_of_basic_layers_matches_keras():
    expected = keras_model_facts(_model(keras, keras.layers))
    check_summary(_model(S, SL).summary(), expected)


# -- refusals ------------------------------------------------------------------------------------
def test_lambda_is_refused_with_its_name():
    with pytest.raises(S.SymparamError, match="Lambda layers run arbitrary code and are not "
                                              "supported"):
        Lambda(lambda x: x * 2)
    with pytest.raises(S.SymparamError, match="Lambda 'square'"):
        Lambda(lambda x: x ** 2, name="square")


BAD_ARGUMENTS = [
    (lambda: SL.Masking(mask_value="zero"), "mask_value"),
    (lambda: SL.Identity(units=3), "units"),
    (lambda: SL.ReLU(max_value=-1), "max_value"),
    (lambda: SL.ReLU(negative_slope=-0.1), "negative_slope"),
    (lambda: SL.ReLU(threshold=None), "threshold"),
    (lambda: SL.LeakyReLU(negative_slope=-1), "negative_slope"),
    (lambda: SL.LeakyReLU(alpha="big"), "alpha"),
    (lambda: SL.ELU(alpha="one"), "alpha"),
    (lambda: SL.Softmax(axis="last"), "axis"),
    (lambda: SL.Softmax(axis=[]), "axis"),
    (lambda: SL.Softmax(axis=3).derive((None, 4)), "axis"),
    (lambda: SL.Softmax(axis=[1, -1]).derive((None, 4)), "axis"),
    (lambda: SL.PReLU(shared_axes="all"), "shared_axes"),
    (lambda: SL.PReLU(shared_axes=3).derive((None, 4, 5)), "shared_axes"),
    (lambda: SL.PReLU(shared_axes=0).derive((None, 4, 5)), "shared_axes"),
    (lambda: SL.PReLU().derive((None, None, 4)), "must be known"),
    (lambda: SL.GlobalMaxPooling2D(data_format="nchw"), "data_format"),
    (lambda: SL.GlobalAveragePooling1D(keepdims="yes"), "keepdims"),
    (lambda: SL.GlobalMaxPooling2D().derive((None, 4, 4)), "spatial axes"),
    (lambda: SL.GlobalMaxPooling1D(pool_size=2), "pool_size"),
    (lambda: SL.Reshape((-1, -1)), "-1"),
    (lambda: SL.Reshape(()), "target_shape"),
    (lambda: SL.Reshape((0, 4)), "target_shape"),
    (lambda: SL.Reshape((3, 5)).derive((None, 4, 4)), "sizes differ"),
    (lambda: SL.Reshape((-1, 5)).derive((None, 12)), "sizes differ"),
    (lambda: SL.Permute((1, 3)), "dims"),
    (lambda: SL.Permute((2, 1)).derive((None, 3, 4, 5)), "rank"),
    (lambda: SL.RepeatVector(0), "n"),
    (lambda: SL.RepeatVector(2.5), "n"),
    (lambda: SL.RepeatVector(2).derive((None, 3, 4)), "rank"),
    (lambda: SL.ZeroPadding1D(-1), "padding"),
    (lambda: SL.ZeroPadding2D(((1, 2), (3, 4), (5, 6))), "padding"),
    (lambda: SL.ZeroPadding2D(((1, 2, 3), 1)), "padding"),
    (lambda: SL.ZeroPadding3D(data_format="channels_middle"), "data_format"),
    (lambda: SL.ZeroPadding2D().derive((None, 4, 3)), "spatial axes"),
    (lambda: SL.Cropping1D((2, 2)).derive((None, 4, 3)), "removes all"),
    (lambda: SL.Cropping2D(((1, 1), (0, 0))).derive((None, 2, 5, 3)), "removes all"),
    (lambda: SL.Cropping3D(1, data_format="channels_first").derive((None, 3, 5, 2, 5)),
     "removes all"),
    (lambda: SL.Cropping1D(data_format="channels_first"), "data_format"),
    (lambda: SL.Cropping2D(-1), "cropping"),
    (lambda: SL.UpSampling1D(0), "size"),
    (lambda: SL.UpSampling2D(interpolation="cubic"), "interpolation"),
    (lambda: SL.UpSampling3D(size=(1, 2)), "size"),
    (lambda: SL.Subtract().derive([(None, 3)] * 3), "exactly 2"),
    (lambda: SL.Multiply().derive([(None, 3), (None, 4)]), "incompatible"),
    (lambda: SL.Average().derive((None, 3)), "list"),
    (lambda: SL.Maximum().derive([(None, 3, 2), (None, 3)]), "incompatible"),
    (lambda: SL.Minimum().derive([(None, 3)]), "at least 2"),
    (lambda: SL.Dot(axes=(1, 2, 3)), "axes"),
    (lambda: SL.Dot(axes="rows"), "axes"),
    (lambda: SL.Dot(1, normalize="no"), "normalize"),
    (lambda: SL.Dot(1).derive([(None, 3), (None, 4)]), "differ"),
    (lambda: SL.Dot(0).derive([(None, 3), (None, 3)]), "non-batch"),
    (lambda: SL.Dot(2).derive([(None, 3, 4), (None, 4)]), "non-batch"),
    (lambda: SL.Dot(1).derive([(None, 3)] * 3), "exactly 2"),
    (lambda: SL.SpatialDropout1D(1.5), "rate"),
    (lambda: SL.SpatialDropout1D(0.5, data_format="channels_first"), "data_format"),
    (lambda: SL.SpatialDropout2D(0.5, data_format="nhwc"), "data_format"),
    (lambda: SL.SpatialDropout2D(0.5).derive((None, 3, 4)), "spatial axes"),
    (lambda: SL.GaussianNoise(2.0), "stddev"),
    (lambda: SL.GaussianDropout(-0.1), "rate"),
    (lambda: SL.AlphaDropout("half"), "rate"),
    (lambda: SL.ActivityRegularization(l1=-1), "l1"),
    (lambda: SL.ActivityRegularization(l2="x"), "l2"),
]


@pytest.mark.parametrize("make, field", BAD_ARGUMENTS,
                         ids=[f"{i}-{field}" for i, (_, field) in enumerate(BAD_ARGUMENTS)])
def test_bad_arguments_are_refused(make, field):
    with pytest.raises(S.SymparamError, match=re.escape(field)):
        make()


def test_errors_name_the_layer():
    with pytest.raises(S.SymparamError, match=r"Cropping2D 'crop'"):
        SL.Cropping2D(3, name="crop").derive((None, 6, 6, 3))


# -- symbolic forms stay exact ------------------------------------------------------------------
def test_symbolic_shapes_are_exact():
    h, w, ch, k = S.dims("H W c k")
    assert SL.Reshape((h, -1)).derive((None, h, w, ch)).output_shape == (None, h, w * ch)
    assert SL.Cropping1D((1, 2)).derive((None, h, ch)).output_shape == (None, h - 3, ch)
    assert SL.UpSampling2D((k, 2)).derive((None, h, w, ch)).output_shape == \
        (None, k * h, 2 * w, ch)
    assert SL.ZeroPadding2D(((k, 0), 1)).derive((None, h, w, ch)).output_shape == \
        (None, h + k, w + 2, ch)
    r = SL.Reshape((2, -1)).derive((None, h))
    assert r.output_shape == (None, 2, h / 2) and r.subs(H=10).output_shape == (None, 2, 5)
    assert all(isinstance(v, sympy.Integer) for v in r.subs(H=10).output_shape[1:])
