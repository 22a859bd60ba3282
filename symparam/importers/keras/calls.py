"""How a layer is called in a Keras 3 functional config: tensors, constants and keywords.

Keras 3 writes each call ("inbound node") as ``{"args": [...], "kwargs": {...}}`` where tensors
are ``__keras_tensor__`` entries naming the layer, node and output that made them, and the rest
is data: numbers (``x + 3.0`` records ``Add`` with the argument ``3.0``), slices and ellipses
(``x[:, 0]``), constant tensors (``__tensor__``/``__numpy__``, of which only the shape is read),
and keyword arguments such as ``initial_state``, ``mask``, ``attention_mask`` or
``use_causal_mask``.  This module turns a node into a ``Call`` and decides what each keyword
means for the count: tensors a layer is only conditioned on (states, masks) must exist but do
not change a parameter or a shape; ``query``/``value``/``key`` given by keyword are the
attention layers' inputs; anything else is refused by name.  Nothing here is evaluated: the
only values kept are numbers, and classes are looked up in symparam's own registries.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from symparam.core.errors import SymparamError, shorten
from symparam.core.shapes import format_shape, normalize_shape
from symparam.layers import load as load_catalogue
from symparam.layers import operations_extra, operations_shape  # noqa: F401 - registering
from symparam.layers.applications import APPLICATION_LAYERS
from symparam.layers.operations import ELLIPSIS, OPERATIONS, TENSOR, Constant, Slice
from symparam.layers.registry import LAYERS

load_catalogue()  # every Keras layer registered before a config names one

#: keyword tensors a layer is conditioned on without any effect on its counts or shapes
CONDITIONS = frozenset({"initial_state", "mask", "attention_mask", "query_mask", "value_mask",
                        "key_mask", "training"})
#: keyword options that change neither a count nor a shape
OPTIONS = frozenset({"training", "use_causal_mask", "return_attention_scores", "mask",
                     "attention_mask", "initial_state", "query_mask", "value_mask", "key_mask"})
#: the attention layers' inputs when given by keyword, in positional order
ATTENTION_INPUTS = ("query", "value", "key")
MAX_CONSTANT_AXES = 16



@dataclass(frozen=True)
class Ref:
    """A tensor: output ``index`` of call ``node`` of the layer ``layer``."""

    layer: str
    node: int
    index: int

    def as_list(self) -> list:
        return [self.layer, self.node, self.index]


@dataclass
class Call:
    """One call of a layer: positional arguments and keywords, tensors as ``Ref``s."""

    args: list
    kwargs: dict = field(default_factory=dict)
    legacy: bool = False  # a Keras 2 node: tensors only, keywords dropped

    def refs(self) -> list:
        """Every tensor the call reads, positional and keyword: all must exist first."""
        found: list = []
        _refs(self.args, found)
        _refs(self.kwargs, found)
        return found


def condition_refs(call: Call) -> list:
    """The keyword tensors a layer is conditioned on (states, masks), in Keras's order (its
    nodes flatten keyword arguments by sorted name)."""
    found: list = []
    for key in sorted(call.kwargs):
        if key not in ATTENTION_INPUTS:
            _refs(call.kwargs[key], found)
    return found


def _refs(value, found: list) -> None:
    if isinstance(value, Ref):
        found.append(value)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _refs(item, found)
    elif isinstance(value, dict):
        for item in value.values():
            _refs(item, found)


def registry_for(module) -> dict:
    """The classes a config entry's ``module`` may name: operations for ``keras.src.ops``,
    the layers ``keras.applications`` defines for ``keras.src.applications``, else layers."""
    if isinstance(module, str) and module.startswith(("keras.src.ops.", "keras.ops")):
        return OPERATIONS.classes
    if isinstance(module, str) and module.startswith("keras.src.applications."):
        return APPLICATION_LAYERS.classes
    return LAYERS


def read_call(node, where: str) -> Call:
    """A ``Call`` from a Keras 3 node (a dict) or a Keras 2 node (``[[layer, node, tensor,
    kwargs], ...]``)."""
    if isinstance(node, dict):
        args, kwargs = node.get("args") or [], node.get("kwargs") or {}
        if not isinstance(args, list) or not isinstance(kwargs, dict):
            raise SymparamError(f"{where}: unreadable inbound node {shorten(node)}")
        return Call(decode(args, where), {str(k): decode(v, where) for k, v in kwargs.items()})
    if isinstance(node, list) and node and all(isinstance(item, list) and len(item) >= 3
                                               for item in node):
        refs = [_ref(item[:3], where) for item in node]
        return Call([refs if len(refs) > 1 else refs[0]], legacy=True)
    raise SymparamError(f"{where}: unreadable inbound node {shorten(node)}")


def recurrent_states(call: Call) -> Call:
    """Keras 2 passed a recurrent layer's ``initial_state`` tensors as extra inputs after the
    sequence (``[x, h, c]``); read them as Keras 3's ``initial_state`` keyword."""
    first = call.args[0] if call.args else None
    if call.legacy and isinstance(first, list) and len(first) > 1:
        return Call([first[0]], {"initial_state": first[1:]}, legacy=True)
    return call


