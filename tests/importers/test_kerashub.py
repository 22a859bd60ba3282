"""keras-hub backbones read from their serialized Keras config, exact against keras-hub.

keras-hub needs TensorFlow, which stays out of the test install: the configs and counts in
``tests/data/kerashub`` were recorded once by keras-hub itself with
``KERAS_BACKEND=jax /tmp/khub/bin/python bench/kerashub_record.py`` (see that script), and
those recorded numbers are the oracle here, never values symparam computed.
"""

import copy
import json
import re
import zipfile
from pathlib import Path

import pytest

import symparam as S
from symparam.cli import main

DATA = Path(__file__).resolve().parent.parent / "data" / "kerashub"
RECORDS = sorted(path.stem for path in DATA.glob("*.json"))
#: the records of text backbones, whose layer stacks keras-hub names ``transformer_layer_i``
#: (ViT's are in test_kerashub_vit.py)
TEXT_RECORDS = [name for name in RECORDS if not name.startswith("vit_")]
BLOCK = re.compile(r"(transformer_((en|de)coder_)?layer|decoder_block)_\d+")
#: symparam's rows of the stack(s): a repeated run, or a first layer unlike the rest (T5)
STACK = re.compile(r"((en|de)coder_)?(layers(_\d+)?|block_0)")


def record(name: str) -> dict:
    return json.loads((DATA / f"{name}.json").read_text())


def test_records_are_present_and_name_their_command():
    assert len(RECORDS) >= 10
    for name in RECORDS:
        assert "bench/kerashub_record.py" in record(name)["command"]


@pytest.mark.parametrize("name", RECORDS)
def test_total_equals_keras_hub_count_params(name):
    data = record(name)
    summary = S.from_keras(data["serialized"]).summary()
    assert summary.total == data["count_params"]


@pytest.mark.parametrize("name", TEXT_RECORDS)
def test_transformer_layers_equal_keras_hub_layers(name):
    """The stack of layers alone, against the sum of keras-hub's per-layer counts."""
    data = record(name)
    summary = S.from_keras(data["serialized"]).summary()
    ours = sum(row.params for row in summary.rows if STACK.fullmatch(row.name))
    theirs = sum(count for layer, count in data["layers"].items() if BLOCK.fullmatch(layer))
    assert theirs > 0
    assert ours == theirs


@pytest.mark.parametrize("name, published", [("gpt2_base", 124_439_808),
                                             ("llama3_2_1b", 1_235_814_400),
                                             ("gemma_2b", 2_506_172_416)])
def test_preset_sized_backbones_match_published_counts(name, published):
    assert record(name)["count_params"] == published
    assert S.from_keras(record(name)["serialized"]).summary().total == published


def test_qwen3_0_6b_shape_equals_transformers_count():
    """keras-hub's Qwen3Backbone of Qwen3-0.6B's shape (recorded), symparam and transformers'
    own Qwen3ForCausalLM of the same config on the meta device: one count."""
    import hf_reference as ref
    hf = dict(model_type="qwen3", architectures=["Qwen3ForCausalLM"], vocab_size=151936,
              num_hidden_layers=28, num_attention_heads=16, num_key_value_heads=8,
              head_dim=128, hidden_size=1024, intermediate_size=3072,
              tie_word_embeddings=True)
    data = record("qwen3_0_6b")
    assert S.from_keras(data["serialized"]).summary().total == data["count_params"] \
        == ref.count(hf) == 596_049_920


def test_a_dropped_tie_rebuilds_untied_as_keras_hub_does():
    """keras-hub 0.32's LlamaBackbone.get_config omits tie_word_embeddings: its own rebuild
    from that config is untied, and so is symparam's reading."""
    data = record("llama_tied_unpatched_test")
    assert data["count_params"] != data["count_params_as_first_built"]
    assert S.from_keras(data["serialized"]).summary().total == data["count_params"]


def test_sequence_length_is_a_symbol_unless_given():
    entry = record("gpt2_small_test")["serialized"]
    macs = S.from_keras(entry).summary().macs
    (length,) = macs.free_symbols
    assert str(length) == "T"
    fixed = S.from_keras(entry, input_shape="None,16").summary().macs
    assert fixed == macs.subs(length, 16)


def test_cli_reads_a_keras_file_and_a_preset_config(tmp_path, capsys):
    data = record("bert_small_test")
    preset = tmp_path / "config.json"
    preset.write_text(json.dumps(data["serialized"]))
    archive = tmp_path / "bert.keras"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr("config.json", json.dumps(data["serialized"]))
        handle.writestr("metadata.json", "{}")
    for path in (preset, archive):
        assert main(["keras", str(path), "--format", "json"]) == 0
        assert json.loads(capsys.readouterr().out)["total"] == data["count_params"]


def _entry(name="gpt2_small_test", **changes) -> dict:
    entry = copy.deepcopy(record(name)["serialized"])
    entry["config"].update(changes)
    return entry


@pytest.mark.parametrize("entry, message", [
    ({**_entry(), "class_name": "ResNetBackbone",
      "registered_name": "keras_hub>ResNetBackbone"},
     "unsupported keras-hub class 'ResNetBackbone'"),
    ({**_entry(), "registered_name": "keras_hub>BertBackbone"}, "registered_name"),
    ({**_entry(), "module": "my_package.models"}, "is not keras-hub's"),
    (_entry(num_layers="12"), "num_layers must be an integer"),
    (_entry(hidden_dim=True), "hidden_dim must be an integer"),
    (_entry(vocabulary_size=10**12), "vocabulary_size must be an integer"),
    (_entry(num_heads=5), "not divisible"),
    (_entry("llama_small_test", tie_word_embeddings="yes"), "tie_word_embeddings must be"),
    (_entry("gemma_small_test", use_post_ffw_norm=True), "matches no Gemma"),
    (_entry("gemma_small_test", use_sliding_window_attention=True), "matches no Gemma"),
])
def test_bad_backbones_are_refused_with_one_clear_error(entry, message):
    with pytest.raises(S.SymparamError, match=re.escape(message)):
        S.from_keras(entry)


def test_missing_field_is_named():
    entry = _entry()
    del entry["config"]["num_heads"]
    with pytest.raises(S.SymparamError, match="GPT2Backbone: config has no num_heads"):
        S.from_keras(entry)


def test_a_causal_lm_task_reads_as_its_backbone_and_other_tasks_are_refused():
    data = record("llama_causal_lm_test")
    assert data["serialized"]["class_name"] == "LlamaCausalLM"
    assert S.from_keras(data["serialized"]).summary().total == data["count_params"]
    wrong = copy.deepcopy(data["serialized"])
    wrong["config"]["backbone"] = _entry()
    with pytest.raises(S.SymparamError, match="LlamaCausalLM needs a LlamaBackbone backbone"):
        S.from_keras(wrong)
    classifier = {"module": "keras_hub.src.models.bert.bert_text_classifier",
                  "class_name": "BertTextClassifier", "registered_name":
                  "keras_hub>BertTextClassifier", "config": {"backbone": _entry("bert_base")}}
    with pytest.raises(S.SymparamError, match="unsupported keras-hub class 'BertTextClassifier'"):
        S.from_keras(classifier)


def test_symbolic_rules_cannot_select_a_backbone():
    with pytest.raises(S.SymparamError, match="--symbolic"):
        S.from_keras(_entry(), symbolic=["GPT2Backbone.hidden_dim=d"])


def test_a_bare_get_config_is_refused_with_a_hint():
    with pytest.raises(S.SymparamError, match="serialize_keras_object"):
        S.from_keras(record("gpt2_small_test")["serialized"]["config"])
