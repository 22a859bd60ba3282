"""Keras 3 operation layers: the ``keras.ops`` functions a functional model applies to tensors.

When a model writes ``x + 3.0``, ``x[:, 0]`` or ``keras.ops.mean(x, axis=1)``, Keras 3 records
an operation (``Add``, ``GetItem``, ``Mean`` from ``keras.src.ops``) in the model's config.  It
owns no weights and gets no row in Keras's summary (``model.layers`` lists layers only), but it
moves tensors and costs compute, so symparam states its equations like any layer.  Operations
have their own registry (``OPERATIONS``): several share a name with a layer (``Add``,
``Multiply``, ``Concatenate``) and differ from it (they broadcast, take constants).

Every operation is called on its tensors in order; ``operands`` records where each tensor and
each constant stood among the call's arguments (``Add(3.0, x)``), so the equations can show the
constants.  Element-wise operations are here, shape and reduction operations in
``operations_shape.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy
from sympy import HadamardPower, HadamardProduct, MatAdd, MatrixSymbol

from symparam.core import args
from symparam.core.dims import dim
from symparam.core.errors import SymparamError, shorten
from symparam.core.shapes import format_shape, is_shape_list, same_dims
from symparam.engine.equations import Eq, activate, vector
from symparam.engine.layer import Layer
from symparam.engine.registry import Registry
from symparam.layers.core import curve
from symparam.layers.registry import IGNORED_KERAS_ARGS

OPERATIONS = Registry("operation", tolerated=IGNORED_KERAS_ARGS)
register = OPERATIONS.register
#: where a tensor stands among an operation's arguments
TENSOR = "<tensor>"
#: ``...`` among ``GetItem``'s indices
ELLIPSIS = "..."


@dataclass(frozen=True)
class Constant:
    """A constant argument: a number (``value``) or a constant tensor of ``shape``."""

    shape: tuple = ()
    value: float | None = None


@dataclass(frozen=True)
class Slice:
    """A ``start:stop:step`` slice among ``GetItem``'s indices (hashable, unlike ``slice``)."""

    start: int | None = None
    stop: int | None = None
    step: int | None = None


def flat_operands(operands) -> list:
    """The operands in call order, lists (``concatenate([a, b])``) opened."""
    found = []
    for item in operands:
        found += flat_operands(item) if isinstance(item, (list, tuple)) else [item]
    return found


class Operation(Layer):
    """Base of operation layers: weightless, without a summary row (as in Keras)."""

    summary_row = False

    def __init__(self, operands=(TENSOR,), **kwargs):
        super().__init__(**kwargs)
        self.operands = _frozen(operands)
        if TENSOR not in flat_operands(self.operands):
            raise SymparamError(f"{args.where(self)}: is applied to no tensor")

    def tensor_shapes(self, input_shape) -> list:
        """The input shapes, one per tensor operand."""
        shapes = list(input_shape) if is_shape_list(input_shape) else [input_shape]
        if len(shapes) != flat_operands(self.operands).count(TENSOR):
            raise SymparamError(f"{args.where(self)}: expects "
                                f"{flat_operands(self.operands).count(TENSOR)} tensors, got "
                                f"{len(shapes)}")
        return shapes

    def operand_shapes(self, input_shape) -> list:
        """Every operand's shape in order: the tensors' and the constants' (a number: ``()``)."""
        shapes, found = iter(self.tensor_shapes(input_shape)), []
        for item in flat_operands(self.operands):
            if not (item == TENSOR or isinstance(item, Constant)):
                raise SymparamError(f"{args.where(self)}: operand {shorten(item)} is neither "
                                    "a tensor nor a constant")
            found.append(next(shapes) if item == TENSOR else item.shape)
        return found


def _frozen(value):
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(item) for item in value)
    if value is None or value in (TENSOR, ELLIPSIS) or isinstance(value, (Constant, Slice)):
        return value
    raise SymparamError(f"operation operand {shorten(value)} is not a tensor or a constant")


def broadcast(layer, shapes) -> tuple:
    """NumPy broadcasting of full shapes (batch axis included), as Keras's
    ``broadcast_shapes``: sizes equal or 1; an unknown size takes the other's size."""
    rank = max(len(s) for s in shapes)
    result = [sympy.Integer(1)] * rank
    for shape in shapes:
        padded = [sympy.Integer(1)] * (rank - len(shape)) + list(shape)
        for i, (a, b) in enumerate(zip(result, padded)):
            if a == 1:
                result[i] = b
            elif a is None:
                result[i] = None if b == 1 else b
            elif not (b == 1 or b is None or same_dims(a, b)):
                raise SymparamError(f"{args.where(layer)}: cannot broadcast "
                                    f"{', '.join(format_shape(s) for s in shapes)}")
    return tuple(result)


