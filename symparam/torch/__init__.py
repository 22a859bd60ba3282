"""PyTorch's conventions as first-class symparam layers.

``symparam.torch.nn`` holds layers named and parameterised like ``torch.nn`` modules
(``nn.Linear(in_features, out_features)``, ``nn.LSTM(..., proj_size=...)``), derived from their
equations; where the mathematics is Keras's (Linear and Dense, Conv2d and Conv2D, GRU and
``GRUCell(reset_after=True)``, LayerNorm, pooling, attention) the Keras layer's equations are
reused, and only PyTorch's arguments, layouts and shape rules are stated here.

Buffers (``register_buffer``: BatchNorm's ``running_mean``, ``running_var`` and
``num_batches_tracked``) are declared with ``Layer.buffer`` and appear as ``Buffer`` symbols in
the equations, checked like weights but not parameters, so a derivation's ``params`` is
PyTorch's ``sum(p.numel() for p in module.parameters())`` and ``Derivation.buffer_size``
(``buffers(derivation)``) is ``sum(b.numel() for b in module.buffers())``.

Nothing here imports PyTorch; ``symparam.importers.torch.walk`` reads live ``nn.Module`` trees.
"""

from symparam.engine.weights import Buffer
from symparam.torch._base import TORCH, buffer_shapes, buffers

__all__ = ["TORCH", "Buffer", "buffer_shapes", "buffers"]
