"""The recorded forward pass (``ops``) merged into the rows ``from_torch`` found.

Each recorded operation belongs to the innermost module on its stack that has a row counting
its whole subtree (a catalogue layer or an opaque leaf), else to the innermost module that ran
it.  Then, per row:

- a catalogue-derived module keeps its derived parameters and cost, derived on the input shape
  the forward really gave it (fx's shape when it agrees); the operations recorded inside it
  *check* that cost, they are never added to it; a disagreement is noted on the row (a bug to
  fix in the catalogue or the rules; ``bench/zoo_torch.py`` counts such a model as a miss).
  A ``torch.nn`` subclass with its own ``forward`` takes the recorded cost and shape instead; a
  module the forward never calls costs nothing; a module called ``k`` times costs ``k`` calls;
- a module symparam cannot derive gets the recorded operations' cost and output shape;
- a module whose own ``forward`` computes (attention written by hand, ``x @ w``, an einsum)
  gets a row for that work, less what fx's function rows already show.

Costs are per example: the recorded cost of a batch of ``b`` divided by ``b``.  Operations
outside derived rows with no cost rule are listed as *uncounted*.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from enum import StrEnum

import sympy

from symparam.core.errors import SymparamError
from symparam.engine.cost import Cost, total
from symparam.engine.layer import Layer
from symparam.importers.torch.costs import causal_share
from symparam.importers.torch.model import Opaque
from symparam.importers.torch.tree import named_modules


class Causal(StrEnum):
    """How a causal attention's query-key products are counted."""

    FULL = "full"    # every pair, masked or not (PyTorch's FlopCounterMode)
    LOWER = "lower"  # only the pairs the mask keeps: L(L+1)/2 of L*S


class Recorded(Opaque):
    """A module symparam does not derive, with the cost and output shape its recorded
    operations show (its parameters are still PyTorch's own numbers)."""

    def __init__(self, module_class, sizes=(), *, recorded=None, output=(), label="", **kw):
        super().__init__(module_class, sizes, **kw)
        self.recorded, self.output, self.label = recorded or Cost(), output, label

    @property
    def class_name(self) -> str:
        return f"{self.module_class} ({self.label or 'not derived'})"

    def compute_output_shape(self, input_shape):
        return self.output

    def cost(self, input_shape, output_shape, equations):
        return self.recorded


@dataclass
class Merged:
    """What merging found besides the rows: the uncounted operations (name -> calls).  Rows
    whose derived cost the recorded operations contradict say so in their notes."""

    uncounted: dict = field(default_factory=dict)


@dataclass
class _Context:
    reader: object
    recording: object
    translate: object
    batch: int
    batch_axis: int
    values: dict  # symbol -> a value it stands for, to compare formulas numerically
    names: dict   # module id -> dotted path


def merge(reader, module, recording, translate, *, batch=1, batch_axis=0, values=None,
          causal=Causal.FULL, root_name="module") -> Merged:
    """Merge ``recording`` into ``reader``'s plans (see the module docstring).  ``reader`` is
    the importer's walk: its ``plans``, ``rows``, ``leaves``, ``functions``, and
    ``inputs_of(module)`` (how many tensors a row's layer reads), ``new_plan(...)`` and
    ``confirmed(plan, params)`` (a row's parameter count checked)."""
    names = {id(m): path for path, m in named_modules(module)}
    if batch_axis is None:
        batch, batch_axis = _leading_batch(reader, recording, batch)
    context = _Context(reader, recording, translate, batch, batch_axis, values or {}, names)
    calls = defaultdict(list)
    for call in recording.calls:
        calls[id(call.module)].append(call)
    _confirm(context, calls)
    buckets, uncounted = _charge(context, Causal(causal))
    for plan in list(reader.plans):
        found = calls.get(id(plan.module), [])
        if plan.recurse and plan.derived:
            _check_derived(context, plan, found, buckets.pop(id(plan.module), []))
        else:
            _charge_opaque(context, plan, found, buckets.pop(id(plan.module), []))
    for owner, costs in buckets.items():
        _add_ops_row(context, owner, calls.get(owner, []), costs, root_name)
    return Merged(dict(uncounted))


def _leading_batch(reader, recording, batch):
    """``(batch, axis)`` for an input shape without ``None``: axis 0 holds the batch, unless
    the first row reading the input takes a shape of that rank as one example (``nn.LSTM`` on
    ``(T, d)``, ``nn.Conv2d`` on ``(C, H, W)``): then the input is one example."""
    first = next((call for call in recording.calls if id(call.module) in reader.rows and
                  reader.rows[id(call.module)].derived), None)
    plan = reader.rows.get(id(first.module)) if first is not None else None
    if plan is not None and plan.recurse and first.inputs:
        try:
            layout = plan.build({}).input_layout()
        except SymparamError:
            return batch, 0
        layout = layout[0] if layout and isinstance(layout[0], tuple) else layout
        if len(layout) == len(first.inputs[0]) + 1:
            return 1, -1
    return batch, 0


