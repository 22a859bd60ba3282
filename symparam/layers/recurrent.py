"""Recurrent cells, and the layers that run a cell over the time axis.

A cell states one time step's equations on ``x_t`` (the input at that step) and the previous
states: ``SimpleRNNCell``, ``LSTMCell``, ``GRUCell`` and the convolutional LSTM cell.  ``RNN``
runs any cell (or a list of cells, stacked) over time, reusing the cell's equations, since the
weights are shared over time, and adds only the shape rule ``(None, T, ...) -> (None, ...)``, or
``(None, T, ...)`` with ``return_sequences``.  As in Keras, ``SimpleRNN``, ``LSTM``, ``GRU`` and
``ConvLSTM1D/2D/3D`` are ``RNN`` around their own cell.
"""

from __future__ import annotations

import sympy
from sympy import HadamardProduct, MatrixSymbol, OneMatrix

import symparam.layers._spatial as _spatial
from symparam.core import args
from symparam.core.errors import SymparamError, shorten
from symparam.core.shapes import conv_length, format_shape
from symparam.engine.derivation import known
from symparam.engine.equations import Eq, activate, activation_name, affine, stack, vector
from symparam.engine.layer import Built, Layer
from symparam.layers.registry import register


class RecurrentCell(Layer):
    """What ``RNN`` needs from a cell: the equations of one step and the shapes of its states.

    ``states`` names the state vectors; each has the shape of the cell's output (true of every
    Keras cell here), so ``return_state`` returns one such tensor per state.
    """

    input_name = "x_t"
    states: tuple = ("h",)
    #: the rank of one step's input, batch included: ``(batch, features)``
    step_rank = 2

    def state_shapes(self, step_shape) -> list:
        output = self.derive(step_shape).output_shape
        return [output for _ in self.states]

    def features(self, input_shape):
        if len(input_shape) != self.step_rank:
            raise SymparamError(f"{args.where(self)}: a cell takes one time step of rank "
                                f"{self.step_rank}, got {format_shape(input_shape)}")
        return super().features(input_shape)


class UnitsCell(RecurrentCell):
    """Keras's arguments shared by the dense cells: ``(None, d)`` maps to ``(None, units)``."""

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 **kwargs):
        super().__init__(**kwargs)
        owner = args.where(self)
        self.units = self.as_size("units", units)
        self.activation = activation_name(activation, owner=owner)
        self.recurrent_activation = activation_name(recurrent_activation, owner=owner,
                                                    field="recurrent_activation")
        self.use_bias = self.as_flag("use_bias", use_bias)

    def bias(self, name):
        return self.weight(name, self.units) if self.use_bias else None


@register
class SimpleRNNCell(UnitsCell):
    """Elman recurrence ``h_t = f(W x_t + U h_{t-1} + b)`` (Keras ``SimpleRNNCell``)."""

    def __init__(self, units, activation="tanh", use_bias=True, **kwargs):
        super().__init__(units, activation=activation, use_bias=use_bias, **kwargs)

    def equations(self, x):
        u = self.units
        h_prev = vector("h_{t-1}", u)
        W, U = self.weight("W", u, x.shape[0]), self.weight("U", u, u)
        update = affine(W, x, self.bias("b")) + U * h_prev
        return [Eq(vector("h_t", u), activate(self.activation, update))]


@register
class LSTMCell(UnitsCell):
    """Long short-term memory step (Hochreiter and Schmidhuber 1997; Keras ``LSTMCell``).

    Four gates, each a dense layer on the concatenation ``[h_{t-1}; x_t]`` (Colah's notation, as
    in the seed post): forget ``f``, input ``i``, output ``o`` and candidate ``c~``.
    """

    states = ("h", "c")

    def gate_input(self, x):
        """The vector every gate reads: ``[h_{t-1}; x_t]``."""
        return stack(vector("h_{t-1}", self.units), x)

    def equations(self, x):
        u, joint = self.units, self.gate_input(x)
        gate = lambda g, act: Eq(vector(f"{g}_t", u), activate(  # noqa: E731
            act, affine(self.weight(f"W_{g}", u, joint.shape[0]), joint, self.bias(f"b_{g}"))))
        f, i, o = (gate(g, self.recurrent_activation) for g in "fio")
        candidate = gate("ctilde", self.activation)
        c = Eq(vector("c_t", u), HadamardProduct(f.lhs, vector("c_{t-1}", u)) +
               HadamardProduct(i.lhs, candidate.lhs))
        h = Eq(vector("h_t", u), HadamardProduct(o.lhs, activate(self.activation, c.lhs)))
        return [f, i, o, candidate, c, h]


