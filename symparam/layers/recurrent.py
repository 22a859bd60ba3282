"""Recurrent layers, stated per time step with weights shared over time.

Each class writes the cell's equations on ``x_t`` (the input at one step) and the previous states;
the shared ``Recurrent`` base holds the Keras arguments about sequences and states and the shape
rule ``(None, T, d) -> (None, u)`` or ``(None, T, u)`` with ``return_sequences``.
"""

from __future__ import annotations

from sympy import Eq, HadamardProduct, OneMatrix

from symparam import args
from symparam.engine import Layer
from symparam.errors import SymparamError
from symparam.layers._math import activate, activation_name, affine, stack, vector
from symparam.layers.registry import register
from symparam.shapes import format_shape


class Recurrent(Layer):
    """Keras ``RNN`` arguments common to ``SimpleRNN``, ``LSTM`` and ``GRU``.

    ``states`` names the cell's state vectors; ``return_state`` returns one tensor per state.
    """

    states: tuple = ("h",)
    input_name = "x_t"

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, **kwargs):
        super().__init__(**kwargs)
        owner = args.where(self)
        self.units = self.as_size("units", units)
        self.activation = activation_name(activation, owner=owner)
        self.recurrent_activation = activation_name(recurrent_activation, owner=owner,
                                                    field="recurrent_activation")
        self.use_bias = self.as_flag("use_bias", use_bias)
        self.return_sequences = self.as_flag("return_sequences", return_sequences)
        self.return_state = self.as_flag("return_state", return_state)
        self.go_backwards = self.as_flag("go_backwards", go_backwards)

    def output_shape(self, input_shape):
        if len(input_shape) != 3:
            raise SymparamError(f"{args.where(self)}: expects (batch, time, features), got "
                                f"{format_shape(input_shape)}")
        batch, steps, _ = input_shape
        output = (batch, steps, self.units) if self.return_sequences else (batch, self.units)
        if not self.return_state:
            return output
        return [output] + [(batch, self.units) for _ in self.states]

    def bias(self, name):
        return self.weight(name, self.units) if self.use_bias else None


@register
class SimpleRNN(Recurrent):
    """Elman recurrence ``h_t = f(W x_t + U h_{t-1} + b)`` (Keras ``SimpleRNN``)."""

    def equations(self, x):
        u = self.units
        h_prev = vector("h_{t-1}", u)
        W, U = self.weight("W", u, x.shape[0]), self.weight("U", u, u)
        update = affine(W, x, self.bias("b")) + U * h_prev
        return [Eq(vector("h_t", u), activate(self.activation, update))]


@register
class LSTM(Recurrent):
    """Long short-term memory (Hochreiter and Schmidhuber 1997; Keras ``LSTM``).

    Four gates, each a dense layer on the concatenation ``[h_{t-1}; x_t]`` (Colah's notation,
    as in the seed post): forget ``f``, input ``i``, output ``o`` and candidate ``c~``.
    """

    states = ("h", "c")

    def __init__(self, units, unit_forget_bias=True, **kwargs):
        super().__init__(units, **kwargs)

    def equations(self, x):
        u = self.units
        h_prev, c_prev = vector("h_{t-1}", u), vector("c_{t-1}", u)
        joint = stack(h_prev, x)
        gate = lambda g, act: Eq(vector(f"{g}_t", u), activate(  # noqa: E731
            act, affine(self.weight(f"W_{g}", u, u + x.shape[0]), joint, self.bias(f"b_{g}"))))
        f, i, o = (gate(g, self.recurrent_activation) for g in "fio")
        candidate = gate("ctilde", self.activation)
        c = Eq(vector("c_t", u), HadamardProduct(f.lhs, c_prev) +
               HadamardProduct(i.lhs, candidate.lhs))
        h = Eq(vector("h_t", u), HadamardProduct(o.lhs, activate(self.activation, c.lhs)))
        return [f, i, o, candidate, c, h]


@register
class GRU(Recurrent):
    """Gated recurrent unit (Cho et al. 2014; Keras ``GRU``).

    With ``reset_after=True`` (Keras 3's default, cuDNN's form) the reset gate multiplies the
    recurrent product after it is computed, and the recurrent products get their own biases
    ``bhat``; with ``reset_after=False`` (Keras 2's default) it multiplies ``h_{t-1}`` first.
    """

    def __init__(self, units, reset_after=True, **kwargs):
        super().__init__(units, **kwargs)
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
