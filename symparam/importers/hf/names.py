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
            "lm_head": ("", {"W": "lm_head.weight"}), "score": ("", {"W": "score.weight"}),
            "classifier": ("score.", {"W": "weight", "b": "bias"})}


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


def _mlp(fc1: str, fc2: str) -> dict:
    return {"W_1^mlp": f"{fc1}.weight", "b_1^mlp": f"{fc1}.bias",
            "W_2^mlp": f"{fc2}.weight", "b_2^mlp": f"{fc2}.bias"}


def _neox(data: dict):
    layer = {f"{w}_{k}^sa": f"attention.query_key_value.{p}" for k in "QKV"
             for w, p in (("W", "weight"), ("b", "bias"))}
    layer |= {"W_O^sa": "attention.dense.weight", "b_O^sa": "attention.dense.bias",
              **_norm("n1", "input_layernorm"), **_norm("n2", "post_attention_layernorm"),
              **_mlp("mlp.dense_h_to_4h", "mlp.dense_4h_to_h")}
    return {"embed_tokens": ("gpt_neox.", {"E": "embed_in.weight"}),
            "layers": ("gpt_neox.layers.{i}.", layer),
            "final_layer_norm": ("gpt_neox.", {"gamma": "final_layer_norm.weight",
                                               "beta": "final_layer_norm.bias"}),
            "lm_head": ("", {"W": "embed_out.weight"}), "score": ("", {"W": "score.weight"})}


def _falcon(data: dict):
    if not data.get("parallel_attn", True):
        norms = ("input_layernorm", "post_attention_layernorm")
    elif data.get("num_ln_in_parallel_attn") == 2 or (
            data.get("new_decoder_architecture") and data.get("num_ln_in_parallel_attn") is None):
        norms = ("ln_attn", "ln_mlp")
    else:
        norms = ("input_layernorm",)
    layer = {f"{w}_{k}^sa": f"self_attention.query_key_value.{p}" for k in "QKV"
             for w, p in (("W", "weight"), ("b", "bias"))}
    layer |= {"W_O^sa": "self_attention.dense.weight", "b_O^sa": "self_attention.dense.bias",
              **_mlp("mlp.dense_h_to_4h", "mlp.dense_4h_to_h")}
    for i, norm in enumerate(norms, start=1):
        layer |= _norm(f"n{i}", norm)
    return {"embed_tokens": ("transformer.", {"E": "word_embeddings.weight"}),
            "layers": ("transformer.h.{i}.", layer),
            "ln_f": ("transformer.", {"gamma": "ln_f.weight", "beta": "ln_f.bias"}),
            "lm_head": ("", {"W": "lm_head.weight"}), "score": ("", {"W": "score.weight"})}


def _phi(data: dict):
    modules = {"Q": "q_proj", "K": "k_proj", "V": "v_proj", "O": "dense"}
    layer = _attention("sa", "self_attn.", modules) | _norm("n1", "input_layernorm")
    layer |= {"gamma_q^sa": "self_attn.q_layernorm.weight",
              "beta_q^sa": "self_attn.q_layernorm.bias",
              "gamma_k^sa": "self_attn.k_layernorm.weight",
              "beta_k^sa": "self_attn.k_layernorm.bias", **_mlp("mlp.fc1", "mlp.fc2")}
    return {"embed_tokens": ("model.", {"E": "embed_tokens.weight"}),
            "layers": ("model.layers.{i}.", layer),
            "final_layernorm": ("model.", {"gamma": "final_layernorm.weight",
                                           "beta": "final_layernorm.bias"}),
            "lm_head": ("", {"W": "lm_head.weight", "b": "lm_head.bias"}),
            "score": ("", {"W": "score.weight"}),
            "classifier": ("score.", {"W": "weight", "b": "bias"})}


def _opt(data: dict):
    modules = {"Q": "q_proj", "K": "k_proj", "V": "v_proj", "O": "out_proj"}
    layer = _attention("sa", "self_attn.", modules) | _norm("n1", "self_attn_layer_norm")
    layer |= _norm("n2", "final_layer_norm") | _mlp("fc1", "fc2")
    top = "model.decoder."
    return {"embed_tokens": (top, {"E": "embed_tokens.weight"}),
            "project_in": (top, {"W": "project_in.weight"}),
            "embed_positions": (top, {"P": "embed_positions.weight"}),
            "layers": (top + "layers.{i}.", layer),
            "final_layer_norm": (top, {"gamma": "final_layer_norm.weight",
                                       "beta": "final_layer_norm.bias"}),
            "project_out": (top, {"W": "project_out.weight"}),
            "lm_head": ("", {"W": "lm_head.weight"}), "score": ("", {"W": "score.weight"})}


def _distilbert(data: dict):
    modules = {"Q": "q_lin", "K": "k_lin", "V": "v_lin", "O": "out_lin"}
    layer = _attention("sa", "attention.", modules) | _norm("n1", "sa_layer_norm")
    layer |= _norm("n2", "output_layer_norm") | _mlp("ffn.lin1", "ffn.lin2")
    embeddings = "distilbert.embeddings."
    return {"embed_tokens": (embeddings, {"E": "word_embeddings.weight"}),
            "embed_positions": (embeddings, {"P": "position_embeddings.weight"}),
            "LayerNorm": (embeddings, {"gamma": "LayerNorm.weight", "beta": "LayerNorm.bias"}),
            "layers": ("distilbert.transformer.layer.{i}.", layer),
            "transform": ("vocab_transform.", {"W": "weight", "b": "bias"}),
            "vocab_layer_norm": ("vocab_layer_norm.", {"gamma": "weight", "beta": "bias"}),
            "decoder": ("vocab_projector.", {"b": "bias"}),
            "pooler": ("pre_classifier.", {"W": "weight", "b": "bias"}),
            "classifier": ("classifier.", {"W": "weight", "b": "bias"})}


