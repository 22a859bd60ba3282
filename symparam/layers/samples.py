"""One symbolic example per catalogue layer: the formulas table and the conformance test use it.

The notation follows the seed post: ``d`` input features, ``u`` units, ``T`` time steps, ``n``
tokens, ``V`` vocabulary, ``E`` embedding width, ``H W D`` spatial sizes, ``c`` channels,
``f`` filters, ``k`` kernel sizes, ``s`` strides.  ``numeric`` gives a worked value for each.
"""

from __future__ import annotations

from symparam.core.dims import dims
from symparam.layers.preprocessing import ADJUSTMENT_NAMES, AUGMENTATION_NAMES

d, u, T, n, V, E, H, W, D, c, f, k, s = dims("d u T n V E H W D c f k s")
k_h, k_w, g, L = dims("k_h k_w g L")

#: class name -> (keyword arguments, input shape with the batch axis)
EXAMPLES: dict[str, tuple[dict, object]] = {
    "Dense": ({"units": u}, (None, d)),
    "Embedding": ({"input_dim": V, "output_dim": E}, (None, n)),
    "Activation": ({"activation": "relu"}, (None, d)),
    "Dropout": ({"rate": 0.5}, (None, d)),
    "SimpleRNN": ({"units": u}, (None, T, d)),
    "LSTM": ({"units": u}, (None, T, d)),
    "GRU": ({"units": u}, (None, T, d)),
    "Conv1D": ({"filters": f, "kernel_size": k}, (None, T, c)),
    "Conv2D": ({"filters": f, "kernel_size": (k_h, k_w), "groups": g}, (None, H, W, c)),
    "Conv3D": ({"filters": f, "kernel_size": k}, (None, D, H, W, c)),
    "MaxPooling1D": ({"pool_size": k}, (None, T, c)),
    "MaxPooling2D": ({"pool_size": k}, (None, H, W, c)),
    "MaxPooling3D": ({"pool_size": k}, (None, D, H, W, c)),
    "AveragePooling1D": ({"pool_size": k}, (None, T, c)),
    "AveragePooling2D": ({"pool_size": k}, (None, H, W, c)),
    "AveragePooling3D": ({"pool_size": k}, (None, D, H, W, c)),
    "Flatten": ({}, (None, H, W, c)),
    "Concatenate": ({}, [(None, d), (None, u)]),
    "Add": ({}, [(None, d), (None, d)]),
    "BatchNormalization": ({}, (None, H, W, c)),
    "Conv1DTranspose": ({"filters": f, "kernel_size": k, "strides": s}, (None, T, c)),
    "Conv2DTranspose": ({"filters": f, "kernel_size": (k_h, k_w), "strides": s},
                        (None, H, W, c)),
    "Conv3DTranspose": ({"filters": f, "kernel_size": k, "strides": s, "padding": "same"},
                        (None, D, H, W, c)),
    "DepthwiseConv1D": ({"kernel_size": k}, (None, T, c)),
    "DepthwiseConv2D": ({"kernel_size": (k_h, k_w)}, (None, H, W, c)),
    "SeparableConv1D": ({"filters": f, "kernel_size": k}, (None, T, c)),
    "SeparableConv2D": ({"filters": f, "kernel_size": (k_h, k_w)}, (None, H, W, c)),
    "LayerNormalization": ({}, (None, T, d)),
    "GroupNormalization": ({"groups": g}, (None, H, W, c)),
    "UnitNormalization": ({}, (None, d)),
    "RMSNormalization": ({}, (None, T, d)),
    "Normalization": ({}, (None, d)),
    "Identity": ({}, (None, d)),
    "Masking": ({"mask_value": 0.0}, (None, T, d)),
    "ReLU": ({"max_value": 6.0}, (None, d)),
    "LeakyReLU": ({"negative_slope": 0.2}, (None, d)),
    "PReLU": ({"shared_axes": [1, 2]}, (None, H, W, c)),
    "ELU": ({}, (None, d)),
    "Softmax": ({}, (None, T, d)),
    "GlobalMaxPooling1D": ({}, (None, T, c)),
    "GlobalMaxPooling2D": ({}, (None, H, W, c)),
    "GlobalMaxPooling3D": ({}, (None, D, H, W, c)),
    "GlobalAveragePooling1D": ({}, (None, T, c)),
    "GlobalAveragePooling2D": ({"keepdims": True}, (None, H, W, c)),
    "GlobalAveragePooling3D": ({}, (None, D, H, W, c)),
    "Reshape": ({"target_shape": (-1, c)}, (None, H, W, c)),
    "Permute": ({"dims": (2, 1)}, (None, T, d)),
    "RepeatVector": ({"n": n}, (None, d)),
    "ZeroPadding1D": ({"padding": k}, (None, T, c)),
    "ZeroPadding2D": ({"padding": k}, (None, H, W, c)),
    "ZeroPadding3D": ({"padding": k}, (None, D, H, W, c)),
    "Cropping1D": ({"cropping": k}, (None, T, c)),
    "Cropping2D": ({"cropping": k}, (None, H, W, c)),
    "Cropping3D": ({"cropping": k}, (None, D, H, W, c)),
    "UpSampling1D": ({"size": s}, (None, T, c)),
    "UpSampling2D": ({"size": s}, (None, H, W, c)),
    "UpSampling3D": ({"size": s}, (None, D, H, W, c)),
    "Subtract": ({}, [(None, d), (None, d)]),
    "Multiply": ({}, [(None, d), (None, d)]),
    "Average": ({}, [(None, d), (None, d)]),
    "Maximum": ({}, [(None, d), (None, d)]),
    "Minimum": ({}, [(None, d), (None, d)]),
    "Dot": ({"axes": 2}, [(None, T, d), (None, n, d)]),
    "SpatialDropout1D": ({"rate": 0.5}, (None, T, c)),
    "SpatialDropout2D": ({"rate": 0.5}, (None, H, W, c)),
    "SpatialDropout3D": ({"rate": 0.5}, (None, D, H, W, c)),
    "GaussianNoise": ({"stddev": 0.1}, (None, d)),
    "GaussianDropout": ({"rate": 0.5}, (None, d)),
    "AlphaDropout": ({"rate": 0.5}, (None, d)),
    "ActivityRegularization": ({"l1": 0.01}, (None, d)),
    "SimpleRNNCell": ({"units": u}, (None, d)),
    "LSTMCell": ({"units": u}, (None, d)),
    "GRUCell": ({"units": u}, (None, d)),
    "ConvLSTM1D": ({"filters": f, "kernel_size": k}, (None, T, W, c)),
    "ConvLSTM2D": ({"filters": f, "kernel_size": (k_h, k_w)}, (None, T, H, W, c)),
    "ConvLSTM3D": ({"filters": f, "kernel_size": k}, (None, T, D, H, W, c)),
    "MultiHeadAttention": ({"num_heads": 8, "key_dim": u}, [(None, T, d), (None, n, E)]),
    "Attention": ({"use_scale": True}, [(None, T, d), (None, n, d)]),
    "AdditiveAttention": ({}, [(None, T, d), (None, n, d)]),
    "InputLayer": ({"shape": (d,)}, (None, d)),
    "Rescaling": ({"scale": 1 / 255, "offset": -1.0}, (None, H, W, c)),
    "Resizing": ({"height": k_h, "width": k_w}, (None, H, W, c)),
    "CenterCrop": ({"height": k_h, "width": k_w}, (None, H, W, c)),
    "RandomCrop": ({"height": k_h, "width": k_w}, (None, H, W, c)),
    "CategoryEncoding": ({"num_tokens": V, "output_mode": "multi_hot"}, (None, n)),
    "Discretization": ({"bin_boundaries": [0.0, 1.0], "output_mode": "one_hot"}, (None, d)),
    "Hashing": ({"num_bins": V, "output_mode": "one_hot"}, (None, 1)),
    "StringLookup": ({"max_tokens": V, "pad_to_max_tokens": True, "output_mode": "count"},
                     (None, n)),
    "IntegerLookup": ({"vocabulary_size": V, "output_mode": "one_hot"}, (None, 1)),
    "TextVectorization": ({"max_tokens": V, "output_sequence_length": n}, (None, 1)),
}
#: the Random* augmentations (the identity at inference) and the adjustments on an image
EXAMPLES.update({name: ({}, (None, H, W, c))
                 for name in AUGMENTATION_NAMES + ADJUSTMENT_NAMES})

