"""Encoder-decoders (T5, BART) from their config.json: the heads other than the language model,
one cached decoding step, and the batch ``from_hf_config`` declares; against transformers."""

import json

import hf_reference as ref
import pytest
import sympy
from hf_configs import PUBLISHED, config

import symparam as S
from symparam.cli import main

T, B = S.dims("T B")
HEADS = [("t5", "ForSequenceClassification"), ("t5", "ForQuestionAnswering"),
         ("t5", "ForTokenClassification"), ("t5", "EncoderModel"),
         ("bart", "ForSequenceClassification"), ("bart", "ForQuestionAnswering")]


@pytest.mark.parametrize("family,head", HEADS)
def test_heads_count_and_cost_like_transformers_at_two_lengths(family, head):
    """The classifier reads one decoder vector (the last end-of-sequence token), so its cost
    does not grow with the length; the decoder's input is the shifted encoder input."""
    # T5 shifts the encoder's input right, starting with decoder_start_token_id (0 in every
    # published T5 config, absent from T5Config's defaults); its start and end scores need
    # num_labels = 2
    labels = 2 if head == "ForQuestionAnswering" else 3
    cfg = config(family, head, num_labels=labels, decoder_start_token_id=0)
    summary = S.from_hf_config(cfg).summary()
    assert summary.total == ref.count(cfg)
    for length in (12, 20):
        assert summary.subs(T=length).macs == ref.macs(cfg, length)


def test_sequence_classifier_adds_dense_tanh_and_out_proj():
    cfg = config("bart", "ForSequenceClassification", num_labels=3)
    bare = S.from_hf_config(config("bart", "Model")).summary()
    summary = S.from_hf_config(cfg).summary()
    assert summary.total - bare.total == 64 * 64 + 64 + 64 * 3 + 3
    assert sympy.expand(summary.macs - bare.macs) == 64 * 64 + 64 * 3
    assert [row.class_name for row in summary.rows[-4:]] == ["EosToken", "Linear", "Tanh",
                                                            "Linear"]


def test_encoder_model_is_the_encoder_alone():
    summary = S.from_hf_config(config("t5", "EncoderModel")).summary()
    assert not any(row.name.startswith("decoder") for row in summary.rows)
    assert summary.memory().kv_cache == 0


@pytest.mark.parametrize("family", ["t5", "bart", "t5-relu-tied"])
def test_decoding_step_matches_transformers_cached_generation(family):
    """One new decoder token after a prefill: MACs (the encoder and the cross-attention's key
    and value projections are cached, not recomputed) and the cache transformers holds after
    the step (self-attention: ``target_len`` positions, cross-attention: ``seq_len``)."""
    cfg = config(family)
    symbolic = S.from_hf_config(cfg, decode=True, seq_len=10, target_len=6).summary()
    for length, target in ((10, 6), (16, 9)):
        step = S.from_hf_config(cfg, decode=True, seq_len=length, target_len=target).summary()
        macs, cache = ref.decode_step(cfg, length, target)
        assert (step.macs, step.memory(dtype="fp32").kv_cache) == (macs, cache)
        assert step.total == symbolic.total == ref.count(cfg)


@pytest.mark.parametrize("family", ["gpt2", "llama", "qwen3"])
def test_decoder_only_step_matches_transformers(family):
    cfg = config(family)
    step = S.from_hf_config(cfg, decode=True).summary()
    for length in (8, 13):
        macs, cache = ref.decode_step(cfg, length)
        assert step.subs(T=length).macs == macs
        assert step.memory(dtype="fp32").subs(T=length).kv_cache == cache


def test_t5_small_step_as_a_formula():
    """T5-small, one step with a cache of ``T`` decoder positions over ``S`` encoder outputs:
    per decoder layer the self-attention's four projections, the cross-attention's query and
    output projections, the feed-forward network, and ``QK^T``, ``AV`` over ``T`` and ``S``
    keys; the tied output layer; no encoder."""
    step = S.from_hf_config(PUBLISHED["T5-small"][0], decode=True, seq_len=300,
                            target_len=40).summary()
    d, width, ffn, layers, vocab = 512, 8 * 64, 2048, 6, 32128
    per_layer = 4 * d * width + 2 * d * width + 2 * d * ffn + 2 * width * (40 + 300)
    assert step.macs == layers * per_layer + d * vocab
    prefill = S.from_hf_config(PUBLISHED["T5-small"][0], seq_len=300, target_len=40).summary()
    assert step.total == prefill.total == 60506624
    kv = 2 * layers * width * (40 + 300) * 2  # bf16 keys and values, self and cross
    assert step.memory().kv_cache == prefill.memory().kv_cache == kv


