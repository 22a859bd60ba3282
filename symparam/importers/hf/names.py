"""The tensor names ``transformers`` gives each family's weights in a checkpoint, for
``--reconcile``: which symparam weight (row name, weight name as the equations tag it) is stored
under which name.  Several weights stored as one fused tensor (GPT-2's ``c_attn``, Phi-3's
``qkv_proj``) share a name and their sizes add up.  ``{i}`` is a layer's index, ``{j}`` an
expert's (Mixtral's checkpoints store one tensor per expert).

Only names live here: every size comes from the equations.
"""

from __future__ import annotations

#: a layer's attention weights, as ``(symparam key, module)``; ``.weight``/``.bias`` follow
_QKVO = (("Q", "q"), ("K", "k"), ("V", "v"), ("O", "o"))


def _attention(tag: str, prefix: str, modules: dict) -> dict:
    """``W_Q^tag -> prefix + modules["Q"] + ".weight"`` and the biases likewise."""
    names = {}
    for key, _ in _QKVO:
        names[f"W_{key}^{tag}"] = f"{prefix}{modules[key]}.weight"
        names[f"b_{key}^{tag}"] = f"{prefix}{modules[key]}.bias"
    return names


def _norm(tag: str, module: str, bias=True) -> dict:
    names = {f"gamma^{tag}": f"{module}.weight"}
    if bias:
        names[f"beta^{tag}"] = f"{module}.bias"
    return names


def _llama(norms=("input_layernorm", "post_attention_layernorm"), fused=False, moe=False):
    modules = {k: f"{m}_proj" for k, m in _QKVO}
    layer = _attention("sa", "self_attn.", modules)
    layer |= {"gamma_q^sa": "self_attn.q_norm.weight", "gamma_k^sa": "self_attn.k_norm.weight"}
    for i, module in enumerate(norms, start=1):
        layer |= _norm(f"n{i}", module, bias=False)
    if fused:
        layer |= {f"W_{k}^sa": "self_attn.qkv_proj.weight" for k in "QKV"}
        layer |= {"W_g^mlp": "mlp.gate_up_proj.weight", "W_1^mlp": "mlp.gate_up_proj.weight"}
    elif moe:
        experts = "block_sparse_moe.experts.{j}."
        layer |= {"W_R^mlp": "block_sparse_moe.gate.weight", "W_g^mlp": experts + "w1.weight",
                  "W_1^mlp": experts + "w3.weight", "W_2^mlp": experts + "w2.weight"}
    for key, module in (("g", "gate_proj"), ("1", "up_proj"), ("2", "down_proj")):
        layer.setdefault(f"W_{key}^mlp", f"mlp.{module}.weight")
        layer.setdefault(f"b_{key}^mlp", f"mlp.{module}.bias")
    return {"embed_tokens": ("model.", {"E": "embed_tokens.weight"}),
            "layers": ("model.layers.{i}.", layer),
            "norm": ("model.", {"gamma": "norm.weight"}),
            "lm_head": ("", {"W": "lm_head.weight"}), "score": ("", {"W": "score.weight"})}


def _gpt2():
    layer = {f"{w}_{k}^sa": f"attn.c_attn.{p}" for k in "QKV" for w, p in
             (("W", "weight"), ("b", "bias"))}
    layer |= {"W_O^sa": "attn.c_proj.weight", "b_O^sa": "attn.c_proj.bias",
              **_norm("n1", "ln_1"), **_norm("n2", "ln_2"),
              "W_1^mlp": "mlp.c_fc.weight", "b_1^mlp": "mlp.c_fc.bias",
              "W_2^mlp": "mlp.c_proj.weight", "b_2^mlp": "mlp.c_proj.bias"}
    return {"embed_tokens": ("transformer.", {"E": "wte.weight"}),
            "embed_positions": ("transformer.", {"P": "wpe.weight"}),
            "layers": ("transformer.h.{i}.", layer),
            "ln_f": ("transformer.", {"gamma": "ln_f.weight", "beta": "ln_f.bias"}),
            "lm_head": ("", {"W": "lm_head.weight"}), "score": ("", {"W": "score.weight"})}


