"""Reconciliation values: symparam's derived formulas beside a live framework model's own counts.

Each row pairs symparam's formula and value with the framework's count and output shape; the
Keras (``importers.keras.reconcile``) and PyTorch (``importers.torch.reconcile``) readers fill
them, and ``symparam.analysis.reconcile`` chooses between the two.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy

from symparam.core.renderable import Renderable
from symparam.core.shapes import format_shape


@dataclass(frozen=True)
class ReconciledRow:
    """One layer: symparam's formula and value against the framework's numbers."""

    name: str
    class_name: str
    formula: sympy.Expr
    params: sympy.Expr
    reference_params: int
    trainable: sympy.Expr
    reference_trainable: int
    output_shape: object
    reference_shape: object
    note: str = ""

    @property
    def matches(self) -> bool:
        return (self.params == self.reference_params
                and self.trainable == self.reference_trainable
                and same_shape(self.output_shape, self.reference_shape))

    @property
    def verdict(self) -> str:
        """``ok`` or what differs, for the tables."""
        if self.matches:
            return "ok"
        parts = []
        if self.params != self.reference_params:
            parts.append(f"params {self.params} vs {self.reference_params}")
        if self.trainable != self.reference_trainable:
            parts.append(f"trainable {self.trainable} vs {self.reference_trainable}")
        if not same_shape(self.output_shape, self.reference_shape):
            parts.append(f"shape {format_shape(self.output_shape)} vs "
                         f"{format_shape(self.reference_shape)}")
        return "MISMATCH: " + "; ".join(parts)


@dataclass(frozen=True)
class Reconciliation(Renderable):
    """Every row of a model and the totals, symparam's and the framework's."""

    report_kind = "reconcile"  # which view and template render it

    name: str
    framework: str
    rows: tuple
    total: sympy.Expr
    reference_total: int
    trainable: sympy.Expr
    reference_trainable: int
    non_trainable: sympy.Expr
    reference_non_trainable: int

    @property
    def ok(self) -> bool:
        return (all(row.matches for row in self.rows) and self.total == self.reference_total
                and self.trainable == self.reference_trainable
                and self.non_trainable == self.reference_non_trainable)

    @property
    def mismatches(self) -> list:
        return [row for row in self.rows if not row.matches]

    def __repr__(self) -> str:
        verdict = "all rows match" if self.ok else f"{len(self.mismatches)} mismatching rows"
        return f"<Reconciliation {self.name!r} with {self.framework}: {verdict}>"


def same_shape(ours, theirs) -> bool:
    if isinstance(ours, list) or isinstance(theirs, list):
        ours_list = ours if isinstance(ours, list) else [ours]
        theirs_list = theirs if isinstance(theirs, list) else [theirs]
        return len(ours_list) == len(theirs_list) and all(
            same_shape(a, b) for a, b in zip(ours_list, theirs_list))
    return tuple(ours) == tuple(theirs)
