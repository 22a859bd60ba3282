"""One symbolic example per ``symparam.torch.nn`` layer, derived on its ``input_layout()``.

The conformance test runs over these; the notation follows ``symparam.layers.samples`` (``d`` input
features, ``u`` hidden units, ``c`` channels, ``f`` filters, ``k`` kernel size, ``V``
vocabulary, ``E`` embedding width, ``g`` groups).
"""

from __future__ import annotations

from symparam.core.dims import dims

d, u, c, f, k, V, E, g, p = dims("d u c f k V E g p")

#: class name -> keyword arguments (a callable for layers built from other layers)
TORCH_EXAMPLES: dict = {
    "Linear": {"in_features": d, "out_features": u},
    "Bilinear": {"in1_features": d, "in2_features": E, "out_features": u},
    "Identity": {},
    "Flatten": {},
    "Unflatten": {"dim": 1, "unflattened_size": (c, k)},
    "Embedding": {"num_embeddings": V, "embedding_dim": E},
    "EmbeddingBag": {"num_embeddings": V, "embedding_dim": E, "mode": "sum"},
    "RNNCell": {"input_size": d, "hidden_size": u},
    "LSTMCell": {"input_size": d, "hidden_size": u},
    "GRUCell": {"input_size": d, "hidden_size": u},
    "RNN": {"input_size": d, "hidden_size": u, "nonlinearity": "relu"},
    "LSTM": {"input_size": d, "hidden_size": u, "num_layers": 2, "bidirectional": True,
             "proj_size": p},
    "GRU": {"input_size": d, "hidden_size": u, "batch_first": True},
    "Conv1d": {"in_channels": c, "out_channels": f, "kernel_size": k, "padding": "same"},
    "Conv2d": {"in_channels": c, "out_channels": f, "kernel_size": k, "groups": g},
    "Conv3d": {"in_channels": c, "out_channels": f, "kernel_size": k, "stride": 2,
               "padding": 1},
    "ConvTranspose1d": {"in_channels": c, "out_channels": f, "kernel_size": k, "stride": 2},
    "ConvTranspose2d": {"in_channels": c, "out_channels": f, "kernel_size": k, "groups": g},
    "ConvTranspose3d": {"in_channels": c, "out_channels": f, "kernel_size": k, "stride": 2,
                        "output_padding": 1},
    "MaxPool1d": {"kernel_size": k},
    "MaxPool2d": {"kernel_size": 3, "stride": 2, "ceil_mode": True},
    "MaxPool3d": {"kernel_size": 2, "return_indices": True},
    "AvgPool1d": {"kernel_size": 3, "padding": 1},
    "AvgPool2d": {"kernel_size": k},
    "AvgPool3d": {"kernel_size": 2, "ceil_mode": True},
    "AdaptiveAvgPool1d": {"output_size": 1},
    "AdaptiveAvgPool2d": {"output_size": (7, 7)},
    "AdaptiveAvgPool3d": {"output_size": (1, None, 1)},
    "AdaptiveMaxPool1d": {"output_size": 4},
    "AdaptiveMaxPool2d": {"output_size": 1, "return_indices": True},
    "AdaptiveMaxPool3d": {"output_size": 2},
    "BatchNorm1d": {"num_features": c},
    "BatchNorm2d": {"num_features": c},
    "BatchNorm3d": {"num_features": c, "affine": False},
    "InstanceNorm1d": {"num_features": c},
    "InstanceNorm2d": {"num_features": c, "affine": True},
    "InstanceNorm3d": {"num_features": c, "track_running_stats": True},
    "LayerNorm": {"normalized_shape": d},
    "GroupNorm": {"num_groups": g, "num_channels": c},
    "MultiheadAttention": {"embed_dim": E, "num_heads": 8, "kdim": d, "vdim": d},
    "TransformerEncoderLayer": {"d_model": E, "nhead": 8, "dim_feedforward": u},
    "TransformerDecoderLayer": {"d_model": E, "nhead": 8, "dim_feedforward": u,
                                "norm_first": True},
    "TransformerEncoder": lambda nn: {
        "encoder_layer": nn.TransformerEncoderLayer(E, 8, dim_feedforward=u),
        "num_layers": 2, "norm": nn.LayerNorm(E)},
    "TransformerDecoder": lambda nn: {
        "decoder_layer": nn.TransformerDecoderLayer(E, 8, dim_feedforward=u),
        "num_layers": 2},
    "Transformer": {"d_model": E, "nhead": 8, "num_encoder_layers": 2,
                    "num_decoder_layers": 1, "dim_feedforward": u},
    "PReLU": {"num_parameters": c},
    "GELU": {"approximate": "tanh"},
    "LeakyReLU": {"negative_slope": 0.2},
    "ELU": {},
    "Softmax": {"dim": -1},
    "LogSoftmax": {"dim": 1},
    "Dropout": {"p": 0.1},
}

#: values that make every example concrete
NUMERIC = {"d": 16, "u": 12, "c": 4, "f": 6, "k": 3, "V": 50, "E": 16, "g": 2, "p": 5,
           "L": 9, "H": 10, "W": 11, "D": 6, "S": 7, "T": 5, "n": 4, "C": 4}


def example(class_name: str):
    """The example layer of ``class_name`` and the input shape it is derived on."""
    from symparam.torch import nn
    cls = getattr(nn, class_name)
    kwargs = TORCH_EXAMPLES.get(class_name, {})
    layer = cls(**(kwargs(nn) if callable(kwargs) else kwargs))
    return layer, layer.input_layout()
