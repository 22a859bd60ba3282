"""keras-hub backbones (``GPT2Backbone``, ``BertBackbone``, ...) read from their Keras config.

A backbone's config holds only its constructor arguments (``vocabulary_size``, ``num_layers``,
``hidden_dim``, ...), never a layer list, so it is translated field by field into the Hugging
Face ``config.json`` of the same architecture and built by ``symparam.importers.hf``: the
transformer equations are written once, for both.  The config stays data: ``module`` and
``registered_name`` are only checked (keras-hub is never imported), every translated field is
type- and range-checked under its Keras name, and an unknown backbone is refused by name.

Which Hugging Face class equals a backbone follows the weights the backbone owns.  The decoder
backbones hold their token table in a ``ReversibleEmbedding`` that is also the LM head (tied,
or with its own reverse table when ``tie_word_embeddings`` is false), so they are built as
``...ForCausalLM``: the head's projection is then in ``macs``, as the CausalLM task on the
backbone computes it.  BERT's backbone keeps its pooler (``BertModel``), DistilBERT's has none.
BART's and T5's are the bare encoder-decoders (``BartModel``, ``T5Model``): both outputs, no head.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from symparam.core.dims import NAME_PATTERN
from symparam.core.errors import SymparamError, shorten
from symparam.importers.hf.build import from_hf_config
from symparam.importers.hf.config import MAX_LAYERS, MAX_SIZE

#: the module prefixes keras-hub (and keras-nlp before it) register their classes under
MODULES = ("keras_hub.", "keras_nlp.")
_BOOLS = frozenset({"tie_word_embeddings", "use_post_ffw_norm", "use_post_attention_norm",
                    "use_sliding_window_attention", "use_gated_activation",
                    "tie_embedding_weights"})
#: fields passed on as they are, to be checked by the backbone's ``adjust``
_TEXTS = frozenset({"activation"})
_REQUIRED = object()


@dataclass(frozen=True)
class Backbone:
    """How one backbone class reads as a Hugging Face config.

    ``fields`` maps a Keras field to the Hugging Face field it becomes, with keras-hub's
    constructor default (``_REQUIRED`` when it has none); ``fixed`` gives the Hugging Face
    fields the backbone hard-codes (a tied token table, the activation)."""

    model_type: str
    architecture: str
    fields: dict
    fixed: dict = field(default_factory=dict)
    #: ``adjust(data, values, where)``: the Hugging Face config once the fields are copied,
    #: for the differences a field-to-field copy cannot say (OPT's position rows, T5's ...)
    adjust: object = None


_DECODER = {"vocabulary_size": ("vocab_size", _REQUIRED),
            "num_layers": ("num_hidden_layers", _REQUIRED),
            "num_query_heads": ("num_attention_heads", _REQUIRED),
            "num_key_value_heads": ("num_key_value_heads", _REQUIRED),
            "hidden_dim": ("hidden_size", _REQUIRED),
            "intermediate_dim": ("intermediate_size", _REQUIRED)}

BACKBONES = {
    "GPT2Backbone": Backbone("gpt2", "GPT2LMHeadModel", {
        "vocabulary_size": ("vocab_size", _REQUIRED), "num_layers": ("n_layer", _REQUIRED),
        "num_heads": ("n_head", _REQUIRED), "hidden_dim": ("n_embd", _REQUIRED),
        "intermediate_dim": ("n_inner", _REQUIRED),
        "max_sequence_length": ("n_positions", 1024)},
        {"activation_function": "gelu_new", "tie_word_embeddings": True}),
    "BertBackbone": Backbone("bert", "BertModel", {
        "vocabulary_size": ("vocab_size", _REQUIRED),
        "num_layers": ("num_hidden_layers", _REQUIRED),
        "num_heads": ("num_attention_heads", _REQUIRED),
        "hidden_dim": ("hidden_size", _REQUIRED),
        "intermediate_dim": ("intermediate_size", _REQUIRED),
        "max_sequence_length": ("max_position_embeddings", 512),
        "num_segments": ("type_vocab_size", 2)},
        {"hidden_act": "gelu"}),
    "DistilBertBackbone": Backbone("distilbert", "DistilBertModel", {
        "vocabulary_size": ("vocab_size", _REQUIRED), "num_layers": ("n_layers", _REQUIRED),
        "num_heads": ("n_heads", _REQUIRED), "hidden_dim": ("dim", _REQUIRED),
        "intermediate_dim": ("hidden_dim", _REQUIRED),
        "max_sequence_length": ("max_position_embeddings", 512)},
        {"activation": "gelu"}),
    "LlamaBackbone": Backbone("llama", "LlamaForCausalLM", {
        **_DECODER, "tie_word_embeddings": ("tie_word_embeddings", False)},
        {"hidden_act": "silu"}),
    "MistralBackbone": Backbone("mistral", "MistralForCausalLM", {
        **_DECODER, "head_dim": ("head_dim", None), "sliding_window": ("sliding_window", 512)},
        {"hidden_act": "silu", "tie_word_embeddings": False}),
    "MixtralBackbone": Backbone("mixtral", "MixtralForCausalLM", {
        **_DECODER, "num_experts": ("num_local_experts", _REQUIRED),
        "top_k": ("num_experts_per_tok", 2), "sliding_window": ("sliding_window", 512)},
        {"hidden_act": "silu", "tie_word_embeddings": False}),
    # keras-hub's Qwen windows every layer when asked: Hugging Face's from layer 0 on
    "QwenBackbone": Backbone("qwen2", "Qwen2ForCausalLM", {
        **_DECODER, "tie_word_embeddings": ("tie_word_embeddings", True),
        "use_sliding_window_attention": ("use_sliding_window", False),
        "sliding_window_size": ("sliding_window", 32768)},
        {"hidden_act": "silu", "max_window_layers": 0}),
    # keras-hub's Qwen 3 windows every layer, always (32768 by default)
    "Qwen3Backbone": Backbone("qwen3", "Qwen3ForCausalLM", {
        **_DECODER, "head_dim": ("head_dim", _REQUIRED),
        "tie_word_embeddings": ("tie_word_embeddings", True),
        "sliding_window_size": ("sliding_window", 32768)},
        {"hidden_act": "silu", "use_sliding_window": True, "max_window_layers": 0}),
    "Phi3Backbone": Backbone("phi3", "Phi3ForCausalLM", _DECODER,
                             {"hidden_act": "silu", "tie_word_embeddings": False}),
    "GPTNeoXBackbone": Backbone("gpt_neox", "GPTNeoXForCausalLM", {
        "vocabulary_size": ("vocab_size", _REQUIRED),
        "num_layers": ("num_hidden_layers", _REQUIRED),
        "num_heads": ("num_attention_heads", _REQUIRED),
        "hidden_dim": ("hidden_size", _REQUIRED),
        "intermediate_dim": ("intermediate_size", _REQUIRED)},
        {"hidden_act": "gelu", "use_parallel_residual": True, "attention_bias": True,
         "tie_word_embeddings": True}),
    # intermediate_dim is twice Hugging Face's intermediate_size: keras-hub's gated layers are
    # ``intermediate_dim // 2`` wide (see ``_gemma``)
    "GemmaBackbone": Backbone("gemma", "GemmaForCausalLM", {
        **_DECODER, "head_dim": ("head_dim", _REQUIRED),
        "use_post_ffw_norm": (None, False), "use_post_attention_norm": (None, False),
        "use_sliding_window_attention": (None, False),
        "sliding_window_size": (None, 4096)},
        {"hidden_act": "gelu_pytorch_tanh", "tie_word_embeddings": True}),
}
# keras-hub's Falcon is Falcon-RW's layer (ALiBi, serial, biases everywhere, one norm each)
BACKBONES["FalconBackbone"] = Backbone("falcon", "FalconForCausalLM", {
    "vocabulary_size": ("vocab_size", _REQUIRED), "num_layers": ("num_hidden_layers", _REQUIRED),
    "num_attention_heads": ("num_attention_heads", _REQUIRED),
    "hidden_dim": ("hidden_size", _REQUIRED), "intermediate_dim": ("ffn_hidden_size", _REQUIRED)},
    {"new_decoder_architecture": False, "multi_query": False, "parallel_attn": False,
     "bias": True, "alibi": True, "activation": "gelu", "tie_word_embeddings": True})
#: Llama 3's backbone is Llama's class under another name (rope scaling changes no count)
BACKBONES["Llama3Backbone"] = BACKBONES["LlamaBackbone"]


def is_backbone(entry: dict) -> bool:
    """Whether a config entry claims to be a keras-hub model (by module or registered name);
    such an entry is read here or refused here, never as a Keras layer graph."""
    module, registered = entry.get("module"), entry.get("registered_name")
    return (isinstance(module, str) and module.startswith(MODULES)) or \
        (isinstance(registered, str) and registered.startswith(("keras_hub>", "keras_nlp>"))) \
        or entry.get("class_name") in BACKBONES or entry.get("class_name") in TASKS


def refuse_unnamed(config: dict) -> None:
    """A backbone's bare ``get_config()`` names no class, and its sizes alone cannot tell
    GPT-2 from BERT: ask for the serialized entry rather than guess."""
    if "vocabulary_size" in config and "layers" not in config:
        raise SymparamError("model: this looks like a keras-hub model's get_config(), which "
                            "does not name its class; read keras.saving."
                            "serialize_keras_object(model), a .keras file or a preset's "
                            "config.json instead")


def read_hub(entry: dict, where: str, *, rules=(), shapes=None):
    """A keras-hub backbone, or a ``...CausalLM`` or ``...Seq2SeqLM`` task on one: the task
    owns no weight of its own (its head is the backbone's reversible token embedding), so it
    reads as its backbone (a sequence-to-sequence LM with the logits its forward computes),
    under the task's name.  Other tasks (classifiers add a head) are refused."""
    class_name, config = entry.get("class_name"), entry.get("config")
    task = TASKS.get(class_name) if isinstance(class_name, str) else None
    if task is None or not isinstance(config, dict):
        return read_backbone(entry, where, rules=rules, shapes=shapes)
    check_origin(entry, class_name, where)
    backbone = config.get("backbone")
    found = backbone.get("class_name") if isinstance(backbone, dict) else backbone
    if found != task:
        raise SymparamError(f"{where}: {class_name} needs a {task} backbone, got "
                            f"{shorten(found)}")
    model = read_backbone(backbone, f"{where} {class_name}", rules=rules, shapes=shapes,
                          architecture=TASK_HEADS.get(class_name))
    if isinstance(config.get("name"), str) and config["name"]:
        model.name = config["name"]
    return model


def check_origin(entry: dict, class_name: str, where: str) -> None:
    """``registered_name`` and ``module`` must be keras-hub's own for ``class_name`` (they are
    compared, never imported)."""
    registered, module = entry.get("registered_name"), entry.get("module")
    if registered is not None and registered not in (f"keras_hub>{class_name}",
                                                      f"keras_nlp>{class_name}"):
        raise SymparamError(f"{where}: registered_name {shorten(registered)} does not name "
                            f"the keras-hub class {class_name}")
    if module is not None and not (isinstance(module, str) and module.startswith(MODULES)):
        raise SymparamError(f"{where}: {class_name} from module {shorten(module)} is not "
                            "keras-hub's (custom classes cannot be read)")


def read_backbone(entry: dict, where: str, *, rules=(), shapes=None, architecture=None):
    """The ``Model`` of a serialized keras-hub backbone (``{"class_name": "GPT2Backbone",
    "config": {...}}``, as a ``.keras`` file or a preset's ``config.json`` holds it).

    ``shapes`` (``from_keras(input_shape=...)``) may give the token ids' shape
    ``(batch, length)``; the length is the symbol ``T`` otherwise.  ``--symbolic`` rules
    cannot name a backbone's fields (they are not Keras layer fields) and are refused.
    ``architecture`` replaces the backbone's Hugging Face twin (a task's: a sequence-to-
    sequence LM reads as ``...ForConditionalGeneration``)."""
    class_name = entry.get("class_name")
    if not isinstance(class_name, str) or class_name not in BACKBONES:
        raise SymparamError(f"{where}: unsupported keras-hub class {shorten(class_name)}; "
                            f"supported backbones: {', '.join(BACKBONES)}")
    check_origin(entry, class_name, where)
    config = entry.get("config")
    if not isinstance(config, dict):
        raise SymparamError(f"{where}: {class_name} config must be an object")
    where = f"{where} {class_name}"
    if any(rule.selector in (class_name, config.get("name")) for rule in rules):
        raise SymparamError(f"{where}: --symbolic cannot select a keras-hub backbone")
    data = translate(BACKBONES[class_name], config, where)
    if architecture is not None:
        data["architectures"] = [architecture]
    try:
        model = from_hf_config(data, seq_len=_length(shapes, where))
    except SymparamError as error:  # a cross-field check (heads dividing the width, ...)
        raise SymparamError(f"{where}: {str(error).removeprefix('config.json: ')}") from None
    name = config.get("name")
    if isinstance(name, str) and name:
        model.name = name
    return model


def _length(shapes, where: str):
    """The sequence length the caller's one ``(batch, length)`` input shape gives."""
    if shapes is None:
        return None
    if len(shapes) != 1 or len(shapes[0]) != 2:
        raise SymparamError(f"{where}: input_shape must be one (batch, length) shape for the "
                            "token ids")
    length = shapes[0][1]
    if length is None:
        return None
    if not getattr(length, "is_Integer", False):
        raise SymparamError(f"{where}: input_shape gives the length {length}; a backbone's "
                            "length is a number, or None for the symbol T")
    return int(length)


def translate(backbone: Backbone, config: dict, where: str) -> dict:
    """The Hugging Face config equal to the backbone's, every field checked by its Keras
    name before the Hugging Face reader sees it."""
    values = {key: _value(config, key, default, where)
              for key, (_, default) in backbone.fields.items()}
    data = {"model_type": backbone.model_type, "architectures": [backbone.architecture],
            **backbone.fixed}
    data.update({target: values[key] for key, (target, _) in backbone.fields.items()
                 if target is not None and values[key] is not None})
    if backbone.model_type == "gemma":
        data = _gemma(data, values, where)
    if backbone.adjust is not None:
        data = backbone.adjust(data, values, where)
    return data


def _gemma(data: dict, values: dict, where: str) -> dict:
    """keras-hub's one Gemma backbone covers Gemma and Gemma 2: the post-attention and
    post-feed-forward norms make it Gemma 2 (sliding window on even layers, as in
    transformers); either norm alone, or a window without them, has no Hugging Face twin."""
    post = (values["use_post_ffw_norm"], values["use_post_attention_norm"])
    window = values["use_sliding_window_attention"]
    if post[0] != post[1] or (window and not post[0]):
        raise SymparamError(f"{where}: use_post_ffw_norm={post[0]}, use_post_attention_norm="
                            f"{post[1]}, use_sliding_window_attention={window} matches no "
                            "Gemma architecture symparam builds (Gemma: all false; Gemma 2: "
                            "both norms)")
    data["intermediate_size"] = values["intermediate_dim"] // 2
    if not post[0]:
        return data
    act = data.pop("hidden_act")
    return {**data, "model_type": "gemma2", "architectures": ["Gemma2ForCausalLM"],
            "hidden_activation": act,
            "sliding_window": values["sliding_window_size"] if window else None}


def _value(config: dict, key: str, default, where: str):
    """A field's value: a boolean flag, or a positive size (``None`` only where keras-hub's
    default is ``None``)."""
    value = config.get(key, default)
    if value is _REQUIRED:
        raise SymparamError(f"{where}: config has no {key}")
    if key in _BOOLS:
        if not isinstance(value, bool):
            raise SymparamError(f"{where}: {key} must be true or false, got {shorten(value)}")
        return value
    if key in _TEXTS:
        return value
    if value is None and (default is None or key == "sliding_window"):
        return None
    return bounded(value, key, where, MAX_LAYERS if key == "num_layers" else MAX_SIZE)


def bounded(value, key: str, where: str, limit: int = MAX_SIZE) -> int:
    """``value`` if it is an integer from 1 to ``limit`` (a JSON ``true`` is not one)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= limit:
        raise SymparamError(f"{where}: {key} must be an integer from 1 to {limit}, got "
                            f"{shorten(value)}")
    return value


# --- OPT, RoBERTa, XLM-RoBERTa, BART, T5 ------------------------------------------------
#
# keras-hub's position tables have ``max_sequence_length`` rows where OPT's and BART's
# Hugging Face tables have ``max_position_embeddings + 2`` (the two rows fairseq's padding
# offset skips), so the length is read back two rows short.  RoBERTa's backbone has neither
# token types nor a pooler (``RobertaModel`` has both): its layers are DistilBERT's (learnt
# positions, an embedding norm, post-norm layers with biases), so it is built by that family.

_ENCODER = {"vocabulary_size": ("vocab_size", _REQUIRED), "num_layers": ("n_layers", _REQUIRED),
            "num_heads": ("n_heads", _REQUIRED), "hidden_dim": ("dim", _REQUIRED),
            "intermediate_dim": ("hidden_dim", _REQUIRED),
            "max_sequence_length": ("max_position_embeddings", 512)}
_SEQ2SEQ = {"vocabulary_size": ("vocab_size", _REQUIRED), "hidden_dim": ("d_model", _REQUIRED)}


def _fairseq_positions(data: dict, values: dict, where: str) -> dict:
    """``max_position_embeddings`` two rows short of keras-hub's table, which Hugging Face's
    OPT and BART then make ``max_sequence_length`` rows again."""
    rows = values["max_sequence_length"]
    if rows < 3:
        raise SymparamError(f"{where}: max_sequence_length must be at least 3 (the Hugging "
                            f"Face twin's table has max_position_embeddings + 2 rows), got "
                            f"{rows}")
    return {**data, "max_position_embeddings": rows - 2}


def _bart(data: dict, values: dict, where: str) -> dict:
    """One ``num_layers``, ``num_heads`` and ``intermediate_dim`` for both stacks."""
    data = _fairseq_positions(data, values, where)
    for side in ("encoder", "decoder"):
        data.update({f"{side}_layers": values["num_layers"],
                     f"{side}_attention_heads": values["num_heads"],
                     f"{side}_ffn_dim": values["intermediate_dim"]})
    return data


def _t5(data: dict, values: dict, where: str) -> dict:
    """Both stacks ``num_layers`` deep; ``key_value_dim`` defaults to ``hidden_dim //
    num_heads`` (floored, as keras-hub does); the gate and the activation make
    ``feed_forward_proj``.  An untied backbone owns a reverse token table the Hugging Face
    family never builds (it ties T5's head), so it is refused rather than miscounted."""
    if not values["tie_embedding_weights"]:
        raise SymparamError(f"{where}: tie_embedding_weights=false (T5 v1.1) adds a reverse "
                            "token table symparam's T5 family does not build")
    activation = values["activation"]
    if not isinstance(activation, str) or not NAME_PATTERN.fullmatch(activation):
        raise SymparamError(f"{where}: activation must be the name of a Keras activation, "
                            f"got {shorten(activation)}")
    d_kv = values["key_value_dim"] or values["hidden_dim"] // values["num_heads"]
    if d_kv < 1:
        raise SymparamError(f"{where}: hidden_dim {values['hidden_dim']} is smaller than "
                            f"num_heads {values['num_heads']}")
    gate = "gated-" if values["use_gated_activation"] else ""
    return {**data, "num_layers": values["num_layers"], "num_heads": values["num_heads"],
            "d_ff": values["intermediate_dim"], "d_kv": d_kv,
            "feed_forward_proj": gate + activation}


BACKBONES.update({
    "OPTBackbone": Backbone("opt", "OPTForCausalLM", {
        "vocabulary_size": ("vocab_size", _REQUIRED),
        "num_layers": ("num_hidden_layers", _REQUIRED),
        "num_heads": ("num_attention_heads", _REQUIRED),
        "hidden_dim": ("hidden_size", _REQUIRED), "intermediate_dim": ("ffn_dim", _REQUIRED),
        "max_sequence_length": (None, 2048)},
        {"activation_function": "relu", "tie_word_embeddings": True,
         "do_layer_norm_before": True}, _fairseq_positions),
    "RobertaBackbone": Backbone("distilbert", "DistilBertModel", _ENCODER,
                                {"activation": "gelu"}),
    "XLMRobertaBackbone": Backbone("distilbert", "DistilBertModel", _ENCODER,
                                   {"activation": "gelu"}),
    "BartBackbone": Backbone("bart", "BartModel", {
        **_SEQ2SEQ, "num_layers": (None, _REQUIRED), "num_heads": (None, _REQUIRED),
        "intermediate_dim": (None, _REQUIRED), "max_sequence_length": (None, 1024)},
        {"activation_function": "gelu"}, _bart),
    "T5Backbone": Backbone("t5", "T5Model", {
        **_SEQ2SEQ, "num_layers": (None, _REQUIRED), "num_heads": (None, _REQUIRED),
        "intermediate_dim": (None, _REQUIRED), "key_value_dim": (None, None),
        "activation": (None, "relu"), "use_gated_activation": (None, True),
        "tie_embedding_weights": (None, True)},
        {"relative_attention_num_buckets": 32}, _t5),
})

#: the CausalLM tasks and the backbone each must hold: those built with an LM head
TASKS = {name.removesuffix("Backbone") + "CausalLM": name
         for name, backbone in BACKBONES.items()
         if backbone.architecture.endswith(("ForCausalLM", "LMHeadModel"))}
#: the sequence-to-sequence LM tasks own no weight either (their logits are the backbone's
#: reversible token table read in reverse), but their forward computes those logits: they
#: read as the Hugging Face head that does the same
TASK_HEADS = {"BartSeq2SeqLM": "BartForConditionalGeneration",
              "T5Seq2SeqLM": "T5ForConditionalGeneration"}
TASKS.update({task: task.removesuffix("Seq2SeqLM") + "Backbone" for task in TASK_HEADS})
