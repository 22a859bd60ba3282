"""Model specs on disk (YAML or JSON): a sequential list or a graph of named nodes.

Specs are untrusted: YAML is read with PyYAML's safe loader only (through the strict loader,
which refuses duplicate and non-string keys and bounds aliases), sizes go through the safe
parser, YAML files over 256 KB, JSON over 5 MB, nesting deeper than 64 and models over 10,000
layers are refused, and every problem becomes one ``SymparamError`` naming the place in the
spec.  The format is documented in
``docs/specs.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from symparam.core.args import size
from symparam.core.dims import check_name
from symparam.core.errors import SymparamError, shorten
from symparam.engine.registry import construct
from symparam.importers.files import read_text
from symparam.importers.strict import (
    MAX_JSON_BYTES,
    MAX_YAML_BYTES,
    check_tree,
    load_json,
    load_yaml,
)
from symparam.layers import load as load_catalogue
from symparam.layers.registry import layer_class
from symparam.models.functional import MAX_LAYERS, Input, Model
from symparam.models.sequential import Sequential

load_catalogue()  # every Keras layer registered before a config names one

TOP_KEYS = {"name", "dims", "input", "layers", "inputs", "nodes", "outputs", "models",
            "description"}


@dataclass(frozen=True)
class Spec:
    """A model read from a spec, and the default values its ``dims`` section gives."""

    model: Model
    dims: dict = field(default_factory=dict)
    description: str = ""


def load_spec(source) -> Spec:
    """Read a spec from a path (``.yaml``, ``.yml`` or ``.json``) or an already-parsed dict."""
    if isinstance(source, dict):
        data = source
        check_tree(data)
    elif isinstance(source, (str, Path)):
        data = _read(Path(source))
    else:
        raise SymparamError(f"load_spec: expected a path or a mapping, got {shorten(source)}")
    try:
        return _Builder(data).spec()
    except (TypeError, AttributeError, KeyError, IndexError) as error:
        # a spec is untrusted data: a value of an unexpected type somewhere the builder has
        # no dedicated check for is a malformed spec, never a crash
        raise SymparamError(f"spec: malformed ({type(error).__name__}: {str(error)[:80]})") \
            from None


def _read(path: Path):
    """A spec file's data, through the one regular-file check and the strict loaders."""
    if path.suffix.lower() == ".json":
        return load_json(read_text(path, limit=MAX_JSON_BYTES, what="spec"), path.name)
    return load_yaml(read_text(path, limit=MAX_YAML_BYTES, what="YAML spec"), path.name)



#: top-level keys of a Keras model config (``model.to_json()``, a ``.keras`` file's config)
KERAS_KEYS = {"class_name", "config", "build_config", "keras_version", "backend",
              "compile_config", "module", "registered_name"}


