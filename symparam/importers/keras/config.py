"""Keras model configs (Keras 3 and the older Keras 2 / tf.keras JSON) translated to symparam.

The config is data: each layer entry's ``class_name`` is looked up in symparam's own registry and
its ``config`` passed as arguments; ``module`` and ``registered_name`` are only checked, never
imported, and ``Lambda``, custom and unknown layers are refused by name.  Keras itself is never
imported here.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from symparam.core.dims import check_name
from symparam.core.errors import SymparamError, shorten
from symparam.engine.layer import Layer
from symparam.engine.registry import construct
from symparam.importers.files import check_depth, read_config
from symparam.importers.keras import hub, hub_vision
from symparam.importers.keras.calls import (
    Ref,
    call_settings,
    checked_override,
    condition_refs,
    input_shapes,
    layer_inputs,
    operands,
    read_call,
    recurrent_states,
    registry_for,
)
from symparam.layers.operations import OPERATIONS, TENSOR, Operation
from symparam.layers.recurrent import RNN
from symparam.layers.registry import KERAS
from symparam.layers.wrappers import Bidirectional
from symparam.models.functional import Input, Model
from symparam.models.sequential import Sequential

#: config keys that describe Keras's bookkeeping, not the layer's mathematics
BOOKKEEPING = frozenset({
    "batch_input_shape", "batch_shape", "build_config", "zero_output_for_mask", "ragged",
    "optional", "input_shape", "batch_size", "compile_config",
})
MODEL_CLASSES = ("Sequential", "Functional", "Model")
NESTED_KEYS = ("layer", "backward_layer", "cell")


@dataclass(frozen=True)
class SymbolicSize:
    """``--symbolic Dense.units=u``: the field ``field`` of layers matching ``selector``
    (a layer name or a class name) becomes the dimension ``dim``."""

    selector: str
    field: str
    dim: str

    @classmethod
    def parse(cls, text: str) -> "SymbolicSize":
        target, sep, dim = text.partition("=")
        selector, dot, field = target.partition(".")
        if not (sep and dot and selector and field and dim):
            raise SymparamError(f"--symbolic expects LAYER.FIELD=dim, got {shorten(text)}")
        return cls(selector.strip(), field.strip(), dim.strip())


def from_keras(source, *, symbolic=(), input_shape=None) -> Model:
    """A symparam ``Model`` from a ``.keras`` file, a JSON file or string, or a config dict.

    Args:
        source: what ``model.save(...)``, ``model.to_json()`` or ``model.get_config()`` gave.
        symbolic: ``SymbolicSize`` rules (or their ``"Dense.units=u"`` text) turning chosen
            sizes into dimension symbols.
        input_shape: the model's input shape, batch first, in place of the config's (a
            ``"None,H,W,3"`` string or a sequence; a list of them for several inputs), so that
            shapes and compute cost come out as formulas in ``H`` and ``W``.
    """
    return read_keras(source, symbolic=symbolic, input_shape=input_shape)[0]


def read_keras(source, *, symbolic=(), input_shape=None) -> tuple[Model, dict]:
    """Like ``from_keras``, also returning the config's values of the symbolic sizes
    (``{"u": 32}`` for ``Dense.units=u`` on a 32-unit Dense), to evaluate the formulas."""
    config = read_config(source)
    check_depth(config, what="Keras config")
    rules = tuple(rule if isinstance(rule, SymbolicSize) else SymbolicSize.parse(rule)
                  for rule in symbolic)
    if "class_name" in config:
        entry = config
    else:  # a bare get_config() dict
        hub.refuse_unnamed(config)
        kind = "Functional" if "input_layers" in config else "Sequential"
        entry = {"class_name": kind, "config": config}
    reader = _Reader(rules, input_shapes(input_shape))
    try:
        return reader.model(entry, "model"), reader.values
    except SymparamError:
        raise
    except (TypeError, AttributeError, KeyError, IndexError, ValueError) as error:
        # a field of an unexpected type deep in a hand-edited config: one clear line
        raise SymparamError(f"model: malformed Keras config ({type(error).__name__}: "
                            f"{shorten(str(error))})") from None


def _name(entry: dict) -> str | None:
    config = entry.get("config")
    name = entry.get("name") or (config.get("name") if isinstance(config, dict) else None)
    return name if isinstance(name, str) else None


class _Reader:
    """Builds symparam layers and models from Keras config entries."""

    def __init__(self, rules, shapes=None):
        self.rules = rules
        self.values: dict = {}
        self.shapes = shapes  # the top-level model's input shapes given by the caller
        self.overrides: dict = {}

    def model(self, entry: dict, where: str) -> Model:
        class_name, config = entry.get("class_name"), entry.get("config")
        if class_name == "Sequential":
            return self.sequential(config, where)
        if class_name in ("Functional", "Model"):
            return self.functional(config, where)
        if hub_vision.is_vision(entry):  # keras-hub's ViT: an image backbone
            return hub_vision.read_vision(entry, where, rules=self.rules, shapes=self.shapes)
        if hub.is_backbone(entry):  # a keras-hub backbone: its config, not a layer graph
            return hub.read_hub(entry, where, rules=self.rules, shapes=self.shapes)
        raise SymparamError(f"{where}: unsupported model class {shorten(class_name)}")

    def layer(self, entry, where: str, operands=None, settings=None) -> Layer:
        if not isinstance(entry, dict):
            raise SymparamError(f"{where}: a layer entry must be an object, got {shorten(entry)}")
        class_name, name = entry.get("class_name"), _name(entry)
        label = f"layer {name!r}" if name else "a layer"
        if not isinstance(class_name, str):
            raise SymparamError(f"{where}: {label} has no class_name string")
        if class_name in MODEL_CLASSES:
            return self.model(entry, f"{where} {label}")
        KERAS.refuse(class_name, f"{where}: {label}")
        module, registered = entry.get("module"), entry.get("registered_name")
        custom = isinstance(module, str) and not (module == "keras" or
                                                  module.startswith("keras."))
        classes = registry_for(module)  # operations and keras.applications layers apart
        if custom or not isinstance(class_name, str) or class_name not in classes or \
                not classes[class_name].in_keras or \
                class_name == "InputLayer" or \
                (registered is not None and registered != class_name):
            raise SymparamError(f"{where}: {label} has unsupported layer class "
                                f"{shorten(class_name)} (custom and unknown layers cannot be "
                                "read)")
        arguments = {**self.arguments(entry, class_name, name, f"{where} {label}"),
                     **(settings or {})}
        if classes is OPERATIONS.classes:
            arguments["operands"] = operands if operands is not None else (TENSOR,)
        return construct(classes[class_name], arguments, f"{where} {label} ({class_name})")

    def arguments(self, entry, class_name, name, where) -> dict:
        config = entry.get("config") or {}
        if not isinstance(config, dict):
            raise SymparamError(f"{where}: config must be an object")
        arguments = {k: v for k, v in config.items() if k not in BOOKKEEPING}
        for key in NESTED_KEYS:
            if isinstance(arguments.get(key), dict):
                arguments[key] = self.layer(arguments[key], where)
        for key in ("cell", "cells"):
            if isinstance(arguments.get(key), list):
                arguments[key] = [self.layer(item, where) for item in arguments[key]]
        for rule in self.rules:
            if rule.selector in (name, class_name) and rule.field in arguments:
                self._record(rule, arguments[rule.field], where)
                arguments[rule.field] = rule.dim
        return arguments

    def _record(self, rule: SymbolicSize, value, where: str) -> None:
        """Remember the size a symbol replaces; one symbol cannot stand for two sizes."""
        if isinstance(value, bool) or not isinstance(value, int):
            raise SymparamError(f"{where}: --symbolic {rule.selector}.{rule.field} needs an "
                                f"integer size, found {shorten(value)}")
        check_name(rule.dim)
        previous = self.values.setdefault(rule.dim, value)
        if previous != value:
            raise SymparamError(f"--symbolic: {rule.dim} would stand for both {previous} and "
                                f"{value}")

    # -- Sequential ------------------------------------------------------------------------------
    def sequential(self, config, where: str) -> Sequential:
        if isinstance(config, list):  # Keras 2.1 and older wrote the layer list directly
            config = {"layers": config}
        if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
            raise SymparamError(f"{where}: a Sequential config needs a list of layers")
        entries = config["layers"]
        start, shape = [], _first_input_shape(config, entries)
        first = entries[0] if entries else None
        if self.shapes is not None:  # the top-level model: the caller's input shape wins
            shape = self._override([_name(first) if first else None], where)[0] or shape
        if isinstance(first, dict) and first.get("class_name") == "InputLayer":
            start, entries = [self.input(entries[0], where)], entries[1:]
        elif shape is not None:
            start = [Input(shape[1:])]
        layers = [self.layer(entry, f"{where} layers[{i}]") for i, entry in enumerate(entries)]
        return Sequential(start + layers, name=config.get("name"),
                          trainable=config.get("trainable", True))

    def _override(self, names: list, where: str) -> list:
        """Give the top-level model's inputs (``names``, in order) the caller's shapes."""
        shapes, self.shapes = self.shapes, None
        if len(shapes) != len(names):
            raise SymparamError(f"{where}: input_shape gives {len(shapes)} shapes for "
                                f"{len(names)} inputs")
        self.overrides = dict(zip(names, shapes))
        return [list(shape) for shape in shapes]

    def input(self, entry, where: str):
        config = entry.get("config") or {}
        if not isinstance(config, dict):
            raise SymparamError(f"{where}: input layer config must be an object")
        shape = config.get("batch_shape") or config.get("batch_input_shape")
        if not isinstance(shape, list) or not shape:
            raise SymparamError(f"{where}: input layer {shorten(_name(entry))} has no shape")
        given = self.overrides.pop(_name(entry), None)
        if given is not None:
            shape = checked_override(shape, given, f"{where} input {_name(entry)!r}")
        dtype = config.get("dtype") if isinstance(config.get("dtype"), str) else None
        return Input(shape[1:], dtype=dtype, name=_name(entry))

    # -- Functional ------------------------------------------------------------------------------
    def functional(self, config, where: str) -> Model:
        if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
            raise SymparamError(f"{where}: a functional config needs a list of layers")
        if self.shapes is not None:
            self._override([ref[0] for ref in _refs(config.get("input_layers"))
                            if isinstance(ref, list) and ref], where)
        graph = _Graph(self, where)
        for i, entry in enumerate(config["layers"]):
            graph.add(entry, f"{where} layers[{i}]")
        graph.connect()
        inputs = [graph.tensor(graph.model_ref(ref), f"{where} input_layers")
                  for ref in _refs(config.get("input_layers"))]
        outputs = [graph.tensor(graph.model_ref(ref), f"{where} output_layers")
                   for ref in _refs(config.get("output_layers"))]
        if not inputs or not outputs:
            raise SymparamError(f"{where}: the config names no inputs or outputs")
        return Model(inputs if len(inputs) > 1 else inputs[0],
                     outputs if len(outputs) > 1 else outputs[0],
                     name=config.get("name"), trainable=config.get("trainable", True))


def _first_input_shape(config, entries):
    shape = config.get("build_input_shape")
    if shape is None and entries and isinstance(entries[0], dict):
        shape = (entries[0].get("config") or {}).get("batch_input_shape")
    return shape if isinstance(shape, list) and shape else None


def _refs(value) -> list:
    """``[name, node, tensor]`` or a list of them (Keras writes one output unnested)."""
    if not isinstance(value, list):
        return []
    if len(value) == 3 and isinstance(value[0], str):
        return [value]
    return value


class _Graph:
    """Calls each layer on its inbound tensors in dependency order, as Keras's from_config."""

    def __init__(self, reader: _Reader, where: str):
        self.reader, self.where = reader, where
        self.layers: dict[str, Layer] = {}
        self.outputs: dict[str, list] = {}
        self.pending: list = []

    def add(self, entry, where: str) -> None:
        if not isinstance(entry, dict):
            raise SymparamError(f"{where}: a layer entry must be an object")
        name = _name(entry)
        if name is None or name in self.layers:
            raise SymparamError(f"{where}: missing or repeated layer name {shorten(name)}")
        if entry.get("class_name") == "InputLayer":
            self.layers[name] = None
            self.outputs[name] = [[self.reader.input(entry, where)]]
            return
        nodes = entry.get("inbound_nodes") or []
        if not isinstance(nodes, list):
            raise SymparamError(f"{where}: inbound_nodes must be a list")
        calls = [read_call(node, f"{where} layer {name!r}") for node in nodes]
        shapes = None
        if registry_for(entry.get("module")) is OPERATIONS.classes and calls:
            shapes = operands(calls[0], f"{where} layer {name!r}")[0]
        self.layers[name] = self.reader.layer(entry, where, operands=shapes,
                                              settings=call_settings(calls, where))
        self.outputs[name] = []
        self.pending += [(name, index, call) for index, call in enumerate(calls)]

    def connect(self) -> None:
        """Call every pending node once its inputs exist.  A node that must wait is parked
        under the layer it waits for and released when that layer produces a tensor, so each
        node is looked at a bounded number of times: repeated passes over the whole list
        were quadratic in a config that lists its layers out of order."""
        parked: dict[str, list] = {}
        queue = deque(enumerate(self.pending))
        while queue:
            position, (name, index, call) = queue.popleft()
            missing = self._missing(name, index, call)
            if missing is None:
                self._call(name, index, call)
                queue.extendleft(reversed(parked.pop(name, [])))
            else:
                parked.setdefault(missing, []).append((position, (name, index, call)))
        if parked:
            first = min(item for items in parked.values() for item in items)
            raise SymparamError(f"{self.where}: layer {first[1][0]!r} reads a tensor that no "
                                "layer produces (graph disconnected)")
        self.pending = []

    def _missing(self, name: str, index: int, call):
        """The layer whose next tensor this call waits for (states, masks and inputs must all
        exist before the call), or ``None`` when it can run."""
        if len(self.outputs[name]) != index:
            return name  # an earlier call of the same layer comes first
        waiting = next((ref for ref in call.refs() if not self._available(ref.as_list())), None)
        return None if waiting is None else _ref_name(waiting.as_list())

    def _call(self, name: str, index: int, call) -> None:
        layer, where = self.layers[name], f"{self.where} layer {name!r}"
        if isinstance(layer, Operation):
            result = self._operation(layer, call, name, where)
        else:
            result = self._layer(layer, call, name, where)
        self.outputs[name].append(result if isinstance(result, list) else [result])

    def _operation(self, layer: Operation, call, name: str, where: str):
        """An operation on its tensors; its constants were bound when it was read."""
        found, refs = operands(call, where)
        if found != layer.operands:
            raise SymparamError(f"{where}: an operation called twice with different arguments")
        tensors = [self.tensor(ref.as_list(), name) for ref in refs]
        return layer(tensors if len(tensors) > 1 else tensors[0])

    def _layer(self, layer: Layer, call, name: str, where: str):
        """A layer on its positional tensors; the keyword tensors it is conditioned on
        (states, masks) join its node so that they order and connect the graph."""
        if isinstance(layer, (RNN, Bidirectional)):
            call = recurrent_states(call)
        inputs = [self._tensors(item, name) for item in
                  layer_inputs(name, call, attention=True, where=where)]
        if not inputs:
            raise SymparamError(f"{where}: is called on no tensor")
        flat = [t for item in inputs for t in (item if isinstance(item, list) else [item])]
        result = layer(inputs[0] if len(inputs) == 1 else flat)
        first = result[0] if isinstance(result, list) else result
        first.node.conditions = [self.tensor(ref.as_list(), name)
                                 for ref in condition_refs(call)]
        return result

    def _tensors(self, item, where):
        if isinstance(item, Ref):
            return self.tensor(item.as_list(), where)
        return [self.tensor(ref.as_list(), where) for ref in item]

    def _available(self, ref) -> bool:
        if not (isinstance(ref, list) and len(ref) >= 3 and isinstance(ref[0], str)):
            raise SymparamError(f"{self.where}: bad tensor reference {shorten(ref)} (expected "
                                "[layer name, node index, tensor index])")
        name, node = ref[0], ref[1]
        return name in self.outputs and isinstance(node, int) and \
            not isinstance(node, bool) and 0 <= node < len(self.outputs[name])

    def model_ref(self, ref):
        """Keras numbers a nested functional model's calls from 1 in ``input_layers`` and
        ``output_layers`` (its node 0 is its own construction), from 0 in inbound nodes."""
        if isinstance(ref, list) and len(ref) >= 3 and isinstance(ref[1], int):
            layer = self.layers.get(ref[0])
            if isinstance(layer, Model) and not isinstance(layer, Sequential) and ref[1] >= 1:
                return [ref[0], ref[1] - 1, *ref[2:]]
        return ref

    def tensor(self, ref, where: str):
        if not (isinstance(ref, list) and len(ref) >= 3 and isinstance(ref[0], str)):
            raise SymparamError(f"{where}: bad tensor reference {shorten(ref)}")
        name, node, index = ref[:3]
        if not self._available(ref) or not isinstance(index, int) or \
                not 0 <= index < len(self.outputs[name][node]):
            raise SymparamError(f"{where}: unknown tensor {shorten(ref)}")
        return self.outputs[name][node][index]


def _ref_name(ref) -> str:
    """The layer a ``[layer, node, tensor]`` reference names (a malformed one never becomes
    ready and is reported as disconnected)."""
    name = ref[0] if isinstance(ref, list) and ref else None
    return name if isinstance(name, str) else repr(ref)
