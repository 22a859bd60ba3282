"""The symbolic sizes a layer was given (``units=u``, ``key_dim=d/h``), gathered from the layer
and every layer inside it, so that giving dimensions values can keep each of them a positive
integer (``symparam.engine.substitute.check_sizes``) even where it occurs in no shape."""

from __future__ import annotations

from symparam.core import args


def _nested(value) -> bool:
    """A layer (anything with a ``config_key``) or a list of them, walked for their sizes."""
    return isinstance(value, (list, tuple)) or (
        hasattr(value, "config_key") and not isinstance(value, type))


def argument_sizes(layer) -> dict:
    """``{size: (owner, field, minimum)}`` for the symbolic size arguments of ``layer`` and of
    every layer inside it (a wrapper's layer, a model's layers), walked without recursion."""
    found: dict = {}
    seen: set = set()
    pending: list = [layer]
    while pending:
        item = pending.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, (list, tuple)):
            pending.extend(x for x in item if _nested(x))
            continue
        owner = args.where(item)
        for expr, (field, minimum) in vars(item).get("_size_arguments", {}).items():
            found.setdefault(expr, (owner, field, minimum))
        pending.extend(v for v in vars(item).values() if _nested(v))
        inner = getattr(type(item), "layers", None)
        if isinstance(inner, property):
            pending.append(list(item.layers))
    return found
