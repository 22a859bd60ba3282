"""Whole models built both in Keras 3 and in symparam, compared summary row by row.

Each model is written once as a function of a ``Kit`` (Keras's or symparam's ``Input``,
``Sequential``, ``Model`` and layers), so the two libraries build the same graph. The Keras model
is built once per module and reduced to plain numbers (``ModelFacts``) before its session is
cleared; symparam's ``summary()`` must match it row by row in Keras's order (``model.layers``:
functional models list their ``InputLayer`` rows, Sequential ones do not), with equal totals.
Names are not compared: Keras's are global to the session. Where a kit is symbolic, sizes
become dimension symbols and the summary is compared after ``.subs(...)``.
"""

from __future__ import annotations

import dataclasses
import gc
from dataclasses import dataclass, field

import keras
import pytest
import sympy
from keras_reference import ModelFacts, check_rows_unordered, check_summary, keras_model_facts

import symparam as S
import symparam.layers as SL


@dataclass
class Kit:
    """What a model builder needs from a library, and how it turns named sizes into values."""

    Input: object
    Sequential: object
    Model: object
    layers: object
    symbolic: bool = False
    is_keras: bool = False
    values: dict = field(default_factory=dict)

    def size(self, name: str, value: int):
        """``value`` (concrete kits) or the dimension symbol ``name`` (the symbolic kit)."""
        assert self.values.setdefault(name, value) == value, f"{name} used with two values"
        return S.dims(name) if self.symbolic else value


def keras_kit() -> Kit:
    return Kit(keras.Input, keras.Sequential, keras.Model, keras.layers, is_keras=True)


def symparam_kit(symbolic: bool = False) -> Kit:
    return Kit(S.Input, S.Sequential, S.Model, SL, symbolic=symbolic)


# -- the models ----------------------------------------------------------------------------------
def seed_dense(k: Kit):
    """The seed post's first example: 784 inputs to Dense(32)."""
    return k.Sequential([k.Input((k.size("d", 784),)), k.layers.Dense(k.size("u", 32))])


def seed_lstm(k: Kit):
    """The seed post: 25 words, Embedding(1000, 256), LSTM(128)."""
    L = k.layers
    return k.Sequential([
        k.Input((k.size("n", 25),), dtype="int32"),
        L.Embedding(k.size("V", 1000), k.size("e", 256)),
        L.LSTM(k.size("u", 128)),
    ])


def seed_gru(k: Kit):
    """The seed post's GRU variant, with Keras 2's ``reset_after=False`` and then the default."""
    L = k.layers
    return k.Sequential([
        k.Input((k.size("n", 25),), dtype="int32"),
        L.Embedding(k.size("V", 1000), k.size("e", 256)),
        L.GRU(k.size("u", 128), reset_after=False, return_sequences=True),
        L.GRU(k.size("v", 64)),
        L.Dense(k.size("c", 10), activation="softmax"),
    ])


def vision_model(k: Kit):
    """The Keras functional-API guide's image encoder (VGG-like), on 224x224 RGB."""
    L = k.layers
    return k.Sequential([
        k.Input((224, 224, 3)),
        L.Conv2D(64, (3, 3), activation="relu", padding="same"),
        L.Conv2D(64, (3, 3), activation="relu"),
        L.MaxPooling2D((2, 2)),
        L.Conv2D(128, (3, 3), activation="relu", padding="same"),
        L.Conv2D(128, (3, 3), activation="relu"),
        L.MaxPooling2D((2, 2)),
        L.Conv2D(256, (3, 3), activation="relu", padding="same"),
        L.Conv2D(256, (3, 3), activation="relu"),
        L.Conv2D(256, (3, 3), activation="relu"),
        L.MaxPooling2D((2, 2)),
        L.Flatten(),
    ])


def question_encoder(k: Kit):
    """Question tokens to one vector: Input((100,), int32), Embedding(10000, 256), LSTM(256)."""
    question = k.Input((k.size("n", 100),), dtype="int32")
    embedded = k.layers.Embedding(input_dim=k.size("V", 10000), output_dim=k.size("e", 256),
                                  )(question)
    return question, k.layers.LSTM(k.size("u", 256))(embedded)


def image_qa(k: Kit):
    """The guide's visual question answering model."""
    image = k.Input((224, 224, 3))
    encoded_image = vision_model(k)(image)
    question, encoded_question = question_encoder(k)
    merged = k.layers.Concatenate()([encoded_image, encoded_question])
    output = k.layers.Dense(k.size("a", 1000), activation="softmax")(merged)
    return k.Model(inputs=[image, question], outputs=output)


def video_qa(k: Kit):
    """The guide's video question answering model: the image encoder over 100 frames, and the
    question encoder reused as a model on a new input."""
    video = k.Input((100, 224, 224, 3))
    encoded_frames = k.layers.TimeDistributed(vision_model(k))(video)
    encoded_video = k.layers.LSTM(k.size("w", 256))(encoded_frames)
    question, encoded_question = question_encoder(k)
    encoder = k.Model(inputs=question, outputs=encoded_question)
    video_question = k.Input((k.size("n", 100),), dtype="int32")
    encoded_video_question = encoder(video_question)
    merged = k.layers.Concatenate()([encoded_video, encoded_video_question])
    output = k.layers.Dense(k.size("a", 1000), activation="softmax")(merged)
    return k.Model(inputs=[video, video_question], outputs=output)


