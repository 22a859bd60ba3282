"""The catalogue: one small class per layer, grouped like Keras, each registered by name.

Importing the modules below registers their layers; every registered class is then available
here by its Keras name (``from symparam.layers import LSTM``).
"""

from symparam.layers import (  # noqa: F401  # noqa: F401,E402 - issue 15
                             activations,
                             attention,
                             convolutional,
                             core,
                             encoding,
                             merging,
                             normalization,
                             pooling,
                             preprocessing,
                             recurrent,
                             regularization,
                             reshaping,
                             wrappers,
)
from symparam.layers.registry import LAYERS, layer_class, register

globals().update(LAYERS)

__all__ = ["LAYERS", "layer_class", "register", *sorted(LAYERS)]