class _Builder:
    """Turns parsed spec data into layers and a model, naming the place of every error."""

    def __init__(self, data):
        if not isinstance(data, dict):
            raise SymparamError("spec: the top level must be a mapping")
        self.data = data
        self.models_data = self._mapping(data.get("models", {}), "models")
        self.models: dict[str, Model] = {}
        self.layer_count = 0

    def spec(self) -> Spec:
        unknown = sorted(set(self.data) - TOP_KEYS)
        if unknown and {"class_name", "config"} <= set(self.data) | set(unknown) and \
                set(unknown) <= KERAS_KEYS:
            raise SymparamError("this is a Keras model config, not a symparam spec: read it "
                                "with 'symparam keras FILE' (or S.from_keras)")
        if unknown:
            raise SymparamError(f"spec: unknown key {unknown[0]!r}")
        defaults = {}
        for name, value in self._mapping(self.data.get("dims", {}), "dims").items():
            defaults[check_name(name)] = size(value, field=name, owner="spec dims")
        description = self.data.get("description", "")
        return Spec(self.model(self.data, "spec"), defaults,
                    description if isinstance(description, str) else "")

    @staticmethod
    def _mapping(value, where):
        if not isinstance(value, dict):
            raise SymparamError(f"{where} must be a mapping, got {shorten(value)}")
        return value

    @staticmethod
    def _list(value, where):
        if not isinstance(value, list):
            raise SymparamError(f"{where} must be a list, got {shorten(value)}")
        return value

    def model(self, data, where) -> Model:
        name = data.get("name")
        if "layers" in data:
            layers = [self.layer(entry, f"{where} layers[{i}]")
                      for i, entry in enumerate(self._list(data["layers"], f"{where} layers"))]
            start = [self.input_tensor(data["input"], f"{where} input")] if "input" in data \
                else []
            return Sequential(start + layers, name=name)
        if "nodes" in data:
            return self.graph(data, where, name)
        raise SymparamError(f"{where}: needs 'layers' (sequential) or 'nodes' (graph)")

    def input_tensor(self, value, where, name=None):
        if isinstance(value, dict):
            unknown = sorted(set(value) - {"shape", "dtype"})
            if unknown or "shape" not in value:
                raise SymparamError(f"{where}: an input is a shape or {{shape, dtype}}")
            return Input(self._list(value["shape"], where), dtype=value.get("dtype"), name=name)
        return Input(self._list(value, where), name=name)

    def graph(self, data, where, name) -> Model:
        tensors = {}
        inputs = []
        for input_name, value in self._mapping(data.get("inputs", {}), f"{where} inputs").items():
            tensors[input_name] = self.input_tensor(value, f"{where} inputs.{input_name}",
                                                    name=input_name)
            inputs.append(tensors[input_name])
        layers_by_node = {}
        for i, node in enumerate(self._list(data["nodes"], f"{where} nodes")):
            self.node(node, f"{where} nodes[{i}]", tensors, layers_by_node)
        outputs = [self.tensor(ref, tensors, f"{where} outputs")
                   for ref in self._list(data.get("outputs", []), f"{where} outputs")]
        if not inputs or not outputs:
            raise SymparamError(f"{where}: a graph needs inputs and outputs")
        return Model(inputs if len(inputs) > 1 else inputs[0],
                     outputs if len(outputs) > 1 else outputs[0], name=name)

    def node(self, node, where, tensors, layers_by_node) -> None:
        node = self._mapping(node, where)
        unknown = sorted(set(node) - {"name", "layer", "inputs", "shared"})
        if unknown:
            raise SymparamError(f"{where}: unknown key {unknown[0]!r}")
        name = node.get("name")
        if not isinstance(name, str) or name in tensors:
            raise SymparamError(f"{where}: needs a unique 'name', got {shorten(name)}")
        if "shared" in node:
            layer = layers_by_node.get(node["shared"])
            if layer is None:
                raise SymparamError(f"{where}: shared refers to unknown node "
                                    f"{shorten(node['shared'])}")
        else:
            layer = self.layer(node.get("layer"), where, default_name=name)
        refs = self._list(node.get("inputs"), f"{where} inputs")
        args = [self.tensor(ref, tensors, f"{where} inputs") for ref in refs]
        try:
            result = layer(args if len(args) > 1 else args[0])
        except IndexError:
            raise SymparamError(f"{where}: needs at least one input") from None
        layers_by_node[name] = layer
        for index, tensor in enumerate(result if isinstance(result, list) else [result]):
            tensors[name if index == 0 else f"{name}:{index}"] = tensor

    @staticmethod
    def tensor(ref, tensors, where):
        if not isinstance(ref, str) or ref not in tensors:
            raise SymparamError(f"{where}: unknown tensor {shorten(ref)}")
        return tensors[ref]

    def layer(self, entry, where, default_name=None) :
        """A layer entry: ``{ClassName: {args}}``, or ``{Model: name}`` for a named sub-model."""
        if not isinstance(entry, dict) or len(entry) != 1:
            raise SymparamError(f"{where}: a layer is written {{ClassName: {{arguments}}}}, "
                                f"got {shorten(entry)}")
        (class_name, arguments), = entry.items()
        if class_name == "Model":
            return self.sub_model(arguments, where)
        self.layer_count += 1
        if self.layer_count > MAX_LAYERS:
            raise SymparamError(f"spec: more than {MAX_LAYERS} layers")
        cls = layer_class(class_name)
        arguments = dict(self._mapping(arguments if arguments is not None else {}, where))
        for key in ("layer", "backward_layer", "cell", "cells"):
            value = arguments.get(key)
            if isinstance(value, dict):
                arguments[key] = self.layer(value, f"{where} {class_name}.{key}")
            elif isinstance(value, list) and key in ("cell", "cells"):
                arguments[key] = [self.layer(item, f"{where} {class_name}.{key}[{i}]")
                                  for i, item in enumerate(value)]
        if default_name is not None:
            arguments.setdefault("name", default_name)
        return construct(cls, arguments, where)

    def sub_model(self, name, where) -> Model:
        if not isinstance(name, str):
            raise SymparamError(f"{where}: Model takes a model's name, got {shorten(name)}")
        if name not in self.models:
            if name not in self.models_data:
                raise SymparamError(f"{where}: unknown model {shorten(name)}")
            self.models[name] = None  # marks the model as being built, to refuse cycles
            data = dict(self._mapping(self.models_data[name], f"models.{name}"))
            data.setdefault("name", name)
            self.models[name] = self.model(data, f"models.{name}")
        if self.models[name] is None:
            raise SymparamError(f"{where}: model {name!r} contains itself")
        return self.models[name]
