"""One symbolic example per catalogue layer: the formulas table and the conformance test use it.

The notation follows the seed post: ``d`` input features, ``u`` units, ``T`` time steps, ``n``
tokens, ``V`` vocabulary, ``E`` embedding width, ``H W D`` spatial sizes, ``c`` channels,
``f`` filters, ``k`` kernel sizes, ``s`` strides.  ``numeric`` gives a worked value for each.
"""

from __future__ import annotations

from symparam.dims import dims

d, u, T, n, V, E, H, W, D, c, f, k, s = dims("d u T n V E H W D c f k s")
k_h, k_w, g = dims("k_h k_w g")

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
    "InputLayer": ({"shape": (d,)}, (None, d)),
}

#: wrappers need an inner layer: class name -> (factory of keyword arguments, input shape)
WRAPPED = {
    "Bidirectional": (lambda layers: {"layer": layers.LSTM(u)}, (None, T, d)),
    "TimeDistributed": (lambda layers: {"layer": layers.Dense(u)}, (None, T, d)),
}

#: values for the worked numeric column
NUMERIC = {"d": 256, "u": 128, "T": 25, "n": 25, "V": 1024, "E": 256, "H": 224, "W": 224,
           "D": 16, "c": 3, "f": 64, "k": 3, "s": 1, "k_h": 3, "k_w": 3, "g": 1}


def example(class_name: str):
    """The example layer instance and its input shape."""
    from symparam import layers
    cls = layers.layer_class(class_name)
    if class_name in WRAPPED:
        factory, shape = WRAPPED[class_name]
        return cls(**factory(layers)), shape
    kwargs, shape = EXAMPLES[class_name]
    return cls(**kwargs), shape
