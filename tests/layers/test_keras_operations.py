"""Operation layers (``keras.ops`` calls recorded in functional configs) against Keras's own
``compute_output_spec`` of the same operation, on the same arguments."""

import keras
import pytest
from keras.src.ops import core as ops_core
from keras.src.ops import linalg as ops_linalg
from keras.src.ops import math as ops_math
from keras.src.ops import nn as ops_nn
from keras.src.ops import numpy as ops_numpy

from symparam.layers import operations_extra, operations_shape  # noqa: F401 - registering
from symparam.layers.operations import ELLIPSIS, OPERATIONS, TENSOR, Constant, Slice

T = keras.KerasTensor
MODULES = (ops_numpy, ops_nn, ops_math, ops_core, ops_linalg)
X = (None, 6, 4)

#: (operation, its config, its arguments: shapes stand for tensors)
CASES = [
    ("Add", {}, [X, 3.0]), ("Add", {}, [X, (None, 1, 4)]), ("Add", {}, [(None, 4), X]),
    ("Subtract", {}, [2.0, X]), ("Multiply", {}, [X, (4,)]), ("TrueDivide", {}, [X, 2.0]),
    ("Divide", {}, [X, X]), ("Power", {}, [X, 2.0]), ("Maximum", {}, [X, 1e-7]),
    ("Minimum", {}, [X, X]), ("NotEqual", {}, [X, 0.0]), ("Greater", {}, [X, X]),
    ("Equal", {}, [X, 1.0]), ("LogicalAnd", {}, [X, X]),
    ("Exp", {}, [X]), ("Sqrt", {}, [X]), ("Square", {}, [X]), ("Abs", {}, [X]),
    ("Log", {}, [X]), ("Negative", {}, [X]), ("Tanh", {}, [X]),
    ("Relu", {}, [X]), ("Sigmoid", {}, [X]), ("Gelu", {}, [X]), ("Silu", {}, [X]),
    ("Softmax", {"axis": -1}, [X]), ("LogSoftmax", {"axis": 1}, [X]),
    ("Sum", {"axis": -1, "keepdims": False}, [X]), ("Sum", {"axis": None}, [X]),
    ("Mean", {"axis": 1, "keepdims": True}, [X]), ("Max", {"axis": [1, 2]}, [X]),
    ("Min", {"axis": 1}, [X]), ("Prod", {"axis": 2}, [X]), ("Any", {"axis": -1}, [X]),
    ("Var", {"axis": 1}, [X]), ("Std", {"axis": 1, "keepdims": True}, [X]),
    ("Argmax", {"axis": 1}, [X]), ("Logsumexp", {"axis": 2}, [X]),
    ("Reshape", {"newshape": [-1, 24]}, [X]), ("Reshape", {"newshape": [-1, 2, 12]}, [X]),
    ("Transpose", {"axes": [0, 2, 1]}, [X]), ("Transpose", {}, [X]),
    ("ExpandDims", {"axis": 1}, [X]), ("ExpandDims", {"axis": -1}, [X]),
    ("Squeeze", {"axis": 1}, [(None, 1, 4)]),
    ("Concatenate", {"axis": 1}, [[X, (None, 2, 4)]]),
    ("Concatenate", {"axis": -1}, [[X, (None, 6, 3)]]),
    ("Stack", {"axis": 1}, [[X, X, X]]),
    ("Matmul", {}, [X, (None, 4, 5)]), ("Matmul", {}, [X, (4, 2)]),
    ("GetItem", {}, [X, [slice(None), 0, slice(None)]]),
    ("GetItem", {}, [X, [slice(None), slice(1, None)]]),
    ("GetItem", {}, [X, [Ellipsis, slice(None, 2)]]),
    ("GetItem", {}, [X, [slice(None), None, slice(0, 6, 2)]]),
    ("GetItem", {}, [X, [slice(None), -1]]),
    ("Clip", {"x_min": 0.0, "x_max": 1.0}, [X]), ("OnesLike", {}, [X]),
    ("Where", {}, [X, X, 0.0]), ("Where", {}, [(None, 6, 1), X, (4,)]),
    ("Flip", {"axis": 1}, [X]), ("Roll", {"shift": 2, "axis": 1}, [X]),
    ("Cumsum", {"axis": 1}, [X]), ("Cumsum", {}, [X]),
    ("Swapaxes", {"axis1": 1, "axis2": 2}, [X]),
    ("Norm", {"axis": -1}, [X]), ("Norm", {"axis": 1, "keepdims": True}, [X]),
]


