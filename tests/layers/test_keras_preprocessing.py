"""Preprocessing layers and the layers keras.applications defines, against real Keras 3.

Counts and output shapes come from Keras: ``count_params()``, the weights, and the shape of the
tensor the layer returns on ``keras.Input``.  ``StringLookup``, ``IntegerLookup``, ``Hashing``
and ``TextVectorization`` cannot be built without TensorFlow, so their shapes are compared with
Keras's own ``compute_output_shape`` code run on their attributes.
"""

from types import SimpleNamespace

import keras
import pytest
from keras.src.applications.convnext import LayerScale as KerasLayerScale
from keras.src.applications.inception_resnet_v2 import CustomScaleLayer as KerasCustomScale
from keras_reference import Dim, SymbolicRoute, check_layer, check_spec, spec

import symparam as S
import symparam.layers as SL
from symparam.layers.applications import CustomScaleLayer, LayerScale
from symparam.layers.preprocessing import ADJUSTMENT_NAMES, AUGMENTATION_NAMES

H, W = Dim("H", 12), Dim("W", 10)
IMAGE = (H, W, 3)

IMAGE_SPECS = [
    spec("Rescaling", scale=1 / 255),
    spec("Rescaling", scale=[0.5, 0.25, 2.0], offset=-1.0),
    spec("Resizing", Dim("h", 5), Dim("w", 7)),
    spec("Resizing", Dim("h", 6), 6, interpolation="nearest", crop_to_aspect_ratio=True),
    spec("CenterCrop", Dim("h", 4), Dim("w", 3)),
    spec("RandomCrop", Dim("h", 4), 5),
    spec("RandomFlip", "horizontal"),
    spec("RandomRotation", 0.2),
    spec("RandomZoom", 0.1, 0.2),
    spec("RandomTranslation", 0.1, 0.1),
    spec("RandomContrast", 0.2),
    spec("RandomBrightness", 0.2),
    spec("RandomGrayscale", 0.5),
    spec("RandomHue", 0.2),
]


@pytest.mark.parametrize("layer_spec", IMAGE_SPECS, ids=repr)
def test_image_preprocessing_matches_keras(layer_spec):
    check_spec(layer_spec, IMAGE)


#: the Keras arguments an augmentation cannot do without
REQUIRED = {"RandomPosterization": {"factor": 4}, "RandomZoom": {"height_factor": 0.1},
            "RandomTranslation": {"height_factor": 0.1, "width_factor": 0.1},
            **{name: {"factor": 0.2} for name in (
                "RandomBrightness", "RandomColorDegeneration", "RandomContrast", "RandomHue",
                "RandomRotation", "RandomSaturation", "RandomSharpness")}}


@pytest.mark.parametrize("name", AUGMENTATION_NAMES + ADJUSTMENT_NAMES)
def test_every_augmentation_keeps_the_shape_as_in_keras(name):
    """Each augmentation symparam registers exists in Keras, with no weight and the image's
    shape."""
    kwargs = REQUIRED.get(name, {})
    check_layer(getattr(SL, name)(**kwargs), getattr(keras.layers, name)(**kwargs), (8, 8, 3))


@pytest.mark.parametrize("layer_spec,shape", [
    (spec("CategoryEncoding", num_tokens=Dim("V", 10), output_mode="one_hot"), (1,)),
    (spec("CategoryEncoding", num_tokens=Dim("V", 10), output_mode="one_hot"), (Dim("n", 4),)),
    (spec("CategoryEncoding", num_tokens=Dim("V", 10), output_mode="multi_hot"), (Dim("n", 4),)),
    (spec("CategoryEncoding", num_tokens=Dim("V", 10), output_mode="count"), (3, Dim("n", 4))),
], ids=repr)
def test_category_encoding_matches_keras(layer_spec, shape):
    check_spec(layer_spec, shape, dtype="int32")


@pytest.mark.parametrize("mode", ["int", "one_hot", "multi_hot", "count"])
@pytest.mark.parametrize("shape", [(1,), (4,), (3, 2)])
def test_discretization_matches_keras(mode, shape):
    boundaries = [0.0, 1.0, 2.5]
    check_layer(SL.Discretization(bin_boundaries=boundaries, output_mode=mode),
                keras.layers.Discretization(bin_boundaries=boundaries, output_mode=mode),
                shape)


def test_normalization_with_constants_has_no_weights_in_keras():
    check_layer(SL.Normalization(mean=[1.0, 2.0], variance=[1.0, 4.0]),
                keras.layers.Normalization(mean=[1.0, 2.0], variance=[1.0, 4.0]), (5, 2))


def test_layer_scale_matches_keras():
    route = SymbolicRoute(LayerScale(1e-6, "d"), (7, 7, S.dims("d")), {"d": 24})
    check_layer(LayerScale(1e-6, 24), KerasLayerScale(1e-6, 24), (7, 7, 24), symbols=route)


def test_custom_scale_layer_matches_keras():
    check_layer(CustomScaleLayer(0.17), KerasCustomScale(0.17), [(5, 5, 8), (5, 5, 8)])


# -- layers Keras builds only with TensorFlow: Keras's shape code on their attributes ----------
def _lookup(mode, max_tokens, pad, size):
    """What Keras's ``IndexLookup.compute_output_shape`` reads from a lookup layer."""
    return SimpleNamespace(output_mode=mode, max_tokens=max_tokens, pad_to_max_tokens=pad,
                           _frozen_vocab_size=size)


@pytest.mark.parametrize("mode", ["int", "one_hot", "multi_hot", "count", "tf_idf"])
@pytest.mark.parametrize("pad", [True, False])
@pytest.mark.parametrize("shape", [(None, 1), (None, 5)])
def test_lookups_follow_keras_shape_rule(mode, pad, shape):
    expected = keras.layers.StringLookup.compute_output_shape(_lookup(mode, 50, pad, 23), shape)
    for cls in (SL.StringLookup, SL.IntegerLookup):
        got = cls(max_tokens=50, pad_to_max_tokens=pad, vocabulary_size=23,
                  output_mode=mode).derive(shape)
        assert got.params == 0
        assert tuple(None if s is None else int(s) for s in got.output_shape) == expected


@pytest.mark.parametrize("mode", ["int", "multi_hot", "count", "tf_idf"])
@pytest.mark.parametrize("split", ["whitespace", None])
@pytest.mark.parametrize("shape", [(None,), (None, 1)])
def test_text_vectorization_follows_keras_shape_rule(mode, split, shape):
    lookup = _lookup(mode, 40, True, 17)
    lookup.compute_output_shape = lambda s: keras.layers.StringLookup.compute_output_shape(
        lookup, s)
    owner = SimpleNamespace(_output_mode=mode, _output_sequence_length=9, _split=split,
                            _lookup_layer=lookup)
    expected = keras.layers.TextVectorization.compute_output_shape(owner, shape)
    got = SL.TextVectorization(max_tokens=40, pad_to_max_tokens=True, output_mode=mode,
                               split=split, output_sequence_length=9).derive(shape)
    assert got.params == 0
    assert tuple(None if s is None else int(s) for s in got.output_shape) == tuple(expected)


@pytest.mark.parametrize("mode", ["int", "one_hot", "multi_hot", "count"])
def test_hashing_follows_keras_shape_rule(mode):
    owner = SimpleNamespace(output_mode=mode, num_bins=16)
    expected = keras.layers.Hashing.compute_output_shape(owner, (None, 3))
    got = SL.Hashing(num_bins=16, output_mode=mode).derive((None, 3))
    assert tuple(None if s is None else int(s) for s in got.output_shape) == tuple(expected)
