"""Which family reads which ``model_type``, and each family's defaults for absent fields.

The defaults are those of the ``transformers`` configuration classes (``LlamaConfig()``,
``GPT2Config()``, ...; transformers 5), restricted to the fields that change a count or a cost:
a ``config.json`` saved by ``transformers`` usually states them all, but hand-written and older
ones leave some out, and then ``transformers`` uses these.
"""

from __future__ import annotations

from functools import partial

import symparam.importers.hf.families as f
from symparam.core.errors import SymparamError, shorten
from symparam.importers.hf.vision import vit

_LLAMA = dict(vocab_size=32000, hidden_size=4096, intermediate_size=11008,
              num_hidden_layers=32, num_attention_heads=32, hidden_act="silu",
              tie_word_embeddings=False, attention_bias=False, mlp_bias=False)

DEFAULTS = {
    "llama": _LLAMA,
    "mistral": {**_LLAMA, "intermediate_size": 14336, "num_key_value_heads": 8,
                "sliding_window": 4096},
    "mixtral": {**_LLAMA, "intermediate_size": 14336, "num_key_value_heads": 8,
                "num_local_experts": 8, "num_experts_per_tok": 2},
    "qwen2": {**_LLAMA, "vocab_size": 151936, "intermediate_size": 22016,
              "sliding_window": 4096, "max_window_layers": 28},
    "qwen3": {**_LLAMA, "vocab_size": 151936, "intermediate_size": 22016, "head_dim": 128,
              "sliding_window": 4096, "max_window_layers": 28},
    "gemma": {**_LLAMA, "vocab_size": 256000, "hidden_size": 3072, "intermediate_size": 24576,
              "num_hidden_layers": 28, "num_attention_heads": 16, "head_dim": 256,
              "hidden_act": "gelu_pytorch_tanh", "tie_word_embeddings": True},
    "gemma2": {**_LLAMA, "vocab_size": 256000, "hidden_size": 2304, "intermediate_size": 9216,
               "num_hidden_layers": 26, "num_attention_heads": 8, "num_key_value_heads": 4,
               "head_dim": 256, "hidden_activation": "gelu_pytorch_tanh",
               "tie_word_embeddings": True, "sliding_window": 4096},
    "phi3": {**_LLAMA, "vocab_size": 32064, "hidden_size": 3072, "intermediate_size": 8192},
    "gpt2": dict(vocab_size=50257, n_positions=1024, n_embd=768, n_layer=12, n_head=12,
                 activation_function="gelu_new", tie_word_embeddings=True),
    "gpt_neox": dict(vocab_size=50432, hidden_size=6144, num_hidden_layers=44,
                     num_attention_heads=64, intermediate_size=24576, hidden_act="gelu",
                     use_parallel_residual=True, attention_bias=True,
                     tie_word_embeddings=False),
    "opt": dict(vocab_size=50272, hidden_size=768, num_hidden_layers=12, ffn_dim=3072,
                max_position_embeddings=2048, do_layer_norm_before=True,
                _remove_final_layer_norm=False, num_attention_heads=12,
                activation_function="relu", enable_bias=True,
                layer_norm_elementwise_affine=True, tie_word_embeddings=True),
    "falcon": dict(vocab_size=65024, hidden_size=4544, num_hidden_layers=32,
                   num_attention_heads=71, new_decoder_architecture=False, multi_query=True,
                   parallel_attn=True, bias=False, activation="gelu",
                   tie_word_embeddings=True),
    "phi": dict(vocab_size=51200, hidden_size=2048, intermediate_size=8192,
                num_hidden_layers=24, num_attention_heads=32, hidden_act="gelu_new",
                qk_layernorm=False, tie_word_embeddings=False),
    "bert": dict(vocab_size=30522, hidden_size=768, num_hidden_layers=12,
                 num_attention_heads=12, intermediate_size=3072, hidden_act="gelu",
                 max_position_embeddings=512, type_vocab_size=2, tie_word_embeddings=True),
    "distilbert": dict(vocab_size=30522, max_position_embeddings=512, n_layers=6, n_heads=12,
                       dim=768, hidden_dim=3072, activation="gelu", tie_word_embeddings=True),
    "t5": dict(vocab_size=32128, d_model=512, d_kv=64, d_ff=2048, num_layers=6, num_heads=8,
               relative_attention_num_buckets=32, feed_forward_proj="relu",
               tie_word_embeddings=True),
    "bart": dict(vocab_size=50265, max_position_embeddings=1024, encoder_layers=12,
                 encoder_ffn_dim=4096, encoder_attention_heads=16, decoder_layers=12,
                 decoder_ffn_dim=4096, decoder_attention_heads=16,
                 activation_function="gelu", d_model=1024, tie_word_embeddings=True),
    "vit": dict(hidden_size=768, num_hidden_layers=12, num_attention_heads=12,
                intermediate_size=3072, hidden_act="gelu", image_size=224, patch_size=16,
                num_channels=3, qkv_bias=True, encoder_stride=16, pooler_act="tanh"),
}
DEFAULTS["roberta"] = {**DEFAULTS["bert"], "vocab_size": 50265}

FAMILIES = {
    "llama": partial(f.llama_like, reads=("attention_bias", "mlp_bias")),
    "mistral": partial(f.llama_like, reads=(), window_style="plain"),
    "mixtral": partial(f.llama_like, moe=True, reads=(), window_style="plain"),
    "qwen2": partial(f.llama_like, qkv_bias=True, o_bias=False, reads=(),
                     window_style="qwen"),
    "qwen3": partial(f.llama_like, qk_norm="rms", window_style="qwen"),
    "gemma": f.llama_like,
    "gemma2": partial(f.llama_like, arrangement="sandwich", act="hidden_activation",
                      window_style="alternate"),
    "phi3": partial(f.llama_like, reads=(), window_style="plain"),
    "gpt2": f.gpt2,
    "gpt_neox": f.gpt_neox,
    "opt": f.opt,
    "falcon": f.falcon,
    "phi": f.phi,
    "bert": f.bert_like,
    "roberta": f.bert_like,
    "distilbert": f.distilbert,
    "t5": f.t5,
    "bart": f.bart,
    "vit": vit,
}
#: the families with an encoder and a decoder (a decoding step's cache is the decoder's)
ENCODER_DECODERS = frozenset({"t5", "bart"})


def family(model_type, data: dict):
    """The family function and its defaults for ``model_type`` (an error naming it if
    symparam has none: custom code named by ``auto_map`` is never followed)."""
    if not isinstance(model_type, str) or model_type not in FAMILIES:
        remote = " (its auto_map names custom code, which symparam never runs)" \
            if "auto_map" in data else ""
        raise SymparamError(f"config.json: unknown model_type {shorten(model_type)}{remote}; "
                            f"supported: {', '.join(sorted(FAMILIES))}")
    return FAMILIES[model_type], DEFAULTS[model_type]
