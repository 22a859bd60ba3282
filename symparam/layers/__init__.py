"""The catalogue: one small class per layer, grouped like Keras, each registered by name."""

from symparam.layers.convolutional import Conv1D, Conv2D, Conv3D
from symparam.layers.core import Activation, Dense, Embedding, InputLayer
from symparam.layers.merging import Add, Concatenate
from symparam.layers.normalization import BatchNormalization
from symparam.layers.pooling import (AveragePooling1D, AveragePooling2D, AveragePooling3D,
                                     MaxPooling1D, MaxPooling2D, MaxPooling3D)
from symparam.layers.recurrent import GRU, LSTM, SimpleRNN
from symparam.layers.registry import LAYERS, layer_class, register
from symparam.layers.regularization import Dropout
from symparam.layers.reshaping import Flatten
from symparam.layers.wrappers import Bidirectional, TimeDistributed

__all__ = [
    "LAYERS", "layer_class", "register",
    "Activation", "Add", "AveragePooling1D", "AveragePooling2D", "AveragePooling3D",
    "BatchNormalization", "Bidirectional", "Concatenate", "Conv1D", "Conv2D", "Conv3D", "Dense",
    "Dropout", "Embedding", "Flatten", "GRU", "InputLayer", "LSTM", "MaxPooling1D",
    "MaxPooling2D", "MaxPooling3D", "SimpleRNN", "TimeDistributed",
]
