"""``S.from_hf_config``: counts and MACs against transformers itself and published numbers."""

import json

import hf_reference as ref
import pytest
import sympy
from hf_configs import PUBLISHED, SMALL, VARIANTS, config

import symparam as S

T = S.dim("T")
FAMILIES = sorted(SMALL)
#: bare models and sequence classifiers
OTHER_HEADS = [(family, head) for family in FAMILIES for head in ("Model",
                                                                  "ForSequenceClassification")]


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_published_counts(name):
    cfg, published = PUBLISHED[name]
    assert S.from_hf_config(cfg).summary().total == published == ref.count(cfg)


@pytest.mark.parametrize("family", FAMILIES + sorted(VARIANTS))
def test_language_model_heads_match_transformers(family):
    cfg = config(family)
    assert S.from_hf_config(cfg).summary().total == ref.count(cfg)


@pytest.mark.parametrize("family,head", OTHER_HEADS)
def test_other_heads_match_transformers(family, head):
    cfg = config(family, head, num_labels=3)
    assert S.from_hf_config(cfg).summary().total == ref.count(cfg)


TOKEN_HEADS = [(f, "ForTokenClassification") for f in FAMILIES if f not in ("bart", "opt")]
ANSWER_HEADS = [(f, "ForQuestionAnswering") for f in (
    "llama", "mistral", "mixtral", "qwen2", "qwen3", "gpt2", "gpt_neox", "opt", "falcon", "bert",
    "roberta", "distilbert", "t5", "bart")]


@pytest.mark.parametrize("family,head", TOKEN_HEADS + ANSWER_HEADS)
def test_token_and_answer_heads_match_transformers(family, head):
    labels = 2 if family == "distilbert" and head == "ForQuestionAnswering" else 3
    cfg = config(family, head, num_labels=labels)
    assert S.from_hf_config(cfg).summary().total == ref.count(cfg)


@pytest.mark.parametrize("family", FAMILIES + ["falcon-new", "opt-post"])
def test_macs_match_flop_counter_at_two_lengths(family):
    """Exact, not only within 1%: every product transformers' eager forward computes is in
    the equations (projections, QK^T and AV over every pair, the router, the top-k experts,
    the LM head), and the element-wise work FlopCounterMode ignores is not in MACs."""
    cfg = config(family)
    target = 8 if family in ("t5", "bart") else None
    summary = S.from_hf_config(cfg, target_len=target).summary()
    for length in (16, 32):
        assert summary.subs(T=length).macs == ref.macs(cfg, length, target)


@pytest.mark.parametrize("family,head", [("bert", "ForSequenceClassification"),
                                         ("roberta", "ForQuestionAnswering"),
                                         ("llama", "ForSequenceClassification"),
                                         ("gpt2", "ForTokenClassification"),
                                         ("distilbert", "Model")])
def test_macs_of_other_heads(family, head):
    cfg = config(family, head)
    assert S.from_hf_config(cfg, seq_len=12).summary().macs == ref.macs(cfg, 12)


@pytest.mark.parametrize("name,lengths", [("GPT-2", (128, 512)), ("Mistral-7B", (128, 512)),
                                          ("T5-small", (64, 256))])
def test_full_size_macs_on_the_meta_device(name, lengths):
    cfg = PUBLISHED[name][0]
    target = 32 if name.startswith("T5") else None
    for length in lengths:
        ours = S.from_hf_config(cfg, seq_len=length, target_len=target).summary().macs
        assert ours == ref.macs(cfg, length, target, device="meta")


def test_macs_are_a_polynomial_in_the_sequence_length():
    cfg, _ = PUBLISHED["GPT-2"]
    macs = S.from_hf_config(cfg).summary().macs
    poly = sympy.Poly(macs, T)
    # QK^T and AV: 2 * n_layer * d * T^2 (Kaplan et al. 2020's attention term, per sequence)
    assert poly.coeff_monomial(T**2) == 2 * 12 * 768
    # per token: the 12 d^2 weights of each layer and the tied V x d output layer
    assert poly.coeff_monomial(T) == 12 * 12 * 768**2 + 50257 * 768