class ElementwiseOperation(Operation):
    """An operation applied number by number to broadcast operands: the equations act on one
    position's vector along the output's last axis; a constant is the vector ``c``."""

    def compute_output_shape(self, input_shape):
        return broadcast(self, self.operand_shapes(input_shape))

    def equations_for(self, input_shape):
        out = self.compute_output_shape(input_shape)
        width = 1 if len(out) < 2 else (dim("d") if out[-1] is None else out[-1])
        tensors, constants, operands = 0, 0, []
        for item in flat_operands(self.operands):
            if item == TENSOR:
                tensors += 1
                operands.append(vector(f"x_{tensors}" if self._several() else "x", width))
            else:
                constants += 1
                operands.append(MatrixSymbol(f"c_{constants}" if constants > 1 else "c",
                                             width, 1))
        return [Eq(vector("y", width), self.apply(*operands))]

    def _several(self) -> bool:
        return flat_operands(self.operands).count(TENSOR) > 1

    def output_width(self, input_shape):
        return self.compute_output_shape(input_shape)[-1]

    def apply(self, *xs):
        raise NotImplementedError


class Unary(ElementwiseOperation):
    """``y = f(x)`` entry by entry; ``function`` maps a SymPy scalar to a SymPy scalar."""

    function = None

    def apply(self, x, *rest):
        if rest:
            raise SymparamError(f"{args.where(self)}: takes one tensor")
        return curve(self.function, x)


def _unary(name: str, function, doc: str) -> type:
    """A registered ``Unary`` operation class called ``name`` (Keras's op class name)."""
    cls = type(name, (Unary,), {"function": staticmethod(function), "__doc__": doc,
                                "__module__": __name__})
    return register(cls)


_STEP = lambda t: sympy.Piecewise((1, t > 0), (0, True))  # noqa: E731 - an indicator

UNARY = [_unary(name, function, f"``y = {label}`` entry by entry (``keras.ops``).")
         for name, function, label in (
             ("Exp", sympy.exp, "exp(x)"), ("Log", sympy.log, "log(x)"),
             ("Sqrt", sympy.sqrt, "sqrt(x)"), ("Square", lambda t: t**2, "x^2"),
             ("Abs", sympy.Abs, "|x|"), ("Negative", lambda t: -t, "-x"),
             ("Tanh", sympy.tanh, "tanh(x)"), ("Sin", sympy.sin, "sin(x)"),
             ("Cos", sympy.cos, "cos(x)"), ("Erf", sympy.erf, "erf(x)"),
             ("Rsqrt", lambda t: 1 / sympy.sqrt(t), "1/sqrt(x)"),
             ("Reciprocal", lambda t: 1 / t, "1/x"), ("Floor", sympy.floor, "floor(x)"),
             ("Ceil", sympy.ceiling, "ceil(x)"),
             ("Sign", sympy.sign, "sign(x)"), ("Log1p", lambda t: sympy.log(1 + t), "log(1+x)"),
             ("Expm1", lambda t: sympy.exp(t) - 1, "exp(x)-1"),
             ("LogicalNot", lambda t: 1 - _STEP(sympy.Abs(t)), "not x"),
             ("Relu", lambda t: sympy.Max(t, 0), "max(x, 0)"),
             ("Relu6", lambda t: sympy.Min(sympy.Max(t, 0), 6), "min(max(x, 0), 6)"),
             ("Sigmoid", sympy.Function("sigma"), "sigma(x)"),
             ("Softplus", lambda t: sympy.log(1 + sympy.exp(t)), "log(1 + exp(x))"),
             ("Silu", lambda t: t * sympy.Function("sigma")(t), "x sigma(x)"),
             ("Selu", sympy.Function("selu"), "selu(x)"),
             ("HardSigmoid", sympy.Function("hard_sigmoid"), "hard_sigmoid(x)"),
             ("HardSilu", sympy.Function("hard_silu"), "hard_silu(x)"),
             ("StopGradient", lambda t: t, "x"), ("ConvertToTensor", lambda t: t, "x"))]


class Parametrised(Unary):
    """A unary operation with a constant option (a slope, a rounding precision)."""

    def __init__(self, option=None, **kwargs):
        super().__init__(**kwargs)
        self.option = option if option is None or isinstance(option, (bool, int, float)) \
            else self._refuse(option)

    def _refuse(self, value):
        raise SymparamError(f"{args.where(self)}: option {shorten(value)} must be a number")


