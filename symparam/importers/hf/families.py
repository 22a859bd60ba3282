"""The Hugging Face families: each ``model_type`` read into the parts of its architecture.

A family function reads the config fields ``transformers`` reads for that family (with the
defaults of its configuration class for absent ones) and says which parts are built: the
attention with its heads and biases, the feed-forward network or mixture of experts, the norm,
how they are arranged, the embeddings and the stack.  The parts' equations give the counts;
nothing here computes one.  ``symparam.importers.hf.build`` joins the parts into a ``Model``.
"""

from __future__ import annotations

from dataclasses import dataclass

from symparam.core.errors import SymparamError
from symparam.engine.layer import Layer
from symparam.importers.hf.config import Config
from symparam.torch.llm import MLP, Attention, RMSNorm, SparseMoE
from symparam.torch.llm_block import TransformerLayer
from symparam.torch.normalization import LayerNorm


@dataclass(frozen=True)
class Stack:
    """A stack of transformer layers and what comes before and after it."""

    block: TransformerLayer
    layers: int
    first: TransformerLayer | None = None  # a first layer unlike the rest (T5's position bias)
    final_norm: Layer | None = None
    positions: int | None = None           # rows of a learnt position table
    token_types: int | None = None         # rows of a token-type table (BERT)
    embed_norm: Layer | None = None
    #: layers with a sliding window: ``pattern[i]`` says whether layer ``i`` is one, built
    #: from ``windowed`` (a copy of ``block`` whose attention has the window)
    pattern: tuple = ()
    windowed: TransformerLayer | None = None


@dataclass(frozen=True)
class Parts:
    """A model's parts: ``kind`` is ``decoder`` (causal LM), ``encoder`` (BERT-like) or
    ``seq2seq``; ``stack`` is the decoder, or the encoder of an encoder-only model."""

    kind: str
    vocab: int
    hidden: int
    stack: Stack
    tie: bool
    encoder: Stack | None = None
    head_bias: bool = False
    embed_dim: int | None = None   # OPT's word_embed_proj_dim when it differs from hidden
    head_norm: Layer | None = None  # the masked-LM head's norm (BERT's transform)
    pooler: bool = False            # the bare model keeps a pooler (BertModel)
    answer_labels: int | None = None  # a question-answering head's outputs, if not num_labels


@dataclass(frozen=True)
class Options:
    """How the attention products are counted (``counting``) and, for one decoding step,
    the length of the cache attended (``context``)."""

    counting: str = "full"
    context: object = None


def attention(opts: Options, hidden, heads, kv=None, head_dim=None, *, bias=(False,) * 3,
              causal=True, **extra) -> Attention:
    q, k, o = bias
    return Attention(hidden, heads, kv, head_dim, q_bias=q, kv_bias=k, o_bias=o,
                     causal=causal, counting=opts.counting,
                     context=opts.context if causal else None, **extra)


def cross_attention(opts: Options, hidden, heads, head_dim, *, bias=(False,) * 3):
    """Attention over an encoder's output; in a decoding step its keys and values are read
    from the cache filled at prefill, not projected again."""
    return attention(opts, hidden, heads, head_dim=head_dim, bias=bias, causal=False,
                     memory_cached=opts.context is not None)


def _heads(c: Config, hidden: int, heads_field="num_attention_heads"):
    heads = c.size(heads_field)
    return heads, c.kv_heads(heads), c.head_dim(hidden, heads)


