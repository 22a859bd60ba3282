"""What every PyTorch-convention layer shares: the registry, buffers, and borrowed equations.

PyTorch separates a module's *parameters* (``module.parameters()``, what ``sum(p.numel())``
counts, trainable unless ``requires_grad`` is off) from its *buffers* (``module.buffers()``:
BatchNorm's running statistics, saved with the model but never counted as parameters).  Keras
has no such split: its BatchNormalization counts the moving statistics as non-trainable weights.

A layer declares a parameter with ``self.weight`` and a buffer with ``self.buffer`` (both in the
engine): the buffer is a ``Buffer`` symbol, checked against the equations like a weight and
counted apart, in ``Derivation.buffers``.
"""

from __future__ import annotations

import sympy

from symparam.core import args
from symparam.core.errors import SymparamError
from symparam.engine.cost import equations_cost, total
from symparam.engine.derivation import Derivation, known
from symparam.engine.equations import Eq, vector
from symparam.engine.layer import Built, Layer
from symparam.engine.weights import replaced, tagged
from symparam.layers.registry import Registry

#: PyTorch-convention layers by their ``torch.nn`` class name (``LSTM`` here is ``nn.LSTM``)
TORCH = Registry("PyTorch module")
register = TORCH.register


class TorchLayer(Layer):
    """Base of the layers of ``symparam.torch.nn``: PyTorch's argument names and layouts.

    ``device`` and ``dtype``, which every ``torch.nn`` module accepts, never change a count or a
    shape and are ignored.
    """

    def __init__(self, *, name=None, trainable=True, device=None, dtype=None, **kwargs):
        super().__init__(name=name, trainable=trainable, **kwargs)

    def input_layout(self):
        """The input shape PyTorch's documentation states, with symbols for the sizes the
        module's own arguments do not fix and ``None`` for the batch axis."""
        raise NotImplementedError(f"{type(self).__name__} states no input layout")

    def repeats(self, input_shape, output_shape, equations):
        """Positions per example.  PyTorch puts the batch axis where the module says (first,
        second for a sequence-first RNN, nowhere for an unbatched input) and symparam marks it
        ``None``: an example is every other axis of the output, divided by the width of the
        last equation's result (a pixel, a time step, a token)."""
        shape = output_shape[0] if isinstance(output_shape, list) else output_shape
        return example_size(shape) / equations[-1].lhs.shape[0]


class Borrowed(TorchLayer):
    """A PyTorch layer whose mathematics is a Keras layer's: it reuses that layer's equations
    (so one derivation serves both conventions) and states only PyTorch's arguments and shape
    rule.  Subclasses give ``keras_layer()`` and the shape it is derived on."""

    def keras_layer(self) -> Layer:
        raise NotImplementedError

    def keras_shape(self, input_shape):
        """The shape the Keras layer is derived on (its equations never depend on the rest)."""
        return input_shape

    def equations_for(self, input_shape):
        self.check_input(input_shape)
        try:
            derivation = self.keras_layer().derive(self.keras_shape(input_shape))
        except SymparamError as error:
            raise SymparamError(f"{args.where(self)}: {error}") from None
        return self.reuse(derivation)

    def check_input(self, input_shape) -> None:
        """Refuse inputs PyTorch would refuse (a wrong feature or channel count)."""


def example_size(shape) -> sympy.Expr:
    """The number of elements of one example of ``shape``: the product of every axis but the
    batch (``None``) axes."""
    return sympy.Mul(*(size for size in shape if size is not None))


def buffer_shapes(derivation: Derivation) -> dict:
    """The buffers a derivation declares: ``{name: (rows, cols)}``."""
    return {name: tuple(w.shape) for name, w in derivation.buffers.items()}


def buffers(derivation: Derivation) -> sympy.Expr:
    """The total size of the buffers in ``derivation`` (PyTorch's ``sum(b.numel() for b in
    module.buffers())``)."""
    return derivation.buffer_size


def same_size(layer: Layer, found, expected, what: str) -> None:
    """Refuse an input whose ``what`` is ``found`` where the module was built for
    ``expected`` (symbolic sizes that may be equal pass)."""
    if found is None or expected is None or found == expected:
        return
    if (sympy.sympify(found, strict=True) - sympy.sympify(expected, strict=True)).is_zero is False:
        raise SymparamError(f"{args.where(layer)}: the input's {what} is {found}, but the "
                            f"module was built for {expected}")


class Assembly:
    """A composite module's equations as they are put together: each part derived on the shape
    that really reaches it (so its cost is right), its equations tagged and fed the given
    inputs, and the glue between parts (residual sums, activations), which runs once per
    position.  It declares nothing: ``Composite`` declares the weights it gathered."""

    def __init__(self):
        self.equations: list = []
        self.weights: list = []
        self.parts: list[Derivation] = []
        self.glue: list = []

    def apply(self, tag: str, part: Layer, shape, *inputs):
        """``part`` derived on ``shape`` and fed ``inputs``; returns its output symbol."""
        derivation = part.derive(shape)
        equations, weights = tagged(derivation, tag, keep=())
        names = [part.input_name] if len(inputs) == 1 else \
            [f"{part.input_name}_{i + 1}" for i in range(len(inputs))]
        wanted = {f"{name}^{tag}": value for name, value in zip(names, inputs)}
        mapping = {symbol: wanted[symbol.name] for eq in equations
                   for symbol in eq.atoms(sympy.MatrixSymbol) if symbol.name in wanted}
        self.equations += [replaced(eq, mapping) for eq in equations]
        self.weights += weights.values()
        self.parts.append(derivation)
        # an input computed on the way in (``x + SA(x)`` fed to a norm) is glue too
        self.glue += [Eq(sympy.MatrixSymbol("_", *value.shape), value)
                      for value in inputs if not isinstance(value, sympy.MatrixSymbol)]
        return self.equations[-1].lhs

    def add(self, name: str, value):
        """The glue equation ``name = value``; returns its left-hand side."""
        equation = Eq(vector(name, value.shape[0]), value)
        self.equations.append(equation)
        self.glue.append(equation)
        return equation.lhs


class Composite(TorchLayer):
    """A module made of other modules (a Transformer layer): ``assemble`` puts together its
    parts' equations, each with a superscript naming the part, on the shapes PyTorch feeds
    them; its cost is the parts' costs plus the glue's, once per position."""

    def assemble(self, input_shape) -> Assembly:
        raise NotImplementedError

    def build(self, input_shape) -> Built:
        """The parts assembled once: their equations, the output shape, and the parts' costs
        plus the glue's once per position."""
        assembly = self.assemble(input_shape)
        for weight in assembly.weights:
            self.declare(weight)
        output = known(self.compute_output_shape(input_shape))
        costs = [part.cost for part in assembly.parts]
        positions = self.repeats(input_shape, output, assembly.equations)
        cost = None if None in costs or positions is None else \
            total(costs) + equations_cost(assembly.glue).times(positions)
        return Built(assembly.equations, output, cost)
