"""Keras layers restated under PyTorch's conventions: the translation table of ``compare``.

``torch_twin(layer, input_shape)`` gives the ``symparam.torch.nn`` layer a PyTorch user would
write for a Keras layer, and the input shape in PyTorch's layout: channels first for
convolutions, pooling and BatchNorm; sequences batch first (``batch_first=True``), as Keras
lays them out.  Each entry carries the sizes over and nothing else, so every difference in the
counts comes from the two conventions' equations.  A Keras layer without a PyTorch module
raises ``NoTwin`` with the reason.
"""

from __future__ import annotations

import symparam.layers as keras
from symparam.core.errors import SymparamError
from symparam.layers.pooling import GlobalPooling, Pooling
from symparam.torch import nn

#: Keras activations and the PyTorch modules that apply them
ACTIVATIONS = {"relu": nn.ReLU, "gelu": nn.GELU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid,
               "silu": nn.SiLU, "swish": nn.SiLU, "elu": nn.ELU, "leaky_relu": nn.LeakyReLU,
               "relu6": nn.ReLU6, "mish": nn.Mish, "linear": nn.Identity}
NOTES = {
    keras.LSTM: "PyTorch keeps two bias vectors per gate (b_ih and b_hh)",
    keras.SimpleRNN: "PyTorch keeps two bias vectors (b_ih and b_hh)",
    keras.BatchNormalization: "Keras counts the moving mean and variance as non-trainable "
                              "weights; PyTorch keeps them, and num_batches_tracked, as buffers",
    keras.MultiHeadAttention: "PyTorch packs the q, k, v projections in in_proj_weight",
}
#: the PyTorch module that runs each Keras recurrent layer
RECURRENT = {keras.LSTM: nn.LSTM, keras.GRU: nn.GRU, keras.SimpleRNN: nn.RNN}


def _lookup(table: dict, layer):
    """The entry of ``table`` for ``layer``'s class or its nearest base class in it."""
    return next((table[klass] for klass in type(layer).__mro__ if klass in table), None)


class NoTwin(SymparamError):
    """A Keras layer PyTorch has no module for (the message says why)."""


def channels_first(shape, layer) -> tuple:
    """A Keras shape in PyTorch's channels-first layout."""
    if getattr(layer, "data_format", "channels_last") == "channels_first" or len(shape) < 3:
        return tuple(shape)
    return (shape[0], shape[-1], *shape[1:-1])


def _dense(layer, shape):
    return nn.Linear(shape[-1], layer.units, bias=layer.use_bias), shape


def _embedding(layer, shape):
    return nn.Embedding(layer.input_dim, layer.output_dim), shape


def _recurrent(layer, shape, bidirectional=False):
    cell, d = layer.cell, shape[-1]
    options = dict(bias=cell.use_bias, batch_first=True, bidirectional=bidirectional)
    module = _lookup(RECURRENT, layer)
    if module is None:
        raise NoTwin(f"no PyTorch module runs a {layer.class_name}")
    return module(d, cell.units, **options), shape


def _bidirectional(layer, shape):
    if layer.merge_mode != "concat" or layer.backward_layer is not None:
        raise NoTwin("PyTorch's bidirectional RNNs concatenate both directions of one layer")
    return _recurrent(layer.layer, shape, bidirectional=True)


def _conv(layer, shape):
    rank = len(layer.kernel_size)
    padding = _padding(layer)
    cls = getattr(nn, f"Conv{rank}d")
    torch_layer = cls(channels_first(shape, layer)[1], layer.filters, layer.kernel_size,
                      stride=layer.strides, padding=padding, dilation=layer.dilation_rate,
                      groups=layer.groups, bias=layer.use_bias)
    return torch_layer, channels_first(shape, layer)


def _padding(layer):
    if layer.padding == "valid":
        return 0
    if layer.padding == "same" and all(s == 1 for s in layer.strides):
        return "same"
    if layer.padding == "same":
        raise NoTwin(f"padding='same' with strides {tuple(layer.strides)} has no PyTorch "
                     "padding argument (PyTorch allows 'same' at stride 1 only)")
    raise NoTwin(f"padding={layer.padding!r} has no PyTorch padding argument")


def _conv_transpose(layer, shape):
    if layer.padding != "valid":
        raise NoTwin("Keras's 'same' transposed convolution has no PyTorch padding argument")
    rank = len(layer.kernel_size)
    cls = getattr(nn, f"ConvTranspose{rank}d")
    torch_shape = channels_first(shape, layer)
    return cls(torch_shape[1], layer.filters, layer.kernel_size, stride=layer.strides,
               dilation=layer.dilation_rate, bias=layer.use_bias), torch_shape


def _depthwise(layer, shape):
    torch_shape = channels_first(shape, layer)
    rank, c = len(layer.kernel_size), torch_shape[1]
    cls = getattr(nn, f"Conv{rank}d")
    return cls(c, c * layer.depth_multiplier, layer.kernel_size, stride=layer.strides,
               padding=_padding(layer), dilation=layer.dilation_rate, groups=c,
               bias=layer.use_bias), torch_shape


def _pooling(layer, shape):
    if layer.padding != "valid":
        raise NoTwin("Keras's 'same' pooling has no PyTorch padding argument")
    kind = "MaxPool" if layer.reduce == "max" else "AvgPool"
    cls = getattr(nn, f"{kind}{len(layer.pool_size)}d")
    return cls(layer.pool_size, stride=layer.strides), channels_first(shape, layer)


