"""Keras 3 operation layers that change shapes: reductions, reshaping, slicing, joining and
matrix products (``keras.ops.mean``, ``reshape``, ``x[:, 0]``, ``concatenate``, ``matmul``).

Shapes are full shapes, the batch axis included, because ``keras.ops`` functions see it (a
``reshape`` to ``(-1, 80)`` or a ``sum`` with ``axis=None`` involves it).  The rules are
Keras's own ``compute_output_spec`` rules for each operation.
"""

from __future__ import annotations

import sympy
from sympy import MatrixSymbol, OneMatrix

from symparam.core import args
from symparam.core.dims import dim
from symparam.core.errors import SymparamError, shorten
from symparam.core.shapes import format_shape, product, same_dims
from symparam.engine.equations import Eq, stack, vector
from symparam.layers.core import curve
from symparam.layers.operations import (
    TENSOR,
    Constant,
    Operation,
    Slice,
    broadcast,
    flat_operands,
    register,
)
from symparam.layers.reshaping import Rearrangement


def _axes(layer, value, rank: int, *, field="axis", allow_none=True) -> tuple | None:
    """Keras's ``axis``: ``None`` (every axis), an integer or a list, made non-negative."""
    if value is None and allow_none:
        return None
    items = args._as_items(value)
    found = []
    for item in items:
        axis = layer.as_axis(field, item)
        if not -rank <= axis < rank:
            raise SymparamError(f"{args.where(layer)}: {field} {axis} is out of range for rank "
                                f"{rank}")
        found.append(axis % rank)
    return tuple(found)


def _one_shape(layer, input_shape) -> tuple:
    shapes = layer.tensor_shapes(input_shape)
    if len(shapes) != 1:
        raise SymparamError(f"{args.where(layer)}: takes one tensor")
    return shapes[0]


class Reduction(Operation):
    """A reduction over ``axis`` (all axes when ``None``), keeping them as 1 with
    ``keepdims``: the equations reduce the vector of the entries one result is made of."""

    def __init__(self, axis=None, keepdims=False, initial=None, **kwargs):
        super().__init__(**kwargs)  # ``initial`` (Max, Min) changes no shape
        self.axis = None if axis is None else tuple(self.as_axis("axis", a)
                                                    for a in args._as_items(axis))
        self.keepdims = self.as_flag("keepdims", keepdims)

    def _reduced(self, shape) -> tuple:
        axes = _axes(self, self.axis, len(shape))
        return tuple(range(len(shape))) if axes is None else axes

    def compute_output_shape(self, input_shape):
        shape = _one_shape(self, input_shape)
        axes = self._reduced(shape)
        if self.keepdims:
            return tuple(sympy.Integer(1) if i in axes else n for i, n in enumerate(shape))
        return tuple(n for i, n in enumerate(shape) if i not in axes)

    def equations_for(self, input_shape):
        shape = _one_shape(self, input_shape)
        size = product([shape[i] for i in self._reduced(shape)])
        x = vector("x", dim("n") if size is None else size)
        return [Eq(vector("y", 1), self.reduce(x))]

    def reduce(self, x):
        """``1^T x``, the sum; subclasses transform the entries or the sum."""
        return OneMatrix(1, x.shape[0]) * x


def _reduction(name: str, inner=None, outer=None, doc="") -> type:
    """A registered reduction ``y = outer(1^T inner(x))`` called ``name``."""
    def reduce(self, x):
        entries = x if inner is None else curve(inner, x)
        total = OneMatrix(1, x.shape[0]) * entries
        return total if outer is None else curve(lambda t: outer(t, x.shape[0]), total, "s")
    cls = type(name, (Reduction,), {"reduce": reduce, "__doc__": doc, "__module__": __name__})
    return register(cls)


_SMOOTH = sympy.Function("smoothmax")
REDUCTIONS = [_reduction(name, inner, outer, f"``y = {label}`` over ``axis`` (``keras.ops``).")
              for name, inner, outer, label in (
                  ("Sum", None, None, "1^T x"),
                  ("Mean", None, lambda s, n: s / n, "1^T x / n"),
                  ("Prod", sympy.log, lambda s, n: sympy.exp(s), "exp(1^T log x)"),
                  ("Logsumexp", sympy.exp, lambda s, n: sympy.log(s), "log(1^T exp(x))"),
                  ("Var", lambda t: t**2, lambda s, n: s / n, "1^T (x - mean)^2 / n"),
                  ("Std", lambda t: t**2, lambda s, n: sympy.sqrt(s / n), "sqrt(var)"),
                  ("Any", lambda t: sympy.Piecewise((1, sympy.Ne(t, 0)), (0, True)),
                   lambda s, n: sympy.Min(s, 1), "min(1, 1^T [x != 0])"),
                  ("All", lambda t: sympy.Piecewise((1, sympy.Ne(t, 0)), (0, True)),
                   lambda s, n: sympy.floor(s / n), "floor(1^T [x != 0] / n)"),
                  ("Max", None, lambda s, n: sympy.Function("max")(s), "max over x"),
                  ("Min", None, lambda s, n: sympy.Function("min")(s), "min over x"))]


