"""Live ``torch.nn.Module`` trees translated to symparam, and reconciled with PyTorch's counts.

Only modules the caller built in this process are read (never ``torch.load``).  The tree is
walked in registration order: a module whose ``torch.nn`` class ``symparam.torch.nn`` knows
becomes one row, its layer built from the module's attributes (the translation table below
holds PyTorch's quirks); containers (``nn.Sequential``, ``nn.ModuleList``, your own modules)
are walked into, and parameters a container holds directly, like any module symparam does not
know, become an *opaque* row with PyTorch's own numbers, marked not derived.  A parameter is
counted once, by identity: a module reusing another's (weight tying) shows it as ``name^tied``.
Given an input shape, shapes are propagated through ``torch.fx`` (``trace``) and
every operation of one forward on tensors without data is recorded and merged into the rows
(``record``: costs fx cannot see, shapes it lost, operations no rule covers).
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy

from symparam.core.collection import paused_collection
from symparam.core.errors import SymparamError, shorten
from symparam.core.naming import snake_case
from symparam.core.shapes import is_shape_list, normalize_shape
from symparam.engine.layer import Layer
from symparam.engine.registry import construct
from symparam.engine.substitute import substitution
from symparam.importers.keras.config import SymbolicSize
from symparam.importers.torch.model import Entry, Frozen, Opaque, TorchModel
from symparam.importers.torch.translate import (
    _UNREADABLE,
    CALL_OPTIONS,
    INPUTS,
    NESTING,
    PARAMETERS,
    QUIRKS,
    SKIPPED,
    _plain,
    torch_class,
)
from symparam.importers.torch.tree import named_parameters
from symparam.layers.wrappers import Tied
from symparam.torch import nn as _catalogue  # noqa: F401 - fills the registry
from symparam.torch._base import TORCH


@dataclass
class _Plan:
    """A row being built: its module, how to build its layer, and its last call."""

    name: str
    path: str
    module: object
    build: object  # options -> Layer
    recurse: bool = True
    note: str = ""
    derived: bool = True
    layer: Layer = None
    input_shape: object = None
    #: PyTorch's parameter count, still to compare with the first derivation (``None``: done)
    unchecked: int | None = None


class _Reader:
    """Walks a module tree into plans, then derives each plan's layer on its shapes."""

    def __init__(self, rules):
        self.rules = rules
        self.values: dict = {}
        self.plans: list[_Plan] = []
        self.rows: dict[int, _Plan] = {}
        self.leaves: set = set()  # the modules whose rows count their children too
        self.owner: dict[int, str] = {}  # parameter identity -> "path.name" of its first owner
        self.visited: set = set()
        self.edges: list = []
        self.functions: list[_Plan] = []  # rows for functions that compute, called in forward
        self.seen: set = set()  # the functions and methods the fx graphs call

    # -- translation ------------------------------------------------------------------------
    def translate(self, module, options=None, path: str = "") -> Layer:
        """The symparam layer of a module whose class ``symparam.torch.nn`` knows."""
        name = torch_class(module)
        if name is None:
            raise SymparamError(f"{type(module).__name__} has no symparam.torch.nn layer")
        cls = TORCH.classes[name]
        arguments = {}
        stored = {**module._parameters, **vars(module)}
        for argument in cls.argument_names():
            if argument not in SKIPPED and argument in stored:
                value = _plain(stored[argument], argument)
                if value is not _UNREADABLE:
                    arguments[argument] = value
        arguments.update(QUIRKS.get(name, lambda m, r: {})(module, self))
        arguments.update(options or {})
        for rule in self.rules:
            if rule.selector in (name, path) and rule.field in arguments:
                self._record(rule, arguments[rule.field])
                arguments[rule.field] = rule.dim
        return construct(cls, arguments, f"{path or 'module'} ({name})")

    def _record(self, rule, value) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            raise SymparamError(f"symbolic {rule.selector}.{rule.field}: needs an integer size, "
                                f"found {shorten(value)}")
        if self.values.setdefault(rule.dim, value) != value:
            raise SymparamError(f"symbolic: {rule.dim} would stand for both "
                                f"{self.values[rule.dim]} and {value}")

    def evaluate(self, expr) -> sympy.Expr:
        return expr.xreplace(substitution(self.values, expr.free_symbols))

    # -- the walk ---------------------------------------------------------------------------
    def walk(self, module, path: str, root_name: str) -> None:
        """Plans for ``module``'s tree in registration order (depth first, by a stack)."""
        stack = [(module, path)]
        while stack:
            module, path = stack.pop()
            if id(module) in self.visited:
                continue  # one module registered twice is one row
            self.visited.add(id(module))
            name = path or root_name
            children = list(module.named_children())
            if torch_class(module) is not None:
                self._add(self._leaf(module, name, path))
            elif not children:
                why = "a module symparam does not know"
                self._add(self._opaque(module, name, path, True, why))
            else:
                if any(True for _ in module.named_parameters(recurse=False)):
                    why = "parameters the module holds directly"
                    self._add(self._opaque(module, name, path, False, why))
                stack.extend(reversed([(child, f"{path}.{n}" if path else n)
                                       for n, child in children]))

    def _add(self, plan: _Plan) -> None:
        for pname, parameter in named_parameters(plan.module, recurse=plan.recurse):
            self.owner.setdefault(id(parameter), f"{plan.name}.{pname}")
        self.plans.append(plan)
        self.rows[id(plan.module)] = plan
        if plan.recurse:
            self.leaves.add(id(plan.module))

    def _opaque(self, module, name, path, recurse, why) -> _Plan:
        sizes = [(p.numel(), p.requires_grad) for p in module.parameters(recurse=recurse)
                 if id(p) not in self.owner]
        layer = Opaque(type(module).__name__, sizes)
        return _Plan(name, path, module, lambda options: layer, recurse, f"not derived: {why}",
                     derived=False)

    def _leaf(self, module, name, path) -> _Plan:
        try:
            layer = self.translate(module, path=name)
        except SymparamError as error:
            return self._opaque(module, name, path, True, f"cannot translate ({error})")
        params = list(module.named_parameters())
        found = sum(p.numel() for _, p in params)
        tied = {p: self.owner[id(t)] for p, t in params if id(t) in self.owner}
        frozen = [p for p, t in params if not t.requires_grad and p not in tied]
        if tied or frozen:  # checked now: the wrapped layers built below count differently
            count = self.evaluate(layer.derive(layer.input_layout()).params)
            if count != found:
                return self._opaque(module, name, path, True, _modified(found, layer, count))
        weights = PARAMETERS.get(torch_class(module), {})
        if (tied or frozen) and not all(p in weights for p in [*tied, *frozen]):
            return self._opaque(module, name, path, True, "shares or freezes parameters in a way "
                                "symparam cannot map")
        notes = [f"{p} tied to {owner} (counted there)" for p, owner in tied.items()]
        notes += [f"{p} frozen" for p in frozen]

        def build(options):  # the layer read above, unless the call passes options
            built = self.translate(module, options, path=name) if options else layer
            if frozen:
                built = Frozen(built, [w for p in frozen for w in weights[p]])
            if tied:
                built = Tied(built, [w for p in tied for w in weights[p]])
            return built
        return _Plan(name, path, module, build, True, "; ".join(notes),
                     unchecked=None if tied or frozen else found)

    def confirmed(self, plan, params) -> bool:
        """Whether ``plan``'s layer, counting ``params`` on the first shape it was derived on,
        has PyTorch's parameter count; a module that does not (modified after it was built) is
        an opaque row from now on.  Checked on the first derivation, not in the walk: deriving
        every module on its layout too cost as much again."""
        if plan.unchecked is None:
            return plan.derived
        found, plan.unchecked = plan.unchecked, None
        count = self.evaluate(params)
        if count == found:
            return True
        # unchecked modules own every parameter they hold (none tied to an earlier row)
        layer = Opaque(type(plan.module).__name__, [(p.numel(), p.requires_grad) for p in
                                                    plan.module.parameters()])
        why = _modified(found, plan.build({}), count)
        plan.build, plan.derived = (lambda options: layer), False
        plan.note = "; ".join(filter(None, [plan.note, f"not derived: {why}"]))
        plan.layer = plan.input_shape = None
        return False

    def confirm_rest(self) -> None:
        """Check, on the layout its arguments imply, every row no shape reached."""
        for plan in self.plans:
            self.confirmed_on_layout(plan)

    def confirmed_on_layout(self, plan) -> bool:
        if plan.unchecked is None:
            return plan.derived
        layer = plan.build({})
        return self.confirmed(plan, layer.derive(layer.input_layout()).params)

    # -- what merging a recorded forward needs (``merge``) ------------------------------
    @staticmethod
    def inputs_of(module) -> int:
        return INPUTS.get(torch_class(module), 1)

    new_plan = _Plan

    # -- the fx callback --------------------------------------------------------------------
    def __call__(self, path, module, values, kwargs):
        from symparam.importers.torch import trace as fx
        plan = self.rows.get(id(module))
        if plan is None or not plan.recurse:
            return fx.Tensor(None)
        name = torch_class(module)
        options = self._options(name, values, kwargs)
        inputs = values[:INPUTS.get(name, 1)]
        for value in inputs:
            sources = getattr(value, "sources", frozenset()) or {None}
            shape = getattr(value, "shape", None)
            self.edges += [(source, plan.name, shape or ()) for source in sources]
        known = inputs and all(isinstance(v, fx.Tensor) and v.shape is not None for v in inputs)
        if not known or not plan.derived:
            return fx.Tensor(None, frozenset({plan.name}))
        shape = [v.shape for v in inputs] if len(inputs) > 1 else inputs[0].shape
        try:
            layer = plan.build(options)
            derivation = layer.derive(shape)
        except SymparamError as error:
            if not self.confirmed_on_layout(plan):  # a modified module: opaque, not an error
                return fx.Tensor(None, frozenset({plan.name}))
            if not any(getattr(v, "sources", None) for v in inputs):  # the model's own input
                raise SymparamError(f"from_torch: the input shape does not fit {plan.name!r}: "
                                    f"{error}") from None
            plan.note = "; ".join(filter(None, [plan.note, f"shape not propagated: {error}"]))
            return fx.Tensor(None, frozenset({plan.name}))
        if not self.confirmed(plan, derivation.params):
            return fx.Tensor(None, frozenset({plan.name}))
        plan.layer, plan.input_shape = layer, shape
        return _nest(name, derivation.output_shape, plan.name)

    def function(self, path, name, operands, result):
        """A row for a matrix product a ``forward`` computes itself (``symparam.torch.
        functional``), named after the calling module; the result's edges start there."""
        from symparam.importers.torch import trace as fx
        from symparam.torch.functional import FUNCTIONS
        shapes = [tensor.shape for tensor in operands]
        try:
            layer = FUNCTIONS[name]()
            layer.derive(shapes)
        except SymparamError:
            return result
        layer.call_order = len(self.functions)  # rows are shown by module, calls run in order
        base = row = f"{path}.{name}" if path else name
        taken, calls = {plan.name for plan in self.functions}, 1
        while row in taken:  # the same forward calls it again
            calls += 1
            row = f"{base}_{calls}"
        self.functions.append(_Plan(row, path, None, lambda options: layer, False,
                                    "a function called in forward: computes, holds no "
                                    "parameters", layer=layer, input_shape=shapes))
        for tensor in operands:
            self.edges += [(source, row, tensor.shape) for source in tensor.sources or {None}]
        shape = result.shape if isinstance(result, fx.Tensor) else None
        return fx.Tensor(shape, frozenset({row}))

    @staticmethod
    def _options(name, values, kwargs) -> dict:
        options = {}
        for option, index in CALL_OPTIONS.get(name, {}).items():
            value = kwargs.get(option, values[index] if len(values) > index else None)
            if isinstance(value, bool):
                options[option] = value
        return options