def _confirm(context, calls) -> None:
    """Rows fx did not reach have their parameter count checked on the shape the forward gave
    them (``reader.confirmed``: a module modified after it was built becomes opaque) before any
    operation is charged; the derivation is the one ``_check_derived`` uses."""
    for plan in context.reader.plans:
        found = calls.get(id(plan.module))
        if getattr(plan, "unchecked", None) is None or not found:
            continue
        shapes = [_example_shape(context, s)
                  for s in found[0].inputs[:context.reader.inputs_of(plan.module)]]
        try:
            derivation = plan.build({}).derive(shapes[0] if len(shapes) == 1 else shapes)
        except SymparamError:
            continue  # left to the check on its layout
        context.reader.confirmed(plan, derivation.params)


def _charge(context, causal):
    """Each costed operation into the bucket of the row (or module) it belongs to."""
    buckets, uncounted = defaultdict(list), Counter()
    leaves, rows = context.reader.leaves, context.reader.rows
    root = next(iter(context.names), None)
    for op in context.recording.ops:
        owner = next((m for m in reversed(op.stack) if m in leaves), None)
        derived = owner is not None and rows[owner].derived
        if owner is None:
            owner = op.stack[-1] if op.stack else root
        if op.cost is None:
            if not derived:
                uncounted[str(op.op.overloadpacket)] += 1
            continue
        macs = op.cost.macs
        if causal is Causal.LOWER and op.causal:  # the products inside a causal attention
            macs = sympy.Mul(macs, causal_share(*op.causal))
        buckets[owner].append((macs, op.cost.elementwise))
    return buckets, uncounted


def _cost(context, costs) -> Cost:
    """Recorded costs added up, per example, in the caller's symbols."""
    macs = context.translate(_add(c[0] for c in costs))
    elementwise = context.translate(_add(c[1] for c in costs))
    return Cost(macs / context.batch, elementwise / context.batch)


def _add(terms):
    """Ints added in Python, expressions with one ``Add`` (never ``+=`` over SymPy terms)."""
    numbers, expressions = 0, []
    for term in terms:
        if isinstance(term, int):
            numbers += term
        else:
            expressions.append(term)
    return sympy.Add(numbers, *expressions) if expressions else sympy.Integer(numbers)


def _example_shape(context, shape):
    """A recorded shape with the batch axis shown as ``None``, as derivations take it."""
    axis = context.batch_axis
    shape = tuple(sympy.Integer(s) if isinstance(s, int) else s for s in shape)
    if 0 <= axis < len(shape) and shape[axis] == context.batch:
        return (*shape[:axis], None, *shape[axis + 1:])
    return shape


def _value(context, expr):
    expr = sympy.sympify(expr, strict=True)
    return expr.xreplace({s: context.values.get(s, s) for s in expr.free_symbols})


def _equal(context, a, b) -> bool:
    """Equal at the values the symbols took in the forward (exact for concrete sizes)."""
    if a is None or b is None:
        return a is b
    if a == b:
        return True
    difference = _value(context, a) - _value(context, b)
    return (sympy.expand(difference) if difference.free_symbols else difference) == 0


def _same_shape(context, fx_shape, recorded) -> bool:
    shapes = fx_shape if isinstance(fx_shape, list) else [fx_shape]
    if len(shapes) != len(recorded):
        return False
    for mine, seen in zip(shapes, recorded):
        if mine is None or len(mine) != len(seen):
            return False
        if any(a is not None and not _equal(context, a, b) for a, b in zip(mine, seen)):
            return False
    return True