def _ref(history, where: str) -> Ref:
    if not (isinstance(history, list) and len(history) == 3 and isinstance(history[0], str)
            and all(isinstance(i, int) and not isinstance(i, bool) for i in history[1:])):
        raise SymparamError(f"{where}: bad tensor reference {shorten(history)}")
    return Ref(*history)


def decode(value, where: str, depth: int = 0):
    """Node arguments as data: ``Ref``s, ``Constant``s, ``Slice``s, ``None`` and ``"..."``."""
    if depth > 32:
        raise SymparamError(f"{where}: call arguments nested too deeply")
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return Constant(value=value)
    if isinstance(value, list):
        return [decode(item, where, depth + 1) for item in value]
    if not isinstance(value, dict):
        raise SymparamError(f"{where}: unreadable call argument {shorten(value)}")
    kind, config = value.get("class_name"), value.get("config")
    config = config if isinstance(config, dict) else {}
    if kind == "__keras_tensor__":
        return _ref(config.get("keras_history"), where)
    if kind in ("__tensor__", "__numpy__"):
        return Constant(shape=_nested_shape(config.get("value"), where))
    if kind == "__slice__":
        return Slice(*(_slice_bound(config.get(k), where) for k in ("start", "stop", "step")))
    if kind == "__ellipsis__":
        return ELLIPSIS
    if kind is None:
        return {str(k): decode(v, where, depth + 1) for k, v in value.items()}
    raise SymparamError(f"{where}: call argument of kind {shorten(kind)} is not supported")


def _slice_bound(value, where):
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    raise SymparamError(f"{where}: slice bounds must be integers, got {shorten(value)}")


def _nested_shape(value, where) -> tuple:
    """The shape of a constant tensor written as nested lists, read along its first entries
    (the values themselves are never needed)."""
    shape = []
    while isinstance(value, list):
        if len(shape) >= MAX_CONSTANT_AXES:
            raise SymparamError(f"{where}: a constant tensor has too many axes")
        shape.append(len(value))
        value = value[0] if value else None
    return tuple(shape)


def layer_inputs(layer_name: str, call: Call, *, attention: bool, where: str):
    """What a layer is called on: its positional tensors (a ``Ref`` or a list of them), the
    attention inputs given by keyword, and the keyword options checked."""
    tensors = _positional_tensors(call.args, where)
    for key, value in call.kwargs.items():
        if attention and key in ATTENTION_INPUTS:
            continue
        if key not in OPTIONS:
            raise SymparamError(f"{where}: layer {layer_name!r} is called with the argument "
                                f"{key!r}, which symparam cannot read")
    if attention:
        named = [call.kwargs.get(key) for key in ATTENTION_INPUTS]
        tensors += [ref for ref in named if isinstance(ref, Ref)]
    return tensors


def call_settings(calls: list, where: str) -> dict:
    """Call keywords that change a layer's outputs, as the layer setting symparam reads them
    with: ``return_attention_scores=True`` adds the scores as a second output (every call of
    the layer must agree)."""
    scores = {bool(call.kwargs.get("return_attention_scores")) for call in calls}
    if len(scores) > 1:
        raise SymparamError(f"{where}: called both with and without its attention scores; "
                            "not supported")
    return {"return_attention_scores": True} if True in scores else {}


def _positional_tensors(args: list, where: str) -> list:
    """The tensors among positional arguments, kept as Keras passed them (a list stays one
    argument); constants there are refused, ``None`` and flags skipped."""
    found = []
    for item in args:
        if isinstance(item, Ref) or (isinstance(item, list) and item and
                                     all(isinstance(ref, Ref) for ref in item)):
            found.append(item)
        elif isinstance(item, (Constant, list)) or isinstance(item, Slice):
            raise SymparamError(f"{where}: a layer called on the constant {shorten(item)} is "
                                "not supported")
    return found


def operands(call: Call, where: str) -> tuple:
    """An operation's arguments with every tensor replaced by ``TENSOR``, and its tensors in
    order.  Keras records an operation's options in its config and leaves ``kwargs`` empty."""
    if call.kwargs:
        raise SymparamError(f"{where}: an operation called with keyword arguments "
                            f"({', '.join(sorted(call.kwargs))}) is not supported")
    refs = Call(call.args).refs()
    return _replace_refs(call.args), refs


def _replace_refs(value):
    if isinstance(value, Ref):
        return TENSOR
    if isinstance(value, list):
        return tuple(_replace_refs(item) for item in value)
    if isinstance(value, dict):
        raise SymparamError("an operation argument holds a mapping; not supported")
    return value


def input_shapes(value) -> list | None:
    """``from_keras(input_shape=...)`` as a list of batch-first shapes: one shape (a
    ``"None,H,W,3"`` string or a sequence of sizes) or a list of them."""
    if value is None:
        return None
    several = isinstance(value, (list, tuple)) and value and all(
        isinstance(item, (list, tuple)) or (isinstance(item, str) and "," in item)
        for item in value)
    if not several:
        value = [value]
    return [normalize_shape(shape, owner="from_keras", field="input_shape") for shape in value]


def checked_override(config_shape: list, given: tuple, where: str) -> list:
    """The caller's shape for an input, which must have the config's rank."""
    if len(config_shape) != len(given):
        raise SymparamError(f"{where}: input_shape {format_shape(given)} has rank "
                            f"{len(given)}, the model's input has rank {len(config_shape)}")
    return list(given)