def _bert(base: str, classifier_head: bool = False):
    modules = {"Q": "attention.self.query", "K": "attention.self.key",
               "V": "attention.self.value", "O": "attention.output.dense"}
    layer = _attention("sa", "", modules) | _norm("n1", "attention.output.LayerNorm")
    layer |= {"W_1^mlp": "intermediate.dense.weight", "b_1^mlp": "intermediate.dense.bias",
              "W_2^mlp": "output.dense.weight", "b_2^mlp": "output.dense.bias",
              **_norm("n2", "output.LayerNorm")}
    if base == "bert.":
        lm, transform, norm = "cls.predictions.", "cls.predictions.transform.", "LayerNorm"
    else:
        lm, transform, norm = "lm_head.", "lm_head.", "layer_norm"
    pooler, classifier = (base + "pooler.dense", "classifier")
    if base == "roberta." and classifier_head:
        pooler, classifier = "classifier.dense", "classifier.out_proj"
    embeddings = base + "embeddings."
    return {"embed_tokens": (embeddings, {"E": "word_embeddings.weight"}),
            "embed_positions": (embeddings, {"P": "position_embeddings.weight"}),
            "token_type_embeddings": (embeddings, {"P": "token_type_embeddings.weight"}),
            "LayerNorm": (embeddings, {"gamma": "LayerNorm.weight", "beta": "LayerNorm.bias"}),
            "layers": (base + "encoder.layer.{i}.", layer),
            "transform": (transform, {"W": "dense.weight", "b": "dense.bias"}),
            "transform_norm": (transform, {"gamma": f"{norm}.weight", "beta": f"{norm}.bias"}),
            "decoder": (lm, {"b": "bias"}),
            "pooler": ("", {"W": f"{pooler}.weight", "b": f"{pooler}.bias"}),
            "classifier": ("", {"W": f"{classifier}.weight", "b": f"{classifier}.bias"})}


def _t5_layer(side: str, gated: bool) -> dict:
    modules = {k: m for k, m in _QKVO}
    layer = _attention("sa", "layer.0.SelfAttention.", modules)
    layer |= {"B^sa": "layer.0.SelfAttention.relative_attention_bias.weight",
              "gamma^n1": "layer.0.layer_norm.weight"}
    ff = 1
    if side == "decoder":
        layer |= _attention("ca", "layer.1.EncDecAttention.", modules)
        layer |= {"gamma^n2": "layer.1.layer_norm.weight"}
        ff = 2
    dense = f"layer.{ff}.DenseReluDense."
    layer |= {"W_g^mlp": dense + "wi_0.weight", "W_1^mlp": dense + ("wi_1" if gated else "wi")
              + ".weight", "W_2^mlp": dense + "wo.weight",
              f"gamma^n{ff + 1}": f"layer.{ff}.layer_norm.weight"}
    return layer


def _t5(gated: bool):
    table = {"embed_tokens": ("", {"E": "shared.weight"}),
             "lm_head": ("", {"W": "lm_head.weight"})}
    for side in ("encoder", "decoder"):
        layer = _t5_layer(side, gated)
        table[f"{side}_block_0"] = (f"{side}.block.0.", layer)
        table[f"{side}_layers"] = (f"{side}.block.{{i}}.", layer, 1)  # after block 0
        table[f"{side}_final_layer_norm"] = (f"{side}.", {"gamma": "final_layer_norm.weight"})
    return table


#: per family: the table for a model whose feed-forward network is ``gated`` or not and whose
#: head is a sequence classifier (``classifier``) or not
TABLES = {
    "llama": lambda gated, classifier: _llama(),
    "mistral": lambda gated, classifier: _llama(),
    "qwen2": lambda gated, classifier: _llama(),
    "qwen3": lambda gated, classifier: _llama(),
    "gemma": lambda gated, classifier: _llama(),
    "gemma2": lambda gated, classifier: _llama(norms=(
        "input_layernorm", "post_attention_layernorm", "pre_feedforward_layernorm",
        "post_feedforward_layernorm")),
    "mixtral": lambda gated, classifier: _llama(moe=True),
    "phi3": lambda gated, classifier: _llama(fused=True),
    "gpt2": lambda gated, classifier: _gpt2(),
    "bert": lambda gated, classifier: _bert("bert.", classifier),
    "roberta": lambda gated, classifier: _bert("roberta.", classifier),
    "t5": lambda gated, classifier: _t5(gated),
}
#: the prefix of the base model inside heads (stripped before matching, so a bare model's
#: checkpoint matches too)
BASES = {"gpt2": "transformer.", "bert": "bert.", "roberta": "roberta.", "t5": "",
         **{family: "model." for family in ("llama", "mistral", "qwen2", "qwen3", "gemma",
                                            "gemma2", "mixtral", "phi3")}}
#: tensors checkpoints keep that are not parameters (buffers saved by older versions)
BUFFERS = (".attn.bias", ".attn.masked_bias", "embeddings.position_ids")
#: names under which a checkpoint may store a tied copy of the token embedding
TIED = ("lm_head.weight", "cls.predictions.decoder.weight", "lm_head.decoder.weight",
        "encoder.embed_tokens.weight", "decoder.embed_tokens.weight")