def test_causal_counting_keeps_the_lower_triangle():
    cfg, _ = PUBLISHED["Llama-3-8B"]
    full = S.from_hf_config(cfg).summary().macs
    causal = S.from_hf_config(cfg, attention="causal").summary().macs
    # 32 layers, QK^T and AV of width 4096: the T(T-1)/2 pairs above the diagonal are skipped
    assert sympy.expand(full - causal - 32 * 2 * 4096 * T * (T - 1) / 2) == 0


def test_causal_counting_within_a_sliding_window():
    cfg, _ = PUBLISHED["Mistral-7B"]  # sliding_window 4096
    full = S.from_hf_config(cfg, seq_len=10_000).summary().macs
    causal = S.from_hf_config(cfg, seq_len=10_000, attention="causal").summary().macs
    pairs = 4096 * 4097 // 2 + (10_000 - 4096) * 4096  # each query sees at most 4096 keys
    assert full - causal == 32 * 2 * 4096 * (10_000**2 - pairs)


@pytest.mark.parametrize("family,window", [
    ("qwen2", dict(use_sliding_window=True, sliding_window=4, max_window_layers=1)),
    ("gemma2", dict(sliding_window=4, num_hidden_layers=4)),
])
def test_mixed_layer_types_count_and_cost_like_transformers(family, window):
    cfg = config(family, **window)
    summary = S.from_hf_config(cfg).summary()
    assert summary.total == ref.count(cfg)
    assert summary.subs(T=12).macs == ref.macs(cfg, 12)
    assert sum(row.class_name == "Repeated" for row in summary.rows) == (2 if family == "qwen2"
                                                                         else 4)


def test_one_decoding_step_against_a_cache():
    cfg, _ = PUBLISHED["GPT-2"]
    step = S.from_hf_config(cfg, decode=True).summary()
    # Kaplan et al. 2020, forward pass per token: 2N + 2 n_layer n_ctx d_attn FLOPs, N the
    # non-embedding weights; symparam also counts the output layer's V x d
    n = 12 * 12 * 768**2
    assert sympy.expand(step.macs - (n + 50257 * 768 + 12 * 768 * T * 2)) == 0
    assert step.rows[-1].output_shape == (None, 1, 50257)


def test_bert_as_a_decoder_and_without_architectures():
    cfg = config("bert", "ForMaskedLM", is_decoder=True)
    summary = S.from_hf_config(cfg).summary()
    assert summary.total == ref.count(cfg)
    assert summary.memory().kv_cache != 0  # causal self-attention caches its keys
    bare = {k: v for k, v in cfg.items() if k != "architectures"}
    assert S.from_hf_config(bare).summary().total == ref.count(cfg)


@pytest.mark.parametrize("family,fields", [
    ("gpt2", dict(n_embd="d", n_layer="L", n_head="h", vocab_size="V", n_positions="n")),
    ("llama", dict(hidden_size="d", num_hidden_layers="L", num_attention_heads="h",
                   num_key_value_heads="g", intermediate_size="f", vocab_size="V")),
    ("mixtral", dict(num_local_experts="E", num_experts_per_tok="k", hidden_size="d")),
    ("t5", dict(d_model="d", num_layers="L", d_ff="f", d_kv="k", num_heads="h")),
])
def test_symbolic_fields_give_formulas_that_transformers_confirms(family, fields):
    symbolic = S.from_hf_config(config(family), symbolic=fields).summary()
    for changes in ({}, {"d": 32} if family != "t5" else {"f": 40}):
        cfg = config(family)
        named = {fields[k]: v for k, v in cfg.items() if k in fields}
        named.update(changes)
        cfg.update({k: named[name] for k, name in fields.items()})
        assert symbolic.subs(**named).total == ref.count(cfg)
        assert symbolic.subs(**named, T=16).macs == ref.macs(
            cfg, 16, 16 if family == "t5" else None)


