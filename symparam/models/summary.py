"""``Summary``: a model's per-layer rows in Keras's order and its symbolic totals."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import sympy

from symparam.core.renderable import Renderable
from symparam.core.shapes import product
from symparam.engine.cost import Cost, dtype_bytes
from symparam.engine.derivation import Derivation
from symparam.engine.substitute import KEEP, Substitutable, substitution


@dataclass(frozen=True)
class Row:
    """One line of a summary: a layer, its output shape and its counts."""

    name: str
    class_name: str
    output_shape: object
    params: sympy.Expr
    trainable: sympy.Expr
    non_trainable: sympy.Expr
    derivation: Derivation = field(repr=False, compare=False, default=None,
                                   metadata={KEEP: False})

    @property
    def size_fields(self) -> dict:
        """The row's derivation's sizes (``Derivation.size_fields``), each named by this row,
        so a refused value names the layer as the summary shows it."""
        if self.derivation is None:
            return {}
        label = f"{self.class_name} {self.name!r}"
        return {expr: (owner if place.startswith("argument") and owner != self.class_name
                       else label, place, minimum)
                for expr, (owner, place, minimum) in self.derivation.size_fields.items()}


@dataclass(frozen=True)
class Summary(Substitutable, Renderable):
    """Per-layer rows in Keras's order and symbolic totals (``model.summary()``)."""

    report_kind = "summary"  # which view and template render it

    name: str
    rows: tuple
    total: sympy.Expr
    trainable: sympy.Expr
    non_trainable: sympy.Expr
    values: tuple = ()
    #: the tensors between rows, ``(from_row, to_row, shape)``; ``None`` is the model's input
    #: (at the start) or output (at the end); a diagram's edges
    edges: tuple = ()
    #: compute per example over every call (a shared layer costs each time it runs)
    cost: Cost | None = None
    #: operations no cost rule covers, ``(name, calls)``: their cost is not in ``macs``
    uncounted: tuple = ()
    #: the batch the model declares (``from_hf_config(batch=...)``, ``S.Input(batch_size=)``):
    #: the default of ``memory()`` and ``flops()``; ``macs`` stays per example
    batch: sympy.Expr = sympy.Integer(1)

    @property
    def macs(self):
        """Multiply-accumulates per example (``None`` if a size it needs is unknown)."""
        return None if self.cost is None else self.cost.macs

    def flops(self, convention="macs", batch=None):
        """FLOPs under ``convention`` (see ``symparam.engine.cost.FlopConvention``) for ``batch``
        examples (a number or a symbol such as ``S.dim("B")``; the summary's ``batch``
        unless given)."""
        batch = self.batch if batch is None else batch
        return None if self.cost is None else self.cost.flops(convention) * batch

    @property
    def activation_elements(self):
        """Numbers in every row's output tensor(s) for one example (``None`` if a size is
        unknown): what a forward pass keeps for the backward one."""
        sizes = [product(shape[1:]) for row in self.rows for shape in
                 (row.output_shape if isinstance(row.output_shape, list) else [row.output_shape])]
        return None if any(size is None for size in sizes) else sympy.Add(*sizes)

    def activation_bytes(self, dtype: str = "float32", batch=None):
        """Bytes of every row's output for ``batch`` examples (the summary's ``batch`` unless
        given, as ``flops`` and ``memory``)."""
        batch = self.batch if batch is None else batch
        elements = self.activation_elements
        return None if elements is None else elements * dtype_bytes(dtype) * batch

    def weight_bytes(self, dtype: str = "float32"):
        return self.total * dtype_bytes(dtype)

    def memory(self, dtype="bf16", optimizer=None, recompute=False, batch=None):
        """Bytes of weights, gradients, optimizer states, activations and KV cache for
        ``batch`` sequences (the summary's ``batch`` unless given; see
        ``symparam.analysis.memory``)."""
        from symparam.analysis.memory import memory
        report = memory(self, dtype=dtype, optimizer=optimizer, recompute=recompute,
                        batch=batch)
        # the KV cache and activations are read off the rows' derivations, which ``subs``
        # leaves symbolic: the values this summary was given apply to them too
        return report.subs(**dict(self.values)) if self.values else report

    @property
    def active_params(self):
        """Parameters one token uses (a mixture of experts' top-k share of its experts)."""
        from symparam.analysis.memory import active_params
        count = active_params(self)  # read off the rows' derivations, as memory() is
        return count.xreplace(substitution(dict(self.values), count.free_symbols)) \
            if self.values else count

    def subs(self, **values) -> "Summary":
        """The summary with dimensions replaced by values, e.g. ``subs(u=128)``: rows, totals,
        cost and the diagram's edges alike."""
        done = Substitutable.subs(self, **values)
        return replace(done, values=self.values + tuple(sorted(values.items())))

    def __repr__(self) -> str:
        return f"<Summary {self.name!r}: {len(self.rows)} rows, total={self.total}>"