def shared_layers(k: Kit):
    """The guide's shared LSTM: two sequences, one encoder, counted once."""
    L = k.layers
    steps, features = k.size("T", 7), k.size("d", 12)
    first, second = k.Input((steps, features)), k.Input((steps, features))
    shared_lstm = L.LSTM(k.size("u", 16))
    merged = L.Concatenate(axis=-1)([shared_lstm(first), shared_lstm(second)])
    output = L.Dense(1, activation="sigmoid")(merged)
    return k.Model(inputs=[first, second], outputs=output)


def shared_across_ranks(k: Kit):
    """A Dense called on inputs of different ranks: counted once, and its row shows the output
    of its most recent call, as Keras's summary does (``layer._inbound_nodes[-1]``)."""
    L = k.layers
    grid, flat = k.Input((3, k.size("m", 6))), k.Input((k.size("m", 6),))
    shared_dense = L.Dense(k.size("v", 5))
    projected = L.Flatten()(shared_dense(grid))  # first call: (None, 3, v)
    merged = L.Concatenate()([shared_dense(flat), projected])  # last call: (None, v)
    return k.Model(inputs=[grid, flat], outputs=L.Dense(1)(merged))


def freeze(k: Kit, build, *, by_attribute: bool):
    """``build(**options)`` frozen, by ``trainable=False`` or by setting ``.trainable = False``.

    Keras 3.15 is the reference only through the attribute: its constructor argument
    ``trainable=False`` marks the model itself but not the layers inside it, so the outer model
    still counts their weights as trainable (a Keras quirk). symparam gets both forms.
    """
    if by_attribute or k.is_keras:
        model = build()
        model.trainable = False
        return model
    return build(trainable=False)


def frozen_inner(k: Kit, *, by_attribute: bool = False):
    """A nested functional model with ``trainable=False``: all its weights are non-trainable,
    BatchNormalization's moving statistics included; the outer layers stay trainable."""
    L = k.layers
    inner_input = k.Input((k.size("d", 10),))
    hidden = L.Dense(k.size("h", 8), activation="relu")(inner_input)
    hidden = L.BatchNormalization()(hidden)
    inner_output = L.Dense(k.size("e", 4))(hidden)
    inner = freeze(k, lambda **options: k.Model(inner_input, inner_output, **options),
                   by_attribute=by_attribute)
    x = k.Input((k.size("d", 10),))
    y = L.Dense(k.size("c", 3))(inner(x))
    return k.Model(x, y)


def frozen_inner_by_attribute(k: Kit):
    return frozen_inner(k, by_attribute=True)


def frozen_sequential(k: Kit):
    """A frozen Sequential inside a Sequential, followed by a trainable head."""
    L = k.layers
    body = freeze(k, lambda **options: k.Sequential(
        [k.Input((k.size("T", 6), k.size("d", 5))),
         L.LSTM(k.size("u", 8), return_sequences=True), L.Flatten()], **options),
        by_attribute=False)
    return k.Sequential([k.Input((k.size("T", 6), k.size("d", 5))), body,
                         L.Dense(k.size("c", 2))])


MODELS = {
    "seed_dense": seed_dense,
    "seed_lstm": seed_lstm,
    "seed_gru": seed_gru,
    "image_qa": image_qa,
    "video_qa": video_qa,
    "shared_layers": shared_layers,
    "shared_across_ranks": shared_across_ranks,
    "frozen_inner": frozen_inner,
    "frozen_inner_by_attribute": frozen_inner_by_attribute,
    "frozen_sequential": frozen_sequential,
}


@pytest.fixture(scope="module", params=list(MODELS))
def reference(request) -> tuple[str, ModelFacts]:
    """Each Keras model built once per module, read, and released (the video model is big)."""
    name = request.param
    model = MODELS[name](keras_kit())
    facts = keras_model_facts(model)
    del model
    keras.backend.clear_session()
    gc.collect()
    return name, facts


def test_summary_rows_in_keras_order(reference):
    name, expected = reference
    check_summary(MODELS[name](symparam_kit()).summary(), expected)


def test_summary_rows_in_any_order(reference):
    name, expected = reference
    check_rows_unordered(MODELS[name](symparam_kit()).summary(), expected)


def test_symbolic_summary_after_subs(reference):
    name, expected = reference
    kit = symparam_kit(symbolic=True)
    summary = MODELS[name](kit).summary()
    names = {s.name for s in sympy.sympify(summary.total).free_symbols}
    assert names, f"{name}: the symbolic summary has no symbols in its total: {summary.total}"
    assert names <= set(kit.values), f"{name}: unexpected symbols {names - set(kit.values)}"
    check_summary(summary.at(kit.values), expected)


# -- published figures of the seed post and the guide, independent of Keras -------------------
def test_seed_lstm_total_is_published():
    # Embedding 1000*256 = 256000 and LSTM 4*128*(128+256+1) = 197120 (the seed post).
    summary = seed_lstm(symparam_kit()).summary()
    assert summary.total == 256000 + 197120
    assert [row.class_name for row in summary.rows] == ["Embedding", "LSTM"]


def test_seed_dense_total_is_published():
    assert seed_dense(symparam_kit()).summary().total == 25120


def test_check_summary_rejects_rows_out_of_order():
    keras_model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2),
                                    keras.layers.Dense(3)])
    expected = keras_model_facts(keras_model)
    del keras_model
    keras.backend.clear_session()
    summary = S.Sequential([S.Input((4,)), SL.Dense(2), SL.Dense(3)]).summary()
    check_summary(summary, expected)  # the right summary passes
    reordered = dataclasses.replace(expected, rows=expected.rows[::-1])  # same totals
    with pytest.raises(AssertionError, match="rows"):
        check_summary(summary, reordered)
    check_rows_unordered(summary, reordered)
