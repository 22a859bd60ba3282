"""Core layers: the input placeholder, ``Dense``, ``Embedding`` and ``Activation``."""

from __future__ import annotations

from sympy import Eq

from symparam import args
from symparam.engine import Derivation, Layer
from symparam.graph import Node, Tensor
from symparam.layers._math import activate, activation_name, affine, vector
from symparam.layers.registry import register


@register
class InputLayer(Layer):
    """The placeholder a model starts from (Keras ``InputLayer``): no weights, no equations.

    Args:
        shape: the shape without the batch axis, as in ``keras.Input``.
        dtype: the element type; ``int32`` marks token indices for an ``Embedding``.
    """

    def __init__(self, shape=None, batch_size=None, dtype=None, sparse=None, name=None,
                 **kwargs):
        super().__init__(name=name, **kwargs)
        owner = args.where(self)
        items = args._as_items(shape) if shape is not None else []
        if shape is None or len(items) > 15:
            raise args.SymparamError(f"{owner}: shape must list up to 15 sizes, got {shape!r}")
        from symparam.shapes import normalize_shape
        self.shape = normalize_shape([None, *items], owner=owner, field="shape")
        self.dtype = dtype if isinstance(dtype, str) and len(dtype) < 32 else "float32"

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

    def equations(self, x):
        table = self.weight("E", self.output_dim, self.input_dim,
                            trainable=self.lora_rank is None)
        if self.lora_rank is not None:
            table = table + self.weight("B", self.output_dim, self.lora_rank) * \
                self.weight("A", self.lora_rank, self.input_dim)
        return [Eq(vector("y", self.output_dim), table * x)]

    def output_shape(self, input_shape):
        return (*input_shape, self.output_dim)


@register
class Activation(Layer):
    """Element-wise activation ``y = f(x)`` (Keras ``Activation``)."""

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activation_name(activation, owner=args.where(self))

    def equations(self, x):
        return [Eq(vector("y", x.shape[0]), activate(self.activation, x))]