def sliding(c: Config, layers: int, style: str | None) -> tuple:
    """The sliding window and which layers use it (``True``: all): ``plain`` (Mistral: every
    layer, if
    ``sliding_window`` is set), ``qwen`` (only with ``use_sliding_window``, from layer
    ``max_window_layers`` on), ``alternate`` (Gemma 2: even layers); ``layer_types`` overrides
    the pattern where the family reads it."""
    if style is None:
        return None, ()
    if style == "qwen" and not c.flag("use_sliding_window", False):
        return None, ()
    window = c.optional_size("sliding_window")
    if window is None:
        return None, ()
    types = c.data.get("layer_types")
    if style != "plain" and types is not None:
        if not isinstance(types, list) or len(types) != layers or not all(
                t in ("full_attention", "sliding_attention") for t in types):
            raise c.fail("layer_types", f"a list of {layers} 'full_attention' or "
                                        "'sliding_attention'", types)
        return window, tuple(t == "sliding_attention" for t in types)
    if style == "plain":
        return window, True  # every layer
    if not isinstance(layers, int):
        raise SymparamError(f"{c.where}: num_hidden_layers must be a number (not a symbol) "
                            "when some layers have a sliding window and others not")
    if style == "qwen":
        first = c.size("max_window_layers", 28, minimum=0, maximum=10**4)
        return window, tuple(i >= first for i in range(layers))
    return window, tuple(i % 2 == 0 for i in range(layers))


def llama_like(c: Config, opts: Options, *, qkv_bias=None, o_bias=None, qk_norm=None,
               arrangement="pre", act="hidden_act", moe=False,
               reads=("attention_bias",), window_style=None) -> Parts:
    """The Llama lineage: RMSNorm, rotary positions (no weights), grouped-query attention,
    a gated MLP or a mixture of gated experts, an LM head tied or not.  ``reads`` names the
    bias fields the family has (Mistral has none: its projections never have biases)."""
    d, vocab = c.size("hidden_size"), c.size("vocab_size")
    heads, kv, head_dim = _heads(c, d)
    bias = "attention_bias" in reads and c.flag("attention_bias", False)
    qkv = bias if qkv_bias is None else qkv_bias
    o = bias if o_bias is None else o_bias
    make = lambda window=None: attention(opts, d, heads, kv, head_dim,  # noqa: E731
                                         bias=(qkv, qkv, o), qk_norm=qk_norm, window=window)
    width, activation = c.size("intermediate_size"), c.name(act)
    if moe:
        mlp = SparseMoE(d, width, c.size("num_local_experts", maximum=10**5),
                        c.size("num_experts_per_tok", maximum=10**5), activation)
    else:
        mlp = MLP(d, width, bias="mlp_bias" in reads and c.flag("mlp_bias", False),
                  activation=activation, gated=True)
    layers = c.layers("num_hidden_layers")
    window, pattern = sliding(c, layers, window_style)
    windowed = TransformerLayer(make(window), mlp, RMSNorm(d), arrangement) if window else None
    block = windowed if pattern is True else TransformerLayer(make(), mlp, RMSNorm(d),
                                                              arrangement)
    mixed = pattern if pattern is not True and any(pattern) else ()
    stack = Stack(block, layers, final_norm=RMSNorm(d, name="norm"), pattern=mixed,
                  windowed=windowed)
    return Parts("decoder", vocab, d, stack, c.flag("tie_word_embeddings"))


def gpt2(c: Config, opts: Options) -> Parts:
    c.unsupported("add_cross_attention")
    d, heads = c.size("n_embd"), c.size("n_head")
    attn = attention(opts, d, heads, head_dim=c.head_dim(d, heads, None),
                     bias=(True,) * 3)
    mlp = MLP(d, c.size("n_inner", 4 * d), activation=c.name("activation_function"))
    block = TransformerLayer(attn, mlp, LayerNorm(d), "pre")
    stack = Stack(block, c.layers("n_layer"), final_norm=LayerNorm(d, name="ln_f"),
                  positions=c.size("n_positions"))
    return Parts("decoder", c.size("vocab_size"), d, stack, c.flag("tie_word_embeddings"))


def gpt_neox(c: Config, opts: Options) -> Parts:
    d = c.size("hidden_size")
    heads, bias = c.size("num_attention_heads"), c.flag("attention_bias")
    attn = attention(opts, d, heads, head_dim=c.head_dim(d, heads, None),
                     bias=(bias,) * 3)
    mlp = MLP(d, c.size("intermediate_size"), activation=c.name("hidden_act"))
    arrangement = "parallel" if c.flag("use_parallel_residual") else "pre"
    block = TransformerLayer(attn, mlp, LayerNorm(d), arrangement)
    stack = Stack(block, c.layers("num_hidden_layers"),
                  final_norm=LayerNorm(d, name="final_layer_norm"))
    return Parts("decoder", c.size("vocab_size"), d, stack, c.flag("tie_word_embeddings"))


