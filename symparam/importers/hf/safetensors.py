"""Checkpoint headers: the tensors of a ``.safetensors`` file (or of every shard a
``model.safetensors.index.json`` names) without reading a byte of tensor data.

A safetensors file starts with an 8-byte little-endian header length, then that many bytes of
JSON: ``{name: {"dtype", "shape", "data_offsets"}, "__metadata__": {...}}``
(huggingface/safetensors, "Format").  The length is checked against a cap and the file's size
before anything is read, the offsets against the data that follows; shard names in an index
must be plain file names beside it.
"""

from __future__ import annotations

import json
import math
import re
import struct
from dataclasses import dataclass
from pathlib import Path

from symparam.core.errors import SymparamError, shorten
from symparam.importers.hf.config import MAX_DEPTH, read_capped

#: safetensors itself refuses headers over 100 MB
MAX_HEADER = 100 * 1024 * 1024
MAX_INDEX = 16 * 1024 * 1024
MAX_SHARDS = 10_000
ITEM_BYTES = {"BOOL": 1, "U8": 1, "I8": 1, "F8_E5M2": 1, "F8_E4M3": 1, "I16": 2, "U16": 2,
              "F16": 2, "BF16": 2, "I32": 4, "U32": 4, "F32": 4, "I64": 8, "U64": 8, "F64": 8}
_SHARD = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,200}\.safetensors")
INDEX = "model.safetensors.index.json"


@dataclass(frozen=True)
class Tensor:
    """One tensor of a checkpoint: its dtype, shape and element count."""

    dtype: str
    shape: tuple
    numel: int


@dataclass(frozen=True)
class Checkpoint:
    """The tensors of a checkpoint by name (``S.from_safetensors``)."""

    tensors: dict
    files: tuple

    @property
    def total(self) -> int:
        return sum(t.numel for t in self.tensors.values())

    def __repr__(self) -> str:
        return f"<Checkpoint: {len(self.tensors)} tensors in {len(self.files)} file(s), " \
               f"total={self.total}>"


def from_safetensors(path) -> Checkpoint:
    """The per-tensor counts of a ``.safetensors`` file, an index, or a model folder."""
    path = Path(path)
    if path.is_dir():
        index, single = path / INDEX, path / "model.safetensors"
        path = index if index.exists() else single
    if path.name.endswith(".index.json"):
        return _from_index(path)
    return Checkpoint(read_header(path), (path.name,))


def _from_index(path: Path) -> Checkpoint:
    try:
        data = json.loads(read_capped(path, MAX_INDEX))
    except (ValueError, RecursionError):
        raise SymparamError(f"{path.name}: not valid JSON") from None
    weight_map = data.get("weight_map") if isinstance(data, dict) else None
    if not isinstance(weight_map, dict):
        raise SymparamError(f"{path.name}: weight_map must be an object of tensor: file")
    shards = sorted(set(weight_map.values()), key=str)
    if len(shards) > MAX_SHARDS or not all(isinstance(s, str) and _SHARD.fullmatch(s)
                                           for s in shards):
        bad = next((s for s in shards if not isinstance(s, str) or not _SHARD.fullmatch(s)),
                   len(shards))
        raise SymparamError(f"{path.name}: weight_map must name shard files beside it, got "
                            f"{shorten(bad)}")
    tensors: dict = {}
    for shard in shards:
        for name, tensor in read_header(path.parent / shard).items():
            if weight_map.get(name) != shard:
                raise SymparamError(f"{shard}: tensor {shorten(name)} is not mapped to this "
                                    f"shard in {path.name}")
            tensors[name] = tensor
    missing = sorted(set(weight_map) - set(tensors))
    if missing:
        raise SymparamError(f"{path.name}: tensor {shorten(missing[0])} is in no shard")
    return Checkpoint(tensors, tuple(shards))


def read_header(path: Path) -> dict:
    """``{name: Tensor}`` from one file's header; the tensor data is never read."""
    try:
        with path.open("rb") as handle:
            size = path.stat().st_size
            prefix = handle.read(8)
            if len(prefix) < 8:
                raise SymparamError(f"{path.name}: too short for a safetensors header")
            (length,) = struct.unpack("<Q", prefix)
            if length > MAX_HEADER or length > size - 8:
                raise SymparamError(f"{path.name}: the header claims {length} bytes (the cap "
                                    f"is {MAX_HEADER}, the file has {size - 8} after the "
                                    "length)")
            raw = handle.read(length)
    except OSError as error:
        raise SymparamError(f"{path}: cannot read ({error.strerror or error})") from None
    return _tensors(path.name, raw, size - 8 - length)


def _tensors(where: str, raw: bytes, data_bytes: int) -> dict:
    try:
        header = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError, UnicodeDecodeError):
        raise SymparamError(f"{where}: the header is not valid JSON") from None
    if not isinstance(header, dict):
        raise SymparamError(f"{where}: the header must be an object")
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        tensors[name] = _tensor(where, name, entry, data_bytes)
    return tensors


def _tensor(where: str, name: str, entry, data_bytes: int) -> Tensor:
    if not isinstance(entry, dict):
        raise SymparamError(f"{where}: tensor {shorten(name)} must be an object")
    dtype, shape, offsets = entry.get("dtype"), entry.get("shape"), entry.get("data_offsets")
    if dtype not in ITEM_BYTES:
        raise SymparamError(f"{where}: tensor {shorten(name)} has an unknown dtype "
                            f"{shorten(dtype)}")
    if not isinstance(shape, list) or len(shape) > MAX_DEPTH or not all(
            isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in shape):
        raise SymparamError(f"{where}: tensor {shorten(name)} has a bad shape {shorten(shape)}")
    numel = math.prod(shape)
    if not isinstance(offsets, list) or len(offsets) != 2 or not all(
            isinstance(n, int) and not isinstance(n, bool) for n in offsets) or \
            not 0 <= offsets[0] <= offsets[1] <= data_bytes or \
            offsets[1] - offsets[0] != numel * ITEM_BYTES[dtype]:
        raise SymparamError(f"{where}: tensor {shorten(name)} claims data_offsets "
                            f"{shorten(offsets)} that do not fit its shape and the file")
    return Tensor(dtype, tuple(shape), numel)
