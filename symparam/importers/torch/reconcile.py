"""PyTorch's side of a reconciliation: its own counts and shapes, row by row.

The reference numbers come from PyTorch alone: ``p.numel()`` of the parameters of each row's
module (a parameter claimed by an earlier row is not counted again, as ``module.parameters()``
does), ``requires_grad`` for the trainable ones, ``b.numel()`` of the buffers, and output shapes
recorded by forward hooks on a real forward pass.  The batch axis is found by running twice,
with batch sizes 2 and 3: the axes that change are the batch, shown as ``None``.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy

from symparam.core.shapes import is_shape_list
from symparam.importers.reconciliation import ReconciledRow, Reconciliation, same_shape
from symparam.importers.torch.tree import evaluating
from symparam.importers.torch.walk import read_torch
from symparam.torch.functional import FUNCTIONS, Function

BATCHES = (2, 3)

#: conventions worth stating beside a row even when the numbers agree
NOTES = {
    "LSTM": "two bias vectors per gate (b_ih, b_hh): 4*hidden_size more per layer and "
            "direction than Keras",
    "GRU": "two bias vectors per gate: Keras's reset_after=True form",
    "RNN": "two bias vectors (b_ih, b_hh): hidden_size more than Keras's SimpleRNN",
    "MultiheadAttention": "q, k, v projections packed in in_proj_weight when kdim == vdim == "
                          "embed_dim",
}


@dataclass(frozen=True)
class TorchReconciledRow(ReconciledRow):
    """A reconciled row with PyTorch's buffers; a row symparam did not derive
    (``derived=False``) copies PyTorch's numbers."""

    buffers: sympy.Expr = sympy.Integer(0)
    reference_buffers: int = 0
    derived: bool = True

    @property
    def matches(self) -> bool:
        """Counts and buffers agree, and the shapes where both are known (a row symparam did
        not derive has no shape of its own)."""
        shape_ok = self.reference_shape is None or not self.derived or \
            same_shape(self.output_shape, self.reference_shape)
        return (self.params == self.reference_params and self.buffers == self.reference_buffers
                and self.trainable == self.reference_trainable and shape_ok)


@dataclass(frozen=True, repr=False)  # keep Reconciliation's one-line repr
class TorchReconciliation(Reconciliation):
    """A ``Reconciliation`` with framework ``"PyTorch"`` and the buffers' totals."""

    buffers: sympy.Expr = sympy.Integer(0)
    reference_buffers: int = 0

    @property
    def ok(self) -> bool:
        return super().ok and self.buffers == self.reference_buffers


@dataclass(frozen=True)
class Counts:
    """PyTorch's numbers for one row."""

    params: int
    trainable: int
    buffers: int


def reference_counts(module, entries) -> dict:
    """``{row name: Counts}``, each tensor counted at its first row (by identity)."""
    seen: set = set()
    found = {}
    for entry in entries:
        owner = module.get_submodule(entry.path)
        params = [p for p in owner.parameters(recurse=entry.recurse) if id(p) not in seen]
        buffers = [b for b in owner.buffers(recurse=entry.recurse) if id(b) not in seen]
        seen.update(id(t) for t in params + buffers)
        found[entry.name] = Counts(sum(p.numel() for p in params),
                                   sum(p.numel() for p in params if p.requires_grad),
                                   sum(b.numel() for b in buffers))
    return found


def totals(module) -> Counts:
    """PyTorch's totals: ``sum(p.numel() for p in module.parameters())`` and so on."""
    params = list(module.parameters())
    return Counts(sum(p.numel() for p in params),
                  sum(p.numel() for p in params if p.requires_grad),
                  sum(b.numel() for b in module.buffers()))


def observed_shapes(module, input_shape, entries) -> dict:
    """``{row name: output shape}`` from forward passes, ``None`` at the batch axis; empty when
    the input shape has symbols (there is nothing to run)."""
    shapes = input_shape if is_shape_list(input_shape) else [input_shape]
    if input_shape is None or any(s is not None and not s.is_Integer for shape in shapes
                                  for s in shape):
        return {}
    runs = [_attempt(module, shapes, batch, entries) for batch in
            (BATCHES if any(None in shape for shape in shapes) else BATCHES[:1])]
    if None in runs:
        return {}
    return {name: _merged([run[name] for run in runs]) for name in runs[-1]
            if all(name in run for run in runs)}


