"""Models: ``Input``, functional ``Model`` graphs, ``Sequential`` stacks, and their ``Summary``.

A model is itself a layer, so it can be called on tensors, nested, and wrapped in
``TimeDistributed``.  Layers are ordered as Keras orders them (``keras.src.ops.function.map_graph``:
by depth from the outputs, then by first visit of a depth-first walk), and a layer called several
times is counted once.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import sympy

from symparam.report import Renderable
from symparam import args
from symparam.cost import Cost, dtype_bytes, total
from symparam.engine import (Derivation, Layer, frozen, map_shape, partition, substitution,
                             tagged)
from symparam.errors import SymparamError, shorten
from symparam.graph import Tensor, as_tensor_list
from symparam.layers.core import InputLayer
from symparam.naming import assign_names
from symparam.shapes import is_shape_list, product

MAX_LAYERS = 10_000


def Input(shape, batch_size=None, dtype=None, name=None, **kwargs) -> Tensor:  # noqa: N802
    """A symbolic input tensor; ``shape`` excludes the batch axis, as in ``keras.Input``."""
    return InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, name=name,
                      **kwargs).tensor()


@dataclass(frozen=True)
class Row:
    """One line of a summary: a layer, its output shape and its counts."""

    name: str
    class_name: str
    output_shape: object
    params: sympy.Expr
    trainable: sympy.Expr
    non_trainable: sympy.Expr
    derivation: Derivation = field(repr=False, compare=False, default=None)


@dataclass(frozen=True)
class Summary(Renderable):
    """Per-layer rows in Keras's order and symbolic totals (``model.summary()``)."""

    name: str
    rows: tuple
    total: sympy.Expr
    trainable: sympy.Expr
    non_trainable: sympy.Expr
    values: tuple = ()
    #: the tensors between rows, ``(from_row, to_row, shape)``; ``None`` is the model's input
    #: (at the start) or output (at the end); a diagram's edges
    edges: tuple = ()
    #: compute per example over every call (a shared layer costs each time it runs)
    cost: Cost | None = None
    #: operations no cost rule covers, ``(name, calls)``: their cost is not in ``macs``
    uncounted: tuple = ()

    @property
    def macs(self):
        """Multiply-accumulates per example (``None`` if a size it needs is unknown)."""
        return None if self.cost is None else self.cost.macs

    def flops(self, convention="macs", batch=1):
        """FLOPs under ``convention`` (see ``symparam.cost.FlopConvention``) for ``batch``
        examples (a number or a symbol such as ``S.dim("B")``)."""
        return None if self.cost is None else self.cost.flops(convention) * batch

    @property
    def activation_elements(self):
        """Numbers in every row's output tensor(s) for one example (``None`` if a size is
        unknown): what a forward pass keeps for the backward one."""
        sizes = [product(shape[1:]) for row in self.rows for shape in
                 (row.output_shape if isinstance(row.output_shape, list) else [row.output_shape])]
        return None if any(size is None for size in sizes) else sympy.Add(*sizes)

    def activation_bytes(self, dtype: str = "float32", batch=1):
        elements = self.activation_elements
        return None if elements is None else elements * dtype_bytes(dtype) * batch

    def weight_bytes(self, dtype: str = "float32"):
        return self.total * dtype_bytes(dtype)

    def subs(self, **values) -> "Summary":
        """The summary with dimensions replaced by values, e.g. ``subs(u=128)``."""
        mapping = substitution(values, self.free_symbols)
        swap = lambda expr: expr.xreplace(mapping)  # noqa: E731 - tiny local helper
        rows = tuple(replace(row, output_shape=map_shape(row.output_shape, swap),
                             params=swap(row.params), trainable=swap(row.trainable),
                             non_trainable=swap(row.non_trainable)) for row in self.rows)
        return replace(self, rows=rows, total=swap(self.total), trainable=swap(self.trainable),
                       non_trainable=swap(self.non_trainable),
                       cost=None if self.cost is None else self.cost.xreplace(mapping),
                       values=self.values + tuple(sorted(values.items())))

    @property
    def free_symbols(self) -> set:
        found = set(self.total.free_symbols)
        if self.cost is not None:
            found |= self.cost.macs.free_symbols | self.cost.elementwise.free_symbols
        for row in self.rows:
            map_shape(row.output_shape, lambda expr: found.update(expr.free_symbols) or expr)
        return found

    def __repr__(self) -> str:
        return f"<Summary {self.name!r}: {len(self.rows)} rows, total={self.total}>"