def _modified(found, layer, count) -> str:
    return f"PyTorch has {found} parameters where {layer.class_name} would have {count} (a " \
        "modified module?)"


def _nest(name, output, source):
    from symparam.importers.torch import trace as fx
    as_tensor = lambda shape: fx.Tensor(tuple(shape), frozenset({source}))  # noqa: E731
    if not isinstance(output, list):
        return as_tensor(output)
    tensors = [as_tensor(shape) for shape in output]
    return NESTING.get(name, tuple)(tensors)


# -- the public functions ---------------------------------------------------------------------
def from_torch(module, input_shape=None, *, symbolic=(), causal="full") -> TorchModel:
    """A symparam model of a live ``torch.nn.Module`` built in this process: one row per
    module (``summary()``), parameters counted once by identity, buffers apart.

    Args:
        module: the module; never run on data: ``torch.fx`` traces ``forward``, and unless
            that trace accounts for every call, one forward runs on meta or fake tensors
            (``record``), the module left as it was.
        input_shape: the input's full shape in PyTorch's layout, ``None`` at the batch axis
            (``(None, 3, 32, 32)``; ``(T, None, d)`` for a sequence-first RNN); a list of
            shapes for several inputs.  Without it each row is derived on the layout its own
            arguments imply, with symbols for the free sizes.
        symbolic: rules ``"CLASS_OR_PATH.argument=symbol"`` (``"Linear.out_features=u"``)
            making chosen sizes symbols; their values are ``read_torch``'s second result.
        causal: ``"full"`` counts a causal attention's masked products too (PyTorch's
            counter), ``"lower"`` only the lower triangle it keeps.
    """
    return read_torch(module, input_shape, symbolic=symbolic, causal=causal)[0]


