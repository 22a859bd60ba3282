"""Core layers: the input placeholder, ``Dense``, ``Embedding``, ``Activation``, ``Identity``
and ``Masking``; ``Lambda`` is refused because it runs arbitrary code."""

from __future__ import annotations

import math

import sympy
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from sympy.matrices.expressions.matexpr import MatrixExpr

from symparam.core import args
from symparam.core.dims import dim
from symparam.engine.cost import OneHot
from symparam.engine.derivation import Derivation
from symparam.engine.equations import Eq, activate, activation_name, affine, vector
from symparam.engine.graph import Node, Tensor
from symparam.engine.layer import Layer
from symparam.layers.registry import KERAS, register


@register
class InputLayer(Layer):
    """The placeholder a model starts from (Keras ``InputLayer``): no weights, no equations.

    Args:
        shape: the shape without the batch axis, as in ``keras.Input``.
        batch_size: the batch the model is meant for (``None``: unstated); shapes keep
            ``None`` for the batch axis and costs stay per example, but a summary's memory
            and FLOPs count this batch unless told otherwise.
        dtype: the element type; ``int32`` marks token indices for an ``Embedding``.
    """

    def __init__(self, shape=None, batch_size=None, dtype=None, sparse=None, name=None,
                 **kwargs):
        super().__init__(name=name, **kwargs)
        owner = args.where(self)
        items = args._as_items(shape) if shape is not None else []
        if shape is None or len(items) > 15:
            raise args.SymparamError(f"{owner}: shape must list up to 15 sizes, got {shape!r}")
        from symparam.core.shapes import normalize_shape
        self.shape = normalize_shape([None, *items], owner=owner, field="shape")
        self.dtype = dtype if isinstance(dtype, str) and len(dtype) < 32 else "float32"
        self.batch_size = None if batch_size is None else self.as_size("batch_size", batch_size)

    def tensor(self) -> Tensor:
        """The symbolic tensor this input layer feeds into a model (what ``S.Input`` returns)."""
        node = Node(self, [], derivation=self.derive())
        node.outputs = [Tensor(self.shape, node, 0, dtype=self.dtype)]
        return node.outputs[0]

    def derive(self, input_shape=None) -> Derivation:
        return Derivation.from_weights(class_name="InputLayer", input_shape=self.shape,
                                       output_shape=self.shape, weights={}, equations=[],
                                       name=self.name)


@register
class Dense(Layer):
    """Fully connected layer ``y = f(W x + b)`` on the last axis (Keras ``Dense``).

    Inputs of any rank: ``(None, *lead, d)`` maps to ``(None, *lead, units)``.
    ``lora_rank=r`` freezes ``W`` and trains a low-rank update ``B A`` (Keras LoRA).
    """

    def __init__(self, units, activation=None, use_bias=True, lora_rank=None, **kwargs):
        super().__init__(**kwargs)
        self.units = self.as_size("units", units)
        self.activation = activation_name(activation, owner=args.where(self))
        self.use_bias = self.as_flag("use_bias", use_bias)
        self.lora_rank = None if lora_rank is None else self.as_size("lora_rank", lora_rank)

    def equations(self, x):
        d = x.shape[0]
        kernel = self.weight("W", self.units, d, trainable=self.lora_rank is None)
        bias = self.weight("b", self.units) if self.use_bias else None
        if self.lora_rank is not None:
            kernel = kernel + self.weight("B", self.units, self.lora_rank) * \
                self.weight("A", self.lora_rank, d)
        y = vector("y", self.units)
        return [Eq(y, activate(self.activation, affine(kernel, x, bias)))]