@register
class GRUCell(UnitsCell):
    """Gated recurrent unit step (Cho et al. 2014; Keras ``GRUCell``).

    With ``reset_after=True`` (Keras 3's default, cuDNN's form) the reset gate multiplies the
    recurrent product after it is computed, and the recurrent products get their own biases
    ``bhat``; with ``reset_after=False`` (Keras 2's default) it multiplies ``h_{t-1}`` first.
    """

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 reset_after=True, **kwargs):
        super().__init__(units, activation, recurrent_activation, use_bias, **kwargs)
        self.reset_after = self.as_flag("reset_after", reset_after)

    def equations(self, x):
        u, d = self.units, x.shape[0]
        h_prev = vector("h_{t-1}", u)
        W = {g: self.weight(f"W_{g}", u, d) for g in "zrh"}
        U = {g: self.weight(f"U_{g}", u, u) for g in "zrh"}
        b = {g: self.bias(f"b_{g}") for g in "zrh"}
        bhat = {g: self.bias(f"bhat_{g}") if self.reset_after else None for g in "zrh"}
        z, r = (Eq(vector(f"{g}_t", u), activate(self.recurrent_activation, affine(
            W[g], x, b[g]) + affine(U[g], h_prev, bhat[g]))) for g in "zr")
        if self.reset_after:
            recurrent = HadamardProduct(r.lhs, affine(U["h"], h_prev, bhat["h"]))
        else:
            recurrent = U["h"] * HadamardProduct(r.lhs, h_prev)
        candidate = Eq(vector("htilde_t", u),
                       activate(self.activation, affine(W["h"], x, b["h"]) + recurrent))
        h = Eq(vector("h_t", u), HadamardProduct(z.lhs, h_prev) +
               HadamardProduct(OneMatrix(u, 1) - z.lhs, candidate.lhs))
        return [z, r, candidate, h]


class ConvLSTMCell(LSTMCell):
    """An LSTM step whose gates are convolutions (Shi et al. 2015; Keras ``ConvLSTMCell``).

    Each gate convolves the concatenated channels of ``x_t`` and ``h_{t-1}``: at every output
    position it reads the input patch ``p^x_t`` and the state patch ``p^h_{t-1}``.  As in Keras
    the input convolution carries the strides, dilation and padding and the bias (one bias per
    gate, ``4*filters`` in all); the recurrent convolution is always ``same`` with stride 1 and no
    bias.  Not exported by Keras, so not registered.
    """

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, **kwargs):
        self.rank = rank
        self.filters = self.as_size("filters", filters)
        super().__init__(self.filters, activation, recurrent_activation, use_bias, **kwargs)
        self.kernel_size = self.as_sizes("kernel_size", kernel_size, rank)
        self.strides = self.as_sizes("strides", strides, rank)
        self.padding = self.as_choice("padding", padding, ("valid", "same"))
        self.data_format = _spatial.data_format(self, data_format)
        self.dilation_rate = self.as_sizes("dilation_rate", dilation_rate, rank)
        if any(s != 1 for s in self.strides) and any(r != 1 for r in self.dilation_rate):
            raise SymparamError(f"{args.where(self)}: strides > 1 cannot be combined with "
                                "dilation_rate > 1 (as in Keras)")

    @property
    def step_rank(self):
        return self.rank + 2

    def features(self, input_shape):
        _, spatial, _ = _spatial.split_spatial(self, input_shape, self.rank, self.data_format)
        if any(n is None for n in spatial):
            raise SymparamError(f"{args.where(self)}: the spatial sizes of "
                                f"{format_shape(input_shape)} must be known (as in Keras)")
        return _spatial.channels(self, input_shape, self.rank, self.data_format)

    def gate_input(self, x):
        window = sympy.Mul(*self.kernel_size)
        return stack(vector("p^h_{t-1}", window * self.filters),
                     vector("p^x_t", window * x.shape[0]))

    def compute_output_shape(self, input_shape):
        batch, spatial, _ = _spatial.split_spatial(self, input_shape, self.rank,
                                                   self.data_format)
        lengths = [conv_length(n, k, stride=s, padding=self.padding, dilation=r,
                               owner=args.where(self))
                   for n, k, s, r in zip(spatial, self.kernel_size, self.strides,
                                         self.dilation_rate)]
        return _spatial.join_spatial(batch, lengths, self.filters, self.data_format)


