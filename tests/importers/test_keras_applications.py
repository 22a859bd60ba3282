"""Real architectures from ``keras.applications``, read back by symparam and compared row by row.

Built with ``weights=None`` (nothing is downloaded); symparam rebuilds each from its config with
its own layers, so every layer's equations and every shape rule along the way is checked.
"""

import keras
import pytest
from keras_reference import check_summary, keras_model_facts

import symparam as S

APPLICATIONS = {
    "VGG16": lambda: keras.applications.VGG16(weights=None),
    "ResNet50": lambda: keras.applications.ResNet50(weights=None),
    "MobileNetV2": lambda: keras.applications.MobileNetV2(weights=None),
}


@pytest.mark.parametrize("name", sorted(APPLICATIONS))
def test_application_matches_keras(name):
    model = APPLICATIONS[name]()
    expected = keras_model_facts(model)
    config = model.to_json()
    del model
    keras.backend.clear_session()
    check_summary(S.from_keras(config).summary(), expected)


def test_frozen_application_moves_everything_to_non_trainable():
    model = keras.applications.MobileNetV2(weights=None, include_top=False,
                                           input_shape=(96, 96, 3), alpha=0.35)
    model.trainable = False
    expected = keras_model_facts(model)
    assert expected.trainable == 0
    config = model.to_json()
    keras.backend.clear_session()
    check_summary(S.from_keras(config).summary(), expected)