@register
class Embedding(Layer):
    """Lookup table ``y = E x`` where ``x`` is the one-hot vector of a token index.

    A Dense layer without bias or activation on a one-hot input (the seed post, Eq. 2): each
    index in the input becomes a vector, so ``(None, n)`` maps to ``(None, n, output_dim)``.
    """

    def __init__(self, input_dim, output_dim, lora_rank=None, **kwargs):
        super().__init__(**kwargs)
        self.input_dim = self.as_size("input_dim", input_dim)
        self.output_dim = self.as_size("output_dim", output_dim)
        self.lora_rank = None if lora_rank is None else self.as_size("lora_rank", lora_rank)

    def features(self, input_shape):
        return self.input_dim

    def feature_vector(self, name, size):
        return OneHot(name, size, 1)  # a lookup: no multiply-accumulates

    def equations(self, x):
        table = self.weight("E", self.output_dim, self.input_dim,
                            trainable=self.lora_rank is None)
        if self.lora_rank is not None:
            table = table + self.weight("B", self.output_dim, self.lora_rank) * \
                self.weight("A", self.lora_rank, self.input_dim)
        return [Eq(vector("y", self.output_dim), table * x)]

    def compute_output_shape(self, input_shape):
        return (*input_shape, self.output_dim)


@register
class Activation(Layer):
    """Element-wise activation ``y = f(x)`` (Keras ``Activation``)."""

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activation_name(activation, owner=args.where(self))

    def equations(self, x):
        return [Eq(vector("y", x.shape[0]), activate(self.activation, x))]


class Applied(ElementwiseApplyFunction):
    """``f`` applied to every entry of a matrix, left unevaluated even when it is 1x1.

    SymPy's own class calls ``f`` on a 1x1 matrix itself, which fails for a ``Piecewise``
    curve (a matrix cannot be compared with 0), also later when ``subs`` sets a size to 1.
    """

    def __new__(cls, function, expr):
        return MatrixExpr.__new__(cls, sympy.sympify(function, strict=True),
                                  sympy.sympify(expr, strict=True))


def curve(body, x, variable: str = "t"):
    """The scalar curve ``t -> body(t)`` applied to every entry of ``x`` (nested curves need
    their own variable names)."""
    t = sympy.Symbol(variable)
    return Applied(sympy.Lambda(t, body(t)), x)


class Elementwise(Layer):
    """Base of weightless layers that act on each number (or each position) of the input:
    the shape passes through unchanged, whatever its rank, and the last axis may be unknown."""

    def features(self, input_shape):
        known = len(input_shape) > 1 and input_shape[-1] is not None
        return input_shape[-1] if known else dim("d")

    def compute_output_shape(self, input_shape):
        return input_shape


@register
class Identity(Elementwise):
    """``y = x``: a placeholder that does nothing (Keras ``Identity``)."""

    def equations(self, x):
        return [Eq(vector("y", x.shape[0]), x)]


@register
class Masking(Elementwise):
    """Skip time steps whose features all equal ``mask_value`` (Keras ``Masking``).

    ``m = min(1, 1^T [x != v])`` is 1 unless every feature at the position equals ``v``, and
    ``y = x m`` zeroes the masked positions; later layers that support masks skip them.
    """

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.mask_value = self.as_number("mask_value", mask_value, -math.inf, math.inf)

    def equations(self, x):
        differs = curve(lambda t: sympy.Piecewise((0, Eq(t, self.mask_value)), (1, True)), x)
        count = sympy.OneMatrix(1, x.shape[0]) * differs
        mask = sympy.MatrixSymbol("m", 1, 1)
        return [Eq(mask, curve(lambda s: sympy.Min(s, 1), count, "s")),
                Eq(vector("y", x.shape[0]), x * mask)]


class Lambda(Layer):
    """Keras ``Lambda`` wraps arbitrary Python code, so symparam refuses it (DESIGN section 6).

    Not registered: a layer that cannot be constructed has no symbolic example, and specs or
    Keras files naming ``Lambda`` must be refused before any of their code is looked at.
    """

    def __init__(self, function=None, output_shape=None, mask=None, arguments=None, **kwargs):
        name = kwargs.get("name")
        label = f"Lambda {name!r}" if isinstance(name, str) and 0 < len(name) <= 200 \
            else "Lambda"
        KERAS.refuse("Lambda", label)