class Model(Layer):
    """A functional model: the graph from ``inputs`` to ``outputs`` (Keras ``Model``)."""

    default_name = "functional"
    class_name = "Functional"

    def __init__(self, inputs, outputs, name=None, trainable=True, **kwargs):
        super().__init__(name=name, trainable=trainable, **kwargs)
        self.inputs, self._list_inputs = self._tensors(inputs, "inputs")
        self.outputs, self._list_outputs = self._tensors(outputs, "outputs")
        self._nodes, self.layers = map_graph(self.inputs, self.outputs)
        if len(self.layers) > MAX_LAYERS:
            raise SymparamError(f"{args.where(self)}: more than {MAX_LAYERS} layers")
        self._names = assign_names(self.layers)

    def _tensors(self, value, field):
        tensors, as_list = as_tensor_list(value)
        if not tensors:
            raise SymparamError(f"{args.where(self)}: {field} must be tensors from S.Input(...) "
                                f"or layer calls, got {shorten(value)}")
        return tensors, as_list

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
            trainable=sympy.Add(*(d.trainable for d in per_layer.values())),
            non_trainable=sympy.Add(*(d.non_trainable for d in per_layer.values())),
            cost=calls_cost(calls))

    # -- the summary --------------------------------------------------------------------------
    def summary_layers(self) -> list:
        """The layers that get a row: all of them, input layers included (Keras 3)."""
        return self.layers

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
        trainable = sympy.Add(*(row.trainable for row in rows))
        non_trainable = sympy.Add(*(row.non_trainable for row in rows))
        calls = [node.derivation for node in nodes if not isinstance(node.layer, InputLayer)]
        return Summary(self.name or self.default_name, tuple(rows),
                       sympy.Add(trainable, non_trainable), trainable, non_trainable,
                       edges=self._edges(nodes, names), cost=calls_cost(calls))

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

def map_graph(inputs, outputs) -> tuple[list, list]:
    """Nodes in execution order and layers in Keras's order, as Keras's ``map_graph`` does."""
    finished, in_progress, ordered, first_seen = set(), set(), [], {}
    input_ids = {id(t) for t in inputs}

    def visit(tensor: Tensor) -> None:
        node = tensor.node
        if node is None or id(node) in finished:
            return
        if node.inputs and id(tensor) in input_ids:
            finished.add(id(node))
            return
        if id(node) in in_progress:
            raise SymparamError("the model's graph has a cycle")
        first_seen.setdefault(node.layer, len(first_seen))
        in_progress.add(id(node))
        for parent in node.inputs:
            visit(parent)
        finished.add(id(node))
        in_progress.discard(id(node))
        ordered.append(node)

    for output in outputs:
        visit(output)
    return _order_by_depth(ordered, first_seen, inputs)


def _order_by_depth(ordered, first_seen, inputs):
    node_depth, layer_depth = {}, {}
    in_graph = {id(node) for node in ordered}
    for node in reversed(ordered):
        depth = max(node_depth.setdefault(id(node), 0), layer_depth.get(node.layer, 0))
        layer_depth[node.layer] = node_depth[id(node)] = depth
        for parent in node.inputs:
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
        for tensor in node.inputs:
            if id(tensor) not in available:
                raise SymparamError(f"graph disconnected: {args.where(node.layer)} needs a "
                                    "tensor that is not computed from the model's inputs")
        available.update(id(t) for t in node.outputs)
