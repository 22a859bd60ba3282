"""A layer's configuration as its constructor call, for ``repr`` (``LSTM(units=u)``).

Keras users read a layer through ``get_config()``; the REPL shows the same thing here: the
arguments the caller gave, by name, leaving out those equal to their defaults, so the repr is
short and can be typed back.  The arguments are the ones passed (``kernel_size=3``), not the
coerced values a layer keeps (``(3, 3)``), which is what the caller recognises.
"""

from __future__ import annotations

import functools
import inspect

#: arguments every layer takes, with the defaults of ``Layer.__init__``
_BASE_DEFAULTS = {"name": None, "trainable": True}


@functools.cache
def _signature(cls: type) -> inspect.Signature | None:
    try:
        return inspect.signature(cls.__init__)
    except (TypeError, ValueError):  # a C-level or odd __init__: no names to show
        return None


def given_arguments(cls: type, args: tuple, kwargs: dict) -> list[tuple[str, object]]:
    """``(name, value)`` of every argument given to ``cls(...)`` that differs from its default,
    in the signature's order (unknown keywords last, as given)."""
    signature = _signature(cls)
    if signature is None:
        return [(str(i), a) for i, a in enumerate(args)] + list(kwargs.items())
    try:
        bound = signature.bind(None, *args, **kwargs)  # None stands for self
    except TypeError:  # the constructor will refuse these arguments itself
        return list(kwargs.items())
    shown = []
    for name, value in list(bound.arguments.items())[1:]:
        parameter = signature.parameters[name]
        if parameter.kind is parameter.VAR_KEYWORD:
            shown += [(k, v) for k, v in value.items()
                      if k not in _BASE_DEFAULTS or not _same(v, _BASE_DEFAULTS[k])]
        elif parameter.kind is parameter.VAR_POSITIONAL:
            shown += [(f"*{name}", v) for v in value]
        elif parameter.default is parameter.empty or not _same(value, parameter.default):
            shown.append((name, value))
    return shown


def _same(value, default) -> bool:
    """Equal without asking SymPy to decide an equation (``u == 4`` is simply False)."""
    try:
        return type(value) is type(default) and bool(value == default)
    except TypeError:
        return False


def call_repr(class_name: str, arguments: list[tuple[str, object]]) -> str:
    """``LSTM(units=u, return_sequences=True)``; a very long value is shortened."""
    def shown(value) -> str:
        text = repr(value)
        return text if len(text) <= 60 else text[:57] + "..."
    parts = [shown(v) if name.startswith("*") else f"{name}={shown(v)}"
             for name, v in arguments]
    return f"{class_name}({', '.join(parts)})"
