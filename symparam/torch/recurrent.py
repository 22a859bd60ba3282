"""``nn.RNNCell``, ``nn.LSTMCell``, ``nn.GRUCell`` and the multi-layer ``nn.RNN``, ``nn.LSTM``
and ``nn.GRU`` (PyTorch ``torch.nn`` documentation, "Recurrent Layers").

PyTorch writes every gate as two affine maps, ``W_i* x_t + b_i* + W_h* h_{t-1} + b_h*``: two bias
vectors per gate (cuDNN's form), where Keras's LSTM and SimpleRNN keep one.  Its GRU is exactly
Keras's ``GRUCell(reset_after=True)``, whose equations are reused.  The cells use PyTorch's
symbols (``W_ii``, ``b_hf``, ...); the multi-layer modules stack ``num_layers`` cells, layer
``l + 1`` reading layer ``l``'s output (both directions concatenated when ``bidirectional``),
with superscripts ``(l)`` and ``(l,r)`` (the reverse direction).
"""

from __future__ import annotations

from sympy import HadamardProduct, Integer, MatrixSymbol

from symparam.core import args
from symparam.core.dims import dim
from symparam.core.errors import SymparamError
from symparam.core.shapes import format_shape
from symparam.engine.equations import Eq, activate, stack, vector
from symparam.engine.layer import Layer
from symparam.engine.weights import replaced
from symparam.layers.recurrent import GRUCell as KerasGRUCell
from symparam.torch._base import Borrowed, TorchLayer, register, same_size

MAX_LAYERS = 1000


class Cell(TorchLayer):
    """One step ``(N, input_size) -> (N, hidden_size)`` (or unbatched ``(input_size,)``)."""

    input_name = "x_t"

    def __init__(self, input_size, hidden_size, bias=True, **kwargs):
        super().__init__(**kwargs)
        self.input_size = self.as_size("input_size", input_size)
        self.hidden_size = self.as_size("hidden_size", hidden_size)
        self.bias = self.as_flag("bias", bias)

    @property
    def output_size(self):
        return self.hidden_size

    def check_input(self, input_shape) -> None:
        if len(input_shape) not in (1, 2):
            raise SymparamError(f"{args.where(self)}: a cell takes (N, input_size) or "
                                f"(input_size,), got {format_shape(input_shape)}")
        same_size(self, input_shape[-1], self.input_size, "last axis")

    def features(self, input_shape):
        self.check_input(input_shape)
        return self.input_size

    def gate(self, g: str, x, h_prev):
        """``W_ig x_t + b_ig + W_hg h_{t-1} + b_hg`` (PyTorch's notation)."""
        rows = self.hidden_size
        total = self.weight(f"W_i{g}", rows, x.shape[0]) * x + \
            self.weight(f"W_h{g}", rows, h_prev.shape[0]) * h_prev
        if self.bias:
            total = total + self.weight(f"b_i{g}", rows) + self.weight(f"b_h{g}", rows)
        return total

    def compute_output_shape(self, input_shape):
        self.check_input(input_shape)
        return (*input_shape[:-1], self.output_size)

    def input_layout(self):
        return (None, self.input_size)


@register
class RNNCell(Cell):
    """Elman step ``h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)`` (PyTorch
    ``nn.RNNCell``; ``nonlinearity='relu'`` replaces tanh)."""

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", **kwargs):
        super().__init__(input_size, hidden_size, bias, **kwargs)
        self.nonlinearity = self.as_choice("nonlinearity", nonlinearity, ("tanh", "relu"))

    def equations(self, x):
        h_prev = vector("h_{t-1}", self.hidden_size)
        update = activate(self.nonlinearity, self.gate("h", x, h_prev))
        return [Eq(vector("h_t", self.hidden_size), update)]


@register
class LSTMCell(Cell):
    """LSTM step in PyTorch's notation (PyTorch ``nn.LSTMCell``): gates ``i, f, o`` (sigmoid)
    and ``g`` (tanh), ``c_t = f ⊙ c_{t-1} + i ⊙ g``, ``h_t = o ⊙ tanh(c_t)``.

    ``proj_size > 0`` (``nn.LSTM``'s argument; ``nn.LSTMCell`` has none) projects the output,
    ``h_t = W_hr (o ⊙ tanh(c_t))``, so ``h`` has ``proj_size`` entries and the recurrent
    weights ``W_h*`` read ``proj_size`` columns.  Output ``[h_t, c_t]``, as PyTorch returns.
    """

    def __init__(self, input_size, hidden_size, bias=True, proj_size=0, **kwargs):
        super().__init__(input_size, hidden_size, bias, **kwargs)
        self.proj_size = 0 if proj_size in (0, "0") else self.as_size("proj_size", proj_size)

    @property
    def output_size(self):
        return self.proj_size or self.hidden_size

    def equations(self, x):
        u, h_prev = self.hidden_size, vector("h_{t-1}", self.output_size)
        gates = [Eq(vector(f"{g}_t", u), activate("tanh" if g == "g" else "sigmoid",
                                                 self.gate(g, x, h_prev))) for g in "ifgo"]
        i, f, g, o = (eq.lhs for eq in gates)
        c = Eq(vector("c_t", u), HadamardProduct(f, vector("c_{t-1}", u)) +
               HadamardProduct(i, g))
        out = HadamardProduct(o, activate("tanh", c.lhs))
        if self.proj_size:
            out = self.weight("W_hr", self.proj_size, u) * out
        return [*gates, c, Eq(vector("h_t", self.output_size), out)]

    def compute_output_shape(self, input_shape):
        h = super().compute_output_shape(input_shape)
        return [h, (*h[:-1], self.hidden_size)]


