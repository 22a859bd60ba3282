"""PyTorch-convention layers under PyTorch's names: ``from symparam.torch import nn``.

``nn.LSTM(input_size, hidden_size, num_layers=2, bidirectional=True)`` takes the arguments of
``torch.nn.LSTM``, with its defaults, and derives its parameter count and output shapes from its
equations like every symparam layer; sizes may be symbols.  Buffers (BatchNorm's running
statistics) are not parameters here either: ``symparam.torch.buffers(derivation)`` counts them.
Importing this module never imports PyTorch.
"""

from symparam.torch import (  # noqa: F401
                            activation,
                            attention,
                            conv,
                            linear,
                            normalization,
                            pooling,
                            recurrent,
                            transformer,
)
from symparam.torch._base import TORCH

globals().update(TORCH.classes)

__all__ = sorted(TORCH.classes)
