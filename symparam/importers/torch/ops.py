"""Every aten operation of one forward pass, recorded on meta (or fake) tensors, with the
module that ran it.

``fx`` tracing gives up on data-dependent Python in ``forward``; running the forward on tensors
without data never does.  ``record(module, example)`` runs ``module(*example)`` under a
``TorchDispatchMode`` that sees each aten operation with its argument shapes (as PyTorch's
``FlopCounterMode`` does), while global module pre/post hooks keep the stack of modules
running, so every operation is charged to the innermost module that ran it.  The caller's
module is not changed: the hooks are global and removed afterwards, parameters are read as they
are (meta parameters directly; CPU ones through a ``FakeTensorMode``, which copies no data),
and train/eval mode is restored.

Sizes come back as SymPy expressions: integers for a concrete input; for a symbolic one
(``FakeTensorMode`` with a ``ShapeEnv``, whose sizes are SymPy underneath) expressions in the
caller's symbols (``symparam.importers.torch.symbolic`` translates them).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

import torch
from torch.overrides import TorchFunctionMode
from torch.utils._python_dispatch import TorchDispatchMode

from symparam.importers.torch.costs import ZERO_RULE, OpCost, rule_for
from symparam.importers.torch.tree import evaluating

aten = torch.ops.aten
#: queries of a tensor's metadata, not operations (the counter skips them too)
METADATA = frozenset({
    aten.sym_size.default, aten.sym_stride.default, aten.sym_numel.default,
    aten.sym_storage_offset.default, aten.size.default, aten.stride.default,
    aten.is_contiguous.default, aten.is_contiguous.memory_format, aten.numel.default,
    aten.is_strides_like_format.default, aten.is_non_overlapping_and_dense.default,
    aten.storage_offset.default, aten.dim.default, aten.sym_is_contiguous.default,
    torch.ops.prim.layout.default, torch.ops.prim.device.default})


@dataclass
class Call:
    """One call of a module: its input and output tensor shapes."""

    module: object
    inputs: list
    outputs: list = field(default_factory=list)


@dataclass(frozen=True)
class Op:
    """One aten operation: the stack of module ids running it (outermost first), the
    operation and its cost (``None``: no rule covers it), and the causal attention call it
    belongs to, if any (for the lower-triangle convention)."""

    stack: tuple
    op: object
    cost: OpCost | None
    causal: tuple | None = None


@dataclass
class Recording:
    """What one forward pass did: module calls in call order and aten operations."""

    calls: list = field(default_factory=list)
    ops: list = field(default_factory=list)
    output: object = None


def size(value, translate=None):
    """A size: an ``int``, or for a ``SymInt`` its SymPy expression translated."""
    if isinstance(value, torch.SymInt):
        expr = value.node.expr
        return translate(expr) if translate else expr
    return int(value)


def shapes_of(value, translate=None) -> list:
    """The shapes of the tensors in a (nested) value, in order."""
    if isinstance(value, torch.Tensor):
        return [tuple(size(n, translate) for n in value.shape)]
    if isinstance(value, (list, tuple)):
        return [shape for item in value for shape in shapes_of(item, translate)]
    if isinstance(value, dict):
        return [shape for item in value.values() for shape in shapes_of(item, translate)]
    if hasattr(value, "to_tuple"):  # transformers' ModelOutput
        return shapes_of(value.to_tuple(), translate)
    return []


class _Dispatch(TorchDispatchMode):
    """Charges every aten operation to the module stack; operations without a rule are first
    decomposed (as the counter does), so a composite one is seen through its parts."""

    def __init__(self, recorder):
        super().__init__()
        self.recorder = recorder

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if func in METADATA:
            return func(*args, **kwargs)
        rule = rule_for(func)
        if rule is None:
            with self:
                result = func.decompose(*args, **kwargs)
            if result is not NotImplemented:
                return result
        out = func(*args, **kwargs)
        self.recorder.op(func, None if rule is None else rule(args, kwargs, out))
        return out


class _Functions(TorchFunctionMode):
    """Marks the aten operations of a causal scaled dot-product attention call, which the
    lower-triangle convention counts in part."""

    def __init__(self, recorder):
        super().__init__()
        self.recorder = recorder

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if func is not torch.nn.functional.scaled_dot_product_attention or \
                not kwargs.get("is_causal", len(args) > 5 and args[5]):
            return func(*args, **kwargs)
        query, key = args[0] if args else kwargs["query"], args[1] if len(args) > 1 else \
            kwargs["key"]
        previous = self.recorder.causal
        self.recorder.causal = (size(query.shape[-2]), size(key.shape[-2]))
        try:
            return func(*args, **kwargs)
        finally:
            self.recorder.causal = previous


class Recorder:
    """Runs the forward and collects a ``Recording``; see the module docstring."""

    def __init__(self, translate=None):
        self.translate = translate
        self.recording = Recording()
        self.stack: list = []
        self.open: list = []
        self.causal = None

    def op(self, func, cost) -> None:
        if cost is ZERO_RULE:
            return  # counted as zero by every convention: not worth keeping
        stack = tuple(id(call.module) for call in self.open)
        self.recording.ops.append(Op(stack, func, cost, self.causal))

    def _pre(self, module, inputs):
        call = Call(module, shapes_of(inputs, self.translate))
        self.recording.calls.append(call)
        self.open.append(call)

    def _post(self, module, inputs, output):
        if self.open and self.open[-1].module is module:
            self.open.pop().outputs = shapes_of(output, self.translate)

    def run(self, module, example, mode=None, *, causal_calls=True):
        """``module(*example)`` recorded; the hooks and modes are gone afterwards, whatever
        happens, and the module's train/eval mode is restored.  ``causal_calls``: mark the
        operations of causal attention calls (only the lower-triangle convention needs it)."""
        from torch.nn.modules import module as nn_module
        handles = [nn_module.register_module_forward_pre_hook(self._pre),
                   nn_module.register_module_forward_hook(self._post)]
        try:
            functions = _Functions(self) if causal_calls else contextlib.nullcontext()
            with evaluating(module), torch.no_grad(), functions, _mode(mode), _Dispatch(self):
                self.recording.output = module(*example)
        finally:
            for handle in handles:
                handle.remove()
        return self.recording


def _mode(mode):
    return contextlib.nullcontext() if mode is None else mode
