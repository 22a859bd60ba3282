"""The frozen value ``derive`` returns: counts, shapes, equations and the cost read off them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property

import sympy

from symparam.core.algebra import tidy
from symparam.core.renderable import Renderable
from symparam.core.shapes import format_shape, map_shape, product
from symparam.engine.cost import Cost, dtype_bytes
from symparam.engine.substitute import KEEP, Substitutable
from symparam.engine.weights import UNKNOWN, Weight, count


@dataclass(frozen=True, eq=False)
class Derivation(Substitutable, Renderable):
    """What ``derive`` finds for one layer (or model) on one input shape.

    ``params`` (all parameters, Keras's ``count_params()``), ``trainable`` and
    ``non_trainable`` are SymPy expressions (Integers once every size is concrete), written with
    common factors pulled out (``4*u*(d + u + 1)``).
    """

    report_kind = "derivation"  # which view and template render it

    class_name: str
    input_shape: object
    output_shape: object
    weights: Mapping[str, Weight]
    equations: list
    trainable: sympy.Expr
    non_trainable: sympy.Expr
    name: str | None = None
    params: sympy.Expr = None  # filled in by __post_init__ when not given
    cost: Cost | None = None   # per example; None where a size it needs is unknown
    buffers: Mapping[str, Weight] = field(default_factory=dict)  # never counted in params
    #: ``{size: (owner, field, minimum)}``: the symbolic size arguments of the layer and the
    #: layers inside it, checked (never substituted) when values are given
    argument_sizes: Mapping = field(default_factory=dict, repr=False, metadata={KEEP: False})

    def __post_init__(self):
        if self.params is None:  # models: the plain sum of their layers' tidy counts
            object.__setattr__(self, "params", sympy.Add(self.trainable, self.non_trainable))

    @classmethod
    def from_weights(cls, *, weights, **fields) -> "Derivation":
        """Count ``weights``; the totals get common factors pulled out (``4*u*(d + u + 1)``)."""
        trainable, frozen = count(weights)
        tidy_trainable, tidy_frozen = tidy(trainable), tidy(frozen)
        if frozen == 0:  # the total is the other part, already tidied
            params = tidy_trainable
        elif trainable == 0:
            params = tidy_frozen
        else:
            params = tidy(trainable + frozen)
        return cls(weights=weights, trainable=tidy_trainable, non_trainable=tidy_frozen,
                   params=params, **fields)

    @property
    def macs(self):
        """Multiply-accumulates per example (``None`` if a size it needs is unknown)."""
        return None if self.cost is None else self.cost.macs

    def flops(self, convention="macs"):
        """FLOPs per example under ``convention`` (see ``symparam.engine.cost.FlopConvention``)."""
        return None if self.cost is None else self.cost.flops(convention)

    @property
    def activation_elements(self):
        """Numbers in the output tensor(s) of one example."""
        shapes = self.output_shape if isinstance(self.output_shape, list) \
            else [self.output_shape]
        sizes = [product(shape[1:]) for shape in shapes]
        return None if any(s is None for s in sizes) else sympy.Add(*sizes)

    def activation_bytes(self, dtype: str = "float32", batch=1):
        """Bytes of the output tensor(s) for ``batch`` examples (a number or a symbol)."""
        elements = self.activation_elements
        return None if elements is None else elements * dtype_bytes(dtype) * batch

    def weight_bytes(self, dtype: str = "float32"):
        return self.params * dtype_bytes(dtype)

    @property
    def buffer_size(self) -> sympy.Expr:
        """The buffers' total size (PyTorch's ``sum(b.numel() for b in module.buffers())``),
        common factors pulled out like the parameter counts."""
        return tidy(sympy.Add(*(w.size for w in self.buffers.values())))

    @cached_property
    def size_fields(self) -> dict:
        """``{size: (owner, field, minimum)}``: every symbolic size of the arguments, the
        input and output shapes, the weights and buffers, and the matrices of the equations (a
        head width ``d/h`` may occur nowhere but in an argument); what ``subs`` checks stays an
        integer of at least ``minimum``.  Computed once."""
        owner = f"{self.class_name} {self.name!r}" if self.name else self.class_name
        found: dict = dict(self.argument_sizes)

        def add(sizes, where):
            for item in sizes:
                if isinstance(item, sympy.Expr) and not item.is_Integer and \
                        UNKNOWN not in item.free_symbols:
                    found.setdefault(item, (owner, where, 1))

        for label, shape in (("input shape", self.input_shape),
                             ("output shape", self.output_shape)):
            for one in shape if isinstance(shape, list) else [shape]:
                add(one, label)
        for kind, tensors in (("weight", self.weights), ("buffer", self.buffers)):
            for weight in tensors.values():
                add((*weight.shape, weight.copies), f"{kind} {weight.name!r}")
        for equation in self.equations:
            for matrix in equation.atoms(sympy.MatrixSymbol):
                add(matrix.shape, f"matrix {matrix.name!r} of its equations")
        return found

    def __repr__(self) -> str:
        label = f"{self.class_name} {self.name!r}" if self.name else self.class_name
        return (f"<Derivation {label}: params={self.params}, "
                f"output_shape={format_shape(self.output_shape)}>")


@dataclass(frozen=True)
class Built:
    """What ``Layer.build`` finds on one input shape, before the engine counts the weights."""

    equations: list
    output_shape: object
    cost: Cost | None


def known(shape):
    """``shape`` with every size that involves an unknown width made ``None``."""
    return map_shape(shape, lambda size: None if size.has(UNKNOWN) else size)


def frozen(derivation: Derivation) -> Derivation:
    """The same derivation with every weight non-trainable (``trainable=False`` on a model)."""
    if derivation.trainable == 0:
        return derivation
    weights = {k: replace(w, trainable=False) for k, w in derivation.weights.items()}
    fields = {f: getattr(derivation, f) for f in ("class_name", "input_shape", "output_shape",
                                                   "equations", "name", "cost", "buffers",
                                                   "argument_sizes")}
    return Derivation.from_weights(weights=weights, **fields)
