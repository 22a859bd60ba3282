"""``summary.memory(...)`` and ``summary.active_params``: the KV cache against transformers'
own cache, training memory against ZeRO's bytes per parameter, active parameters against
Mixtral's published figure."""

import json

import hf_reference as ref
import pytest
import sympy
from hf_configs import PUBLISHED, config

import symparam as S
from symparam.cli import main

T, B = S.dims("T B")


@pytest.mark.parametrize("family", ["llama", "mistral", "gemma", "gpt2", "falcon", "qwen3",
                                    "t5", "bart"])
def test_kv_cache_matches_the_cache_transformers_fills(family):
    cfg = config(family)
    target = 6 if family in ("t5", "bart") else None
    summary = S.from_hf_config(cfg, seq_len=10, target_len=target).summary()
    ours = summary.memory(dtype="fp32", batch=2).kv_cache
    assert ours == ref.kv_cache_bytes(cfg, 10, 2, target)


def test_kv_cache_formula_of_grouped_query_attention():
    # 2 * layers * kv_heads * head_dim * T * batch * bytes: Llama-3-8B keeps 128 KiB per token
    summary = S.from_hf_config(PUBLISHED["Llama-3-8B"][0]).summary()
    kv = summary.memory(dtype="bf16", batch=B).kv_cache
    assert sympy.expand(kv - 2 * 32 * 8 * 128 * T * B * 2) == 0
    assert summary.memory(dtype="int8").kv_cache == 2 * 32 * 8 * 128 * T


def test_encoders_keep_no_cache():
    assert S.from_hf_config(config("bert")).summary().memory().kv_cache == 0


def test_largest_context_whose_cache_fits():
    summary = S.from_hf_config(PUBLISHED["Llama-3-8B"][0]).summary()
    kv = summary.memory(dtype="bf16").kv_cache
    longest = sympy.floor(sympy.solve(sympy.Eq(kv, 24 * 2**30), T)[0])
    assert longest == 196608  # 24 GiB / (2 * 32 layers * 8 heads * 128 * 2 bytes)


@pytest.mark.parametrize("family,window", [
    ("mistral", dict(sliding_window=4)),
    ("mixtral", dict(sliding_window=4)),
    ("phi3", dict(sliding_window=4)),
    ("qwen2", dict(use_sliding_window=True, sliding_window=4, max_window_layers=1)),
    ("qwen3", dict(use_sliding_window=True, sliding_window=4,
                   layer_types=["sliding_attention", "full_attention"])),
    ("gemma2", dict(sliding_window=4)),
])
def test_sliding_window_caches_match_transformers(family, window):
    cfg = config(family, **window)
    summary = S.from_hf_config(cfg).summary()
    assert summary.total == ref.count(cfg)
    for length in (3, 10):
        ours = summary.memory(dtype="fp32").subs(T=length).kv_cache
        assert ours == ref.kv_cache_bytes(cfg, length, 1)


def test_mistral_cache_stops_growing_at_its_window():
    summary = S.from_hf_config(PUBLISHED["Mistral-7B"][0]).summary()
    kv = summary.memory(dtype="bf16")
    per_token = 2 * 32 * 8 * 128 * 2
    assert kv.subs(T=1000).kv_cache == 1000 * per_token
    assert kv.subs(T=100_000).kv_cache == 4095 * per_token  # transformers keeps window - 1


@pytest.mark.parametrize("dtype,optimizer,per_parameter", [
    ("bf16", "adam", 16),   # ZeRO (Rajbhandari et al. 2020): 2 + 2 + 12 bytes
    ("fp32", "adam", 16),   # 4 + 4 + 8: no master copy
    ("bf16", "sgd", 12),    # 2 + 2 + momentum 4 + master 4
    ("bf16", None, 2),
])
def test_training_states_per_parameter(dtype, optimizer, per_parameter):
    summary = S.from_hf_config(PUBLISHED["GPT-2"][0]).summary()
    m = summary.memory(dtype=dtype, optimizer=optimizer)
    assert m.weights + m.gradients + m.optimizer == per_parameter * 124439808
    assert m.total == m.weights + m.gradients + m.optimizer + m.activations + m.kv_cache


def test_activations_grow_with_attention_and_recomputation_keeps_one_layer():
    summary = S.from_hf_config(PUBLISHED["GPT-2"][0]).summary()
    saved = sympy.Poly(summary.memory(optimizer="adam").activations, T)
    recomputed = sympy.Poly(summary.memory(optimizer="adam", recompute=True).activations, T)
    # the softmax output, 12 heads x T x T in 2 bytes, in each of 12 layers (Korthikanti et
    # al. 2022 count 5 bytes per entry: scores, softmax, dropout mask), only one recomputed
    assert saved.coeff_monomial(T**2) == 12 * 12 * 2
    assert recomputed.coeff_monomial(T**2) == 12 * 2
    assert recomputed.coeff_monomial(T) < saved.coeff_monomial(T)


