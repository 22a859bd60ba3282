"""Layers written once, for any two libraries that share class and argument names.

A ``Spec`` names a layer class and its arguments; sizes that a symbolic route replaces by
dimension symbols are written ``Dim(name, value)``.  ``build`` makes the layer from a library
(``keras.layers``, ``symparam.layers``, ``torch.nn``, ``symparam.torch.nn``), concretely or with
the symbols.  Used by keras_reference.py and test_torch_layers.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import symparam as S


@dataclass(frozen=True)
class Dim:
    """A concrete size that the symbolic route replaces with the dimension symbol ``name``."""

    name: str
    value: int


@dataclass(frozen=True, eq=False)
class Spec:
    """A layer by its class name and arguments (which the two libraries share)."""

    class_name: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        parts = [repr(a) for a in self.args] + [f"{k}={v!r}" for k, v in self.kwargs.items()]
        return re.sub(r"Dim\(name='(\w+)', value=(\d+)\)", r"\1=\2",
                      f"{self.class_name}({', '.join(parts)})")


def spec(class_name: str, *args, **kwargs) -> Spec:
    return Spec(class_name, args, kwargs)


def resolve(value, library, symbolic: bool):
    """``value`` with every ``Dim`` made concrete (or a symbol) and every ``Spec`` built."""
    if isinstance(value, Dim):
        return S.dims(value.name) if symbolic else value.value
    if isinstance(value, Spec):
        return build(value, library, symbolic)
    if isinstance(value, tuple):
        return tuple(resolve(item, library, symbolic) for item in value)
    if isinstance(value, list):
        return [resolve(item, library, symbolic) for item in value]
    if isinstance(value, dict):
        return {key: resolve(item, library, symbolic) for key, item in value.items()}
    return value


def build(layer_spec: Spec, library, symbolic: bool = False, **extra):
    """Build ``layer_spec`` from ``library``; ``extra`` keyword arguments are added as given."""
    cls = getattr(library, layer_spec.class_name)
    args = resolve(layer_spec.args, library, symbolic)
    kwargs = resolve(layer_spec.kwargs, library, symbolic)
    return cls(*args, **kwargs, **extra)


def dim_values(*things) -> dict:
    """``{name: value}`` of every ``Dim`` inside ``things``; one name must keep one value."""
    found: dict = {}

    def walk(value):
        if isinstance(value, Dim):
            assert found.setdefault(value.name, value.value) == value.value, \
                f"dimension {value.name} used with two values"
        elif isinstance(value, Spec):
            walk(value.args)
            walk(value.kwargs)
        elif isinstance(value, (tuple, list)):
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)

    for thing in things:
        walk(thing)
    return found
