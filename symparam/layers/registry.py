"""The catalogue's registry: one decorator fills it when a layer module is imported.

Specs, the CLI and the Keras importer look layer classes up by their Keras name here; nothing
changes the registry after import.
"""

from __future__ import annotations

import difflib

from symparam.errors import SymparamError, shorten

LAYERS: dict[str, type] = {}

#: Keras layers refused by name, with the reason (DESIGN.md section 6)
REFUSED = {"Lambda": "Lambda layers run arbitrary code and are not supported; write the "
                     "computation as a symparam.Layer subclass with equations() instead"}


def register(cls: type) -> type:
    """Class decorator: make ``cls`` available under its Keras class name."""
    if cls.__name__ in LAYERS:
        raise RuntimeError(f"layer {cls.__name__} registered twice")
    LAYERS[cls.__name__] = cls
    return cls


def layer_class(name: object) -> type:
    """The registered class called ``name``, or an error suggesting the nearest name."""
    if isinstance(name, str) and name in LAYERS:
        return LAYERS[name]
    if name in REFUSED:
        raise SymparamError(f"{name}: {REFUSED[name]}")
    close = difflib.get_close_matches(str(name), list(LAYERS), n=1) if isinstance(name, str) else []
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise SymparamError(f"unknown layer {shorten(name)}{hint}")
