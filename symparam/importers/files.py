"""Reading a Keras model's configuration from untrusted files, without extracting or running.

A ``.keras`` file is a zip archive: only ``config.json`` is read, after checking the archive's
member count, names, declared size and compression ratio, and at most ``cap + 1`` bytes are
decompressed whatever the archive claims.  JSON is parsed with the standard library; nothing is
imported, unpickled or executed.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path, PurePosixPath

from symparam.core.errors import SymparamError, shorten

MAX_BYTES = 10 * 1024 * 1024
MAX_MEMBERS = 10_000
MAX_RATIO = 100


def read_config(source) -> dict:
    """The model config from a ``.keras`` path, a JSON path, a JSON string or a dict."""
    if isinstance(source, dict):  # get_config() holds tuples where saved JSON has lists
        return _plain(source)
    json_text = isinstance(source, str) and source.lstrip().startswith("{")
    if isinstance(source, Path) or (isinstance(source, str) and not json_text):
        return _from_path(Path(source))
    if isinstance(source, (str, bytes)):
        return _parse_json(source if isinstance(source, str) else source.decode("utf-8", "replace"),
                           "JSON string")
    raise SymparamError(f"from_keras: expected a path, a JSON string or a dict, got "
                        f"{shorten(source)}")


def _from_path(path: Path) -> dict:
    suffix = path.suffix.lower()
    if suffix in (".h5", ".hdf5"):
        raise SymparamError(f"{path.name}: HDF5 (.h5) model files are not supported; save the "
                            "model as .keras or export model.to_json()")
    try:
        size = path.stat().st_size
    except OSError as error:
        raise SymparamError(f"{path}: cannot read ({error.strerror or error})") from None
    if size > MAX_BYTES and suffix != ".keras":
        raise SymparamError(f"{path.name}: larger than {MAX_BYTES // 2**20} MB")
    if suffix == ".keras" or zipfile.is_zipfile(path):
        return _parse_json(_config_from_zip(path), path.name)
    with path.open("rb") as handle:
        raw = handle.read(MAX_BYTES + 1)
    return _parse_json(raw.decode("utf-8", "replace"), path.name)


def _config_from_zip(path: Path) -> str:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise SymparamError(f"{path.name}: not a valid .keras archive ({error})") from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise SymparamError(f"{path.name}: archive has {len(members)} members (more than "
                                f"{MAX_MEMBERS})")
        for member in members:
            name = PurePosixPath(member.filename.replace("\\", "/"))
            if name.is_absolute() or ".." in name.parts or member.filename.startswith("/"):
                raise SymparamError(f"{path.name}: unsafe member name {shorten(member.filename)}")
        config = next((m for m in members if m.filename == "config.json"), None)
        if config is None:
            raise SymparamError(f"{path.name}: no config.json in the archive")
        if config.file_size > MAX_BYTES:
            raise SymparamError(f"{path.name}: config.json declares {config.file_size} bytes "
                                f"(more than {MAX_BYTES})")
        if config.file_size > MAX_RATIO * max(config.compress_size, 1):
            raise SymparamError(f"{path.name}: config.json compression ratio over {MAX_RATIO}")
        try:
            with archive.open(config) as handle:
                raw = handle.read(MAX_BYTES + 1)
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as error:
            raise SymparamError(f"{path.name}: cannot read config.json ({error})") from None
    if len(raw) > MAX_BYTES:
        raise SymparamError(f"{path.name}: config.json larger than {MAX_BYTES} bytes")
    return raw.decode("utf-8", "replace")


def _parse_json(text: str, where: str) -> dict:
    if len(text) > MAX_BYTES:
        raise SymparamError(f"{where}: larger than {MAX_BYTES // 2**20} MB")
    try:
        data = json.loads(text)
    except (RecursionError, MemoryError):
        raise SymparamError(f"{where}: JSON nested too deeply") from None
    except ValueError as error:
        raise SymparamError(f"{where}: not valid JSON ({str(error)[:80]})") from None
    if not isinstance(data, dict):
        raise SymparamError(f"{where}: the model config must be a JSON object")
    return data


def _plain(value, depth: int = 0):
    """A config with tuples turned into lists, as ``json`` would store it."""
    if depth > 200:
        raise SymparamError("config nested too deeply")
    if isinstance(value, dict):
        return {key: _plain(item, depth + 1) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item, depth + 1) for item in value]
    return value

#: how deeply nested a spec or a Keras config may be
MAX_DEPTH = 64


def check_depth(data, *, limit: int = MAX_DEPTH, what: str = "spec") -> None:
    """Refuse parsed JSON/YAML nested deeper than ``limit``, level by level (no recursion)."""
    level = [data]  # level by level, without recursion or a pair per item (large Keras configs)
    for _ in range(limit + 1):
        below = []
        for item in level:
            if isinstance(item, dict):
                below.extend(item.values())
            elif isinstance(item, list):
                below.extend(item)
        if not below:
            return
        level = below
    raise SymparamError(f"{what} nested deeper than {limit} levels")
