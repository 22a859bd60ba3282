"""``nn.TransformerEncoderLayer``, ``nn.TransformerDecoderLayer``, their stacks
``nn.TransformerEncoder`` / ``nn.TransformerDecoder``, and ``nn.Transformer`` (PyTorch
``torch.nn`` documentation, "Transformer Layers"; Vaswani et al. 2017).

Each is made of the modules PyTorch builds it from (``MultiheadAttention``, ``Linear``,
``LayerNorm``), whose equations are reused with a superscript naming the part: ``sa`` the
self-attention, ``ca`` the cross-attention, ``ff1``/``ff2`` the feed-forward layers,
``n1``..``n3`` the norms, ``(i)`` the ``i``-th layer of a stack, ``enc``/``dec`` the two stacks
of a ``Transformer``.  ``norm_first`` moves each norm in front of its block (pre-LN).
"""

from __future__ import annotations

from symparam.core import args
from symparam.core.dims import dim
from symparam.core.errors import SymparamError, shorten
from symparam.core.shapes import format_shape, is_shape_list
from symparam.engine.equations import activate, vector
from symparam.torch._base import Assembly, Composite, register, same_size
from symparam.torch.attention import MultiheadAttention
from symparam.torch.linear import Linear
from symparam.torch.normalization import LayerNorm as Norm

ACTIVATIONS = ("relu", "gelu")


def sequence_layout(d_model, batch_first: bool, length: str = "S") -> tuple:
    return (None, dim(length), d_model) if batch_first else (dim(length), None, d_model)


class Block(Composite):
    """The arguments and parts an encoder and a decoder layer share."""

    #: the number of inputs: the sequence, and for a decoder the encoder's output (memory)
    inputs = 1

    def __init__(self, d_model, nhead, dim_feedforward=2048, dropout=0.1, activation="relu",
                 layer_norm_eps=1e-5, batch_first=False, norm_first=False, bias=True, **kwargs):
        super().__init__(**kwargs)
        self.d_model = self.as_size("d_model", d_model)
        self.nhead = self.as_size("nhead", nhead)
        self.dim_feedforward = self.as_size("dim_feedforward", dim_feedforward)
        self.dropout = self.as_number("dropout", dropout)
        self.activation = self.as_choice("activation", activation, ACTIVATIONS)
        self.batch_first = self.as_flag("batch_first", batch_first)
        self.norm_first = self.as_flag("norm_first", norm_first)
        self.bias = self.as_flag("bias", bias)

    def attention(self):
        return MultiheadAttention(self.d_model, self.nhead, bias=self.bias,
                                  batch_first=self.batch_first, need_weights=False)

    def norm(self):
        return Norm(self.d_model, bias=self.bias)

    def residual(self, assembly, tag, x, shape, block):
        """``x + block(x)``, the norm ``tag`` before the block (``norm_first``) or after the
        sum; returns the result."""
        if self.norm_first:
            z = assembly.apply(tag, self.norm(), shape, x)
            return assembly.add(f"h_{tag[1:]}", x + block(z))
        return assembly.apply(tag, self.norm(), shape, x + block(x))

    def feed_forward(self, assembly, h, shape):
        """``linear2(activation(linear1(h)))``."""
        d, width = self.d_model, self.dim_feedforward
        f = assembly.apply("ff1", Linear(d, width, self.bias), shape, h)
        r = assembly.add("r", activate(self.activation, f))
        return assembly.apply("ff2", Linear(width, d, self.bias), (*shape[:-1], width), r)

    def sequences(self, input_shape) -> list:
        shapes = input_shape if is_shape_list(input_shape) else [input_shape]
        if len(shapes) != self.inputs:
            raise SymparamError(f"{args.where(self)}: expects {self.inputs} input(s), got "
                                f"{format_shape(list(shapes))}")
        for shape in shapes:
            if len(shape) not in (2, 3):
                raise SymparamError(f"{args.where(self)}: expects (S, N, E), (N, S, E) with "
                                    f"batch_first, or (S, E); got {format_shape(shape)}")
            same_size(self, shape[-1], self.d_model, "last axis")
        return shapes

    def compute_output_shape(self, input_shape):
        return self.sequences(input_shape)[0]

    def input_layout(self):
        shapes = [sequence_layout(self.d_model, self.batch_first, s) for s in ("T", "S")]
        return shapes[1] if self.inputs == 1 else shapes


@register
class TransformerEncoderLayer(Block):
    """Self-attention then a feed-forward network, each added to its input and normalised
    (PyTorch ``nn.TransformerEncoderLayer``): ``h = LN_1(x + SA(x))``,
    ``y = LN_2(h + FF(h))``, or with ``norm_first`` ``h = x + SA(LN_1(x))``,
    ``y = h + FF(LN_2(h))``."""

    def assemble(self, input_shape):
        (target,) = self.sequences(input_shape)
        assembly, x = Assembly(), vector("x", self.d_model)
        h = self.residual(assembly, "n1", x, target, lambda z: assembly.apply(
            "sa", self.attention(), [target] * 3, z, z, z))
        y = self.residual(assembly, "n2", h, target,
                          lambda z: self.feed_forward(assembly, z, target))
        assembly.add("y", y)
        return assembly


