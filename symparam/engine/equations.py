"""Small building blocks for writing layer equations: vectors, stacking and activations.

Activations are undefined SymPy functions applied element-wise, so the printed equation shows the
activation the user chose (``sigma``, ``tanh``, ``relu``) and the engine never needs to know it.
"""

from __future__ import annotations

import sympy
from sympy import BlockMatrix, Function, MatrixSymbol

from symparam.core.dims import NAME_PATTERN
from symparam.core.errors import SymparamError, shorten

_SPECIAL = {"sigmoid": Function("sigma"), "tanh": sympy.tanh, "exponential": sympy.exp}


def Eq(lhs, rhs):  # noqa: N802 - reads as the equation it states
    """``lhs = rhs`` as an unevaluated ``sympy.Eq``.  A layer states its equations; letting
    SymPy try to decide them (is ``lhs - rhs`` zero?) cost most of a derivation's time."""
    return sympy.Eq(lhs, rhs, evaluate=False)


def vector(name: str, rows) -> MatrixSymbol:
    """A column vector symbol such as ``h_{t-1}``."""
    return MatrixSymbol(name, rows, 1)


def stack(*parts) -> BlockMatrix:
    """Vertical concatenation ``[a; b]`` of column vectors."""
    return BlockMatrix([[part] for part in parts])


def activation_name(value: object, *, owner: str, field: str = "activation") -> str | None:
    """A Keras activation given by name (``None`` and ``"linear"`` mean the identity)."""
    if value is None or value == "linear":
        return None
    if isinstance(value, dict):  # a serialized Keras activation, never imported or called
        value = _serialized_activation(value, owner=owner, field=field)
    if not isinstance(value, str) or not NAME_PATTERN.fullmatch(value):
        raise SymparamError(f"{owner}: {field} must be an activation name, got {shorten(value)}")
    return None if value == "linear" else value


def _serialized_activation(value: dict, *, owner: str, field: str):
    """The name inside ``{"module": "keras.activations", "class_name": "function", ...}``."""
    module = value.get("module")
    if module is not None and module not in ("keras.activations", "keras.src.activations",
                                             "keras.layers", "keras"):
        raise SymparamError(f"{owner}: {field} from module {shorten(module)} is not supported")
    config = value.get("config")
    if value.get("class_name") == "function":
        return config if isinstance(config, str) else (config or {}).get("name") \
            if isinstance(config, dict) else None
    return value.get("class_name")


def activate(name: str | None, expr):
    """Apply the activation called ``name`` element-wise (identity for ``None``)."""
    if name is None:
        return expr
    return expr.applyfunc(_SPECIAL.get(name) or Function(name))


def affine(weight, x, bias=None):
    """``W x + b``, or ``W x`` when the layer has no bias.  Built unevaluated: the shapes are
    checked, but SymPy's canonicalisation (the most expensive part of a Dense derivation)
    has nothing to simplify in a product and a sum of distinct symbols."""
    if (weight.shape[1] - x.shape[0]).is_zero is False:
        raise sympy.ShapeError(f"shapes {weight.shape} and {x.shape} do not multiply")
    product = sympy.MatMul(weight, x, evaluate=False)
    return product if bias is None else sympy.MatAdd(product, bias, evaluate=False)