@pytest.mark.parametrize("family", ["llama", "t5", "bart"])
def test_batch_sets_the_memory_default(family):
    """``from_hf_config(batch=4)``: the KV cache of 4 sequences, 4 times one's, as much as
    transformers fills for a batch of 4; MACs stay per example, FLOPs count the batch."""
    cfg = config(family)
    target = 6 if family != "llama" else None
    one = S.from_hf_config(cfg, seq_len=10, target_len=target).summary()
    four = S.from_hf_config(cfg, seq_len=10, target_len=target, batch=4).summary()
    kv = four.memory(dtype="fp32").kv_cache
    assert kv == 4 * one.memory(dtype="fp32").kv_cache == ref.kv_cache_bytes(cfg, 10, 4, target)
    assert four.macs == one.macs and four.flops() == 4 * one.flops() == 8 * one.macs
    training = four.memory(dtype="fp32", optimizer="adam")
    assert training.activations == 4 * one.memory(dtype="fp32", optimizer="adam").activations
    assert four.memory(dtype="fp32", batch=1).kv_cache == one.memory(dtype="fp32").kv_cache
    assert four.activation_bytes() == 4 * one.activation_bytes() \
        == four.activation_bytes(batch=4) != four.activation_bytes(batch=1)


def test_batch_in_a_decoding_step_matches_transformers():
    cfg = config("t5")
    step = S.from_hf_config(cfg, decode=True, seq_len=10, target_len=6, batch=4).summary()
    assert step.memory(dtype="fp32").kv_cache == ref.decode_step(cfg, 10, 6, batch=4)[1]


def test_symbolic_batch():
    summary = S.from_hf_config(PUBLISHED["Llama-3-8B"][0], batch="B").summary()
    assert sympy.expand(summary.memory().kv_cache - 2 * 32 * 8 * 128 * T * B * 2) == 0
    assert summary.subs(B=3).memory().subs(T=10).kv_cache == 3 * 10 * 131072
    assert summary.subs(B=3).flops() == 6 * summary.macs


def test_cli_batch_feeds_the_model(tmp_path, capsys):
    path = tmp_path / "config.json"
    path.write_text(json.dumps(PUBLISHED["T5-small"][0]))
    sections = []
    for batch in ("1", "4"):
        assert main(["hf", str(path), "--set", "T=128", "--batch", batch, "--memory",
                     "--format", "json"]) == 0
        sections.append(json.loads(capsys.readouterr().out))
    assert sections[1]["memory"]["kv_cache"] == 4 * sections[0]["memory"]["kv_cache"]
    assert sections[1]["macs"] == sections[0]["macs"]
    assert main(["hf", str(path), "--decode", "--set", "T=128", "--format", "json"]) == 0
    step = json.loads(capsys.readouterr().out)
    assert int(step["macs"]) < int(sections[0]["macs"]) and step["total"] == 60506624


def test_encoder_and_decoder_lengths_as_two_symbols():
    cfg = config("bart")
    forward = S.from_hf_config(cfg, seq_len="S", target_len="T").summary()
    step = S.from_hf_config(cfg, decode=True, seq_len="S", target_len="T").summary()
    assert forward.subs(S=16, T=8).macs == ref.macs(cfg, 16, 8)
    assert step.subs(S=10, T=6).macs == ref.decode_step(cfg, 10, 6)[0]
    assert step.memory(dtype="fp32").subs(S=10, T=6).kv_cache == ref.decode_step(cfg, 10, 6)[1]
    with pytest.raises(S.SymparamError, match="target_len"):
        S.from_hf_config(cfg, target_len="__import__('os')")
