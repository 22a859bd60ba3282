"""The catalogue: one small class per layer, grouped like Keras, each registered by name.

Every registered class is available here by its Keras name (``from symparam.layers import
LSTM``).  The modules are imported on the first such name, not with the package: importing one
of them (``symparam.layers.wrappers`` for the Hugging Face importer's ``Repeated``) does not load
the whole catalogue, and the registry loads it before any lookup by name (``load``).
"""

import importlib

#: the modules whose import registers the catalogue's layers
MODULES = ("activations", "attention", "convolutional", "core", "encoding", "merging",
           "normalization", "pooling", "preprocessing", "recurrent", "regularization",
           "reshaping", "wrappers")


def load() -> dict:
    """Every catalogue module imported (so every layer registered): the registry's classes."""
    for module in MODULES:
        importlib.import_module(f"symparam.layers.{module}")
    from symparam.layers.registry import LAYERS
    globals().update(LAYERS)  # later lookups by name no longer come through __getattr__
    return LAYERS


def __getattr__(name: str):
    layers = load()
    from symparam.layers import registry
    if name == "__all__":
        return ["LAYERS", "layer_class", "register", *sorted(layers)]
    if name in ("LAYERS", "layer_class", "register"):
        return getattr(registry, name)
    if name in layers:
        return layers[name]
    raise AttributeError(f"module 'symparam.layers' has no attribute {name!r}")


def __dir__() -> list:
    return sorted({*globals(), "LAYERS", "layer_class", "register", *load()})
