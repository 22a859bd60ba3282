"""Symbolic tensors and the nodes that connect layers in a functional model.

A ``Tensor`` only carries a shape and the node that produced it; calling a layer on tensors derives
the layer at once (so shape errors surface where the user wrote the call) and records a ``Node``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

_CALLS = itertools.count()


@dataclass(eq=False)
class Node:
    """One call of a layer: the tensors it read and the tensors it produced.

    ``order`` numbers calls as they happen, so a summary can show a shared layer's latest call
    as Keras does."""

    layer: object
    inputs: list
    outputs: list = field(default_factory=list)
    derivation: object = None
    order: int = field(default_factory=lambda: next(_CALLS))
    #: tensors the call also reads that change none of its shapes or counts (an RNN's
    #: ``initial_state``, a ``mask``): they order and connect the graph, as in Keras
    conditions: list = field(default_factory=list)

    @property
    def parents(self) -> list:
        return self.inputs + self.conditions


@dataclass(eq=False)
class Tensor:
    """A symbolic tensor: its shape (batch first) and where it came from."""

    shape: tuple
    node: Node | None = None
    index: int = 0
    dtype: str = "float32"

    def __repr__(self) -> str:
        from symparam.core.shapes import format_shape
        return f"<Tensor shape={format_shape(self.shape)}>"


def as_tensor_list(value) -> tuple[list, bool]:
    """The tensors of a call's argument, and whether the caller passed a list."""
    if isinstance(value, Tensor):
        return [value], False
    if isinstance(value, (list, tuple)) and value and all(isinstance(t, Tensor) for t in value):
        return list(value), True
    return [], False
