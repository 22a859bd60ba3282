"""Shape arithmetic: normalising user shapes, and the length rules of convolution and pooling.

Lengths are exact closed forms: with the dilated window ``w = (k-1)*dilation + 1``,
``floor((L - w) / s) + 1`` for ``valid`` padding (the sequel post's ``ceil((L - w + 1) / s)``, in
the form SymPy simplifies best) and ``ceiling(L / s)`` for ``same`` and ``causal`` (Keras
``compute_conv_output_shape``).  They stay symbolic when the input length is a symbol.
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy

from symparam.core.args import size
from symparam.core.errors import SymparamError, shorten
from symparam.core.rounding import rounded_quotient

Dim = sympy.Expr | None
Shape = tuple  # of Dim; the batch axis first


def normalize_shape(shape: object, *, owner: str, field: str = "input shape") -> Shape:
    """A shape as a tuple of SymPy sizes or ``None`` (unknown); strings like "None,25,d" too."""
    if isinstance(shape, str):
        shape = [part.strip() for part in shape.strip("()[] ").split(",") if part.strip()]
    if not isinstance(shape, Sequence) or isinstance(shape, str):
        raise SymparamError(f"{owner}: {field} must be a sequence of sizes, got {shorten(shape)}")
    if len(shape) > 16:
        raise SymparamError(f"{owner}: {field} has more than 16 axes")
    return tuple(None if item is None or (isinstance(item, str) and item.lower() == "none")
                 else size(item, field=field, owner=owner) for item in shape)


def is_shape_list(shape: object) -> bool:
    """True when ``shape`` holds several shapes (a layer with several inputs)."""
    return (isinstance(shape, (list, tuple)) and len(shape) > 0
            and all(isinstance(item, (list, tuple)) for item in shape))


def format_shape(shape) -> str:
    """``(None, 25, u)`` for one shape; a bracketed list for several."""
    if isinstance(shape, list):
        return "[" + ", ".join(format_shape(item) for item in shape) + "]"
    inner = ", ".join("None" if item is None else str(item) for item in shape)
    return f"({inner},)" if len(shape) == 1 else f"({inner})"


def conv_length(length: Dim, kernel, *, stride=1, padding: str = "valid", dilation=1,
                owner: str = "layer") -> Dim:
    """Output length of a convolution or pooling window along one axis.

    A rounding in ``length`` (the previous strided layer's) merges into this one
    (``core.rounding``): 150 same-padded poolings give ``ceiling(n/2**150)``."""
    if length is None:
        return None
    if padding in ("same", "causal"):
        return rounded_quotient(sympy.ceiling, length, stride)
    span = (kernel - 1) * dilation + 1
    result = rounded_quotient(sympy.floor, length - span, stride) + 1
    if result.is_number and result < 1:
        raise SymparamError(
            f"{owner}: window of size {span} is larger than the input length {length} "
            f"with 'valid' padding")
    return result


def same_dims(first: Dim, second: Dim) -> bool:
    """False only when two sizes certainly differ (symbolic sizes that may be equal pass)."""
    if first is None or second is None or first == second:
        return True
    return (first - second).is_zero is not False


def product(dims_: Sequence[Dim]) -> Dim:
    """Product of sizes, ``None`` if any is unknown."""
    if any(item is None for item in dims_):
        return None
    return sympy.Mul(*dims_)


def transpose_length(length: Dim, kernel, *, stride=1, padding: str = "valid",
                     output_padding=None, dilation=1) -> Dim:
    """Output length of a transposed convolution along one axis (Keras 3's shape rule).

    With the dilated window ``w = (k-1)*dilation + 1`` and input length ``L``:
    ``(L-1)*s + max(w, s)`` for ``valid`` and ``L*s`` for ``same``; an explicit
    ``output_padding`` ``p`` gives ``(L-1)*s + w + p`` (``valid``) or
    ``(L-1)*s + (w mod 2) + p`` (``same``).  ``Max`` and ``Mod`` stay symbolic.
    """
    if length is None:
        return None
    span = (kernel - 1) * dilation + 1
    if output_padding is None:
        return length * stride if padding == "same" else \
            (length - 1) * stride + sympy.Max(span, stride)
    tail = sympy.Mod(span, 2) if padding == "same" else span
    return (length - 1) * stride + tail + output_padding


def map_shape(shape, func):
    """Apply ``func`` to every known size of a shape or of a list of shapes."""
    if isinstance(shape, list):
        return [map_shape(item, func) for item in shape]
    return tuple(None if item is None else func(item) for item in shape)
