"""keras-hub's Vision Transformer (``ViTBackbone``, and the ``ViTImageClassifier`` task on
it) read from its Keras config through the Hugging Face ``vit`` family.

The backbone is transformers' ``ViTModel`` without its pooler, with what keras-hub lets one
switch off and transformers always has: ``use_class_token``, ``use_patch_bias``,
``use_mha_bias`` (all four attention projections' biases; transformers' ``qkv_bias`` spares
the output's) and ``use_mlp_bias``; ``mlp_dim`` is ``intermediate_size``.  ``image_shape`` is
``(height, width, channels)`` (channels last; ``data_format`` is honoured when a config states
it, though keras-hub 0.32's ``get_config`` does not save it).  The classifier adds, on the
class token (``pooling="token"``) or the mean of the tokens (``"gap"``), an optional
``pre_logits`` layer of ``intermediate_dim`` and the ``predictions`` layer.
"""

from __future__ import annotations

from symparam.core.errors import SymparamError, shorten
from symparam.importers.hf.config import MAX_LAYERS, MAX_SIZE, Config
from symparam.importers.hf.defaults import DEFAULTS
from symparam.importers.hf.families import Options
from symparam.importers.hf.vision import Variant, assemble_vision, trunk, vit
from symparam.importers.keras.hub import bounded, check_origin
from symparam.layers.pooling import GlobalAveragePooling1D
from symparam.models.functional import Model
from symparam.torch.linear import Linear
from symparam.torch.llm import FirstToken

BACKBONE, CLASSIFIER = "ViTBackbone", "ViTImageClassifier"
#: the sizes a ViTBackbone config must give, and the Hugging Face field each becomes
SIZES = {"num_layers": "num_hidden_layers", "num_heads": "num_attention_heads",
         "hidden_dim": "hidden_size", "mlp_dim": "intermediate_size"}
FLAGS = ("use_mha_bias", "use_mlp_bias", "use_class_token", "use_patch_bias")


def is_vision(entry: dict) -> bool:
    return entry.get("class_name") in (BACKBONE, CLASSIFIER)


def read_vision(entry: dict, where: str, *, rules=(), shapes=None) -> Model:
    """A ``ViTBackbone`` or a ``ViTImageClassifier`` on one (its backbone is checked the same
    way: keras-hub's own class, a config of plain sizes and flags)."""
    class_name, config = entry["class_name"], entry.get("config")
    check_origin(entry, class_name, where)
    if not isinstance(config, dict):
        raise SymparamError(f"{where}: {class_name} config must be an object")
    where = f"{where} {class_name}"
    if any(rule.selector in (class_name, config.get("name")) for rule in rules):
        raise SymparamError(f"{where}: --symbolic cannot select a keras-hub backbone")
    backbone, task = (entry, None) if class_name == BACKBONE else (config.get("backbone"),
                                                                     config)
    found = backbone.get("class_name") if isinstance(backbone, dict) else backbone
    if found != BACKBONE or not isinstance(backbone, dict):
        raise SymparamError(f"{where} needs a serialized {BACKBONE} backbone, got "
                            f"{shorten(found)}")
    if task is not None:
        check_origin(backbone, BACKBONE, where)
    inner = backbone.get("config")
    if not isinstance(inner, dict):
        raise SymparamError(f"{where}: {BACKBONE} config must be an object")
    model = _build(inner, task, where, shapes)
    name = config.get("name")
    if isinstance(name, str) and name:
        model.name = name
    return model


def _build(config: dict, task: dict | None, where: str, shapes) -> Model:
    data, variant, image_shape = translate(config, where)
    _check_shapes(shapes, image_shape, where)
    hf = Config(data, DEFAULTS["vit"], where)
    try:
        parts = vit(hf, Options(), variant)
        if task is None:
            return assemble_vision(parts, None, BACKBONE, hf, batch=None, image=parts.image)
        pixels, _, h = trunk(parts, parts.image, batch=None, mask=False)
        return Model(pixels, _classifier(task, parts.hidden, h, where), name=CLASSIFIER)
    except SymparamError as error:  # a cross-field check (heads dividing the width, ...)
        raise SymparamError(f"{where}: {str(error).removeprefix(where + ': ')}") from None