@register
class Argmax(Reduction):
    """The position of the largest entry along ``axis`` (``keras.ops.argmax``)."""

    def reduce(self, x):
        return curve(lambda s: sympy.Function("argmax")(s), OneMatrix(1, x.shape[0]) * x, "s")


@register
class Argmin(Argmax):
    """The position of the smallest entry along ``axis`` (``keras.ops.argmin``)."""


class Moving(Rearrangement, Operation):
    """An operation that moves numbers: ``y = S x`` over the whole example."""

    def grid(self, shape):
        return shape[1:] if shape else ()


@register
class Reshape(Moving):
    """``keras.ops.reshape(x, newshape)``: the batch axis is part of ``newshape``; a ``-1`` is
    unknown when any input size is (Keras's ``compute_reshape_output_shape``)."""

    matrix = "I"

    def __init__(self, newshape, **kwargs):
        super().__init__(**kwargs)
        items = args._as_items(newshape)
        self.newshape = tuple(-1 if str(i).strip() == "-1" else self.as_size("newshape", i)
                              for i in items)

    def compute_output_shape(self, input_shape):
        shape = _one_shape(self, input_shape)
        if -1 not in self.newshape:
            return self.newshape
        size, known = product(shape), product([n for n in self.newshape if n != -1])
        missing = None if size is None else size / known
        return tuple(missing if n == -1 else n for n in self.newshape)


@register
class Transpose(Moving):
    """``keras.ops.transpose(x, axes)``: axes reordered (reversed when ``axes`` is None)."""

    matrix = "P"

    def __init__(self, axes=None, **kwargs):
        super().__init__(**kwargs)
        self.axes = None if axes is None else tuple(self.as_axis("axes", a)
                                                    for a in args._as_items(axes))

    def compute_output_shape(self, input_shape):
        shape = _one_shape(self, input_shape)
        axes = tuple(reversed(range(len(shape)))) if self.axes is None else \
            _axes(self, self.axes, len(shape), field="axes")
        if sorted(axes) != list(range(len(shape))):
            raise SymparamError(f"{args.where(self)}: axes {list(axes)} is not a permutation "
                                f"of the axes of {format_shape(shape)}")
        return tuple(shape[a] for a in axes)


@register
class ExpandDims(Moving):
    """``keras.ops.expand_dims(x, axis)``: new axes of size 1."""

    matrix = "I"

    def __init__(self, axis, **kwargs):
        super().__init__(**kwargs)
        self.axis = tuple(self.as_axis("axis", a) for a in args._as_items(axis))

    def compute_output_shape(self, input_shape):
        shape = list(_one_shape(self, input_shape))
        rank = len(shape) + len(self.axis)
        for axis in sorted(_axes(self, self.axis, rank)):
            shape.insert(axis, sympy.Integer(1))
        return tuple(shape)


@register
class Squeeze(Moving):
    """``keras.ops.squeeze(x, axis)``: axes of size 1 removed (every one when ``None``)."""

    matrix = "I"

    def __init__(self, axis=None, **kwargs):
        super().__init__(**kwargs)
        self.axis = None if axis is None else tuple(self.as_axis("axis", a)
                                                    for a in args._as_items(axis))

    def compute_output_shape(self, input_shape):
        shape = _one_shape(self, input_shape)
        axes = _axes(self, self.axis, len(shape))
        if axes is None:
            return tuple(n for n in shape if n != 1)
        if any(shape[a] not in (1, None) for a in axes):
            raise SymparamError(f"{args.where(self)}: cannot squeeze axis {list(self.axis)} "
                                f"of {format_shape(shape)}")
        return tuple(n for i, n in enumerate(shape) if i not in axes)


@register
class Concatenate(Operation):
    """``keras.ops.concatenate([x_1, x_2, ...], axis)``: ``y = [x_1; x_2; ...]``."""

    def __init__(self, axis=0, **kwargs):
        super().__init__(**kwargs)
        self.axis = self.as_axis("axis", axis)

    def compute_output_shape(self, input_shape):
        shapes = self.tensor_shapes(input_shape)
        rank = len(shapes[0])
        axis = _axes(self, self.axis, rank)[0]
        result = list(shapes[0])
        for shape in shapes[1:]:
            if len(shape) != rank:
                raise SymparamError(f"{args.where(self)}: ranks differ in "
                                    f"{', '.join(format_shape(s) for s in shapes)}")
            for i, (a, b) in enumerate(zip(result, shape)):
                if i == axis:
                    result[i] = None if a is None or b is None else a + b
                elif a is None or (b is not None and not same_dims(a, b)):
                    result[i] = b if a is None else _mismatch(self, shapes)
        return tuple(result)

    def equations_for(self, input_shape):
        shapes = self.tensor_shapes(input_shape)
        xs = [vector(f"x_{i + 1}", product(s[1:]) or dim(f"n_{i + 1}"))
              for i, s in enumerate(shapes)]
        joined = stack(*xs)
        return [Eq(vector("y", joined.shape[0]), joined)]