@register
class StackedRNNCells(RecurrentCell):
    """Cells applied one after another within each time step (Keras ``StackedRNNCells``).

    Cell ``i + 1`` reads cell ``i``'s output as its input; the superscripts ``(1)``, ``(2)``, ...
    keep the cells' symbols apart.  The states are every cell's states, in order.
    """

    def __init__(self, cells, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(cells, (list, tuple)) or not cells or \
                not all(isinstance(cell, RecurrentCell) for cell in cells):
            raise SymparamError(f"{args.where(self)}: cells must be a non-empty list of "
                                f"recurrent cells, got {shorten(cells)}")
        self.cells = list(cells)

    @property
    def step_rank(self):
        return self.cells[0].step_rank

    def _chain(self, step_shape) -> list:
        """``(cell, the step shape it reads, its derivation)`` for every cell, in order."""
        chain = []
        for cell in self.cells:
            derivation = cell.derive(step_shape)
            chain.append((cell, step_shape, derivation))
            step_shape = derivation.output_shape
        return chain

    def equations_for(self, input_shape):
        equations, previous = [], None
        for i, (cell, _, derivation) in enumerate(self._chain(input_shape), start=1):
            tag = f"({i})"
            steps = self.reuse(derivation, tag, keep=(cell.input_name,) if previous is None else ())
            if previous is not None:  # this cell's input is the previous cell's output
                fed = MatrixSymbol(f"{cell.input_name}^{tag}", *previous.shape)
                steps = [eq.xreplace({fed: previous}) for eq in steps]
            equations += steps
            previous = steps[-1].lhs
        return equations

    def compute_output_shape(self, input_shape):
        return self._chain(input_shape)[-1][2].output_shape

    def state_shapes(self, step_shape) -> list:
        return [shape for cell, step, _ in self._chain(step_shape)
                for shape in cell.state_shapes(step)]


@register
class RNN(Layer):
    """A cell run over the time axis, its weights shared by every step (Keras ``RNN``).

    ``cell`` is one cell or a list of cells (wrapped in ``StackedRNNCells``).  The output is the
    cell's output at the last step, or at every step with ``return_sequences``; with
    ``return_state`` the cell's final states follow, every cell's states for stacked cells
    (Keras nests an LSTM cell's ``[h, c]`` pair in a sub-list; here the list is flat).
    """

    input_name = "x_t"

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, zero_output_for_mask=False, **kwargs):
        super().__init__(**kwargs)
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
        if not isinstance(cell, RecurrentCell):
            raise SymparamError(f"{args.where(self)}: cell must be a recurrent cell or a list "
                                f"of them, got {shorten(cell)}")
        self.cell = cell
        self.return_sequences = self.as_flag("return_sequences", return_sequences)
        self.return_state = self.as_flag("return_state", return_state)
        self.go_backwards = self.as_flag("go_backwards", go_backwards)
        for field, value in (("stateful", stateful), ("unroll", unroll),
                             ("zero_output_for_mask", zero_output_for_mask)):
            self.as_flag(field, value)  # checked; they never change a count or a shape

    def _step(self, input_shape):
        """One step's input shape and the cell's derivation on it."""
        rank = self.cell.step_rank + 1
        if len(input_shape) != rank:
            raise SymparamError(f"{args.where(self)}: expects an input of rank {rank} "
                                f"(batch, time, ...), got {format_shape(input_shape)}")
        step = (input_shape[0], *input_shape[2:])
        try:
            return step, self.cell.derive(step)
        except SymparamError as error:
            raise SymparamError(f"{args.where(self)}: {error}") from None

    def build(self, input_shape) -> Built:
        """The cell derived once on one step: its equations, the sequence or last output
        (and the final states), and its cost at every step."""
        step, cell = self._step(input_shape)
        batch, rest = input_shape[0], cell.output_shape[1:]
        output = (batch, input_shape[1], *rest) if self.return_sequences else (batch, *rest)
        if self.return_state:
            output = [output, *self.cell.state_shapes(step)]
        steps = input_shape[1]
        cost = None if steps is None or cell.cost is None else cell.cost.times(steps)
        return Built(self.reuse(cell), known(output), cost)

    def compute_output_shape(self, input_shape):
        return self.derive(input_shape).output_shape