def _bart(data: dict):
    modules = {"Q": "q_proj", "K": "k_proj", "V": "v_proj", "O": "out_proj"}
    table = {"embed_tokens": ("model.", {"E": "shared.weight"}),
             "lm_head": ("", {"W": "lm_head.weight"})}
    for side in ("encoder", "decoder"):
        layer = _attention("sa", "self_attn.", modules) | _norm("n1", "self_attn_layer_norm")
        last = "n2"
        if side == "decoder":
            layer |= _attention("ca", "encoder_attn.", modules)
            layer |= _norm("n2", "encoder_attn_layer_norm")
            last = "n3"
        layer |= _norm(last, "final_layer_norm") | _mlp("fc1", "fc2")
        top = f"model.{side}."
        table[f"{side}_embed_positions"] = (top, {"P": "embed_positions.weight"})
        table[f"{side}_layernorm_embedding"] = (top, {"gamma": "layernorm_embedding.weight",
                                                      "beta": "layernorm_embedding.bias"})
        table[f"{side}_layers"] = (top + "layers.{i}.", layer)
    return table


def _vit(data: dict):
    modules = {"Q": "attention.attention.query", "K": "attention.attention.key",
               "V": "attention.attention.value", "O": "attention.output.dense"}
    layer = _attention("sa", "", modules) | _norm("n1", "layernorm_before")
    layer |= _norm("n2", "layernorm_after") | _mlp("intermediate.dense", "output.dense")
    embeddings = "vit.embeddings."
    return {"patch_embeddings": (embeddings + "patch_embeddings.projection.",
                                 {"W": "weight", "b": "bias"}),
            "cls_token": (embeddings, {"c": "cls_token", "m": "mask_token"}),
            "position_embeddings": (embeddings, {"P": "position_embeddings"}),
            "layers": ("vit.encoder.layer.{i}.", layer),
            "layernorm": ("vit.", {"gamma": "layernorm.weight", "beta": "layernorm.bias"}),
            "pooler": ("vit.pooler.dense.", {"W": "weight", "b": "bias"}),
            "decoder": ("decoder.0.", {"W": "weight", "b": "bias"})}


#: the token-classification and question-answering heads most families name alike, and the
#: encoder-decoders' sequence classifier (T5's and BART's ``classification_head``)
HEAD_NAMES = {"classifier": ("classifier.", {"W": "weight", "b": "bias"}),
              "qa_outputs": ("qa_outputs.", {"W": "weight", "b": "bias"}),
              "dense": ("classification_head.dense.", {"W": "weight", "b": "bias"}),
              "out_proj": ("classification_head.out_proj.", {"W": "weight", "b": "bias"})}

#: per family: the table for a config (``data``), whether its feed-forward network is gated
#: and whether its head is a sequence classifier
TABLES = {
    **{family: (lambda data, gated, classifier: _llama())
       for family in ("llama", "mistral", "qwen2", "qwen3", "gemma")},
    "gemma2": lambda data, gated, classifier: _llama(norms=(
        "input_layernorm", "post_attention_layernorm", "pre_feedforward_layernorm",
        "post_feedforward_layernorm")),
    "mixtral": lambda data, gated, classifier: _llama(moe=True),
    "phi3": lambda data, gated, classifier: _llama(fused=True),
    "gpt2": lambda data, gated, classifier: _gpt2(),
    "bert": lambda data, gated, classifier: _bert("bert.", classifier),
    "roberta": lambda data, gated, classifier: _bert("roberta.", classifier),
    "t5": lambda data, gated, classifier: _t5(gated),
    "gpt_neox": lambda data, gated, classifier: _neox(data),
    "falcon": lambda data, gated, classifier: _falcon(data),
    "phi": lambda data, gated, classifier: _phi(data),
    "opt": lambda data, gated, classifier: _opt(data),
    "distilbert": lambda data, gated, classifier: _distilbert(data),
    "bart": lambda data, gated, classifier: _bart(data),
    "vit": lambda data, gated, classifier: _vit(data),
}

#: the prefixes of the base model inside heads (stripped before matching, so a bare model's
#: checkpoint matches too; Llama's question-answering head calls its base ``transformer``)
BASES = {"gpt2": ("transformer.",), "bert": ("bert.",), "roberta": ("roberta.",),
         "t5": ("transformer.",),  # T5's sequence and token classifiers
         "vit": ("vit.",),
         "gpt_neox": ("gpt_neox.",), "falcon": ("transformer.",),
         "distilbert": ("distilbert.",),
         **{family: ("model.", "transformer.") for family in (
             "llama", "mistral", "qwen2", "qwen3", "gemma", "gemma2", "mixtral", "phi3", "phi",
             "opt", "bart")}}
#: tensors checkpoints keep that are not parameters (buffers saved by older versions)
BUFFERS = (".attn.bias", ".attn.masked_bias", "embeddings.position_ids", "final_logits_bias")
#: names under which a checkpoint may store a tied copy of the token embedding
TIED = ("lm_head.weight", "cls.predictions.decoder.weight", "lm_head.decoder.weight",
        "encoder.embed_tokens.weight", "decoder.embed_tokens.weight")