def _run(module, shapes, batch, entries) -> dict:
    import torch
    recorded, hooks, inside = {}, [], [0]
    try:
        for entry in entries:
            if entry.recurse:
                owner = module.get_submodule(entry.path)
                hooks.append(owner.register_forward_pre_hook(_entered(inside)))
                hooks.append(owner.register_forward_hook(_recorder(recorded, entry.name,
                                                                   inside)))
        with evaluating(module), torch.no_grad(), _calls(inside) as calls:
            def restart():  # forget a first attempt that failed halfway
                inside[0] = 0
                calls.clear()
            _forward(module, shapes, batch, restart)
    finally:
        for hook in hooks:
            hook.remove()
    functions = sorted((entry for entry in entries if isinstance(entry.layer, Function)),
                       key=lambda entry: entry.layer.call_order)
    for entry in functions:  # the k-th call of a function is its k-th row
        found = calls.get(type(entry.layer), [])
        if found:
            recorded[entry.name] = found.pop(0)
    return recorded


def _entered(inside: list):
    def hook(module, inputs):
        inside[0] += 1
    return hook


def _calls(inside: list):
    """A ``TorchFunctionMode`` recording the output shapes of the functions that have rows
    (``symparam.torch.functional``), called from ``forward`` code outside every row's module
    (inside ``nn.MultiheadAttention`` they are that row's business)."""
    from torch.overrides import TorchFunctionMode

    class Calls(TorchFunctionMode, dict):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            result = func(*args, **(kwargs or {}))
            name = getattr(func, "__name__", "").strip("_")
            if inside[0] == 0 and name in FUNCTIONS:  # by the layer standing for it
                self.setdefault(FUNCTIONS[name], []).append(tuple(result.shape))
            return result
    return Calls()


def _forward(module, shapes, batch, restart) -> None:
    import torch
    parameter = next(iter(module.parameters()), None)
    device = parameter.device if parameter is not None else "cpu"
    sizes = [tuple(batch if s is None else int(s) for s in shape) for shape in shapes]
    try:
        module(*[torch.randn(size, device=device) for size in sizes])
    except (RuntimeError, TypeError, IndexError):  # index inputs (an Embedding first)
        restart()
        module(*[torch.zeros(size, dtype=torch.long, device=device) for size in sizes])


def _attempt(module, shapes, batch, entries) -> dict | None:
    try:
        return _run(module, shapes, batch, entries)
    except Exception:  # noqa: BLE001 - the module's own forward failed: no shapes to show
        return None


def _recorder(recorded: dict, name: str, inside: list):
    def hook(module, inputs, output):
        inside[0] -= 1
        shapes = [tuple(t.shape) for t in _tensors(output)]
        recorded[name] = shapes[0] if len(shapes) == 1 else shapes
    return hook


def _tensors(value) -> list:
    if isinstance(value, (list, tuple)):
        return [t for item in value for t in _tensors(item)]
    return [value] if hasattr(value, "shape") else []


def _merged(runs):
    """One shape from the runs' shapes: axes that differ between batch sizes become None."""
    first, last = runs[0], runs[-1]
    if isinstance(last, list):
        if not isinstance(first, list) or len(first) != len(last):
            return last
        return [_merged([a, b]) for a, b in zip(first, last)]
    if isinstance(first, list) or len(first) != len(last):
        return tuple(sympy.Integer(n) for n in last)
    return tuple(None if a != b else sympy.Integer(b) for a, b in zip(first, last))


def note(row, reference) -> str:
    """The row's own note, the convention worth knowing, and the buffers beside PyTorch's."""
    notes = [row.note, NOTES.get(row.class_name, "")]
    if row.buffers != 0 or reference.buffers:
        notes.append(f"buffers (not parameters): {row.buffers}, PyTorch {reference.buffers}")
    return "; ".join(found for found in notes if found)


def reconcile_torch(module, input_shape=None, *, symbolic=()):
    """symparam's formula and value beside PyTorch's ``sum(p.numel())``, per module, with
    buffers apart; output shapes beside those of a real forward pass when ``input_shape`` is
    concrete (``None`` at the batch axis).  Returns a ``TorchReconciliation``."""
    model, values = read_torch(module, input_shape, symbolic=symbolic)
    formulas = model.summary()
    summary = formulas.subs(**values) if values else formulas
    counts = reference_counts(module, model.entries)
    shapes = observed_shapes(module, model.input_shape, model.entries)
    rows = []
    for formula, row, entry in zip(formulas.rows, summary.rows, model.entries):
        reference = counts[entry.name]
        rows.append(TorchReconciledRow(
            row.name, row.class_name, formula.params, row.params, reference.params,
            row.trainable, reference.trainable, row.output_shape, shapes.get(entry.name),
            note(row, reference), buffers=row.buffers, reference_buffers=reference.buffers,
            derived=row.derived))
    total = totals(module)
    return TorchReconciliation(
        summary.name, "PyTorch", tuple(rows), summary.total, total.params, summary.trainable,
        total.trainable, summary.non_trainable, total.params - total.trainable,
        buffers=summary.buffers, reference_buffers=total.buffers)