def _keras_op(name, config):
    for module in MODULES:
        if hasattr(module, name):
            return getattr(module, name)(**config)
    raise LookupError(name)


def _keras_args(value):
    if isinstance(value, tuple):
        return T(value)
    if isinstance(value, list):
        return [_keras_args(item) for item in value]
    return value


def _symparam_operands(value, shapes):
    if isinstance(value, tuple):
        shapes.append(value)
        return TENSOR
    if isinstance(value, list):
        return tuple(_symparam_operands(item, shapes) for item in value)
    if isinstance(value, slice):
        return Slice(value.start, value.stop, value.step)
    if value is Ellipsis:
        return ELLIPSIS
    return value if value is None else Constant(value=value)


@pytest.mark.parametrize("name,config,arguments", CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_operation_shape_matches_keras(name, config, arguments):
    expected = _keras_op(name, config).compute_output_spec(*_keras_args(arguments)).shape
    shapes = []
    operands = _symparam_operands(arguments, shapes)
    layer = OPERATIONS.classes[name](operands=operands, **config)
    derivation = layer.derive(shapes if len(shapes) > 1 else shapes[0])
    got = tuple(None if s is None else int(s) for s in derivation.output_shape)
    assert got == tuple(expected)
    assert derivation.params == 0 and derivation.equations


def test_every_operation_is_a_keras_operation():
    """Each registered operation names a class of ``keras.src.ops``."""
    missing = [name for name in OPERATIONS.classes
               if not any(hasattr(m, name) for m in MODULES)]
    assert missing == []


def test_every_operation_accepts_the_arguments_keras_writes():
    """A config written by Keras names the arguments of the operation's ``__init__``."""
    import inspect

    from symparam.engine.layer import Layer  # noqa: F401
    from symparam.layers.registry import IGNORED_KERAS_ARGS
    for name, cls in OPERATIONS.classes.items():
        keras_cls = next(getattr(m, name) for m in MODULES
                         if hasattr(m, name))
        wanted = set(inspect.signature(keras_cls.__init__).parameters) - {
            "self", "args", "kwargs", "name", "ragged"}
        assert wanted <= set(cls.argument_names()) | IGNORED_KERAS_ARGS, name


def test_the_documented_list_is_the_registry():
    import re
    from pathlib import Path
    text = (Path(__file__).resolve().parents[2] / "docs" / "keras-import.md").read_text()
    section = text.split("## Operations", 1)[1].split("Their shape rules", 1)[0]
    listed = set(re.findall(r"`([A-Z]\w+)`", section.split("Supported:", 1)[1]))
    assert listed == set(OPERATIONS.classes)


@pytest.mark.parametrize("key", [[slice(None), slice(1, None)], [slice(None), slice(None, -2)],
                                 [slice(None), slice(2, None, 2)], [slice(None), slice(-3, None)],
                                 [slice(None), 0]], ids=repr)
def test_slices_of_a_symbolic_axis_give_keras_sizes(key):
    """``x[key]`` on an axis of ``n`` positions: the formula at ``n = 7`` is Keras's size."""
    import symparam as S
    expected = ops_numpy.GetItem().compute_output_spec(T((None, 7, 4)), key).shape
    shapes = []
    operands = _symparam_operands([(None, S.dims("n"), 4), key], shapes)
    derivation = OPERATIONS.classes["GetItem"](operands=operands).derive(shapes[0])
    got = derivation.subs(n=7).output_shape
    assert tuple(None if s is None else int(s) for s in got) == tuple(expected)
