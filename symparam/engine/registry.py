"""Registries of layer classes, filled by a decorator when a catalogue module is imported, and
``construct``, which builds a layer from a configuration (a spec, a Keras file, a PyTorch
module's arguments) with one clear error for a missing or mistyped argument.

Each catalogue has its own registry (Keras's and PyTorch's both have an ``LSTM``, with different
parameterisations); nothing changes a registry after import.  A registry also holds the classes
it refuses by name with the reason (Keras's ``Lambda``, which runs arbitrary code), so the
refusal is written once and every reader (specs, Keras files, the catalogue class) uses it.
"""

from __future__ import annotations

import difflib
import functools
import inspect

from symparam.core.errors import SymparamError, shorten


class Registry:
    """Classes by name, with suggestions for near misses and refusals with reasons.

    ``tolerated`` is the set of arguments every class registered here accepts and ignores
    (Keras's initializers, regularizers and constraints change no count or shape); it becomes
    the classes' ``tolerated_arguments``."""

    def __init__(self, kind: str, refused: dict | None = None, tolerated=frozenset()):
        self.kind = kind
        self.classes: dict[str, type] = {}
        self.refused = dict(refused or {})
        self.tolerated = frozenset(tolerated)

    def register(self, cls: type) -> type:
        """Class decorator: make ``cls`` available under its class name."""
        if cls.__name__ in self.classes:
            raise RuntimeError(f"{self.kind} {cls.__name__} registered twice")
        self.classes[cls.__name__] = cls
        cls.tolerated_arguments = self.tolerated
        return cls

    def refuse(self, name: object, label: str | None = None) -> None:
        """Raise the refusal for ``name`` if this registry refuses it (``label`` names the
        layer in the message)."""
        if isinstance(name, str) and name in self.refused:
            raise SymparamError(f"{label or name}: {self.refused[name]}")

    def lookup(self, name: object) -> type:
        """The class called ``name``, or an error suggesting the nearest name."""
        if isinstance(name, str) and name in self.classes:
            return self.classes[name]
        self.refuse(name)
        close = difflib.get_close_matches(name, list(self.classes), n=1) \
            if isinstance(name, str) else []
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise SymparamError(f"unknown {self.kind} {shorten(name)}{hint}")


def construct(cls: type, arguments: dict, where: str):
    """``cls(**arguments)``, turning a missing or mistyped argument into one clear error."""
    if not all(isinstance(key, str) for key in arguments):
        raise SymparamError(f"{where}: argument names must be strings")
    known = cls.argument_names()
    tolerated = cls.tolerated_arguments | {"name", "trainable"}
    for key in arguments:
        if key not in known and key not in tolerated:
            close = difflib.get_close_matches(key, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise SymparamError(f"{where}: {cls.__name__} has no argument {key!r}{hint}")
    missing = [name for name in _required_arguments(cls) if name not in arguments]
    if missing:
        raise SymparamError(f"{where}: {cls.__name__} needs the argument {missing[0]!r}")
    try:
        return cls(**arguments)
    except SymparamError as error:
        raise SymparamError(f"{where}: {error}") from None
    except TypeError as error:
        raise SymparamError(f"{where}: {cls.__name__}: {error}") from None


@functools.cache
def _required_arguments(cls: type) -> tuple:
    """The arguments ``cls(...)`` cannot do without, read from its signature once per class."""
    return tuple(name for name, p in inspect.signature(cls).parameters.items()
                 if p.default is inspect.Parameter.empty and p.kind is p.POSITIONAL_OR_KEYWORD)
