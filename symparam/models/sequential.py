"""``Sequential``: a plain stack of layers, each derived on the previous one's output."""

from __future__ import annotations

from symparam.core import args
from symparam.core.errors import SymparamError, shorten
from symparam.core.naming import assign_names
from symparam.engine.derivation import Derivation
from symparam.engine.graph import Tensor
from symparam.engine.layer import Layer
from symparam.layers.core import InputLayer
from symparam.models.functional import MAX_LAYERS, Model


class Sequential(Model):
    """A plain stack of layers (Keras ``Sequential``); start it with ``S.Input(shape)``.

    Its summary, like Keras 3's, has no row for the input layer.
    """

    default_name = "sequential"
    class_name = "Sequential"

    def __init__(self, layers=None, name=None, trainable=True, **kwargs):
        Layer.__init__(self, name=name, trainable=trainable, **kwargs)
        self._stack: list = []
        self._input: Tensor | None = None
        self._output: Tensor | None = None
        for layer in layers or []:
            self.add(layer)

    def add(self, layer) -> None:
        """Append a layer (or an ``S.Input`` tensor first), deriving it at once."""
        if isinstance(layer, Tensor) and isinstance(getattr(layer.node, "layer", None),
                                                    InputLayer) and not self._stack:
            self._input = self._output = layer
            return
        if not isinstance(layer, Layer) or isinstance(layer, InputLayer):
            raise SymparamError(f"{args.where(self)}: cannot add {shorten(layer)}; add layers, "
                                "starting with S.Input(shape)")
        if len(self._stack) >= MAX_LAYERS:
            raise SymparamError(f"{args.where(self)}: more than {MAX_LAYERS} layers")
        if self._output is not None:
            result = layer(self._output)
            if isinstance(result, list):
                raise SymparamError(f"{args.where(layer)}: a Sequential layer must have one "
                                    "output")
            self._output = result
        self._stack.append(layer)

    @property
    def inputs(self):
        return [self._built_input()]

    @property
    def outputs(self):
        return [self._output]

    def _built_input(self) -> Tensor:
        if self._input is None:
            raise SymparamError(f"{args.where(self)}: it has no input shape; start the list "
                                "with S.Input(shape)")
        return self._input

    @property
    def layers(self):
        return list(self._stack)

    @property
    def _nodes(self):
        self._built_input()
        nodes, tensor = [], self._output
        while tensor is not None and tensor.node is not None and tensor is not self._input:
            nodes.append(tensor.node)
            tensor = tensor.node.inputs[0] if tensor.node.inputs else None
        return nodes[::-1]

    @property
    def _names(self):
        return assign_names(self._stack)

    @property
    def _list_inputs(self):
        return False

    @property
    def _list_outputs(self):
        return False

    def derive(self, input_shape) -> Derivation:
        shape = self._normalize_input(input_shape)
        per_layer, calls = {}, []
        for layer in self._stack:
            derivation = layer.derive(shape)
            per_layer.setdefault(layer, derivation)
            calls.append(derivation)
            shape = derivation.output_shape
            if isinstance(shape, list):
                raise SymparamError(f"{args.where(layer)}: a Sequential layer must have one "
                                    "output")
        return self._combine(per_layer, calls, [self._normalize_input(input_shape)], [shape])