def opt(c: Config, opts: Options) -> Parts:
    d, heads, bias = c.size("hidden_size"), c.size("num_attention_heads"), \
        c.flag("enable_bias")
    affine = c.flag("layer_norm_elementwise_affine")
    attn = attention(opts, d, heads, head_dim=c.head_dim(d, heads, None),
                     bias=(bias,) * 3)
    mlp = MLP(d, c.size("ffn_dim"), bias=bias, activation=c.name("activation_function"))
    before = c.flag("do_layer_norm_before")
    norm = LayerNorm(d, elementwise_affine=affine)
    final = LayerNorm(d, elementwise_affine=affine, name="final_layer_norm") \
        if before and not c.flag("_remove_final_layer_norm") else None
    stack = Stack(TransformerLayer(attn, mlp, norm, "pre" if before else "post"),
                  c.layers("num_hidden_layers"), final_norm=final,
                  positions=c.size("max_position_embeddings") + 2)
    embed = c.size("word_embed_proj_dim", d)
    return Parts("decoder", c.size("vocab_size"), d, stack, c.flag("tie_word_embeddings"),
                 embed_dim=None if embed == d else embed)


def falcon(c: Config, opts: Options) -> Parts:
    d, heads = c.size("hidden_size"), c.size("num_attention_heads")
    new = c.flag("new_decoder_architecture")
    kv = c.size("num_kv_heads", heads) if new or not c.flag("multi_query") else 1
    if isinstance(heads, int) and isinstance(kv, int) and heads % kv:
        raise c.fail("num_kv_heads", f"a divisor of the {heads} heads", kv)
    bias = c.flag("bias")
    attn = attention(opts, d, heads, kv, c.head_dim(d, heads, None), bias=(bias,) * 3)
    mlp = MLP(d, c.size("ffn_hidden_size", 4 * d), bias=bias, activation=c.name("activation"))
    norms = c.size("num_ln_in_parallel_attn", 2 if new else 1, maximum=2)
    arrangement = "pre" if not c.flag("parallel_attn") else \
        "parallel" if norms == 2 else "parallel_shared"
    stack = Stack(TransformerLayer(attn, mlp, LayerNorm(d), arrangement),
                  c.layers("num_hidden_layers"), final_norm=LayerNorm(d, name="ln_f"))
    return Parts("decoder", c.size("vocab_size"), d, stack, c.flag("tie_word_embeddings"))


def phi(c: Config, opts: Options) -> Parts:
    d = c.size("hidden_size")
    heads, kv, head_dim = _heads(c, d)
    attn = attention(opts, d, heads, kv, head_dim, bias=(True,) * 3,
                     qk_norm="layer" if c.flag("qk_layernorm") else None)
    mlp = MLP(d, c.size("intermediate_size"), activation=c.name("hidden_act"))
    stack = Stack(TransformerLayer(attn, mlp, LayerNorm(d), "parallel_shared"),
                  c.layers("num_hidden_layers"), final_norm=LayerNorm(d, name="final_layernorm"))
    return Parts("decoder", c.size("vocab_size"), d, stack, c.flag("tie_word_embeddings"),
                 head_bias=True)


def bert_like(c: Config, opts: Options, *, positions=None, token_types=True) -> Parts:
    """BERT, RoBERTa: learnt positions and token types, post-norm layers with biases;
    causal self-attention with ``is_decoder``."""
    c.unsupported("add_cross_attention")
    d, heads = c.size("hidden_size"), c.size("num_attention_heads")
    attn = attention(opts, d, heads, head_dim=c.head_dim(d, heads, None),
                     bias=(True,) * 3, causal=c.flag("is_decoder", False))
    mlp = MLP(d, c.size("intermediate_size"), activation=c.name("hidden_act"))
    stack = Stack(TransformerLayer(attn, mlp, LayerNorm(d), "post"),
                  c.layers("num_hidden_layers"),
                  positions=c.size("max_position_embeddings"),
                  token_types=c.size("type_vocab_size") if token_types else None,
                  embed_norm=LayerNorm(d, name="LayerNorm"))
    return Parts("encoder", c.size("vocab_size"), d, stack, c.flag("tie_word_embeddings"),
                 head_norm=LayerNorm(d, name="transform_norm"), pooler=True)


