"""Hypothesis strategies for the preprocessing layers (issue 15), for the round-trip property
test of ``test_keras_properties.py``: Keras saves the layer in a ``.keras`` file, symparam reads
it back, and every row must match Keras's."""

from __future__ import annotations

from hypothesis import strategies as st
from keras_cases import one

from symparam.layers.preprocessing import ADJUSTMENT_NAMES, AUGMENTATION_NAMES

small = st.integers(1, 6)
#: layers Keras cannot put in a functional model here: the first four need TensorFlow
#: (tests/test_keras_preprocessing.py checks their shapes against Keras's own shape code), and
#: Keras's Equalization returns its input tensor when called symbolically, which Keras then
#: rejects as a cycle
KERAS_CANNOT_BUILD = frozenset({"Hashing", "StringLookup", "IntegerLookup",
                                "TextVectorization", "Equalization"})
#: what an augmentation cannot be built without
REQUIRED = {"RandomPosterization": {"factor": 4}, "RandomZoom": {"height_factor": 0.1},
            "RandomTranslation": {"height_factor": 0.1, "width_factor": 0.1},
            **{name: {"factor": 0.2} for name in (
                "RandomBrightness", "RandomColorDegeneration", "RandomContrast", "RandomHue",
                "RandomRotation", "RandomSaturation", "RandomSharpness")}}


def image(sizes=st.integers(4, 9), channels=(1, 3)):
    """An image shape, its height and width maybe unknown."""
    side = st.one_of(st.none(), sizes)
    return st.tuples(side, side, st.sampled_from(channels))


@st.composite
def rescaling_case(draw):
    shape = draw(image())
    scale = draw(st.sampled_from([1 / 255, 2.0, [0.5] * shape[-1]]))
    return one("Rescaling", dict(scale=scale, offset=draw(st.sampled_from([0.0, -1.0]))),
               shape)


@st.composite
def regrid_case(draw, class_name):
    kwargs = dict(height=draw(small), width=draw(small))
    if class_name == "Resizing":
        kwargs.update(interpolation=draw(st.sampled_from(["bilinear", "nearest", "area"])),
                      crop_to_aspect_ratio=draw(st.booleans()))
    return one(class_name, kwargs, draw(image(st.integers(6, 9))))


@st.composite
def category_encoding_case(draw):
    mode = draw(st.sampled_from(["one_hot", "multi_hot", "count"]))
    shape = draw(st.sampled_from([(1,), (3,), (2, 3)] if mode != "one_hot" else [(1,), (3,)]))
    return one("CategoryEncoding", dict(num_tokens=draw(st.integers(2, 9)), output_mode=mode),
               shape, "int32")


@st.composite
def discretization_case(draw):
    boundaries = sorted(draw(st.lists(st.floats(-3, 3, allow_nan=False), min_size=1,
                                      max_size=4, unique=True)))
    mode = draw(st.sampled_from(["int", "one_hot", "multi_hot", "count"]))
    return one("Discretization", dict(bin_boundaries=boundaries, output_mode=mode),
               draw(st.sampled_from([(1,), (4,), (2, 3)])))


PREPROCESSING_CASES = {
    "Rescaling": rescaling_case(),
    **{name: regrid_case(name) for name in ("Resizing", "CenterCrop", "RandomCrop")},
    **{name: image(channels=[3]).map(lambda shape, name=name: one(name, REQUIRED.get(name, {}),
                                                                  shape))
       for name in AUGMENTATION_NAMES + ADJUSTMENT_NAMES if name not in KERAS_CANNOT_BUILD},
    "CategoryEncoding": category_encoding_case(),
    "Discretization": discretization_case(),
}
