"""keras-hub's OPT, RoBERTa, XLM-RoBERTa, BART and T5 backbones, exact against keras-hub.

The records in ``tests/data/kerashub`` were written by keras-hub itself
(``KERAS_BACKEND=jax /tmp/khub/bin/python bench/kerashub_record.py``): totals, trainable and
non-trainable counts and each keras-hub layer's count.  These backbones differ from their
Hugging Face twins (position tables two rows shorter, RoBERTa without token types or pooler,
T5's gate and key width as separate fields), and every row is compared, not only the total.
"""

import copy
import json
import re
from pathlib import Path

import pytest

import symparam as S

DATA = Path(__file__).resolve().parent.parent / "data" / "kerashub"
RECORDS = sorted(path.stem for path in DATA.glob("*.json"))

_ENCODER = [(r"embeddings", r"embed_tokens|embed_positions"),
            (r"embeddings_layer_norm", r"LayerNorm"), (r"transformer_layer_\d+", r"layers")]
_SEQ2SEQ = [(r"token_embedding", r"embed_tokens"),
            (r"transformer_encoder_layer_\d+", r"encoder_(block_0|layers)"),
            (r"transformer_decoder_layer_\d+", r"decoder_(block_0|layers)")]
#: keras-hub's layers (by name) and symparam's rows (by name) that hold the same weights
ROWS = {
    "OPTBackbone": [(r"embeddings", r"embed_tokens|embed_positions"),
                    (r"transformer_layer_\d+", r"layers"), (r"layer_norm", r"final_layer_norm")],
    "RobertaBackbone": _ENCODER,
    "XLMRobertaBackbone": _ENCODER,
    "BartBackbone": _SEQ2SEQ + [
        (r"(encoder|decoder)_position_embedding", r"(encoder|decoder)_embed_positions"),
        (r"(encoder|decoder)_embeddings_layer_norm", r"(encoder|decoder)_layernorm_embedding")],
    "T5Backbone": _SEQ2SEQ + [(r"transformer_encoder_layer_0", r"encoder_block_0"),
                              (r"transformer_decoder_layer_0", r"decoder_block_0"),
                              (r"(encoder|decoder)_output_layer_norm",
                               r"(encoder|decoder)_final_layer_norm")],
}


def record(name: str) -> dict:
    return json.loads((DATA / f"{name}.json").read_text())


def backbone_class(data: dict) -> str:
    entry = data["serialized"]
    return entry["config"]["backbone"]["class_name"] if "backbone" in entry["config"] \
        else entry["class_name"]


NEW = [name for name in RECORDS if backbone_class(record(name)) in ROWS]


def test_each_new_backbone_is_recorded():
    assert {backbone_class(record(name)) for name in NEW} == set(ROWS)


@pytest.mark.parametrize("name", RECORDS)
def test_trainable_and_non_trainable_equal_keras_hub(name):
    data = record(name)
    summary = S.from_keras(data["serialized"]).summary()
    assert (summary.trainable, summary.non_trainable) == \
        (data["trainable_params"], data["non_trainable_params"])


@pytest.mark.parametrize("name", NEW)
def test_every_keras_hub_layer_equals_its_rows(name):
    """Each pair's keras-hub layers and symparam rows hold the same number of weights, and
    the pairs cover every layer that has any."""
    data = record(name)
    rows = {row.name: row.params for row in S.from_keras(data["serialized"]).summary().rows}
    covered = set()
    for theirs, ours in ROWS[backbone_class(data)]:
        layers = {layer for layer in data["layers"] if re.fullmatch(theirs, layer)}
        mine = {row for row in rows if re.fullmatch(ours, row)}
        assert layers and mine, (theirs, ours)
        assert sum(data["layers"][layer] for layer in layers) == \
            sum(rows[row] for row in mine), (theirs, ours)
        covered |= layers
    assert covered == set(data["layers"])


@pytest.mark.parametrize("name, published", [("opt_125m", 125_237_760),
                                             ("roberta_base", 124_052_736),
                                             ("bart_base", 139_417_344),
                                             ("t5_small", 60_506_624)])
def test_preset_shapes_match_keras_hub_published_counts(name, published):
    """The counts keras-hub's preset table publishes (``opt_125m_en``, ``roberta_base_en``,
    ``bart_base_en``, ``t5_small_multi``)."""
    assert record(name)["count_params"] == published
    assert S.from_keras(record(name)["serialized"]).summary().total == published


def test_an_opt_causal_lm_reads_as_its_backbone():
    data = record("opt_causal_lm_test")
    assert data["serialized"]["class_name"] == "OPTCausalLM"
    assert S.from_keras(data["serialized"]).summary().total == data["count_params"]


def test_encoder_decoder_length_is_the_given_one():
    entry = record("bart_small_test")["serialized"]
    macs = S.from_keras(entry).summary().macs
    (length,) = macs.free_symbols
    assert S.from_keras(entry, input_shape="None,12").summary().macs == macs.subs(length, 12)


def _entry(name, **changes) -> dict:
    entry = copy.deepcopy(record(name)["serialized"])
    entry["config"].update(changes)
    return entry


@pytest.mark.parametrize("entry, message", [
    (_entry("t5_small_test", tie_embedding_weights=False), "tie_embedding_weights=false"),
    (_entry("t5_small_test", tie_embedding_weights="no"), "tie_embedding_weights must be"),
    (_entry("t5_small_test", use_gated_activation=1), "use_gated_activation must be"),
    (_entry("t5_small_test", activation={"class_name": "Lambda"}), "activation must be"),
    (_entry("t5_small_test", num_heads=65), "smaller than num_heads 65"),
    (_entry("t5_small_test", key_value_dim=0), "key_value_dim must be an integer"),
    (_entry("opt_small_test", max_sequence_length=2), "max_sequence_length must be at least 3"),
    (_entry("bart_small_test", max_sequence_length=2), "max_sequence_length must be at least 3"),
    (_entry("bart_small_test", num_heads=5), "not divisible"),
    (_entry("roberta_small_test", intermediate_dim=-1), "intermediate_dim must be an integer"),
])
def test_fields_without_a_twin_or_out_of_range_are_refused(entry, message):
    with pytest.raises(S.SymparamError, match=re.escape(message)):
        S.from_keras(entry)
