"""Reading untrusted files: one regular-file-and-size check for every path, and a Keras
model's configuration read from its ``.keras`` zip without extracting or running anything.

``read_file`` opens a path without blocking (a FIFO would hang a plain ``open``), checks with
``fstat`` on the open descriptor (no race with a swapped symlink) that it is a regular file no
larger than the cap, and reads at most ``cap + 1`` bytes: ``/dev/zero``, a FIFO, a directory or
a symlink to any of them is refused before a byte is read.  A ``.keras`` archive's member count
is read from its end record before ``zipfile`` parses the central directory (300,000 members
took 6.7 s to list), then only ``config.json`` is read, after checking that it is the only one,
unencrypted, and within the declared size and compression ratio.  JSON goes through the strict
loader (``symparam.importers.strict``).
"""

from __future__ import annotations

import os
import stat
import struct
import zipfile
from pathlib import Path, PurePosixPath

from symparam.core.errors import SymparamError, shorten
from symparam.importers.strict import MAX_DEPTH, MAX_JSON_BYTES, check_tree, load_json

MAX_BYTES = MAX_JSON_BYTES
MAX_MEMBERS = 1_000
MAX_DIRECTORY = 1024 * 1024  # a .keras archive's directory is a few hundred bytes
MAX_RATIO = 100
#: the end-of-archive records live in the last 22 bytes plus a comment of at most 64 KB
_TAIL = 22 + 65_535

__all__ = ["MAX_BYTES", "MAX_DEPTH", "check_depth", "read_config", "read_file", "read_text"]