def read_torch(module, input_shape=None, *, symbolic=(), causal="full") -> tuple[TorchModel,
                                                                                 dict]:
    """Like ``from_torch``, also returning the values of the ``symbolic`` sizes."""
    with paused_collection():  # a read makes many short-lived objects: symparam.core.collection
        return _read(module, input_shape, symbolic, causal)


def _read(module, input_shape, symbolic, causal) -> tuple[TorchModel, dict]:
    import torch

    from symparam.importers.torch import trace as fx
    if not isinstance(module, torch.nn.Module):
        raise SymparamError(f"from_torch: expected a torch.nn.Module, got {shorten(module)}")
    rules = tuple(r if isinstance(r, SymbolicSize) else SymbolicSize.parse(r) for r in symbolic)
    reader = _Reader(rules)
    root = snake_case(type(module).__name__)
    reader.walk(module, "", root)
    result, shape, merged = (), None, None
    if input_shape is not None:
        shape = _input_shapes(input_shape)
        output = fx.run(module, "", fx.as_values(shape), reader)
        result = _outputs(output, reader)
        # every operation of a forward on tensors without data: costs and shapes fx missed
        from symparam.importers.torch.record import read_forward
        from symparam.importers.torch.static import fully_traced
        if not fully_traced(reader, module, shape):
            merged = read_forward(reader, module, shape, causal=causal, root_name=root)
    reader.confirm_rest()
    plans = _with_functions(reader.plans, reader.functions)
    entries = [_entry(plan, traced=input_shape is not None) for plan in plans]
    model = TorchModel(entries, name=root, edges=tuple(dict.fromkeys(reader.edges)),
                       input_shape=shape, result_shape=result, source=module, reader=from_torch)
    model.uncounted = tuple(sorted(merged.uncounted.items())) if merged else ()
    return model, dict(reader.values)