def _own_cell(layer, kwargs, cell_class, *cell_args):
    """The cell of a built-in recurrent layer; its argument errors name the layer too."""
    try:
        return cell_class(*cell_args)
    except SymparamError as error:
        name = kwargs.get("name")
        label = f"{type(layer).__name__} {shorten(name)}" if name else type(layer).__name__
        raise SymparamError(f"{label}: {error}") from None


@register
class SimpleRNN(RNN):
    """``RNN(SimpleRNNCell(units))``: the Elman network over a sequence (Keras ``SimpleRNN``)."""

    def __init__(self, units, activation="tanh", use_bias=True, return_sequences=False,
                 return_state=False, go_backwards=False, stateful=False, unroll=False, **kwargs):
        cell = _own_cell(self, kwargs, SimpleRNNCell, units, activation, use_bias)
        super().__init__(cell, return_sequences, return_state, go_backwards, stateful, unroll,
                         **kwargs)


@register
class LSTM(RNN):
    """``RNN(LSTMCell(units))``: an LSTM over a sequence (Keras ``LSTM``)."""

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 unit_forget_bias=True, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, use_cudnn="auto", **kwargs):
        cell = _own_cell(self, kwargs, LSTMCell, units, activation, recurrent_activation,
                         use_bias)
        super().__init__(cell, return_sequences, return_state, go_backwards, stateful, unroll,
                         **kwargs)


@register
class GRU(RNN):
    """``RNN(GRUCell(units, reset_after=...))``: a GRU over a sequence (Keras ``GRU``)."""

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 return_sequences=False, return_state=False, go_backwards=False, stateful=False,
                 unroll=False, reset_after=True, use_cudnn="auto", **kwargs):
        cell = _own_cell(self, kwargs, GRUCell, units, activation, recurrent_activation,
                         use_bias, reset_after)
        super().__init__(cell, return_sequences, return_state, go_backwards, stateful, unroll,
                         **kwargs)


class ConvLSTM(RNN):
    """``RNN`` around a ``ConvLSTMCell`` of ``rank`` spatial axes (Keras ``ConvLSTM``).

    Input ``(None, T, *spatial, channels)`` (or channels first); the output's spatial sizes are
    those of the input convolution (``symparam.core.shapes.conv_length``), its channels ``filters``.
    """

    rank = 2

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, unit_forget_bias=True, return_sequences=False,
                 return_state=False, go_backwards=False, stateful=False, **kwargs):
        cell = _own_cell(self, kwargs, ConvLSTMCell, self.rank, filters, kernel_size, strides,
                         padding, data_format, dilation_rate, activation,
                         recurrent_activation, use_bias)
        super().__init__(cell, return_sequences, return_state, go_backwards, stateful,
                         **kwargs)


@register
class ConvLSTM1D(ConvLSTM):
    """Convolutional LSTM over sequences of 1D signals (Keras ``ConvLSTM1D``)."""

    rank = 1


@register
class ConvLSTM2D(ConvLSTM):
    """Convolutional LSTM over sequences of images (Keras ``ConvLSTM2D``)."""

    rank = 2


@register
class ConvLSTM3D(ConvLSTM):
    """Convolutional LSTM over sequences of volumes (Keras ``ConvLSTM3D``)."""

    rank = 3
