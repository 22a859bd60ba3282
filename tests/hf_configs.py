"""Hugging Face configs for the importer's tests: one small config per family (every
count-relevant option exercised somewhere: grouped and multi-query attention, head_dim
overrides, biases, tied and untied heads, q/k norms, OPT's projections, T5's gated FFN and
relative buckets, BART's two stacks), and published full-size configs with their model cards'
parameter counts."""

SMALL = {
    "llama": dict(hidden_size=64, intermediate_size=96, num_hidden_layers=2,
                  num_attention_heads=4, num_key_value_heads=2, vocab_size=101,
                  attention_bias=True, mlp_bias=True),
    "mistral": dict(hidden_size=64, intermediate_size=96, num_hidden_layers=2,
                    num_attention_heads=4, num_key_value_heads=2, vocab_size=101, head_dim=32),
    "mixtral": dict(hidden_size=64, intermediate_size=96, num_hidden_layers=2,
                    num_attention_heads=4, num_key_value_heads=2, vocab_size=101,
                    num_local_experts=4, num_experts_per_tok=2),
    "qwen2": dict(hidden_size=64, intermediate_size=96, num_hidden_layers=2,
                  num_attention_heads=4, num_key_value_heads=2, vocab_size=101,
                  tie_word_embeddings=True),
    "qwen3": dict(hidden_size=64, intermediate_size=96, num_hidden_layers=2,
                  num_attention_heads=4, num_key_value_heads=2, vocab_size=101, head_dim=24),
    "gemma": dict(hidden_size=64, intermediate_size=96, num_hidden_layers=2,
                  num_attention_heads=4, num_key_value_heads=1, vocab_size=101, head_dim=16),
    "gemma2": dict(hidden_size=64, intermediate_size=96, num_hidden_layers=2,
                   num_attention_heads=4, num_key_value_heads=2, vocab_size=101, head_dim=16),
    "phi3": dict(pad_token_id=0, hidden_size=64, intermediate_size=96, num_hidden_layers=2,
                 num_attention_heads=4, num_key_value_heads=2, vocab_size=101),
    "gpt2": dict(n_embd=64, n_layer=2, n_head=4, vocab_size=101, n_positions=40),
    "gpt_neox": dict(hidden_size=64, intermediate_size=96, num_hidden_layers=2,
                     num_attention_heads=4, vocab_size=101),
    "opt": dict(hidden_size=64, ffn_dim=96, num_hidden_layers=2, num_attention_heads=4,
                vocab_size=101, word_embed_proj_dim=32, max_position_embeddings=40),
    "falcon": dict(hidden_size=64, num_hidden_layers=2, num_attention_heads=4, vocab_size=101),
    "phi": dict(hidden_size=64, intermediate_size=96, num_hidden_layers=2,
                num_attention_heads=4, vocab_size=101, qk_layernorm=True),
    "bert": dict(hidden_size=64, intermediate_size=96, num_hidden_layers=2,
                 num_attention_heads=4, vocab_size=101, max_position_embeddings=40),
    "roberta": dict(hidden_size=64, intermediate_size=96, num_hidden_layers=2,
                    num_attention_heads=4, vocab_size=101, max_position_embeddings=40,
                    type_vocab_size=1),
    "distilbert": dict(dim=64, hidden_dim=96, n_layers=2, n_heads=4, vocab_size=101,
                       max_position_embeddings=40),
    "t5": dict(d_model=64, d_ff=96, d_kv=8, num_layers=2, num_decoder_layers=3, num_heads=4,
               vocab_size=101, feed_forward_proj="gated-gelu", tie_word_embeddings=False),
    "bart": dict(d_model=64, encoder_ffn_dim=96, decoder_ffn_dim=80, encoder_layers=2,
                 decoder_layers=3, encoder_attention_heads=4, decoder_attention_heads=2,
                 vocab_size=101, max_position_embeddings=40),
}

#: variants that switch an arrangement or an option the small configs above leave at default
VARIANTS = {
    "falcon-new": ("falcon", dict(new_decoder_architecture=True, num_kv_heads=2, bias=True)),
    "falcon-serial": ("falcon", dict(parallel_attn=False, multi_query=False)),
    "gpt_neox-serial": ("gpt_neox", dict(use_parallel_residual=False, attention_bias=False)),
    "opt-post": ("opt", dict(do_layer_norm_before=False, word_embed_proj_dim=64,
                             enable_bias=False)),
    "t5-relu-tied": ("t5", dict(feed_forward_proj="relu", tie_word_embeddings=True,
                                num_decoder_layers=1)),
    "llama-tied": ("llama", dict(tie_word_embeddings=True, attention_bias=False, head_dim=8)),
    "qwen3-bias": ("qwen3", dict(attention_bias=True)),
    "phi-plain": ("phi", dict(qk_layernorm=False, num_key_value_heads=2)),
    "distilbert-sinusoidal": ("distilbert", dict(sinusoidal_pos_embds=True)),
}