@register
class LeakyRelu(Parametrised):
    """``y = max(x, a x)`` entry by entry (``keras.ops.leaky_relu``)."""

    function = staticmethod(sympy.Function("leaky_relu"))

    def __init__(self, negative_slope=0.2, **kwargs):
        super().__init__(option=negative_slope, **kwargs)


@register
class Elu(Parametrised):
    """``y = x`` for ``x > 0``, else ``alpha (exp(x) - 1)`` (``keras.ops.elu``)."""

    function = staticmethod(sympy.Function("elu"))

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(option=alpha, **kwargs)


@register
class Gelu(Parametrised):
    """``y = x Phi(x)``, or its tanh ``approximate`` form (``keras.ops.gelu``)."""

    function = staticmethod(sympy.Function("gelu"))

    def __init__(self, approximate=True, **kwargs):
        super().__init__(option=approximate, **kwargs)


@register
class Round(Parametrised):
    """``y = round(x)`` to ``decimals`` places (``keras.ops.round``)."""

    function = staticmethod(sympy.Function("round"))

    def __init__(self, decimals=0, **kwargs):
        super().__init__(option=decimals, **kwargs)


@register
class Cast(Unary):
    """``y = x`` in another element type (``keras.ops.cast``)."""

    function = staticmethod(lambda t: t)

    def __init__(self, dtype=None, **kwargs):
        super().__init__(**kwargs)


class Binary(ElementwiseOperation):
    """Two broadcast operands combined entry by entry."""

    def apply(self, *xs):
        if len(xs) != 2:
            raise SymparamError(f"{args.where(self)}: takes two operands, got {len(xs)}")
        return self.combine(*xs)


def _register_binary(name: str, combine, doc: str) -> type:
    cls = type(name, (Binary,), {"combine": staticmethod(combine), "__doc__": doc,
                                 "__module__": __name__})
    return register(cls)


def _compare(test):
    """An indicator ``[test(a, b)]`` entry by entry, written on ``a - b``."""
    return lambda a, b: curve(lambda t: sympy.Piecewise((1, test(t)), (0, True)), a - b)


BINARY = [_register_binary(name, combine, f"``y = {label}`` entry by entry, broadcast "
                                            "(``keras.ops``).")
          for name, combine, label in (
              ("Add", lambda *xs: MatAdd(*xs), "x_1 + x_2"),
              ("Subtract", lambda a, b: a - b, "x_1 - x_2"),
              ("Multiply", lambda *xs: HadamardProduct(*xs), "x_1 * x_2"),
              ("Divide", lambda a, b: HadamardProduct(a, HadamardPower(b, -1)), "x_1 / x_2"),
              ("TrueDivide", lambda a, b: HadamardProduct(a, HadamardPower(b, -1)), "x_1 / x_2"),
              ("Power", lambda a, b: curve(sympy.exp, HadamardProduct(b, curve(sympy.log, a))),
               "x_1 ** x_2"),
              ("Maximum", lambda a, b: a + curve(lambda t: sympy.Max(t, 0), b - a),
               "max(x_1, x_2)"),
              ("Minimum", lambda a, b: a + curve(lambda t: sympy.Min(t, 0), b - a),
               "min(x_1, x_2)"),
              ("Equal", _compare(lambda t: sympy.Eq(t, 0)), "[x_1 = x_2]"),
              ("NotEqual", _compare(lambda t: sympy.Ne(t, 0)), "[x_1 != x_2]"),
              ("Greater", _compare(lambda t: t > 0), "[x_1 > x_2]"),
              ("GreaterEqual", _compare(lambda t: t >= 0), "[x_1 >= x_2]"),
              ("Less", _compare(lambda t: t < 0), "[x_1 < x_2]"),
              ("LessEqual", _compare(lambda t: t <= 0), "[x_1 <= x_2]"),
              ("LogicalAnd", lambda a, b: HadamardProduct(a, b), "x_1 and x_2"),
              ("LogicalOr", lambda a, b: a + b - HadamardProduct(a, b), "x_1 or x_2"))]


@register
class Softmax(ElementwiseOperation):
    """``y = exp(x) / sum(exp(x))`` along ``axis`` (``keras.ops.softmax``); the shape stays."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        items = axis if isinstance(axis, (list, tuple)) else [axis]
        self.axis = tuple(self.as_axis("axis", item) for item in items)

    def apply(self, x, *rest):
        return activate("softmax", x)


@register
class LogSoftmax(Softmax):
    """``y = x - log(sum(exp(x)))`` along ``axis`` (``keras.ops.log_softmax``)."""

    def apply(self, x, *rest):
        return activate("log_softmax", x)