def _check_derived(context, plan, calls, costs) -> None:
    """A catalogue row: derive it on the shape the forward gave it when fx did not, then
    check its cost against the recorded operations."""
    if not calls:  # not run (a training-only branch), or its weights used directly
        layer = plan.layer or plan.build({})
        plan.layer, plan.input_shape = Charged(layer, replaced=Cost()), (
            plan.input_shape if plan.layer is not None else layer.input_layout())
        plan.note = "; ".join(filter(None, [plan.note, "not called in this forward: no cost"]))
        return
    inputs = calls[0].inputs[:context.reader.inputs_of(plan.module)]
    shape = [_example_shape(context, s) for s in inputs]
    if plan.layer is None or not _same_shape(context, plan.input_shape, shape):
        shape = shape[0] if len(shape) == 1 else shape
        try:
            layer = plan.build({})
            layer.derive(shape)
        except SymparamError as error:
            plan.note = "; ".join(filter(None, [plan.note, f"recorded shape: {error}"]))
            return
        plan.layer, plan.input_shape = layer, shape
    derived = plan.layer.derive(plan.input_shape).cost
    recorded = _cost(context, costs)
    if derived is None:  # a size the derivation needs stayed unknown: the forward knows
        plan.layer = Charged(plan.layer, replaced=recorded)
        return
    if len(calls) > 1:  # a module run several times (shared layers)
        plan.layer = Charged(plan.layer, extra=derived.times(len(calls) - 1))
    expected = derived.macs * len(calls)
    if not _equal(context, expected, recorded.macs) and _own_forward(plan.module):
        # a subclass computing its own way (timm's Conv2dSame pads in forward): the layer
        # gives the parameters, the forward the cost and the shape
        plan.layer = Charged(plan.layer, replaced=recorded, output=_outputs(context, calls))
        plan.note = "; ".join(filter(None, [plan.note, "cost and shape recorded: its class "
                                            "overrides forward"]))
    elif not _equal(context, expected, recorded.macs):
        plan.note = "; ".join(filter(None, [plan.note, f"recorded operations: {recorded.macs} "
                                            f"MACs per example, derived {expected}"]))


def _charge_opaque(context, plan, calls, costs) -> None:
    """A row symparam does not derive: the recorded cost (of the subtree for a leaf, of its
    own forward for a container) and output shape."""
    if not calls and not costs:
        return
    inner = plan.build({})
    recorded = _cost(context, costs) if costs else Cost()
    output = _outputs(context, calls)
    inputs = [_example_shape(context, s) for s in calls[0].inputs] if calls else []
    if plan.recurse:  # the leaf's shapes are known now
        plan.note = plan.note.replace("not derived: ", "not derived (cost recorded): ", 1)
    plan.layer = Recorded(inner.module_class, inner.sizes, recorded=recorded, output=output,
                          name=inner.name)
    plan.input_shape = inputs[0] if len(inputs) == 1 else (inputs or ())


def _outputs(context, calls):
    if not calls or not calls[0].outputs:
        return ()
    shapes = [_example_shape(context, s) for s in calls[0].outputs]
    return shapes[0] if len(shapes) == 1 else shapes


def _add_ops_row(context, owner, calls, costs, root_name) -> None:
    """A row for the work a module's own ``forward`` does, less fx's function rows there."""
    path = context.names.get(owner, "")
    recorded = _cost(context, costs)
    shown = [f.layer.derive(f.input_shape).cost for f in context.reader.functions
             if f.path == path]
    shown = [c for c in shown if c is not None]
    if shown:
        already = total(shown)
        recorded = Cost(recorded.macs - already.macs, recorded.elementwise - already.elementwise)
    if _equal(context, recorded.macs, 0):
        return  # element-wise work alone (a residual sum) is not worth a row
    module = next((c.module for c in calls), None)
    module_class = type(module).__name__ if module is not None else "forward"
    layer = Recorded(module_class, (), recorded=recorded, output=_outputs(context, calls),
                     label="operations in forward")
    plan = context.reader.new_plan(path or root_name, path, module, lambda options: layer, False,
                 "the operations its forward runs itself (recorded)", derived=False,
                 layer=layer, input_shape=())
    plans = context.reader.plans
    inside = [i for i, p in enumerate(plans) if not path or p.name == path or
              p.name.startswith(path + ".")]
    plans.insert(inside[-1] + 1 if inside else len(plans), plan)


def _own_forward(module) -> bool:
    """The module's class overrides ``forward`` of the ``torch.nn`` class it extends."""
    for base in type(module).__mro__:
        if base.__module__.startswith("torch.nn."):
            return type(module).forward is not base.forward
    return False


class Charged(Layer):
    """A derived layer with its cost completed from the forward: ``extra`` for the further
    calls of a module run several times (its parameters once), or the recorded cost
    ``replaced`` where the derivation could not tell it."""

    def __init__(self, layer, *, extra: Cost | None = None, replaced: Cost | None = None,
                 output=None):
        super().__init__(name=layer.name)
        self.layer, self.extra, self.replaced, self.output = layer, extra, replaced, output

    @property
    def class_name(self) -> str:
        return self.layer.class_name

    def input_layout(self):
        return self.layer.input_layout()

    def derive(self, input_shape=None):
        from dataclasses import replace
        found = self.layer.derive(input_shape)
        cost = self.replaced if self.replaced is not None else total([found.cost, self.extra])
        return replace(found, cost=cost, output_shape=self.output or found.output_shape)
