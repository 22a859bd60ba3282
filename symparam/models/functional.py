"""Functional models: ``Input`` and ``Model`` graphs of layer calls.

A model is itself a layer, so it can be called on tensors, nested, and wrapped in
``TimeDistributed``.  Layers are ordered as Keras orders them (``keras.src.ops.function.map_graph``:
by depth from the outputs, then by first visit of a depth-first walk), and a layer called several
times is counted once.
"""

from __future__ import annotations

import sympy

from symparam.core import args
from symparam.core.algebra import add_up
from symparam.core.errors import SymparamError, shorten
from symparam.core.naming import assign_names
from symparam.core.shapes import is_shape_list
from symparam.engine.cost import Cost, total
from symparam.engine.derivation import Derivation, frozen
from symparam.engine.graph import Tensor, as_tensor_list
from symparam.engine.layer import Layer, argument_sizes
from symparam.engine.weights import partition, tagged
from symparam.layers.core import InputLayer
from symparam.models.summary import Row, Summary

MAX_LAYERS = 10_000


def Input(shape, batch_size=None, dtype=None, name=None, **kwargs) -> Tensor:  # noqa: N802
    """A symbolic input tensor; ``shape`` excludes the batch axis, as in ``keras.Input``."""
    return InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, name=name,
                      **kwargs).tensor()


class Model(Layer):
    """A functional model: the graph from ``inputs`` to ``outputs`` (Keras ``Model``)."""

    default_name = "functional"
    class_name = "Functional"

    def __init__(self, inputs, outputs, name=None, trainable=True, **kwargs):
        super().__init__(name=name, trainable=trainable, **kwargs)
        self.inputs, self._list_inputs = self._tensors(inputs, "inputs")
        self.outputs, self._list_outputs = self._tensors(outputs, "outputs")
        self._nodes, self.layers = map_graph(self.inputs, self.outputs)
        # input layers are not counted, as in a Sequential: 10,000 layers after an S.Input
        if sum(not isinstance(layer, InputLayer) for layer in self.layers) > MAX_LAYERS:
            raise SymparamError(f"{args.where(self)}: more than {MAX_LAYERS} layers")
        self._names = assign_names(self.layers)

    def _tensors(self, value, field):
        tensors, as_list = as_tensor_list(value)
        if not tensors:
            raise SymparamError(f"{args.where(self)}: {field} must be tensors from S.Input(...) "
                                f"or layer calls, got {shorten(value)}")
        return tensors, as_list

    @property
    def output_shape(self):
        """The model's output shape (a list of shapes for several outputs), as in Keras."""
        shapes = [tensor.shape for tensor in self.outputs]
        return shapes if self._list_outputs else shapes[0]

    def render(self, fmt: str = "text", **options) -> str:
        """The summary rendered (``model.render("markdown")`` is
        ``model.summary().render("markdown")``), for models read by the importers too."""
        return self.summary().render(fmt, **options)

    def __repr__(self) -> str:
        """One short line; ``print(model.summary())`` shows the table."""
        shown = self.name or getattr(self, "default_name", "model")
        return f"<{type(self).__name__} {shown!r}: {len(self.layers)} layers>"

    def config_key(self) -> tuple:
        return (Model, self)  # a graph is mutable: cache by identity, holding it alive

    # -- derivation on new input shapes (a model used as a layer) ------------------------------
    def derive(self, input_shape) -> Derivation:
        shapes = input_shape if is_shape_list(input_shape) else [input_shape]
        if len(shapes) != len(self.inputs):
            raise SymparamError(f"{args.where(self)}: expects {len(self.inputs)} inputs, got "
                                f"{len(shapes)}")
        shapes = [self._normalize_input(shape) for shape in shapes]
        per_layer, calls, output_shapes = self._replay(shapes)
        return self._combine(per_layer, calls, shapes, output_shapes)

    def _replay(self, shapes):
        known = {id(t): shape for t, shape in zip(self.inputs, shapes)}
        per_layer: dict = {}
        calls = []  # every call's derivation, for costs (a shared layer runs every time)
        for node in self._nodes:
            if isinstance(node.layer, InputLayer):
                continue
            inputs = [known[id(t)] for t in node.inputs]
            derivation = node.layer.derive(inputs if len(inputs) > 1 or
                                           _is_list_call(node) else inputs[0])
            per_layer.setdefault(node.layer, derivation)
            calls.append(derivation)
            outputs = derivation.output_shape
            for tensor, shape in zip(node.outputs, outputs if isinstance(outputs, list)
                                     else [outputs]):
                known[id(tensor)] = shape
        return per_layer, calls, [known[id(t)] for t in self.outputs]

    def _combine(self, per_layer, calls, shapes, output_shapes) -> Derivation:
        """One derivation for the whole model: each layer's symbols tagged ``^(i)``, counts
        summed layer by layer (so each layer's tidy formula survives in the total)."""
        if not self.trainable:
            per_layer = {layer: frozen(d) for layer, d in per_layer.items()}
        equations, weights = [], {}
        for index, derivation in enumerate(per_layer.values(), start=1):
            eqs, found = tagged(derivation, f"({index})", keep=())
            equations += eqs
            weights.update(found)
        return Derivation(
            class_name=self.class_name,
            input_shape=shapes if self._list_inputs else shapes[0],
            output_shape=output_shapes if self._list_outputs else output_shapes[0],
            equations=equations, name=self.name, **partition(weights),
            trainable=add_up(d.trainable for d in per_layer.values()),
            non_trainable=add_up(d.non_trainable for d in per_layer.values()),
            cost=calls_cost(calls), argument_sizes=argument_sizes(self))

    # -- the summary --------------------------------------------------------------------------
    def summary_layers(self) -> list:
        """The layers that get a row: all of them, input layers included (Keras 3), but not
        the operations a Keras 3 config records (``x + 1``), which Keras lists nowhere."""
        return [layer for layer in self.layers if getattr(layer, "summary_row", True)]

    def summary(self) -> Summary:
        """Per-layer rows in Keras's order, and the totals (each layer counted once)."""
        nodes, names = self._nodes, self._names  # computed properties for a Sequential
        last_node = {node.layer: node for node in sorted(nodes, key=lambda node: node.order)}
        rows = []
        for layer in self.summary_layers():
            node = last_node[layer]
            derivation = node.derivation if self.trainable else frozen(node.derivation)
            outputs = [t.shape for t in node.outputs]
            rows.append(Row(names[layer], layer.class_name,
                            outputs if len(outputs) > 1 else outputs[0], derivation.params,
                            derivation.trainable, derivation.non_trainable, derivation))
        trainable = add_up(row.trainable for row in rows)
        non_trainable = add_up(row.non_trainable for row in rows)
        calls = [node.derivation for node in nodes if not isinstance(node.layer, InputLayer)]
        return Summary(self.name or self.default_name, tuple(rows),
                       sympy.Add(trainable, non_trainable), trainable, non_trainable,
                       edges=self._edges(nodes, names), cost=calls_cost(calls),
                       batch=self.batch_size)

    @property
    def batch_size(self):
        """The batch the inputs declare (``S.Input(shape, batch_size=B)``), else 1: the batch
        the summary's ``memory()`` and ``flops()`` count unless given another."""
        declared = [getattr(t.node.layer, "batch_size", None) for t in self.inputs if t.node]
        return next((size for size in declared if size is not None), sympy.Integer(1))

    def _edges(self, nodes, names) -> tuple:
        """Each call's input tensors as ``(producer, consumer, shape)``, then the outputs."""
        producer = lambda t: names.get(t.node.layer) if t.node else None  # noqa: E731
        edges = [(producer(t), names[node.layer], t.shape) for node in nodes
                 if node.layer in names for t in node.inputs]
        edges += [(producer(t), None, t.shape) for t in self.outputs]
        return tuple(dict.fromkeys(edges))

    def count_params(self) -> sympy.Expr:
        return self.summary().total


