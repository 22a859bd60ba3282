"""Element-wise modules: activations (PyTorch ``torch.nn`` documentation, "Non-linear
Activations") and dropout ("Dropout Layers"); only ``nn.PReLU`` has a parameter.

Each states ``y = f(x)`` with ``f`` named after the PyTorch function, so the equations show the
activation the module applies; the shape passes through unchanged.
"""

from __future__ import annotations

from sympy import HadamardProduct

from symparam.core.dims import dim
from symparam.engine.equations import Eq, activate, vector
from symparam.layers.core import Elementwise
from symparam.torch._base import TorchLayer, register, same_size
from symparam.torch._shapes import positive_axis


class Pointwise(TorchLayer, Elementwise):
    """``y = f(x)`` entry by entry, ``f`` the class's ``function``; ``inplace`` never matters."""

    function = "identity"

    def __init__(self, inplace=False, **kwargs):
        super().__init__(**kwargs)
        self.inplace = self.as_flag("inplace", inplace)

    def equations(self, x):
        return [Eq(vector("y", x.shape[0]), activate(self.function, x))]

    def input_layout(self):
        return (None, dim("d"))


@register
class ReLU(Pointwise):
    """``y = relu(x)`` entry by entry (PyTorch ``nn.ReLU``)."""

    function = "relu"


@register
class ReLU6(Pointwise):
    """``y = relu6(x)`` entry by entry (PyTorch ``nn.ReLU6``)."""

    function = "relu6"


@register
class Tanh(Pointwise):
    """``y = tanh(x)`` entry by entry (PyTorch ``nn.Tanh``)."""

    function = "tanh"


@register
class Sigmoid(Pointwise):
    """``y = sigmoid(x)`` entry by entry (PyTorch ``nn.Sigmoid``)."""

    function = "sigmoid"


@register
class SiLU(Pointwise):
    """``y = silu(x)`` entry by entry (PyTorch ``nn.SiLU``)."""

    function = "silu"


@register
class Mish(Pointwise):
    """``y = mish(x)`` entry by entry (PyTorch ``nn.Mish``)."""

    function = "mish"


@register
class Hardswish(Pointwise):
    """``y = hardswish(x)`` entry by entry (PyTorch ``nn.Hardswish``)."""

    function = "hardswish"


@register
class Hardsigmoid(Pointwise):
    """``y = hardsigmoid(x)`` entry by entry (PyTorch ``nn.Hardsigmoid``)."""

    function = "hardsigmoid"


@register
class Softsign(Pointwise):
    """``y = softsign(x)`` entry by entry (PyTorch ``nn.Softsign``)."""

    function = "softsign"


@register
class LogSigmoid(Pointwise):
    """``y = logsigmoid(x)`` entry by entry (PyTorch ``nn.LogSigmoid``)."""

    function = "logsigmoid"


@register
class Tanhshrink(Pointwise):
    """``y = tanhshrink(x)`` entry by entry (PyTorch ``nn.Tanhshrink``)."""

    function = "tanhshrink"


@register
class GELU(Pointwise):
    """``y = x Phi(x)`` (PyTorch ``nn.GELU``); ``approximate='tanh'`` uses the tanh curve."""

    def __init__(self, approximate="none", **kwargs):
        super().__init__(**kwargs)
        self.approximate = self.as_choice("approximate", approximate, ("none", "tanh"))

    @property
    def function(self):
        return "gelu" if self.approximate == "none" else "gelu_tanh"


@register
class LeakyReLU(Pointwise):
    """``y = max(0, x) + negative_slope * min(0, x)`` (PyTorch ``nn.LeakyReLU``)."""

    function = "leaky_relu"

    def __init__(self, negative_slope=0.01, inplace=False, **kwargs):
        super().__init__(inplace, **kwargs)
        self.negative_slope = self.as_number("negative_slope", negative_slope, -1e6, 1e6)