def test_gpt2_formula_is_the_textbook_one():
    fields = dict(n_embd="d", n_layer="L", vocab_size="V", n_positions="n", n_head="h")
    total = S.from_hf_config(PUBLISHED["GPT-2"][0], symbolic=fields).summary().total
    d, L, V, n = S.dims("d L V n")
    assert sympy.expand(total - (12 * L * d**2 + 13 * L * d + V * d + n * d + 2 * d)) == 0


def test_sources(tmp_path):
    cfg, published = PUBLISHED["T5-small"]
    (tmp_path / "config.json").write_text(json.dumps(cfg))
    for source in (cfg, json.dumps(cfg), tmp_path, tmp_path / "config.json",
                   str(tmp_path / "config.json")):
        assert S.from_hf_config(source).summary().total == published


def test_lengths_batch_and_json():
    cfg, _ = PUBLISHED["T5-small"]
    summary = S.from_hf_config(cfg, seq_len=512, target_len=128, batch=4).summary()
    shapes = {row.name: row.output_shape for row in summary.rows}
    assert shapes["encoder_final_layer_norm"] == (None, 512, 512)
    assert shapes["lm_head"] == (None, 128, 32128)
    data = json.loads(summary.render("json"))
    assert int(data["total"]) == 60506624 and int(data["macs"]) == summary.macs


def test_mixture_of_experts_counts_every_expert_but_runs_top_k():
    cfg = config("mixtral")
    summary = S.from_hf_config(cfg, seq_len=10).summary()
    dense = S.from_hf_config(config("mixtral", num_local_experts=2)).summary()
    assert summary.total == ref.count(cfg)
    # top-2 of 4 experts costs what 2 of 2 cost, but for the router's 2 more outputs per
    # token in each of the 2 layers
    assert summary.macs - dense.subs(T=10).macs == 10 * 2 * 64 * 2


HOSTILE = [
    (dict(model_type="gpt5"), "model_type"),
    (dict(auto_map={"AutoModel": "modeling_x.X"}, architectures=["XModel"]), "auto_map"),
    (dict(model_type=["llama"]), "model_type"),
    (dict(model_type="llama", hidden_size="4096"), "hidden_size"),
    (dict(model_type="llama", hidden_size=True), "hidden_size"),
    (dict(model_type="llama", hidden_size=40.5), "hidden_size"),
    (dict(model_type="llama", num_hidden_layers=-3), "num_hidden_layers"),
    (dict(model_type="llama", vocab_size=10**15), "vocab_size"),
    (dict(model_type="llama", num_hidden_layers=10**6), "num_hidden_layers"),
    (dict(model_type="llama", num_attention_heads=7), "attention heads"),
    (dict(model_type="llama", num_key_value_heads=5), "num_key_value_heads"),
    (dict(model_type="llama", hidden_act="__import__('os')"), "hidden_act"),
    (dict(model_type="llama", tie_word_embeddings="yes"), "tie_word_embeddings"),
    (dict(model_type="llama", architectures="LlamaForCausalLM"), "architectures"),
    (dict(model_type="llama", architectures=["LlamaForMultipleChoice"]), "architectures"),
    (dict(model_type="t5", architectures=["T5ForMaskedLM"]), "mlm"),
    (dict(model_type="bart", architectures=["BartForCausalLM"]), "decoder of an encoder"),
    (dict(model_type="gpt2", add_cross_attention=True), "add_cross_attention"),
    (dict(model_type="bert", add_cross_attention=True), "add_cross_attention"),
    (dict(model_type="qwen2", use_sliding_window=True, layer_types=["x"]), "layer_types"),
    (dict(model_type="t5", feed_forward_proj="fancy-gelu"), "feed_forward_proj"),
    (dict(model_type="llama", nested=json.loads("[" * 20 + "]" * 20)), "nested"),
]


@pytest.mark.parametrize("cfg,field", HOSTILE)
def test_hostile_configs_are_refused_naming_the_field(cfg, field):
    with pytest.raises(S.SymparamError, match=field.replace("(", r"\(").replace("[", r"\[")):
        S.from_hf_config(cfg)