def translate(config: dict, where: str) -> tuple[dict, Variant, tuple]:
    """The Hugging Face ``vit`` config, the ``Variant`` and the ``image_shape`` of a
    ViTBackbone's config, every field checked under its Keras name."""
    sizes = {key: _size(config.get(key), key, where, MAX_LAYERS if key == "num_layers"
                        else MAX_SIZE) for key in SIZES}
    flags = {key: config.get(key, True) for key in FLAGS}
    for key, value in flags.items():
        if not isinstance(value, bool):
            raise SymparamError(f"{where}: {key} must be true or false, got {shorten(value)}")
    shape = config.get("image_shape")
    if not isinstance(shape, list) or len(shape) != 3:
        raise SymparamError(f"{where}: image_shape must be [height, width, channels], got "
                            f"{shorten(shape)}")
    layout = config.get("data_format", "channels_last")
    if layout not in ("channels_last", "channels_first"):
        raise SymparamError(f"{where}: data_format must be 'channels_last' or "
                            f"'channels_first', got {shorten(layout)}")
    height, width, channels = (shape[1], shape[2], shape[0]) if layout == "channels_first" \
        else shape
    image = (_size(height, "image_shape", where), _size(width, "image_shape", where))
    patch = config.get("patch_size")
    patch = list(patch) if isinstance(patch, list) and len(patch) == 2 else [patch, patch]
    patch = [_size(p, "patch_size", where) for p in patch]
    if any(side % p for side, p in zip(image, patch)):
        raise SymparamError(f"{where}: image_shape {shape} is not divisible by patch_size "
                            f"{patch}, as keras-hub requires")
    data = {"model_type": "vit", "architectures": ["ViTModel"], "hidden_act": "gelu",
            **{SIZES[key]: value for key, value in sizes.items()},
            "image_size": list(image), "patch_size": patch,
            "num_channels": _size(channels, "image_shape", where),
            "qkv_bias": flags["use_mha_bias"]}
    variant = Variant(class_token=flags["use_class_token"], patch_bias=flags["use_patch_bias"],
                      output_bias=flags["use_mha_bias"], mlp_bias=flags["use_mlp_bias"],
                      pooler=False)
    return data, variant, tuple(shape)


def _size(value, key: str, where: str, limit: int = MAX_SIZE) -> int:
    if value is None and key in SIZES:
        raise SymparamError(f"{where}: config has no {key}")
    return bounded(value, key, where, limit)


def _check_shapes(shapes, image_shape: tuple, where: str) -> None:
    """keras-hub's ViT runs on its ``image_shape`` only (its position table fixes the number
    of patches): an ``input_shape`` given must be that one, in the backbone's own layout."""
    if shapes is None:
        return
    if len(shapes) != 1 or tuple(shapes[0][1:]) != image_shape:
        raise SymparamError(f"{where}: input_shape must be the backbone's image, "
                            f"(batch, {', '.join(map(str, image_shape))})")


def _classifier(task: dict, hidden: int, h, where: str):
    """``ViTImageClassifier``'s head on the encoder's output ``h``."""
    pooling = task.get("pooling", "token")
    if pooling not in ("token", "gap"):
        raise SymparamError(f"{where}: pooling must be 'token' or 'gap', got "
                            f"{shorten(pooling)}")
    classes = _size(task.get("num_classes"), "num_classes", where)
    h = FirstToken(name="first_token")(h) if pooling == "token" else \
        GlobalAveragePooling1D(name="global_average")(h)
    width = task.get("intermediate_dim")
    if width is not None:
        width = _size(width, "intermediate_dim", where)
        h = Linear(hidden, width, name="pre_logits")(h)
    return Linear(width or hidden, classes, name="predictions")(h)
