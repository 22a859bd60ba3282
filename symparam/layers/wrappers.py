"""Wrappers: layers made of another layer (or model), whose equations they reuse."""

from __future__ import annotations

from dataclasses import replace

from sympy import HadamardProduct, MatAdd, MatrixSymbol, Rational

from symparam.core import args
from symparam.core.errors import SymparamError, shorten
from symparam.core.shapes import format_shape
from symparam.engine.cost import equations_cost
from symparam.engine.derivation import known
from symparam.engine.equations import Eq, stack, vector
from symparam.engine.layer import Built, Layer
from symparam.engine.weights import Param, replaced, tagged
from symparam.layers.registry import register


def _inner(owner: Layer, layer, field: str = "layer") -> Layer:
    if not isinstance(layer, Layer):
        raise SymparamError(f"{args.where(owner)}: {field} must be a layer, got {shorten(layer)}")
    return layer


@register
class Bidirectional(Layer):
    """A recurrent layer run forwards and a copy run backwards, outputs merged (Keras
    ``Bidirectional``): twice the weights, superscripts ``fw`` and ``bw`` in the equations.

    Any layer with ``return_sequences`` and ``return_state`` fits: ``LSTM``, ``RNN(cell)``,
    ``ConvLSTM2D``...  As in Keras, ``concat`` joins the last axis even for channels-first
    outputs.

    ``merge_mode``: ``concat`` (widths add up), ``sum``, ``mul``, ``ave`` or ``None`` (two
    outputs).
    """

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.layer = _inner(self, layer)
        if not all(hasattr(layer, flag) for flag in ("return_sequences", "return_state")):
            raise SymparamError(f"{args.where(self)}: layer must be a recurrent layer (with "
                                f"return_sequences and return_state), got "
                                f"{type(layer).__name__}")
        self.merge_mode = self.as_choice("merge_mode", merge_mode,
                                         ("concat", "sum", "mul", "ave", None))
        self.backward_layer = None if backward_layer is None else \
            _inner(self, backward_layer, "backward_layer")

    def _directions(self, input_shape):
        backward = self.backward_layer or self.layer
        return self.layer.derive(input_shape), backward.derive(input_shape)

    def build(self, input_shape) -> Built:
        """Both directions derived once: their equations tagged ``fw`` and ``bw``, the merge,
        the merged shape and both costs plus merging's."""
        forward, backward = self._directions(input_shape)
        equations = self.reuse(forward, "fw") + self.reuse(backward, "bw")
        if self.merge_mode is not None:
            a, b = (eqs[-1].lhs for eqs in (equations[:len(forward.equations)], equations))
            merged = {"concat": lambda: stack(a, b), "sum": lambda: MatAdd(a, b),
                      "mul": lambda: HadamardProduct(a, b),
                      "ave": lambda: Rational(1, 2) * MatAdd(a, b)}[self.merge_mode]()
            equations.append(Eq(vector("y", merged.shape[0]), merged))
        output = known(self._merged_shape(forward))
        return Built(equations, output, self._cost(forward, backward, input_shape, output,
                                                   equations))

    def _cost(self, forward, backward, input_shape, output_shape, equations):
        """Both directions' costs, plus merging their outputs."""
        if forward.cost is None or backward.cost is None:
            return None
        parts = forward.cost + backward.cost
        if self.merge_mode is None:
            return parts
        positions = self.repeats(input_shape, output_shape, equations)
        merge = equations_cost(equations[-1:])
        return None if positions is None else parts + merge.times(positions)

    def _merged_shape(self, forward):
        shapes = forward.output_shape if isinstance(forward.output_shape, list) \
            else [forward.output_shape]
        output, states = shapes[0], shapes[1:]
        if self.merge_mode == "concat":
            output = (*output[:-1], 2 * output[-1])
        outputs = [output, output] if self.merge_mode is None else [output]
        result = outputs + states + states
        return result if len(result) > 1 else result[0]

    def compute_output_shape(self, input_shape):
        return self.derive(input_shape).output_shape