def _global_pooling(layer, shape):
    kind = "AdaptiveMaxPool" if layer.reduce == "max" else "AdaptiveAvgPool"
    return getattr(nn, f"{kind}{len(shape) - 2}d")(1), channels_first(shape, layer)


def _batch_norm(layer, shape):
    if layer.axis not in (-1, len(shape) - 1) or layer.center != layer.scale:
        raise NoTwin("PyTorch's BatchNorm normalises the channel axis, with both or neither "
                     "of gamma and beta")
    rank = {2: 1, 3: 1, 4: 2, 5: 3}.get(len(shape))
    if rank is None:
        raise NoTwin(f"PyTorch has no BatchNorm for inputs of rank {len(shape)}")
    cls = getattr(nn, f"BatchNorm{rank}d")
    return cls(shape[-1], affine=layer.scale), channels_first(shape, layer)


def _layer_norm(layer, shape):
    axes = sorted(a % len(shape) for a in layer.axes)
    if axes != list(range(len(shape) - len(axes), len(shape))) or \
            getattr(layer, "rms_scaling", False) or (layer.center and not layer.scale):
        raise NoTwin("PyTorch's LayerNorm normalises trailing axes, beta only with gamma")
    return nn.LayerNorm(tuple(shape[a] for a in axes), elementwise_affine=layer.scale,
                        bias=layer.center), shape


def _group_norm(layer, shape):
    if layer.center != layer.scale or layer.groups == -1:
        raise NoTwin("PyTorch's GroupNorm has both or neither of gamma and beta, and a group "
                     "count")
    torch_shape = channels_first(shape, layer)
    return nn.GroupNorm(layer.groups, torch_shape[1], affine=layer.scale), torch_shape


def _attention(layer, shapes):
    query, value = shapes[:2]
    key = shapes[2] if len(shapes) > 2 else value
    width = query[-1]
    if layer.output_dims or layer.use_gate or layer.value_dim != layer.key_dim or \
            (layer.key_dim * layer.num_heads - width) != 0:
        raise NoTwin("PyTorch's MultiheadAttention fixes key_dim = value_dim = "
                     "embed_dim/num_heads and projects back to embed_dim")
    torch_layer = nn.MultiheadAttention(width, layer.num_heads, bias=layer.use_bias,
                                        kdim=key[-1], vdim=value[-1], batch_first=True)
    return torch_layer, [query, key, value]


def _activation(layer, shape):
    cls = ACTIVATIONS.get(layer.activation or "linear")
    if cls is None:
        raise NoTwin(f"no PyTorch module for activation {layer.activation!r}")
    return cls(), shape


def _repeated(layer, shape):
    """``times`` copies of the block's twin: PyTorch's ``nn.ModuleList`` of blocks."""
    twin, twin_shape = torch_twin(layer.layer, shape)
    return keras.Repeated(twin, layer.times, name=layer.name), twin_shape


def _time_distributed(layer, shape):
    return torch_twin(layer.layer, (shape[0], *shape[2:]))


TABLE = {
    keras.Dense: _dense, keras.Embedding: _embedding, keras.LSTM: _recurrent,
    keras.GRU: _recurrent, keras.SimpleRNN: _recurrent, keras.Bidirectional: _bidirectional,
    keras.Conv1D: _conv, keras.Conv2D: _conv, keras.Conv3D: _conv,
    keras.Conv1DTranspose: _conv_transpose, keras.Conv2DTranspose: _conv_transpose,
    keras.Conv3DTranspose: _conv_transpose, keras.DepthwiseConv1D: _depthwise,
    keras.DepthwiseConv2D: _depthwise, Pooling: _pooling, GlobalPooling: _global_pooling,
    keras.BatchNormalization: _batch_norm, keras.LayerNormalization: _layer_norm,
    keras.GroupNormalization: _group_norm, keras.MultiHeadAttention: _attention,
    keras.Activation: _activation, keras.TimeDistributed: _time_distributed,
    keras.Repeated: _repeated,
    keras.Flatten: lambda layer, shape: (nn.Flatten(), shape),
    keras.Dropout: lambda layer, shape: (nn.Dropout(layer.rate), shape),
    keras.ReLU: lambda layer, shape: (nn.ReLU(), shape),
    keras.Softmax: lambda layer, shape: (nn.Softmax(dim=-1), shape),
    keras.Identity: lambda layer, shape: (nn.Identity(), shape),
}


def torch_twin(layer, input_shape) -> tuple:
    """``(PyTorch-convention layer, its input shape)`` for a Keras layer on ``input_shape``."""
    entry = _lookup(TABLE, layer)
    if entry is None:
        raise NoTwin(f"no PyTorch module in the translation table for {layer.class_name}")
    return entry(layer, input_shape)


def note(layer) -> str:
    """What differs in convention for a Keras layer, said once beside its row."""
    inner = getattr(layer, "layer", None)
    if isinstance(layer, (keras.Bidirectional, keras.TimeDistributed)) and inner is not None:
        return note(inner)
    if isinstance(layer, keras.GRU):
        return ("the same equations: Keras's reset_after=True is PyTorch's form"
                if layer.cell.reset_after else
                "PyTorch has only the reset_after=True form, a second bias per gate")
    if isinstance(layer, keras.Dense) and layer.activation:
        return "the activation is a separate module in PyTorch"
    return _lookup(NOTES, layer) or ""