@register
class GRUCell(Cell, Borrowed):
    """GRU step (PyTorch ``nn.GRUCell``): ``r, z`` gates, ``n = tanh(W_in x + b_in + r ⊙
    (W_hn h + b_hn))``, ``h_t = (1 - z) ⊙ n + z ⊙ h_{t-1}``.  These are Keras's
    ``GRUCell(reset_after=True)`` equations (``W`` for ``W_i*``, ``U`` for ``W_h*``, ``bhat``
    for ``b_h*``), reused."""

    def keras_layer(self):
        return KerasGRUCell(self.hidden_size, use_bias=self.bias, reset_after=True)

    def keras_shape(self, input_shape):
        return (None, self.input_size)


class Recurrent(TorchLayer):
    """PyTorch's ``RNNBase``: ``num_layers`` stacked cells over a sequence, each direction its
    own weights.  Input ``(L, N, input_size)`` (``(N, L, input_size)`` with ``batch_first``)
    or unbatched ``(L, input_size)``; outputs ``[output, h_n]`` (``[output, h_n, c_n]`` for an
    LSTM) as PyTorch returns them.  ``dropout`` acts between layers in training only."""

    input_name = "x_t"

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, **kwargs):
        super().__init__(**kwargs)
        self.input_size = self.as_size("input_size", input_size)
        self.hidden_size = self.as_size("hidden_size", hidden_size)
        layers = self.as_size("num_layers", num_layers)
        if not layers.is_Integer or layers > MAX_LAYERS:
            raise SymparamError(f"{args.where(self)}: num_layers must be an integer from 1 to "
                                f"{MAX_LAYERS}, got {num_layers!r}")
        self.num_layers = int(layers)
        self.bias = self.as_flag("bias", bias)
        self.batch_first = self.as_flag("batch_first", batch_first)
        self.dropout = self.as_number("dropout", dropout)
        self.bidirectional = self.as_flag("bidirectional", bidirectional)

    def cell(self, input_size) -> Layer:
        raise NotImplementedError

    @property
    def directions(self) -> int:
        return 2 if self.bidirectional else 1

    def _tags(self, layer: int) -> list:
        if self.num_layers == 1 and not self.bidirectional:
            return [None]
        return [f"({layer + 1})", f"({layer + 1},r)"][:self.directions]

    def equations_for(self, input_shape):
        self._check(input_shape)
        equations, previous, size = [], None, self.input_size
        for layer in range(self.num_layers):
            derivation = self.cell(size).derive((None, size))
            outputs = []
            for tag in self._tags(layer):
                steps = self.reuse(derivation, tag, keep=("x_t",) if layer == 0 else ())
                if layer > 0:  # this layer reads the previous layer's output
                    fed = MatrixSymbol(f"x_t^{tag}", size, 1)
                    steps = [replaced(eq, {fed: previous}) for eq in steps]
                equations += steps
                outputs.append(steps[-1].lhs)
            previous = stack(*outputs) if self.bidirectional else outputs[0]
            size = previous.shape[0]
        if self.bidirectional:
            equations.append(Eq(vector("y_t", size), previous))
        return equations

    def _check(self, input_shape) -> None:
        if len(input_shape) not in (2, 3):
            raise SymparamError(f"{args.where(self)}: expects (L, N, input_size), "
                                "(N, L, input_size) with batch_first, or (L, input_size); got "
                                f"{format_shape(input_shape)}")
        same_size(self, input_shape[-1], self.input_size, "last axis")

    def compute_output_shape(self, input_shape):
        self._check(input_shape)
        cell = self.cell(self.input_size)
        lead, states = input_shape[:-1], Integer(self.directions * self.num_layers)
        batch = () if len(input_shape) == 2 else \
            (input_shape[0] if self.batch_first else input_shape[1],)
        output = (*lead, self.directions * cell.output_size)
        final = [(states, *batch, cell.output_size)]
        if isinstance(cell, LSTMCell):
            final.append((states, *batch, cell.hidden_size))
        return [output, *final]

    def input_layout(self):
        length = dim("L")
        return (None, length, self.input_size) if self.batch_first else \
            (length, None, self.input_size)


@register
class RNN(Recurrent):
    """Elman network (PyTorch ``nn.RNN``): ``RNNCell`` layers; ``nonlinearity`` tanh or relu."""

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, **kwargs):
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, **kwargs)
        self.nonlinearity = self.as_choice("nonlinearity", nonlinearity, ("tanh", "relu"))

    def cell(self, input_size):
        return RNNCell(input_size, self.hidden_size, self.bias, self.nonlinearity)


@register
class LSTM(Recurrent):
    """Long short-term memory (PyTorch ``nn.LSTM``): ``LSTMCell`` layers, with ``proj_size``
    (LSTMP, Sak et al. 2014) shrinking ``h`` and the recurrent weights."""

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, proj_size=0, **kwargs):
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, **kwargs)
        self.proj_size = 0 if proj_size in (0, "0") else self.as_size("proj_size", proj_size)
        if self.proj_size and (self.proj_size - self.hidden_size).is_nonnegative:
            raise SymparamError(f"{args.where(self)}: proj_size has to be smaller than "
                                "hidden_size (as in PyTorch)")

    def cell(self, input_size):
        return LSTMCell(input_size, self.hidden_size, self.bias, self.proj_size)


@register
class GRU(Recurrent):
    """Gated recurrent unit (PyTorch ``nn.GRU``): ``GRUCell`` layers."""

    def cell(self, input_size):
        return GRUCell(input_size, self.hidden_size, self.bias)