def _mismatch(layer, shapes):
    raise SymparamError(f"{args.where(layer)}: cannot join "
                        f"{', '.join(format_shape(s) for s in shapes)}")


@register
class Stack(Concatenate):
    """``keras.ops.stack([x_1, x_2, ...], axis)``: a new axis holding the inputs."""

    def compute_output_shape(self, input_shape):
        shapes = self.tensor_shapes(input_shape)
        first = shapes[0]
        if any(len(s) != len(first) or not all(map(same_dims, s, first)) for s in shapes):
            _mismatch(self, shapes)
        result = list(first)
        result.insert(_axes(self, self.axis, len(first) + 1)[0], sympy.Integer(len(shapes)))
        return tuple(result)


@register
class Matmul(Operation):
    """``keras.ops.matmul(a, b)``: ``(..., n, k) @ (..., k, m) -> (..., n, m)``, the leading
    axes broadcast; each of the ``n`` rows is ``y = B^T a`` with ``B`` the second operand."""

    def compute_output_shape(self, input_shape):
        a, b = self._pair(input_shape)
        lead = broadcast(self, [a[:-2], b[:-2]]) if len(a) > 2 or len(b) > 2 else ()
        return (*lead, a[-2], b[-1])

    def _pair(self, input_shape):
        shapes = self.tensor_shapes(input_shape)
        if len(shapes) != 2 or min(len(s) for s in shapes) < 2:
            raise SymparamError(f"{args.where(self)}: multiplies two tensors of rank 2 or more, "
                                f"got {shorten(shapes)}")
        a, b = shapes
        if not same_dims(a[-1], b[-2]) and None not in (a[-1], b[-2]):
            raise SymparamError(f"{args.where(self)}: cannot multiply {format_shape(a)} by "
                                f"{format_shape(b)}")
        return a, b

    def equations_for(self, input_shape):
        a, b = self._pair(input_shape)
        inner = a[-1] if a[-1] is not None else (b[-2] if b[-2] is not None else dim("k"))
        cols = dim("m") if b[-1] is None else b[-1]
        x = vector("a", inner)
        return [Eq(vector("y", cols), MatrixSymbol("B", inner, cols).T * x)]


@register
class GetItem(Moving):
    """``x[key]``: integers drop an axis, slices shorten it, ``None`` adds one (NumPy's basic
    indexing; ``keras.ops`` ``GetItem``)."""

    matrix = "S"

    def compute_output_shape(self, input_shape):
        shapes = self.operands[1:] if len(self.operands) > 1 else ()
        key = list(shapes[0]) if shapes and isinstance(shapes[0], tuple) else list(shapes)
        return index_shape(self, _one_shape(self, input_shape), key)

    def tensor_shapes(self, input_shape):
        return [input_shape] if not isinstance(input_shape, list) else input_shape


def index_shape(layer, shape, key) -> tuple:
    """The shape of ``x[key]`` for ``x`` of ``shape``."""
    if any(item == TENSOR for item in flat_operands(key)):
        raise SymparamError(f"{args.where(layer)}: indexing with a tensor is not supported")
    used = sum(1 for item in key if item is not None and item != "...")
    if "..." in key:
        at = key.index("...")
        key = key[:at] + [Slice()] * (len(shape) - used) + key[at + 1:]
    key += [Slice()] * (len(shape) - sum(1 for item in key if item is not None))
    result, axis = [], 0
    for item in key:
        if item is None:
            result.append(sympy.Integer(1))
            continue
        if axis >= len(shape):
            raise SymparamError(f"{args.where(layer)}: too many indices for "
                                f"{format_shape(shape)}")
        if isinstance(item, Slice):
            result.append(_slice_length(layer, shape[axis], item))
        elif not (isinstance(item, Constant) and item.shape == () and
                  float(item.value).is_integer()):
            raise SymparamError(f"{args.where(layer)}: unsupported index {shorten(item)}")
        axis += 1
    return tuple(result)


def _slice_length(layer, size, item: Slice):
    """How many positions ``start:stop:step`` keeps of an axis of ``size`` (on a symbolic size,
    bounds are taken to lie inside the axis, as a model written for it assumes)."""
    if item == Slice():
        return size
    if size is None:
        return None
    if isinstance(size, sympy.Integer):
        kept = range(*slice(item.start, item.stop, item.step).indices(int(size)))
        return sympy.Integer(len(kept))
    step = 1 if item.step is None else item.step
    if step < 1:
        raise SymparamError(f"{args.where(layer)}: a slice step below 1 on the symbolic size "
                            f"{size}")
    start = 0 if item.start is None else item.start
    stop = size if item.stop is None else item.stop
    start = size + start if start < 0 else start
    stop = size + stop if not isinstance(stop, sympy.Basic) and stop < 0 else stop
    return sympy.ceiling((stop - start) / step)
