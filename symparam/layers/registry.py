"""Registries of layer classes, each filled by a decorator when a layer module is imported.

Specs, the CLI and the importers look classes up by name here; nothing changes a registry after
import.  Keras-convention layers live in ``KERAS``; other conventions (PyTorch's) have their own
registry, since both frameworks use names such as ``LSTM`` for different parameterisations.
"""

from __future__ import annotations

import difflib

from symparam.errors import SymparamError, shorten


class Registry:
    """Classes by name, with suggestions for near misses and refusals with reasons."""

    def __init__(self, kind: str, refused: dict | None = None):
        self.kind = kind
        self.classes: dict[str, type] = {}
        self.refused = dict(refused or {})

    def register(self, cls: type) -> type:
        """Class decorator: make ``cls`` available under its class name."""
        if cls.__name__ in self.classes:
            raise RuntimeError(f"{self.kind} {cls.__name__} registered twice")
        self.classes[cls.__name__] = cls
        return cls

    def lookup(self, name: object) -> type:
        """The class called ``name``, or an error suggesting the nearest name."""
        if isinstance(name, str) and name in self.classes:
            return self.classes[name]
        if name in self.refused:
            raise SymparamError(f"{name}: {self.refused[name]}")
        close = difflib.get_close_matches(name, list(self.classes), n=1) \
            if isinstance(name, str) else []
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise SymparamError(f"unknown {self.kind} {shorten(name)}{hint}")


#: Keras layers refused by name, with the reason (DESIGN.md section 6)
REFUSED = {"Lambda": "Lambda layers run arbitrary code and are not supported; write the "
                     "computation as a symparam.Layer subclass with equations() instead"}

KERAS = Registry("layer", REFUSED)
LAYERS = KERAS.classes
register = KERAS.register
layer_class = KERAS.lookup