def _with_functions(plans, functions) -> list:
    """The module rows with each function row after the last row inside its calling module
    (print order, then the calls that module's forward makes itself)."""
    merged = list(plans)
    for function in functions:
        inside = [i for i, plan in enumerate(merged) if not function.path or plan.name ==
                  function.path or plan.name.startswith(function.path + ".")]
        merged.insert(inside[-1] + 1 if inside else len(merged), function)
    return merged


def _input_shapes(input_shape):
    owner = "from_torch input_shape"
    if is_shape_list(input_shape):
        return [normalize_shape(s, owner=owner) for s in input_shape]
    return normalize_shape(input_shape, owner=owner)


def _entry(plan: _Plan, traced: bool) -> Entry:
    note = plan.note
    if plan.layer is None:
        plan.layer = plan.build({})
        plan.input_shape = plan.layer.input_layout()
        if traced and plan.derived:
            note = "; ".join(filter(None, [note, "input shape not traced: derived on the "
                                          "layout its arguments imply"]))
    return Entry(plan.name, plan.layer, plan.input_shape, note, plan.recurse, plan.path)


def _outputs(output, reader: _Reader):
    """The model's output shape(s), and the edges from the rows that produced them."""
    from symparam.importers.torch import trace as fx
    tensors = [t for t in _flat(output) if isinstance(t, fx.Tensor)]
    for tensor in tensors:
        reader.edges += [(source, None, tensor.shape or ()) for source in tensor.sources]
    shapes = [t.shape or () for t in tensors]
    return shapes[0] if len(shapes) == 1 else shapes if shapes else ()


def _flat(value) -> list:
    if isinstance(value, (list, tuple)):
        return [item for part in value for item in _flat(part)]
    return [value]
