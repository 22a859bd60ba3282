"""The catalogue: one small class per layer, grouped like Keras, each registered by name.

Importing the modules below registers their layers; every registered class is then available
here by its Keras name (``from symparam.layers import LSTM``).
"""

from symparam.layers import (activations, attention, convolutional, core, merging,  # noqa: F401
                             normalization, pooling, recurrent, regularization, reshaping,
                             wrappers)
from symparam.layers import encoding, preprocessing  # noqa: F401,E402 - issue 15
from symparam.layers.registry import LAYERS, layer_class, register

globals().update(LAYERS)

__all__ = ["LAYERS", "layer_class", "register", *sorted(LAYERS)]
