"""Symbolic shapes through a live module's ``forward``, read with ``torch.fx``.

``torch.fx`` records ``forward`` as a graph without running it on data.  Each module symparam
has a row for is a leaf of the trace; the graph is then walked once with symbolic shapes in
place of tensors: a leaf's output is its layer's derived output shape, and the functions
between leaves (``x + y``, ``x.flatten(1)``, ``torch.arange(x.shape[1])``, ``out[0]``...) follow
the small rules below.  What no rule covers becomes *unknown*, and a row reached only by
unknown tensors keeps the shape symparam derives from its own arguments (noted on the row).
When tracing fails (data-dependent control flow), an ``nn.Sequential`` is followed module by
module instead.  PyTorch is imported only inside ``symparam.importers.torch``, never by the
catalogue in ``symparam.torch``.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field

import sympy
import torch
from torch import fx

from symparam.core.shapes import is_shape_list
from symparam.importers.torch.tracer import Tracer

UNKNOWN = object()


@dataclass(frozen=True)
class Tensor:
    """A tensor during the walk: its shape (``None`` when unknown) and the rows that produced
    it (a diagram's edges)."""

    shape: tuple | None
    sources: frozenset = field(default_factory=frozenset)


def run(module, path: str, inputs: list, call) -> object:
    """``module``'s output for the walk values ``inputs``; ``call(path, module, values,
    kwargs)`` derives a row's layer.  Falls back as the module docstring says."""
    if id(module) in call.leaves:
        return call(path, module, inputs, {})
    if type(module) is torch.nn.Sequential:  # its forward chains its children, nothing else
        return _chain(module, path, inputs, call)
    try:
        graph = Tracer(call.leaves).trace(module)
    except Exception:  # noqa: BLE001 - fx fails in many ways; the fallback is always safe
        if isinstance(module, torch.nn.Sequential):
            return _chain(module, path, inputs, call)
        return UNKNOWN
    return _interpret(graph, module, path, inputs, call)


def _chain(module, path: str, inputs: list, call) -> object:
    """A ``Sequential``'s output, its modules run in turn (nested plain ones flattened by a
    stack: fx recursed per level, so 300 nested ones failed and were re-traced each level)."""
    order, stack = [], [(path, module)]
    while stack:
        where, found = stack.pop()
        if found is module or (type(found) is torch.nn.Sequential and id(found) not in call.leaves):
            stack.extend(reversed([(join(where, n), c) for n, c in found.named_children()]))
        else:
            order.append((where, found))
    value = inputs[0] if inputs else UNKNOWN
    for where, found in order:
        value = run(found, where, [value], call)
    return value


def join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _interpret(graph, module, path, inputs, call):
    env: dict = {}
    placeholders = iter(inputs)
    for node in graph.nodes:
        args = fx.node.map_arg(node.args, lambda n: env[n])
        kwargs = fx.node.map_arg(node.kwargs, lambda n: env[n])
        if node.op == "placeholder":
            env[node] = next(placeholders, node.args[0] if node.args else UNKNOWN)
        elif node.op == "get_attr":
            env[node] = _attribute(module, node.target)
        elif node.op == "call_module":
            child = module.get_submodule(node.target)
            env[node] = call(join(path, node.target), child, list(args), kwargs)
        elif node.op == "call_function":
            env[node] = _counted(call, _owner(node, path), node.target, args, kwargs,
                                 _function(node.target, args, kwargs))
        elif node.op == "call_method":
            env[node] = _counted(call, _owner(node, path), node.target, args, kwargs,
                                 _apply(node.target, args, kwargs))
        elif node.op == "output":
            return args[0]
    return UNKNOWN


#: the tensor arguments of the functions that compute (``symparam.torch.functional``)
OPERANDS = {"matmul": ("input", "other"), "bmm": ("input", "mat2"),
            "scaled_dot_product_attention": ("query", "key", "value")}


def _owner(node, path: str) -> str:
    """The path of the module whose ``forward`` made the call (fx inlines the forward of
    modules that are not leaves and records where each node came from)."""
    stack = node.meta.get("nn_module_stack") or {}
    return join(path, next(reversed(stack))) if stack else path


def _counted(call, path: str, target, args, kwargs, result):
    """A call of a function that computes (a matrix product in ``forward``) is reported to
    ``call.function(path, name, operands, result)``, which may give it a row; other calls
    pass through.  Every target is added to ``call.seen`` when it has one."""
    getattr(call, "seen", set()).add(target)
    name = _name(target)
    if name not in OPERANDS or not hasattr(call, "function"):
        return result
    names = OPERANDS[name]
    operands = [args[i] if i < len(args) else kwargs.get(names[i]) for i in range(len(names))]
    if not all(isinstance(t, Tensor) and t.shape is not None for t in operands):
        return result
    return call.function(path, name, operands, result)


def _attribute(module, target: str):
    found = module
    for part in target.split("."):
        found = getattr(found, part, None)
    if isinstance(found, torch.Tensor):
        return Tensor(tuple(sympy.Integer(n) for n in found.shape))
    return UNKNOWN


# -- the rules ------------------------------------------------------------------------------
SAME = frozenset({
    "relu", "relu_", "gelu", "tanh", "sigmoid", "silu", "dropout", "softmax", "log_softmax",
    "exp", "log", "sqrt", "rsqrt", "neg", "abs", "contiguous", "float", "half", "double",
    "to", "type_as", "clone", "detach", "masked_fill", "masked_fill_", "normalize",
    "leaky_relu", "elu", "mish", "softplus", "hardtanh", "pow", "layer_norm", "__neg__",
    "cos", "sin", "tril", "triu", "sign", "reciprocal", "clamp", "clip",
})
BROADCAST = frozenset({"add", "sub", "mul", "truediv", "div", "iadd", "imul", "add_", "mul_",
                       "__add__", "__mul__", "__sub__", "__truediv__", "__radd__",
                       "__rmul__", "maximum", "minimum"})


def _name(target) -> str:
    return target if isinstance(target, str) else getattr(target, "__name__", "")


def _function(target, args, kwargs):
    if target is getattr:
        return _guarded(_getattr, args, {})
    if target is operator.getitem:
        return _guarded(_getitem, args, {})
    return _apply(_name(target), args, kwargs)


def _apply(name: str, args, kwargs):
    rule = RULES.get(name)
    if rule is None:
        if name in SAME and args and isinstance(args[0], Tensor):
            return args[0]
        if name in ARITHMETIC and len(args) == 2 and all(_is_size(a) for a in args):
            return ARITHMETIC[name](*(sympy.sympify(a, strict=True) for a in args))
        if name in BROADCAST or name in ARITHMETIC:
            return _broadcast(*args[:2]) if len(args) > 1 else UNKNOWN
        return UNKNOWN
    return _guarded(rule, args, kwargs)


def _guarded(rule, args, kwargs):
    """``rule(*args, **kwargs)``, unknown when the rule cannot tell (a ``SymparamError`` is a
    ``ValueError``)."""
    try:
        return rule(*args, **kwargs)
    except (TypeError, ValueError, IndexError, KeyError, AttributeError, ZeroDivisionError):
        return UNKNOWN


def _is_size(value) -> bool:
    return isinstance(value, (int, sympy.Expr)) and not isinstance(value, bool)


def _getattr(obj, name, *default):
    if isinstance(obj, Tensor) and name == "shape":
        return obj.shape if obj.shape is not None else UNKNOWN
    if isinstance(obj, Tensor) and name == "ndim" and obj.shape is not None:
        return len(obj.shape)
    return UNKNOWN


def _getitem(obj, index):
    if isinstance(obj, (list, tuple)) and isinstance(index, (int, slice)):
        return obj[index]
    if isinstance(obj, Tensor) and obj.shape is not None:
        return Tensor(_indexed(obj.shape, index), obj.sources)
    return UNKNOWN


def _indexed(shape, index):
    """The shape of ``tensor[index]`` for ints, full or bounded slices, ``None`` and ``...``."""
    items = list(index) if isinstance(index, tuple) else [index]
    if Ellipsis in items:
        at = items.index(Ellipsis)
        fill = len(shape) - (len(items) - 1 - items.count(None))
        items = items[:at] + [slice(None)] * fill + items[at + 1:]
    result, axis = [], 0
    for item in items:
        if item is None:
            result.append(sympy.Integer(1))
            continue
        if isinstance(item, int):
            axis += 1
            continue
        if not isinstance(item, slice):
            raise ValueError("advanced indexing")
        result.append(_sliced(shape[axis], item))
        axis += 1
    return (*result, *shape[axis:])


def _sliced(size, item: slice):
    if item == slice(None):
        return size
    if size is None or item.step not in (None, 1) or not size.is_number:
        return None
    return sympy.Integer(len(range(int(size))[item]))


def _broadcast(a, b):
    tensors = [x for x in (a, b) if isinstance(x, Tensor)]
    if not tensors:
        return UNKNOWN
    if any(t.shape is None for t in tensors) or UNKNOWN in (a, b):
        return Tensor(None, frozenset().union(*(t.sources for t in tensors)))
    if len(tensors) == 1:
        return tensors[0]
    sa, sb = a.shape, b.shape
    size = max(len(sa), len(sb))
    one = sympy.Integer(1)
    sa, sb = (one,) * (size - len(sa)) + sa, (one,) * (size - len(sb)) + sb
    merged = tuple(_merge(x, y) for x, y in zip(sa, sb))
    return Tensor(merged, a.sources | b.sources)


def _merge(x, y):
    if x == 1:
        return y if y != 1 else sympy.Integer(1)
    if y == 1 or y is None:
        return x
    return y if x is None else x


def _size(t, dim=None):
    if t.shape is None:
        return UNKNOWN
    return t.shape if dim is None else t.shape[dim]


def _flatten(t, start_dim=0, end_dim=-1):
    shape, rank = t.shape, len(t.shape)
    start, end = start_dim % rank, end_dim % rank
    middle = shape[start:end + 1]
    merged = None if None in middle else sympy.Mul(*middle)
    return Tensor((*shape[:start], merged, *shape[end + 1:]), t.sources)


def _view(t, *sizes):
    """``view``/``reshape``; ``-1`` is worked out when the unknown sizes are the input's own
    (the batch axis, passed on as ``x.size(0)``)."""
    sizes = sizes[0] if len(sizes) == 1 and isinstance(sizes[0], (list, tuple)) else sizes
    sizes = [None if s is None else sympy.sympify(s, strict=True) for s in sizes]
    if sizes.count(-1) == 1 and sizes.count(None) == t.shape.count(None):
        known = sympy.Mul(*(s for s in sizes if s not in (-1, None)))
        rest = sympy.Mul(*(s for s in t.shape if s is not None)) / known
        sizes = [rest if s == -1 else s for s in sizes]
    return Tensor(tuple(None if s is None or s == -1 else s for s in sizes), t.sources)


def _transpose(t, a, b):
    shape = list(t.shape)
    shape[a], shape[b] = shape[b], shape[a]
    return Tensor(tuple(shape), t.sources)


def _permute(t, *dims):
    dims = dims[0] if len(dims) == 1 and isinstance(dims[0], (list, tuple)) else dims
    return Tensor(tuple(t.shape[d] for d in dims), t.sources)


def _unsqueeze(t, dim):
    shape = list(t.shape)
    shape.insert(dim % (len(shape) + 1), sympy.Integer(1))
    return Tensor(tuple(shape), t.sources)


def _reduce(t, dim=None, keepdim=False, **_):
    if dim is None:
        return Tensor((), t.sources)
    dims = {d % len(t.shape) for d in (dim if isinstance(dim, (list, tuple)) else [dim])}
    if keepdim:
        return Tensor(tuple(sympy.Integer(1) if i in dims else s
                            for i, s in enumerate(t.shape)), t.sources)
    return Tensor(tuple(s for i, s in enumerate(t.shape) if i not in dims), t.sources)


def _cat(tensors, dim=0):
    shapes = [t.shape for t in tensors]
    axis = dim % len(shapes[0])
    sizes = [s[axis] for s in shapes]
    joined = None if None in sizes else sympy.Add(*sizes)
    return Tensor((*shapes[0][:axis], joined, *shapes[0][axis + 1:]),
                  frozenset().union(*(t.sources for t in tensors)))


def _split(t, size, dim=0):
    """``torch.split``: pieces of ``size`` along ``dim`` (or of the sizes listed)."""
    axis, length = dim % len(t.shape), t.shape[dim]
    if isinstance(size, (list, tuple)):
        sizes = [sympy.sympify(s, strict=True) for s in size]
    else:
        count = sympy.ceiling(length / size)
        if not count.is_Integer:
            raise ValueError("a symbolic number of pieces")
        step = sympy.sympify(size, strict=True)
        sizes = [step] * (int(count) - 1) + [length - (int(count) - 1) * size]
    return tuple(Tensor((*t.shape[:axis], s, *t.shape[axis + 1:]), t.sources) for s in sizes)


def _chunk(t, chunks, dim=0):
    """``torch.chunk``: ``chunks`` pieces of ``ceil(n / chunks)`` (the last may be shorter)."""
    return _split(t, sympy.ceiling(t.shape[dim] / chunks), dim)


def _arange(*args, **kwargs):
    numbers = [a for a in args if not isinstance(a, Tensor)]
    if len(numbers) == 1:
        return Tensor((sympy.sympify(numbers[0], strict=True),))
    start, end = numbers[:2]
    step = numbers[2] if len(numbers) > 2 else 1
    return Tensor((sympy.ceiling((sympy.sympify(end, strict=True) - start) / step),))


def _matmul(a, b):
    if a.shape is None or b.shape is None:
        return Tensor(None, a.sources | b.sources)
    lead = _broadcast(Tensor(a.shape[:-2]), Tensor(b.shape[:-2])).shape
    return Tensor((*lead, a.shape[-2], b.shape[-1]), a.sources | b.sources)


def _attention(query, key, value, *args, **kwargs):
    return Tensor((*query.shape[:-1], value.shape[-1]),
                  query.sources | key.sources | value.sources)


def _pooling(name: str):
    """``F.max_pool2d`` and kin: the output shape of the matching ``symparam.torch.nn``
    module, built from the same arguments."""
    def rule(t, *args, **kwargs):
        from symparam.torch import nn
        kwargs.pop("return_indices", None)
        layer = getattr(nn, name)(*args, **kwargs)
        return Tensor(tuple(layer.derive(t.shape).output_shape), t.sources)
    return rule


POOLING = {f"{kind}_pool{n}d": f"{module}Pool{n}d"
           for kind, module in (("max", "Max"), ("avg", "Avg"), ("adaptive_avg", "AdaptiveAvg"),
                                ("adaptive_max", "AdaptiveMax")) for n in (1, 2, 3)}

RULES = {
    "size": _size, "flatten": _flatten, "view": _view, "reshape": _view,
    "transpose": _transpose, "permute": _permute, "unsqueeze": _unsqueeze,
    "mean": _reduce, "sum": _reduce, "amax": _reduce, "cat": _cat, "concat": _cat,
    "arange": _arange, "matmul": _matmul, "bmm": _matmul,
    "scaled_dot_product_attention": _attention, "split": _split, "chunk": _chunk,
    **{function: _pooling(module) for function, module in POOLING.items()},
    "dim": lambda t: len(t.shape), "numel": lambda t: sympy.Mul(*t.shape),
}
#: arithmetic on sizes (``x.shape[1] * 2``) rather than tensors
ARITHMETIC = {"add": operator.add, "sub": operator.sub, "mul": operator.mul,
              "truediv": operator.truediv, "floordiv": operator.floordiv}


def as_values(input_shape) -> list:
    """The walk's input values for one shape or a list of shapes."""
    shapes = input_shape if is_shape_list(input_shape) else [input_shape]
    return [Tensor(tuple(shape)) for shape in shapes]