@register
class ELU(Pointwise):
    """``y = x`` for ``x > 0``, ``alpha (e^x - 1)`` below (PyTorch ``nn.ELU``)."""

    function = "elu"

    def __init__(self, alpha=1.0, inplace=False, **kwargs):
        super().__init__(inplace, **kwargs)
        self.alpha = self.as_number("alpha", alpha, -1e6, 1e6)


class Dropping(Pointwise):
    """Random zeroing while training, ``y = dropout(x)``; the identity in evaluation."""

    function = "dropout"

    def __init__(self, p=0.5, inplace=False, **kwargs):
        super().__init__(inplace, **kwargs)
        self.p = self.as_number("p", p)


@register
class Dropout(Dropping):
    """Entries zeroed with probability ``p`` while training (PyTorch ``nn.Dropout``)."""


@register
class Dropout1d(Dropping):
    """Whole channels of a sequence zeroed with probability ``p`` while training (PyTorch
    ``nn.Dropout1d``).
    """


@register
class Dropout2d(Dropping):
    """Whole channels of an image zeroed with probability ``p`` while training (PyTorch
    ``nn.Dropout2d``).
    """


@register
class Dropout3d(Dropping):
    """Whole channels of a volume zeroed with probability ``p`` while training (PyTorch
    ``nn.Dropout3d``).
    """


@register
class AlphaDropout(Dropping):
    """Entries (keeping SELU's mean and variance) zeroed with probability ``p`` while training
    (PyTorch ``nn.AlphaDropout``).
    """


class Normalized(TorchLayer, Elementwise):
    """``y = f(x)`` over the entries along PyTorch's ``dim`` (``None``: PyTorch's legacy
    choice, axis 0 for inputs of rank 0, 1 or 3 and axis 1 otherwise), as Keras's ``Softmax``
    states it over its ``axis``."""

    function = "softmax"

    def __init__(self, dim=None, **kwargs):
        super().__init__(**kwargs)
        self.dim = None if dim is None else self.as_axis("dim", dim)

    def features(self, input_shape):
        rank = len(input_shape)
        axis = (0 if rank in (0, 1, 3) else 1) if self.dim is None else self.dim
        size = input_shape[positive_axis(self, axis, rank)]
        return dim("d") if size is None else size

    def equations(self, x):
        return [Eq(vector("y", x.shape[0]), activate(self.function, x))]

    def input_layout(self):
        return (None, dim("d"))


@register
class Softmax(Normalized):
    """``y = exp(x) / sum(exp(x))`` along ``dim`` (PyTorch ``nn.Softmax``)."""


@register
class LogSoftmax(Normalized):
    """``y = log(softmax(x))`` along ``dim`` (PyTorch ``nn.LogSoftmax``)."""

    function = "log_softmax"


@register
class PReLU(TorchLayer, Elementwise):
    """``y = max(0, x) + a min(0, x)`` with a learnt slope ``a``, one shared or one per
    channel (axis 1) (PyTorch ``nn.PReLU``; ``a`` is its ``weight``)."""

    def __init__(self, num_parameters=1, init=0.25, **kwargs):
        super().__init__(**kwargs)
        self.num_parameters = self.as_size("num_parameters", num_parameters)

    def features(self, input_shape):
        channels = input_shape[1] if len(input_shape) > 1 else input_shape[0]
        if self.num_parameters != 1:
            same_size(self, channels, self.num_parameters, "channel count")
            return self.num_parameters
        return dim("C") if channels is None else channels

    def equations(self, x):
        slope = self.weight("a", self.num_parameters)
        below = activate("relu", -x)
        # one shared slope scales every element (a scalar, not a matrix product); per-channel
        # slopes multiply element-wise
        scaled = slope[0, 0] * below if self.num_parameters == 1 else \
            HadamardProduct(slope, below)
        return [Eq(vector("y", x.shape[0]), activate("relu", x) - scaled)]

    def input_layout(self):
        return (None, dim("C") if self.num_parameters == 1 else self.num_parameters)