def test_hostile_sources(tmp_path):
    with pytest.raises(S.SymparamError, match="nested"):
        S.from_hf_config('{"a":' + "[" * 5000 + "]" * 5000 + "}")
    with pytest.raises(S.SymparamError, match="not valid JSON"):
        S.from_hf_config("{not json")
    big = tmp_path / "config.json"
    big.write_text('{"model_type": "llama", "pad": "' + "x" * (5 * 2**20) + '"}')
    with pytest.raises(S.SymparamError, match="larger than"):
        S.from_hf_config(tmp_path)
    with pytest.raises(S.SymparamError, match="cannot read"):
        S.from_hf_config(tmp_path / "missing.json")
    with pytest.raises(S.SymparamError, match="seq_len"):
        S.from_hf_config(PUBLISHED["GPT-2"][0], seq_len=-1)
    for text in ("1000000000", "100000001"):  # a number written as text has a number's limit
        with pytest.raises(S.SymparamError, match="seq_len must be an integer from 1 to"):
            S.from_hf_config(PUBLISHED["GPT-2"][0], seq_len=text)
    with pytest.raises(S.SymparamError, match="attention"):
        S.from_hf_config(PUBLISHED["GPT-2"][0], attention="half")
    with pytest.raises(S.SymparamError, match="batch"):
        S.from_hf_config(PUBLISHED["GPT-2"][0], batch=-2)
    with pytest.raises(S.SymparamError, match="decode"):
        S.from_hf_config(PUBLISHED["BERT-base"][0], decode=True)
    with pytest.raises(S.SymparamError, match="decode"):
        S.from_hf_config(config("t5", "ForSequenceClassification"), decode=True)


def test_a_second_build_reuses_every_derivation():
    """The warm path (well under 50 ms): a config read again derives nothing anew."""
    from symparam.engine.cache import DERIVATIONS
    cfg = PUBLISHED["Mixtral-8x7B"][0]
    S.from_hf_config(cfg).summary()
    misses = DERIVATIONS.misses
    assert S.from_hf_config(cfg).summary().macs is not None
    assert DERIVATIONS.misses == misses


BAD_VALUES = [None, -1, 0, "x", [], {}, 1.5, True, 10**20, ["full_attention"]]


@pytest.mark.parametrize("family", FAMILIES)
def test_any_bad_field_is_one_symparam_error(family):
    """Every field the family reads (and a few it may), set to each bad value: a model or a
    SymparamError, never another exception."""
    from symparam.importers.hf.defaults import DEFAULTS
    base = config(family)
    fields = sorted(set(base) | set(DEFAULTS[family]) | {
        "layer_types", "sliding_window", "use_sliding_window", "num_labels", "id2label",
        "head_dim", "num_key_value_heads", "max_window_layers", "num_ln_in_parallel_attn"})
    for field in fields:
        for value in BAD_VALUES:
            try:
                summary = S.from_hf_config({**base, field: value}).summary()
                summary.memory(), summary.active_params
            except S.SymparamError:
                pass


def test_a_first_answer_loads_no_other_reader():
    """The first ``from_hf_config`` answer in a fresh process (the issue's 1.3x of ``import
    sympy``) imports neither PyTorch, nor the Keras reader, the PyTorch walk or the whole Keras
    catalogue; ``symparam.from_keras`` still works afterwards (imported on first use)."""
    import subprocess
    import sys
    code = ("import json, sys, symparam as S; "
            "S.from_hf_config({'model_type': 'gpt2', 'n_layer': 2}).summary().macs; "
            "print(sorted(m for m in ('torch', 'symparam.importers.keras.config', "
            "'symparam.importers.torch.walk', 'symparam.layers.recurrent', "
            "'symparam.analysis.compare', 'symparam.importers.hf.safetensors') "
            "if m in sys.modules)); "
            "print(S.from_keras.__module__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split("\n")
    assert out[:2] == ["[]", "symparam.importers.keras.config"]