#: the class-name prefix of each family in transformers
PREFIX = {"llama": "Llama", "mistral": "Mistral", "mixtral": "Mixtral", "qwen2": "Qwen2",
          "qwen3": "Qwen3", "gemma": "Gemma", "gemma2": "Gemma2", "phi3": "Phi3",
          "gpt2": "GPT2", "gpt_neox": "GPTNeoX", "opt": "OPT", "falcon": "Falcon", "phi": "Phi",
          "bert": "Bert", "roberta": "Roberta", "distilbert": "DistilBert", "t5": "T5",
          "bart": "Bart"}

#: each family's language-model head
LM_HEAD = {"gpt2": "LMHeadModel", "t5": "ForConditionalGeneration",
           "bart": "ForConditionalGeneration", "bert": "ForMaskedLM",
           "roberta": "ForMaskedLM", "distilbert": "ForMaskedLM"}


def config(family: str, head: str | None = None, **changes) -> dict:
    """The small config of ``family`` (or of a variant) for the class with ``head``."""
    base, extra = VARIANTS.get(family, (family, {}))
    head = head or LM_HEAD.get(base, "ForCausalLM")
    return dict(model_type=base, architectures=[PREFIX[base] + head],
                **{**SMALL[base], **extra, **changes})


_LLAMA2 = dict(model_type="llama", architectures=["LlamaForCausalLM"], vocab_size=32000,
               hidden_size=4096, intermediate_size=11008, num_hidden_layers=32,
               num_attention_heads=32, num_key_value_heads=32, rms_norm_eps=1e-5,
               tie_word_embeddings=False)
_MISTRAL = dict(model_type="mistral", architectures=["MistralForCausalLM"], vocab_size=32000,
                hidden_size=4096, intermediate_size=14336, num_hidden_layers=32,
                num_attention_heads=32, num_key_value_heads=8, sliding_window=4096,
                tie_word_embeddings=False)

#: (config.json as published, the model card's parameter count)
PUBLISHED = {
    "GPT-2": (dict(model_type="gpt2", architectures=["GPT2LMHeadModel"], vocab_size=50257,
                   n_positions=1024, n_embd=768, n_layer=12, n_head=12), 124_439_808),
    "GPT-2 XL": (dict(model_type="gpt2", architectures=["GPT2LMHeadModel"], vocab_size=50257,
                      n_positions=1024, n_embd=1600, n_layer=48, n_head=25), 1_557_611_200),
    "Llama-2-7B": (_LLAMA2, 6_738_415_616),
    "Llama-2-13B": ({**_LLAMA2, "hidden_size": 5120, "intermediate_size": 13824,
                     "num_hidden_layers": 40, "num_attention_heads": 40,
                     "num_key_value_heads": 40}, 13_015_864_320),
    "Llama-3-8B": ({**_LLAMA2, "vocab_size": 128256, "intermediate_size": 14336,
                    "num_key_value_heads": 8, "rope_theta": 500000.0}, 8_030_261_248),
    "Llama-3.2-1B": ({**_LLAMA2, "vocab_size": 128256, "hidden_size": 2048,
                      "intermediate_size": 8192, "num_hidden_layers": 16, "head_dim": 64,
                      "num_key_value_heads": 8, "tie_word_embeddings": True}, 1_235_814_400),
    "Mistral-7B": (_MISTRAL, 7_241_732_096),
    "Mixtral-8x7B": ({**_MISTRAL, "model_type": "mixtral",
                      "architectures": ["MixtralForCausalLM"], "num_local_experts": 8,
                      "num_experts_per_tok": 2, "sliding_window": None}, 46_702_792_704),
    "T5-small": (dict(model_type="t5", architectures=["T5ForConditionalGeneration"],
                      vocab_size=32128, d_model=512, d_kv=64, d_ff=2048, num_layers=6,
                      num_heads=8, feed_forward_proj="relu"), 60_506_624),
    "BERT-base": (dict(model_type="bert", architectures=["BertModel"], vocab_size=30522,
                       hidden_size=768, num_hidden_layers=12, num_attention_heads=12,
                       intermediate_size=3072, max_position_embeddings=512,
                       type_vocab_size=2), 109_482_240),
}