@register
class TransformerDecoderLayer(Block):
    """Self-attention, attention over the encoder's output ``x_2`` (the memory), then a
    feed-forward network, each with its residual and norm (PyTorch
    ``nn.TransformerDecoderLayer``).  Derived on ``[tgt, memory]``."""

    inputs = 2

    def __call__(self, tgt, memory=None):
        return super().__call__(tgt if memory is None else [tgt, memory])

    def assemble(self, input_shape):
        target, source = self.sequences(input_shape)
        assembly = Assembly()
        x, memory = vector("x_1", self.d_model), vector("x_2", self.d_model)
        h = self.residual(assembly, "n1", x, target, lambda z: assembly.apply(
            "sa", self.attention(), [target] * 3, z, z, z))
        k = self.residual(assembly, "n2", h, target, lambda z: assembly.apply(
            "ca", self.attention(), [target, source, source], z, memory, memory))
        y = self.residual(assembly, "n3", k, target,
                          lambda z: self.feed_forward(assembly, z, target))
        assembly.add("y", y)
        return assembly


class Stack(Composite):
    """``num_layers`` copies of a layer, each with its own weights, and an optional final
    ``norm`` (PyTorch's ``_get_clones``)."""

    kind = TransformerEncoderLayer

    def __init__(self, layer, num_layers, norm=None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(layer, self.kind):
            raise SymparamError(f"{args.where(self)}: needs a {self.kind.__name__}, got "
                                f"{shorten(layer)}")
        count = self.as_size("num_layers", num_layers)
        if not count.is_Integer or count > 1000:
            raise SymparamError(f"{args.where(self)}: num_layers must be an integer from 1 to "
                                f"1000, got {num_layers!r}")
        if norm is not None and not isinstance(norm, Norm):
            raise SymparamError(f"{args.where(self)}: norm must be a LayerNorm, got "
                                f"{shorten(norm)}")
        self.layer, self.num_layers, self.norm = layer, int(count), norm

    def assemble(self, input_shape):
        target = self.layer.sequences(input_shape)[0]
        d, memory = self.layer.d_model, vector("x_2", self.layer.d_model)
        extra = (memory,) if self.layer.inputs == 2 else ()
        assembly, y = Assembly(), vector("x_1" if extra else "x", d)
        for i in range(1, self.num_layers + 1):
            y = assembly.apply(f"({i})", self.layer, input_shape, y, *extra)
        if self.norm is not None:
            y = assembly.apply("n", self.norm, target, y)
        assembly.add("y", y)
        return assembly

    def compute_output_shape(self, input_shape):
        return self.layer.compute_output_shape(input_shape)

    def input_layout(self):
        return self.layer.input_layout()


@register
class TransformerEncoder(Stack):
    """``num_layers`` encoder layers (PyTorch ``nn.TransformerEncoder``)."""

    def __init__(self, encoder_layer, num_layers, norm=None, enable_nested_tensor=True,
                 mask_check=True, **kwargs):
        super().__init__(encoder_layer, num_layers, norm, **kwargs)


@register
class TransformerDecoder(Stack):
    """``num_layers`` decoder layers, each reading the memory (PyTorch
    ``nn.TransformerDecoder``); derived on ``[tgt, memory]``."""

    kind = TransformerDecoderLayer

    def __init__(self, decoder_layer, num_layers, norm=None, **kwargs):
        super().__init__(decoder_layer, num_layers, norm, **kwargs)


@register
class Transformer(Composite):
    """Encoder and decoder stacks with final norms (PyTorch ``nn.Transformer``; defaults
    ``d_model=512``, ``nhead=8``, 6 + 6 layers, ``dim_feedforward=2048``).  Derived on
    ``[src, tgt]``; the output has the shape of ``tgt``.  ``custom_encoder`` and
    ``custom_decoder`` replace the stacks."""

    def __init__(self, d_model=512, nhead=8, num_encoder_layers=6, num_decoder_layers=6,
                 dim_feedforward=2048, dropout=0.1, activation="relu", custom_encoder=None,
                 custom_decoder=None, layer_norm_eps=1e-5, batch_first=False, norm_first=False,
                 bias=True, **kwargs):
        super().__init__(**kwargs)
        options = dict(dim_feedforward=dim_feedforward, dropout=dropout, activation=activation,
                       batch_first=batch_first, norm_first=norm_first, bias=bias)
        self.encoder = custom_encoder or TransformerEncoder(
            TransformerEncoderLayer(d_model, nhead, **options), num_encoder_layers,
            Norm(d_model, bias=bias))
        self.decoder = custom_decoder or TransformerDecoder(
            TransformerDecoderLayer(d_model, nhead, **options), num_decoder_layers,
            Norm(d_model, bias=bias))
        if not isinstance(self.encoder, TransformerEncoder) or \
                not isinstance(self.decoder, TransformerDecoder):
            raise SymparamError(f"{args.where(self)}: custom_encoder and custom_decoder must "
                                "be a TransformerEncoder and a TransformerDecoder")

    def __call__(self, src, tgt=None):
        return super().__call__(src if tgt is None else [src, tgt])

    def assemble(self, input_shape):
        self.compute_output_shape(input_shape)
        src, tgt = input_shape
        d, assembly = self.encoder.layer.d_model, Assembly()
        memory = assembly.apply("enc", self.encoder, src, vector("x_1", d))
        y = assembly.apply("dec", self.decoder, [tgt, src], vector("x_2", d), memory)
        assembly.add("y", y)
        return assembly

    def compute_output_shape(self, input_shape):
        if not is_shape_list(input_shape) or len(input_shape) != 2:
            raise SymparamError(f"{args.where(self)}: expects [src, tgt], got "
                                f"{format_shape(input_shape)}")
        self.encoder.layer.sequences(input_shape[0])
        return self.decoder.layer.sequences([input_shape[1], input_shape[0]])[0]

    def input_layout(self):
        layer = self.encoder.layer
        return [sequence_layout(layer.d_model, layer.batch_first, s) for s in ("S", "T")]
