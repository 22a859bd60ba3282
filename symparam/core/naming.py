"""Keras-style automatic layer names (``dense``, ``dense_1``, ...), assigned per model.

Keras numbers names with session-global counters; symparam names the layers of each model when
the model is built, in the model's layer order, so results never depend on what was built before.
"""

from __future__ import annotations

import re

from symparam.core.errors import SymparamError

_SPECIAL = {"InputLayer": "input_layer", "Model": "functional", "Functional": "functional"}


def snake_case(class_name: str) -> str:
    """``BatchNormalization`` -> ``batch_normalization``, ``Conv2D`` -> ``conv2d``."""
    if class_name in _SPECIAL:
        return _SPECIAL[class_name]
    words = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", class_name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", words).lower()


def assign_names(layers) -> dict:
    """A unique name for each layer: its own, or the next free ``snake_case`` name."""
    names: dict = {}
    taken = set()
    for layer in layers:
        if layer.name is not None:
            if layer.name in taken:
                raise SymparamError(f"the name {layer.name!r} is used by two layers of one model")
            taken.add(layer.name)
            names[layer] = layer.name
    counters: dict[str, int] = {}
    for layer in layers:
        if layer in names:
            continue
        base = snake_case(type(layer).__name__)
        index = counters.get(base, 0)
        candidate = base if index == 0 else f"{base}_{index}"
        while candidate in taken:
            index += 1
            candidate = f"{base}_{index}"
        counters[base] = index + 1
        taken.add(candidate)
        names[layer] = candidate
    return names
