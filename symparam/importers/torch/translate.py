"""The translation table from ``torch.nn`` modules to ``symparam.torch.nn`` layers: which
attributes become which arguments, and PyTorch's quirks (arguments that live in a submodule,
outputs nested differently, calls that take several inputs).  Framework quirks live here, in
the importer, never in the catalogue's layers."""

from __future__ import annotations

from symparam.core.errors import SymparamError, shorten
from symparam.torch._base import TORCH

#: arguments read from no module attribute
SKIPPED = frozenset({"name", "trainable", "device", "dtype", "need_weights"})
#: forward() options that change a module's outputs: name -> positional index
CALL_OPTIONS = {"MultiheadAttention": {"need_weights": 4}}
#: how many positional tensors forward() reads (default 1)
INPUTS = {"Bilinear": 2, "MultiheadAttention": 3, "TransformerDecoderLayer": 2,
          "TransformerDecoder": 2, "Transformer": 2}
#: PyTorch parameter names -> the symparam weights that hold them (for tying and freezing)
_AFFINE = {"weight": ("W",), "bias": ("b",)}
_NORM = {"weight": ("gamma",), "bias": ("beta",)}
PARAMETERS = {
    "Linear": _AFFINE, "Bilinear": _AFFINE, "Embedding": {"weight": ("E",)},
    "EmbeddingBag": {"weight": ("E",)}, "PReLU": {"weight": ("a",)},
    **{f"{kind}{n}d": _AFFINE for kind in ("Conv", "ConvTranspose") for n in (1, 2, 3)},
    **{f"{kind}{n}d": _NORM for kind in ("BatchNorm", "InstanceNorm") for n in (1, 2, 3)},
    "LayerNorm": _NORM, "GroupNorm": _NORM,
    "MultiheadAttention": {
        "in_proj_weight": ("W_Q", "W_K", "W_V"), "in_proj_bias": ("b_Q", "b_K", "b_V"),
        "q_proj_weight": ("W_Q",), "k_proj_weight": ("W_K",), "v_proj_weight": ("W_V",),
        "out_proj.weight": ("W_O",), "out_proj.bias": ("b_O",), "bias_k": ("k_b",),
        "bias_v": ("v_b",)},
}


def _activation(function) -> str:
    """``F.relu``/``nn.ReLU()`` -> ``"relu"``; likewise GELU."""
    name = getattr(function, "__name__", type(function).__name__).lower()
    if name not in ("relu", "gelu"):
        raise SymparamError(f"activation {shorten(function)} is not supported")
    return name


def _block(module, reader) -> dict:
    attention = module.self_attn
    return {"d_model": attention.embed_dim, "nhead": attention.num_heads,
            "dim_feedforward": module.linear1.out_features, "dropout": module.dropout.p,
            "activation": _activation(module.activation), "batch_first": attention.batch_first,
            "norm_first": module.norm_first, "bias": module.linear1.bias is not None}


def _stack(field_name: str):
    def arguments(module, reader) -> dict:
        norm = module.norm
        return {field_name: reader.translate(module.layers[0]), "num_layers": len(module.layers),
                "norm": None if norm is None else reader.translate(norm)}
    return arguments


#: PyTorch's quirks: arguments not stored under their own name
QUIRKS = {
    "MultiheadAttention": lambda m, r: {"bias": m.in_proj_bias is not None,
                                        "add_bias_kv": m.bias_k is not None},
    "TransformerEncoderLayer": _block, "TransformerDecoderLayer": _block,
    "TransformerEncoder": _stack("encoder_layer"), "TransformerDecoder": _stack("decoder_layer"),
    "Transformer": lambda m, r: {"d_model": m.d_model, "nhead": m.nhead,
                                 "batch_first": m.batch_first,
                                 "custom_encoder": r.translate(m.encoder),
                                 "custom_decoder": r.translate(m.decoder)},
}
#: PyTorch's output nesting, rebuilt from a layer's flat list of output shapes
NESTING = {"LSTM": lambda o: (o[0], (o[1], o[2])),
           "MultiheadAttention": lambda o: (o[0], o[1] if len(o) > 1 else None)}


def torch_class(module) -> str | None:
    """The name of the ``torch.nn`` class of ``module`` (or of its nearest such base) that
    ``symparam.torch.nn`` knows."""
    for base in type(module).__mro__:
        if base.__module__.startswith("torch.nn.") and base.__name__ in TORCH.classes:
            return base.__name__
    return None


_UNREADABLE = object()


def _plain(value, field_name: str):
    """A module attribute as a layer argument: tuples for sizes, flags for bias tensors;
    anything else (a function, a module) is left to the quirks table."""
    if field_name == "bias" and not isinstance(value, bool):
        return value is not None
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    if isinstance(value, (tuple, list)):
        items = tuple(_plain(item, field_name) for item in value)
        return _UNREADABLE if _UNREADABLE in items else items
    return _UNREADABLE