def read_file(path, *, limit: int | None = MAX_BYTES, what: str = "file") -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes (``None``: read nothing, only
    check); anything else is one ``SymparamError``."""
    with open_regular(path, limit=limit, what=what) as handle:
        data = b"" if limit is None else handle.read(limit + 1)
    if limit is not None and len(data) > limit:  # the file grew after the check
        raise SymparamError(f"{Path(path).name}: larger than {_megabytes(limit)}")
    return data


def read_text(path, *, limit: int = MAX_BYTES, what: str = "file") -> str:
    """``read_file`` decoded as UTF-8 (anything else refused)."""
    try:
        return read_file(path, limit=limit, what=what).decode("utf-8")
    except UnicodeDecodeError:
        raise SymparamError(f"{Path(path).name}: not UTF-8 text") from None


def open_regular(path, *, limit: int | None, what: str = "file"):
    """An open binary handle on ``path`` once it is known to be a regular file within
    ``limit`` bytes (``None``: any size, for archives read by their directory)."""
    name = Path(path).name or str(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
                     | getattr(os, "O_CLOEXEC", 0))
    except (OSError, ValueError, TypeError) as error:
        reason = getattr(error, "strerror", None) or str(error)[:80]
        raise SymparamError(f"{shorten(str(path))}: cannot read {what} ({reason})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise SymparamError(f"{name}: not a regular file (a directory, device or pipe "
                                "cannot be a model file)")
        if limit is not None and info.st_size > limit:
            raise SymparamError(f"{name}: larger than {_megabytes(limit)} (the {what} cap)")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _megabytes(limit: int) -> str:
    return f"{limit // 2**20} MB" if limit >= 2**20 else f"{limit // 1024} KB"


def read_config(source) -> dict:
    """The model config from a ``.keras`` path, a JSON path, a JSON string or a dict."""
    if isinstance(source, dict):  # get_config() holds tuples where saved JSON has lists
        check_tree(source, what="Keras config")
        return _plain(source)
    json_text = isinstance(source, str) and source.lstrip().startswith("{")
    if isinstance(source, Path) or (isinstance(source, str) and not json_text):
        return _from_path(Path(source))
    if isinstance(source, (str, bytes)):
        if len(source) > MAX_BYTES:  # before decoding or parsing anything
            raise SymparamError(f"JSON string: larger than {_megabytes(MAX_BYTES)}")
        text = source if isinstance(source, str) else source.decode("utf-8", "replace")
        return _as_object(load_json(text, "JSON string"), "JSON string")
    raise SymparamError(f"from_keras: expected a path, a JSON string or a dict, got "
                        f"{shorten(source)}")


def _from_path(path: Path) -> dict:
    suffix = path.suffix.lower()
    if suffix in (".h5", ".hdf5"):
        raise SymparamError(f"{path.name}: HDF5 (.h5) model files are not supported; save the "
                            "model as .keras or export model.to_json()")
    with open_regular(path, limit=None if suffix == ".keras" else MAX_BYTES,
                      what="Keras file") as handle:
        if suffix == ".keras" or _looks_like_zip(handle):
            raw = _config_from_zip(handle, path.name)
        else:
            raw = handle.read(MAX_BYTES + 1)
    return _as_object(load_json(raw.decode("utf-8", "replace"), path.name), path.name)


def _looks_like_zip(handle) -> bool:
    start = handle.read(4)
    handle.seek(0)
    return start == b"PK\x03\x04"


def _as_object(data, where: str) -> dict:
    if not isinstance(data, dict):
        raise SymparamError(f"{where}: the model config must be a JSON object")
    return data


def _directory(handle, name: str) -> tuple[int, int]:
    """The member count and central-directory size an archive's end record declares, read
    from its last 64 KB (and the ZIP64 record it points to) before ``zipfile`` lists any
    member; ``zipfile`` reads the directory by its size, so both are bounded."""
    size = handle.seek(0, os.SEEK_END)
    handle.seek(max(0, size - _TAIL))
    tail = handle.read(_TAIL)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        raise SymparamError(f"{name}: not a valid .keras archive (no end record)")
    count, directory = struct.unpack("<xxxxxxxxxxHI", tail[at:at + 16])
    if count == 0xFFFF or directory == 0xFFFFFFFF:  # ZIP64: the locator sits just before
        locator = tail[at - 20:at] if at >= 20 else b""
        if len(locator) != 20 or locator[:4] != b"PK\x06\x07":
            raise SymparamError(f"{name}: damaged ZIP64 end record")
        (offset,) = struct.unpack("<Q", locator[8:16])
        handle.seek(offset)
        record = handle.read(56)
        if len(record) != 56 or record[:4] != b"PK\x06\x06":
            raise SymparamError(f"{name}: damaged ZIP64 end record")
        count, directory = struct.unpack("<QQ", record[32:48])
    handle.seek(0)
    return count, directory


def _config_from_zip(handle, name: str) -> bytes:
    count, directory = _directory(handle, name)
    if count > MAX_MEMBERS:
        raise SymparamError(f"{name}: archive has {count} members (more than {MAX_MEMBERS})")
    if directory > MAX_DIRECTORY:
        raise SymparamError(f"{name}: archive directory of {directory} bytes (more than "
                            f"{MAX_DIRECTORY})")
    try:
        archive = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise SymparamError(f"{name}: not a valid .keras archive ({error})") from None
    with archive:
        config = _config_member(archive.infolist(), name)
        try:
            with archive.open(config) as member:
                raw = member.read(MAX_BYTES + 1)
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError,
                EOFError) as error:
            raise SymparamError(f"{name}: cannot read config.json ({error})") from None
    if len(raw) > MAX_BYTES:
        raise SymparamError(f"{name}: config.json larger than {MAX_BYTES} bytes")
    return raw


def _config_member(members, name: str):
    """The one ``config.json`` member, after checking every member's name."""
    if len(members) > MAX_MEMBERS:
        raise SymparamError(f"{name}: archive has {len(members)} members (more than "
                            f"{MAX_MEMBERS})")
    for member in members:
        path = PurePosixPath(member.filename.replace("\\", "/"))
        if path.is_absolute() or ".." in path.parts or member.filename.startswith("/"):
            raise SymparamError(f"{name}: unsafe member name {shorten(member.filename)}")
    configs = [m for m in members if m.filename == "config.json"]
    if not configs:
        raise SymparamError(f"{name}: no config.json in the archive")
    if len(configs) > 1:  # Keras reads the last, zipfile the first: refuse to guess
        raise SymparamError(f"{name}: the archive holds {len(configs)} config.json members")
    config = configs[0]
    if config.flag_bits & 0x1:
        raise SymparamError(f"{name}: config.json is encrypted")
    if config.file_size > MAX_BYTES:
        raise SymparamError(f"{name}: config.json declares {config.file_size} bytes "
                            f"(more than {MAX_BYTES})")
    if config.file_size > MAX_RATIO * max(config.compress_size, 1):
        raise SymparamError(f"{name}: config.json compression ratio over {MAX_RATIO}")
    return config


def _plain(value, depth: int = 0):
    """A config with tuples turned into lists, as ``json`` would store it."""
    if depth > 200:
        raise SymparamError("config nested too deeply")
    if isinstance(value, dict):
        return {key: _plain(item, depth + 1) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item, depth + 1) for item in value]
    return value


def check_depth(data, *, limit: int = MAX_DEPTH, what: str = "spec") -> None:
    """Refuse parsed JSON/YAML nested deeper than ``limit`` (``strict.check_tree``, kept under
    its old name for the importers that call it)."""
    check_tree(data, limit=limit, what=what)
