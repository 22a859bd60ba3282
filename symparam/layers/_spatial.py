"""Shared argument handling for layers that slide a window over 1, 2 or 3 spatial axes."""

from __future__ import annotations

from symparam.core import args
from symparam.core.errors import SymparamError
from symparam.core.shapes import format_shape
from symparam.engine.weights import UNKNOWN

DATA_FORMATS = ("channels_last", "channels_first")


def data_format(layer, value) -> str:
    """Keras's ``data_format``; ``None`` means Keras's default, ``channels_last``."""
    return layer.as_choice("data_format", value or "channels_last", DATA_FORMATS)


def channel_axis(fmt: str) -> int:
    return -1 if fmt == "channels_last" else 1


def split_spatial(layer, input_shape, rank: int, fmt: str):
    """``(batch, spatial sizes, channels)`` of an input of ``rank`` spatial axes."""
    if len(input_shape) != rank + 2:
        raise SymparamError(f"{args.where(layer)}: expects an input with {rank} spatial axes "
                            f"(rank {rank + 2}), got {format_shape(input_shape)}")
    if fmt == "channels_last":
        return input_shape[0], list(input_shape[1:-1]), input_shape[-1]
    return input_shape[0], list(input_shape[2:]), input_shape[1]


def join_spatial(batch, spatial, channels, fmt: str) -> tuple:
    """The inverse of ``split_spatial``."""
    if fmt == "channels_last":
        return (batch, *spatial, channels)
    return (batch, channels, *spatial)


def channels(layer, input_shape, rank: int, fmt: str):
    """The channel count (``engine.UNKNOWN`` when the input leaves it unknown: fine for a
    pooling, refused by the engine for a layer whose weights it would size)."""
    found = split_spatial(layer, input_shape, rank, fmt)[2]
    return UNKNOWN if found is None else found