def test_active_parameters_of_a_mixture_of_experts():
    mixtral = S.from_hf_config(PUBLISHED["Mixtral-8x7B"][0]).summary()
    assert mixtral.active_params == 12_879_925_248  # "12.9B active parameters"
    dense = S.from_hf_config(PUBLISHED["Mistral-7B"][0]).summary()
    assert dense.active_params == dense.total


def test_symbolic_then_concrete():
    summary = S.from_hf_config(PUBLISHED["Llama-2-7B"][0]).summary()
    m = summary.memory(batch=B).subs(T=4096, B=1)
    assert m.kv_cache == 2 * 32 * 4096 * 4096 * 2
    assert m.as_dict()["total"] == 6738415616 * 2 + 2 * 32 * 4096 * 4096 * 2
    with pytest.raises(S.SymparamError, match="dtype"):
        summary.memory(dtype="fp13")
    with pytest.raises(S.SymparamError, match="optimizer"):
        summary.memory(optimizer="lion")


def test_cli_memory_section(tmp_path, capsys):
    path = tmp_path / "config.json"
    path.write_text(json.dumps(PUBLISHED["Llama-2-7B"][0]))
    assert main(["hf", str(path), "--set", "T=4096", "--memory", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["memory"]["kv_cache"] == 2 * 32 * 4096 * 4096 * 2
    assert main(["hf", str(path), "--memory", "--optimizer", "adam", "--batch", "8"]) == 0
    assert "optimizer" in capsys.readouterr().out


def test_budget_queries_on_config_formulas():
    from symparam.analysis.query import solve_budget
    llama3 = S.from_hf_config(PUBLISHED["Llama-3-8B"][0]).summary()
    kv = llama3.memory(dtype="bf16", batch=B).kv_cache
    # the longest context for 8 sequences whose cache fits in 24 GiB, and the largest batch
    # at 8,192 tokens: 2 * 32 * 8 * 128 * 2 bytes per token
    assert solve_budget(kv, 24 * 2**30, "T", values={"B": 8}) == 24 * 2**30 // (131072 * 8)
    assert solve_budget(kv, 24 * 2**30, "B", values={"T": 8192}) == 24
    # the widest Llama-2 (32 layers, 32 heads, MLP 11008) within 7 billion parameters
    llama2 = S.from_hf_config(PUBLISHED["Llama-2-7B"][0],
                              symbolic={"hidden_size": "d", "num_key_value_heads": "h",
                                        "num_attention_heads": "h"}).summary()
    width = solve_budget(llama2.total, 7_000_000_000, "d")
    assert llama2.subs(d=width).total <= 7e9 < llama2.subs(d=width + 1).total
    assert 4096 < width < 4300


@pytest.mark.parametrize("family", ["gpt2", "llama", "mistral", "bert"])
def test_activation_estimate_is_near_what_autograd_saves(family):
    """An estimate, not an exact count: every vector the equations compute per position and
    the attention probabilities, against the storages autograd keeps (measured: 0.7x for
    GPT-2, 0.84x for Mistral, 0.87x for Llama, 1.3x for BERT)."""
    cfg = config(family)
    summary = S.from_hf_config(cfg).summary()
    for length in (16, 32):
        ours = summary.memory(dtype="fp32", optimizer="adam").subs(T=length).activations
        assert 0.5 < ours / ref.saved_activation_bytes(cfg, length) < 2


def test_values_given_to_the_summary_reach_memory_and_active_params():
    """``summary.subs(T=...)`` then ``memory()`` is ``memory()`` then ``subs``: the KV cache and
    the activations, read off the rows' derivations, follow the summary's values (they kept
    ``T`` before); so do a mixture of experts' active parameters."""
    summary = S.from_hf_config(PUBLISHED["GPT-2"][0]).summary()
    for optimizer in (None, "adam"):
        given = summary.subs(T=128).memory(optimizer=optimizer)
        assert given == summary.memory(optimizer=optimizer).subs(T=128)
        assert all(getattr(given, part).is_Integer for part in ("kv_cache", "activations"))
    assert summary.subs(T=128).memory().kv_cache == 2 * 12 * 768 * 128 * 2
    mixtral = S.from_hf_config(PUBLISHED["Mixtral-8x7B"][0],
                               symbolic={"hidden_size": "d"}).summary()
    assert mixtral.subs(d=4096).active_params == 12_879_925_248
