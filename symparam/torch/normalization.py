"""``nn.BatchNorm*d``, ``nn.InstanceNorm*d``, ``nn.LayerNorm`` and ``nn.GroupNorm`` (PyTorch
``torch.nn`` documentation, "Normalization Layers").

PyTorch keeps BatchNorm's running mean and variance, and the number of batches seen, as
*buffers*: saved with the module, never in ``parameters()``.  Keras's BatchNormalization
counts its moving mean and variance as non-trainable weights instead; the scale ``gamma`` and
shift ``beta`` (PyTorch's ``weight`` and ``bias``, present with ``affine=True``) are parameters
in both.  LayerNorm and GroupNorm are Keras's LayerNormalization and GroupNormalization,
whose equations are reused.
"""

from __future__ import annotations

import symparam.torch._shapes as _shapes
from symparam.core import args
from symparam.core.dims import dim
from symparam.engine.equations import Eq, stack, vector
from symparam.layers.normalization import (
    GroupNormalization,
    LayerNormalization,
    scale_shift,
    standardized,
)
from symparam.torch._base import Borrowed, TorchLayer, register, same_size
from symparam.torch.conv import SPATIAL


class Running(TorchLayer):
    """Standardisation per channel (axis 1), then ``gamma ⊙ x̂ + beta`` with ``affine``.

    With ``track_running_stats`` the statistics used in evaluation are the buffers ``mu`` and
    ``sigma^2`` (``running_mean``, ``running_var``), and ``n_b`` (``num_batches_tracked``)
    counts the training batches; the state equation ``s = [mu; sigma^2; n_b]`` lists them.
    Without it, the statistics of the input itself are used and nothing is kept.
    """

    #: input ranks accepted, batch axis included
    ranks: tuple = (4,)

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True, **kwargs):
        super().__init__(**kwargs)
        self.num_features = self.as_size("num_features", num_features)
        self.affine = self.as_flag("affine", affine)
        self.track_running_stats = self.as_flag("track_running_stats", track_running_stats)

    def channel_axis(self, input_shape) -> int:
        return 1

    def features(self, input_shape):
        _shapes.check_rank(self, input_shape, self.ranks)
        same_size(self, input_shape[self.channel_axis(input_shape)], self.num_features,
                  "channel count")
        return self.num_features

    def equations(self, x):
        n = x.shape[0]
        state = []
        if self.track_running_stats:
            mean, variance = self.buffer("mu", n), self.buffer("sigma^2", n)
            state = [Eq(vector("s", 2 * n + 1), stack(mean, variance, self.buffer("n_b", 1)))]
        else:
            mean, variance = vector("mu", n), vector("sigma^2", n)
        y = scale_shift(self, standardized(x, mean, variance), n, self.affine, self.affine)
        return [*state, Eq(vector("y", n), y)]

    def compute_output_shape(self, input_shape):
        self.features(input_shape)
        return input_shape

    def input_layout(self):
        return (None, self.num_features, *(dim(s) for s in SPATIAL[max(self.ranks) - 2]))


class BatchNorm(Running):
    """Statistics over the batch and every position (Ioffe and Szegedy 2015)."""


class InstanceNorm(Running):
    """Statistics over the positions of each example (Ulyanov et al. 2016); PyTorch's defaults
    are ``affine=False`` and ``track_running_stats=False``, and an input of rank
    ``spatial + 1`` is one unbatched example ``(C, *spatial)``."""

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=False,
                 track_running_stats=False, **kwargs):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, **kwargs)

    def channel_axis(self, input_shape) -> int:
        return 1 if len(input_shape) == max(self.ranks) else 0


@register
class BatchNorm1d(BatchNorm):
    """PyTorch ``nn.BatchNorm1d``: ``BatchNorm`` on inputs (N, C) or (N, C, L)."""

    ranks = (2, 3)


@register
class BatchNorm2d(BatchNorm):
    """PyTorch ``nn.BatchNorm2d``: ``BatchNorm`` on inputs (N, C, H, W)."""

    ranks = (4,)


@register
class BatchNorm3d(BatchNorm):
    """PyTorch ``nn.BatchNorm3d``: ``BatchNorm`` on inputs (N, C, D, H, W)."""

    ranks = (5,)


@register
class InstanceNorm1d(InstanceNorm):
    """PyTorch ``nn.InstanceNorm1d``: ``InstanceNorm`` on inputs (C, L) or (N, C, L)."""

    ranks = (2, 3)


@register
class InstanceNorm2d(InstanceNorm):
    """PyTorch ``nn.InstanceNorm2d``: ``InstanceNorm`` on inputs (C, H, W) or (N, C, H, W)."""

    ranks = (3, 4)


@register
class InstanceNorm3d(InstanceNorm):
    """PyTorch ``nn.InstanceNorm3d``: ``InstanceNorm`` on inputs (C, D, H, W) or (N, C, D, H, W)."""

    ranks = (4, 5)


@register
class LayerNorm(Borrowed):
    """Each example standardised over its last ``len(normalized_shape)`` axes, then
    ``gamma ⊙ x̂ + beta`` (PyTorch ``nn.LayerNorm``; Keras's ``LayerNormalization`` equations
    over those axes, reused).  ``elementwise_affine=False`` drops both ``gamma`` (``weight``)
    and ``beta`` (``bias``); ``bias=False`` drops ``beta`` only.
    """

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True,
                 **kwargs):
        super().__init__(**kwargs)
        items = args._as_items(normalized_shape)
        self.normalized_shape = self.as_sizes("normalized_shape", items, len(items))
        self.elementwise_affine = self.as_flag("elementwise_affine", elementwise_affine)
        self.bias = self.as_flag("bias", bias)

    def keras_layer(self):
        axes = list(range(-len(self.normalized_shape), 0))
        return LayerNormalization(axis=axes, scale=self.elementwise_affine,
                                  center=self.elementwise_affine and self.bias)

    def keras_shape(self, input_shape):
        return (None, *self.normalized_shape)

    def check_input(self, input_shape):
        tail = input_shape[-len(self.normalized_shape):]
        if len(tail) != len(self.normalized_shape):
            _shapes.check_rank(self, input_shape, (len(self.normalized_shape),))
        for found, expected in zip(tail, self.normalized_shape):
            same_size(self, found, expected, "trailing axes")

    def compute_output_shape(self, input_shape):
        self.check_input(input_shape)
        return input_shape

    def input_layout(self):
        return (None, *self.normalized_shape)


@register
class GroupNorm(Borrowed):
    """Channels split into ``num_groups`` groups, each standardised over its channels and
    every position, then ``gamma ⊙ x̂ + beta`` per channel (Wu and He 2018; PyTorch
    ``nn.GroupNorm``; Keras's ``GroupNormalization`` equations, reused)."""

    def __init__(self, num_groups, num_channels, eps=1e-5, affine=True, **kwargs):
        super().__init__(**kwargs)
        self.num_groups = self.as_size("num_groups", num_groups)
        self.num_channels = self.as_size("num_channels", num_channels)
        self.affine = self.as_flag("affine", affine)

    def keras_layer(self):
        return GroupNormalization(groups=self.num_groups, axis=1, center=self.affine,
                                  scale=self.affine)

    def keras_shape(self, input_shape):
        return (None, self.num_channels)

    def check_input(self, input_shape):
        _shapes.check_rank(self, input_shape, tuple(range(2, 17)))
        same_size(self, input_shape[1], self.num_channels, "channel count")

    def compute_output_shape(self, input_shape):
        self.check_input(input_shape)
        return input_shape

    def input_layout(self):
        return (None, self.num_channels, dim("H"), dim("W"))