#: wrappers need an inner layer: class name -> (factory of keyword arguments, input shape)
WRAPPED = {
    "RNN": (lambda layers: {"cell": layers.GRUCell(u)}, (None, T, d)),
    "StackedRNNCells": (lambda layers: {"cells": [layers.LSTMCell(u), layers.GRUCell(u)]},
                        (None, d)),
    "Bidirectional": (lambda layers: {"layer": layers.LSTM(u)}, (None, T, d)),
    "TimeDistributed": (lambda layers: {"layer": layers.Dense(u)}, (None, T, d)),
    "Repeated": (lambda layers: {"layer": layers.Dense(d, activation="relu"), "times": L},
                 (None, d)),
    "Tied": (lambda layers: {"layer": layers.Dense(V, use_bias=False), "names": ["W"]},
             (None, n, d)),
}

#: values for the worked numeric column
NUMERIC = {"d": 256, "u": 128, "T": 25, "n": 25, "V": 1024, "E": 256, "H": 224, "W": 224,
           "D": 16, "c": 3, "f": 64, "k": 3, "s": 1, "k_h": 3, "k_w": 3, "g": 1, "L": 12}


def example(class_name: str):
    """The example layer instance and its input shape."""
    import symparam.layers as layers
    cls = layers.layer_class(class_name)
    if class_name in WRAPPED:
        factory, shape = WRAPPED[class_name]
        return cls(**factory(layers)), shape
    kwargs, shape = EXAMPLES[class_name]
    return cls(**kwargs), shape