def calls_cost(calls) -> Cost | None:
    """The cost of running every call once (``None`` if any call's cost is unknown)."""
    costs = [d.cost for d in calls]
    return None if any(c is None for c in costs) else total(costs)


def _is_list_call(node) -> bool:
    return isinstance(node.derivation.input_shape, list)


def map_graph(inputs, outputs) -> tuple[list, list]:
    """Nodes in execution order and layers in Keras's order, as Keras's ``map_graph`` does.

    The depth-first walk keeps its own stack: a chain of 10,000 layers is a valid model, and
    Python's recursion limit (1,000 frames) is not a limit on model depth."""
    finished, in_progress, ordered, first_seen = set(), set(), [], {}
    input_ids = {id(t) for t in inputs}

    def enter(tensor: Tensor):
        """The node to visit for ``tensor``, or ``None`` when there is nothing to do."""
        node = tensor.node
        if node is None or id(node) in finished:
            return None
        if node.inputs and id(tensor) in input_ids:
            finished.add(id(node))
            return None
        if id(node) in in_progress:
            raise SymparamError("the model's graph has a cycle")
        first_seen.setdefault(node.layer, len(first_seen))
        in_progress.add(id(node))
        return node

    for output in outputs:
        root = enter(output)
        stack = [] if root is None else [(root, iter(root.parents))]
        while stack:
            node, parents = stack[-1]
            parent = next(parents, None)
            if parent is None:  # every input visited: the node comes after them
                stack.pop()
                finished.add(id(node))
                in_progress.discard(id(node))
                ordered.append(node)
            elif (child := enter(parent)) is not None:
                stack.append((child, iter(child.parents)))
    return _order_by_depth(ordered, first_seen, inputs)


def _order_by_depth(ordered, first_seen, inputs):
    node_depth, layer_depth = {}, {}
    in_graph = {id(node) for node in ordered}
    for node in reversed(ordered):
        depth = max(node_depth.setdefault(id(node), 0), layer_depth.get(node.layer, 0))
        layer_depth[node.layer] = node_depth[id(node)] = depth
        for parent in node.parents:
            if parent.node is not None and id(parent.node) in in_graph:
                node_depth[id(parent.node)] = max(depth + 1, node_depth.get(id(parent.node), 0))
    for tensor in inputs:
        layer = tensor.node.layer if tensor.node else None
        if layer is not None and layer not in layer_depth and not tensor.node.inputs:
            layer_depth[layer], first_seen[layer] = 0, -1
            ordered.insert(0, tensor.node)
            node_depth[id(tensor.node)] = 0
    layers = sorted(layer_depth, key=lambda layer: (-layer_depth[layer], first_seen[layer]))
    nodes = sorted(ordered, key=lambda node: -node_depth[id(node)])
    _check_connected(nodes, inputs)
    return nodes, layers


def _check_connected(nodes, inputs) -> None:
    available = {id(t) for t in inputs}
    for node in nodes:
        for tensor in node.parents:
            if id(tensor) not in available:
                raise SymparamError(f"graph disconnected: {args.where(node.layer)} needs a "
                                    "tensor that is not computed from the model's inputs")
        available.update(id(t) for t in node.outputs)