def distilbert(c: Config, opts: Options) -> Parts:
    d, heads = c.size("dim"), c.size("n_heads")
    attn = attention(opts, d, heads, head_dim=c.head_dim(d, heads, None),
                     bias=(True,) * 3, causal=False)
    mlp = MLP(d, c.size("hidden_dim"), activation=c.name("activation"))
    stack = Stack(TransformerLayer(attn, mlp, LayerNorm(d), "post"), c.layers("n_layers"),
                  positions=c.size("max_position_embeddings"),
                  embed_norm=LayerNorm(d, name="LayerNorm"))
    return Parts("encoder", c.size("vocab_size"), d, stack, c.flag("tie_word_embeddings"),
                 head_norm=LayerNorm(d, name="vocab_layer_norm"))


def t5(c: Config, opts: Options) -> Parts:
    """T5: RMS norms, no biases, a table of relative position biases in each stack's first
    layer, a plain or gated (``gated-gelu``) feed-forward network."""
    d, heads, head_dim = c.size("d_model"), c.size("num_heads"), c.size("d_kv")
    proj = c.text("feed_forward_proj", r"(gated-)?[A-Za-z][A-Za-z0-9_]{0,31}",
                  "'gated-ACT' or 'ACT'")
    act = "gelu_new" if proj == "gated-gelu" else proj.removeprefix("gated-")
    mlp = MLP(d, c.size("d_ff"), bias=False, activation=act, gated=proj.startswith("gated-"))
    buckets = c.size("relative_attention_num_buckets")

    def stack(layers: int, causal: bool) -> Stack:
        cross = cross_attention(opts, d, heads, head_dim) if causal else None
        block = lambda **extra: TransformerLayer(  # noqa: E731
            attention(opts, d, heads, head_dim=head_dim, causal=causal, **extra), mlp,
            RMSNorm(d), "pre", cross)
        return Stack(block(), layers - 1, first=block(relative_buckets=buckets),
                     final_norm=RMSNorm(d, name="final_layer_norm"))

    layers = c.layers("num_layers")
    c.flag("tie_word_embeddings")  # checked, but transformers 5 ties T5's head whatever it
    # says (the field only decides whether decoder outputs are scaled, T5 v1.0 vs v1.1)
    return Parts("seq2seq", c.size("vocab_size"), d,
                 stack(c.layers("num_decoder_layers", layers), True), True,
                 encoder=stack(layers, False))


def bart(c: Config, opts: Options) -> Parts:
    d, positions = c.size("d_model"), c.size("max_position_embeddings") + 2
    act = c.name("activation_function")

    def stack(side: str, causal: bool) -> Stack:
        heads = c.size(f"{side}_attention_heads")
        head_dim = c.head_dim(d, heads, None)
        cross = cross_attention(opts, d, heads, head_dim, bias=(True,) * 3) if causal else None
        block = TransformerLayer(attention(opts, d, heads, head_dim=head_dim, bias=(True,) * 3,
                                           causal=causal),
                                 MLP(d, c.size(f"{side}_ffn_dim"), activation=act),
                                 LayerNorm(d), "post", cross)
        return Stack(block, c.layers(f"{side}_layers"), positions=positions,
                     embed_norm=LayerNorm(d, name="layernorm_embedding"))

    return Parts("seq2seq", c.size("vocab_size"), d, stack("decoder", True),
                 c.flag("tie_word_embeddings"), encoder=stack("encoder", False),
                 answer_labels=2)  # BartForQuestionAnswering sets num_labels = 2