@register
class TimeDistributed(Layer):
    """The same layer (or model) applied to every time step, weights shared over time."""

    def __init__(self, layer, **kwargs):
        super().__init__(**kwargs)
        self.layer = _inner(self, layer)

    def _inner_derivation(self, input_shape):
        if len(input_shape) < 3:
            raise SymparamError(f"{args.where(self)}: expects (batch, time, ...), got "
                                f"{format_shape(input_shape)}")
        return self.layer.derive((input_shape[0], *input_shape[2:]))

    def build(self, input_shape) -> Built:
        """The inner layer derived once on one step: its equations, its shape spread over the
        time axis, its cost at every step."""
        inner = self._inner_derivation(input_shape)
        spread = lambda shape: (input_shape[0], input_shape[1], *shape[1:])  # noqa: E731
        shape = inner.output_shape
        output = [spread(s) for s in shape] if isinstance(shape, list) else spread(shape)
        steps = input_shape[1]
        cost = None if steps is None or inner.cost is None else inner.cost.times(steps)
        return Built(self.reuse(inner), known(output), cost)

    def compute_output_shape(self, input_shape):
        return self.derive(input_shape).output_shape


@register
class Repeated(Layer):
    """A block applied ``times`` times in sequence, each time with its own weights: a stack of
    identical blocks such as a transformer's ``L`` layers, with ``L`` a symbol if wished.

    Not a Keras layer: Keras writes the stack out block by block.  The equations show one block
    (superscript ``(l)``); each of its weights is declared as ``times`` copies, so the count is
    ``times`` times the block's.  The block must keep its input's shape.
    """

    in_keras = False

    def __init__(self, layer, times, **kwargs):
        super().__init__(**kwargs)
        self.layer = _inner(self, layer)
        self.times = self.as_size("times", times)

    def _block(self, input_shape):
        block = self.layer.derive(input_shape)
        if block.output_shape != tuple(input_shape):
            raise SymparamError(f"{args.where(self)}: the repeated layer must keep its input "
                                f"shape {format_shape(input_shape)}, but gives "
                                f"{format_shape(block.output_shape)}")
        return block

    def build(self, input_shape) -> Built:
        """The block derived once: its equations (superscript ``(l)``), each weight declared
        as ``times`` copies, its shape, and ``times`` its cost."""
        block = self._block(input_shape)
        equations, weights = tagged(block, "(l)")
        for weight in weights.values():
            self.declare(replace(weight, copies=weight.copies * self.times))
        cost = None if block.cost is None else block.cost.times(self.times)
        return Built(equations, block.output_shape, cost)

    def compute_output_shape(self, input_shape):
        return self.derive(input_shape).output_shape


class Rewired(Layer):
    """A layer's equations with some of its weights handled differently (subclasses say how);
    it shows the inner layer's class name and shapes, and computes what the layer computes."""

    def __init__(self, layer: Layer, names, **kwargs):
        super().__init__(**kwargs)
        self.layer = _inner(self, layer)
        names = [names] if isinstance(names, str) else names
        if not isinstance(names, (list, tuple)) or not all(isinstance(n, str) for n in names):
            raise SymparamError(f"{args.where(self)}: names must be a list of weight names, "
                                f"got {shorten(names)}")
        self.names = tuple(sorted(names))

    @property
    def class_name(self) -> str:
        return self.layer.class_name

    @property
    def input_name(self) -> str:
        return self.layer.input_name

    def build(self, input_shape) -> Built:
        """The inner layer derived once: its equations rewired, its shape and its cost."""
        inner = self.layer.derive(input_shape)
        equations, weights = tagged(inner, None)
        unknown = sorted(set(self.names) - set(weights))
        if unknown:
            raise SymparamError(f"{args.where(self)}: {self.layer.class_name} has no weight "
                                f"{unknown[0]!r}")
        return Built(self.rewire(equations, weights), inner.output_shape, inner.cost)

    def rewire(self, equations, weights) -> list:
        raise NotImplementedError

    def compute_output_shape(self, input_shape):
        return self.derive(input_shape).output_shape

    def input_layout(self):
        return self.layer.input_layout()


@register
class Tied(Rewired):
    """A layer whose weights ``names`` belong to another layer (weight tying: a language
    model's output layer reusing the token embedding's table, ``Tied(Dense(V, use_bias=False),
    ["W"])``).  They appear as plain symbols ``name^tied`` and are counted where they are
    owned; the layer's computation counts here.  Not a Keras layer."""

    in_keras = False

    def rewire(self, equations, weights):
        shared = {}
        for eq in equations:
            for param in eq.atoms(Param):
                if param.name in self.names:
                    shared[param] = MatrixSymbol(f"{param.name}^tied", *param.shape)
        for name, weight in weights.items():
            if name not in self.names:
                self.declare(weight)
        return [replaced(eq, shared) for eq in equations]
