"""keras-hub's ViTBackbone and ViTImageClassifier read from their serialized config, exact
against the counts keras-hub itself recorded (``bench/kerashub_record.py``, ``VIT_CASES``)."""

import copy
import json
import re
from pathlib import Path

import hf_reference as ref
import pytest

import symparam as S

DATA = Path(__file__).resolve().parent.parent / "data" / "kerashub"
VIT_RECORDS = sorted(path.stem for path in DATA.glob("vit_*.json"))
#: keras-hub's two layers, and the rows of symparam's each stands for
KERAS_LAYERS = {"vit_patching_and_embedding": ("patch_embeddings", "cls_token",
                                               "patch_tokens", "position_embeddings"),
                "vit_encoder": ("layers", "layernorm")}


def record(name: str) -> dict:
    return json.loads((DATA / f"{name}.json").read_text())


def _entry(name="vit_small_test", **changes) -> dict:
    entry = copy.deepcopy(record(name)["serialized"])
    entry["config"].update(changes)
    return entry


def test_the_records_cover_backbones_and_classifiers():
    classes = {record(name)["serialized"]["class_name"] for name in VIT_RECORDS}
    assert classes == {"ViTBackbone", "ViTImageClassifier"} and len(VIT_RECORDS) >= 5


@pytest.mark.parametrize("name", VIT_RECORDS)
def test_each_keras_hub_layer_equals_its_rows(name):
    data = record(name)
    rows = {row.name: row.params for row in S.from_keras(data["serialized"]).summary().rows}
    assert S.from_keras(data["serialized"]).summary().total == data["count_params"]
    for layer, ours in KERAS_LAYERS.items():
        assert sum(rows.get(row, 0) for row in ours) == data["layers"][layer]


def test_vit_base_is_the_preset_and_transformers_without_the_pooler():
    """keras-hub's preset vit_base_patch16_224_imagenet states 85,798,656 parameters;
    transformers' ViTModel of that shape adds its pooler's 768 x 768 + 768."""
    data = record("vit_base_patch16_224")
    assert data["count_params"] == 85_798_656
    assert S.from_keras(data["serialized"]).summary().total == 85_798_656
    hf = dict(model_type="vit", architectures=["ViTModel"])
    assert ref.count(hf) - 768 * 769 == 85_798_656


def test_macs_equal_transformers_on_the_same_architecture():
    """The small backbone is transformers' ViTModel without a pooler: the same MACs but the
    pooler's 64 x 64 (keras-hub has no counter of its own to record)."""
    keras = S.from_keras(record("vit_small_test")["serialized"]).summary()
    hf = dict(model_type="vit", architectures=["ViTModel"], hidden_size=64,
              num_hidden_layers=2, num_attention_heads=4, intermediate_size=128,
              image_size=32, patch_size=8, layer_norm_eps=1e-6)
    assert keras.macs == ref.image_macs(hf, 32) - 64 * 64


def test_input_shape_must_be_the_backbones_image():
    entry = record("vit_small_test")["serialized"]
    fixed = S.from_keras(entry, input_shape="None,32,32,3").summary()
    assert fixed.macs == S.from_keras(entry).summary().macs
    with pytest.raises(S.SymparamError, match="input_shape must be the backbone's image"):
        S.from_keras(entry, input_shape="None,64,64,3")


def test_channels_first_configs_are_read_as_stated():
    entry = _entry(image_shape=[3, 32, 32], data_format="channels_first")
    assert S.from_keras(entry).summary().total == record("vit_small_test")["count_params"]
    fixed = S.from_keras(entry, input_shape="None,3,32,32").summary()
    assert fixed.macs == S.from_keras(record("vit_small_test")["serialized"]).summary().macs
    with pytest.raises(S.SymparamError, match=re.escape("(batch, 3, 32, 32)")):
        S.from_keras(entry, input_shape="None,32,32,3")


@pytest.mark.parametrize("entry, message", [
    (_entry(image_shape=[30, 32, 3]), "not divisible by patch_size"),
    (_entry(image_shape=[32, 32]), "image_shape must be"),
    (_entry(image_shape=[None, 32, 3]), "image_shape must be an integer"),
    (_entry(patch_size="8"), "patch_size must be an integer"),
    (_entry(num_heads=5), "not divisible"),
    (_entry(num_layers=10**6), "num_layers must be an integer"),
    (_entry(use_class_token="no"), "use_class_token must be true or false"),
    (_entry(mlp_dim=None), "config has no mlp_dim"),
    (_entry(data_format="channels_middle"), "data_format must be"),
    (_entry(data_format=7), "data_format must be"),
    ({**_entry(), "registered_name": "keras_hub>BertBackbone"}, "registered_name"),
    ({**_entry(), "module": "my_package.vit"}, "is not keras-hub's"),
])
def test_bad_backbones_are_one_clear_error(entry, message):
    with pytest.raises(S.SymparamError, match=re.escape(message)):
        S.from_keras(entry)


def test_bad_classifiers_are_one_clear_error():
    data = record("vit_image_classifier_test")["serialized"]
    for changes, message in ((dict(pooling="max"), "pooling must be"),
                             (dict(num_classes=0), "num_classes must be"),
                             (dict(intermediate_dim=-1), "intermediate_dim must be"),
                             (dict(backbone=record("bert_small_test")["serialized"]),
                              "needs a serialized ViTBackbone backbone"),
                             (dict(backbone="ViTBackbone"),
                              "needs a serialized ViTBackbone backbone")):
        entry = copy.deepcopy(data)
        entry["config"].update(changes)
        with pytest.raises(S.SymparamError, match=re.escape(message)):
            S.from_keras(entry)
    with pytest.raises(S.SymparamError, match="--symbolic"):
        S.from_keras(_entry(), symbolic=["ViTBackbone.hidden_dim=d"])
