"""Reading a Hugging Face ``config.json`` as untrusted data, one checked field at a time.

The source is a dict, JSON text, a ``config.json`` path or a model folder holding one.  Files are
size-capped and parsed with the standard library; nothing named in the config is imported,
followed or run (``auto_map`` and ``trust_remote_code`` point at code in the model's repository,
which symparam never reads).  Every field a family reads goes through ``Config``, which checks
its type and range and names the field in its one error.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import sympy

from symparam.core.dims import NAME_PATTERN, dim
from symparam.core.errors import SymparamError, shorten

MAX_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 16
#: the largest size any field may give (a width, a vocabulary, a table of positions)
MAX_SIZE = 10**8
MAX_LAYERS = 1000
_MISSING = object()


def load(source) -> dict:
    """The config as a dict, from a dict, JSON text, a path or a folder."""
    if isinstance(source, dict):
        data = source
    elif isinstance(source, str) and source.lstrip().startswith("{"):
        data = _parse(source, "JSON text")
    elif isinstance(source, (str, Path)):
        data = _parse(read_capped(config_path(Path(source)), MAX_BYTES), "config.json")
    else:
        raise SymparamError(f"from_hf_config: expected a config.json path, a model folder, "
                            f"JSON text or a dict, got {shorten(source)}")
    _check_depth(data, 0)
    if not isinstance(data, dict):
        raise SymparamError("config.json: the top level must be an object")
    return data


def config_path(path: Path) -> Path:
    """``path`` itself, or the ``config.json`` in the folder ``path``."""
    return path / "config.json" if path.is_dir() else path


def read_capped(path: Path, cap: int) -> str:
    """At most ``cap`` bytes of ``path`` as text (more is an error, never read)."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(cap + 1)
    except OSError as error:
        raise SymparamError(f"{path}: cannot read ({error.strerror or error})") from None
    if len(raw) > cap:
        raise SymparamError(f"{path.name}: larger than {cap // 1024} KB")
    return raw.decode("utf-8", "replace")


def _parse(text: str, where: str):
    if len(text) > MAX_BYTES:
        raise SymparamError(f"{where}: larger than {MAX_BYTES // 1024} KB")
    try:
        return json.loads(text)
    except RecursionError:
        raise SymparamError(f"{where}: nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as error:
        raise SymparamError(f"{where}: not valid JSON ({shorten(str(error), 80)})") from None


def _check_depth(value, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise SymparamError(f"config.json: nested deeper than {MAX_DEPTH} levels")
    children = value.values() if isinstance(value, dict) else \
        value if isinstance(value, list) else ()
    for child in children:
        _check_depth(child, depth + 1)


class Config:
    """Typed access to a config's fields, with the family's defaults for absent ones."""

    def __init__(self, data: dict, defaults: dict, where: str = "config.json", symbolic=None):
        self.data, self.defaults, self.where = data, defaults, where
        #: fields read as symbols (``{"hidden_size": d}``) instead of their values
        self.symbols = {}
        for field, name in (symbolic or {}).items():
            if not isinstance(field, str) or not NAME_PATTERN.fullmatch(field):
                raise SymparamError(f"symbolic: {shorten(field)} is not a config field")
            self.symbols[field] = dim(name)

    def _raw(self, name: str, default):
        """The field's value; when absent (or null where a default exists) the family's
        default, else ``default``."""
        value = self.data.get(name, _MISSING)
        if value is _MISSING or value is None:
            if self.defaults.get(name) is not None:
                return self.defaults[name]
            return None if default is _MISSING else default
        return value

    def fail(self, name: str, wanted: str, value) -> SymparamError:
        return SymparamError(f"{self.where}: {name} must be {wanted}, got {shorten(value)}")

    def size(self, name: str, default=_MISSING, *, maximum=MAX_SIZE, minimum=1) -> int:
        """A positive integer no larger than ``maximum`` (or the field's symbol)."""
        if name in self.symbols:
            return self.symbols[name]
        value = self._raw(name, default)
        if value is default and isinstance(value, sympy.Expr):
            return value  # a default computed from symbolic fields (GPT-2's n_inner = 4*d)
        if isinstance(value, bool) or not isinstance(value, int) or \
                not minimum <= value <= maximum:
            raise self.fail(name, f"an integer from {minimum} to {maximum}", value)
        return value

    def optional_size(self, name: str, **limits) -> int | None:
        """A size that may be absent (the family's default then) or null (none)."""
        if name in self.data and self.data[name] is None:
            return None
        return None if self._raw(name, None) is None else self.size(name, **limits)

    def layers(self, name: str, default=_MISSING) -> int:
        return self.size(name, default, maximum=MAX_LAYERS)

    def flag(self, name: str, default=_MISSING) -> bool:
        value = self._raw(name, default)
        if not isinstance(value, bool):
            raise self.fail(name, "true or false", value)
        return value

    def name(self, name: str, default=_MISSING) -> str:
        """A plain identifier (an activation's name, shown in the equations)."""
        value = self._raw(name, default)
        if not isinstance(value, str) or not NAME_PATTERN.fullmatch(value):
            raise self.fail(name, "a name such as 'gelu'", value)
        return value

    def text(self, name: str, pattern: str, wanted: str, default=_MISSING) -> str:
        """A string matching ``pattern`` in full."""
        value = self._raw(name, default)
        if not isinstance(value, str) or not re.fullmatch(pattern, value):
            raise self.fail(name, wanted, value)
        return value

    def choice(self, name: str, allowed, default=_MISSING):
        value = self._raw(name, default)
        if value not in allowed:
            raise self.fail(name, f"one of {', '.join(map(repr, allowed))}", value)
        return value

    def unsupported(self, name: str) -> None:
        """Refuse a flag that adds parts symparam does not build (a decoder's cross-attention
        without its encoder)."""
        if self.flag(name, False):
            raise SymparamError(f"{self.where}: {name}=true is not supported for "
                                f"{self.data.get('model_type')!r}")

    def labels(self) -> int:
        """``num_labels``, else the number of ``id2label`` entries, else 2 (transformers)."""
        if "num_labels" in self.data:
            return self.size("num_labels", maximum=10**6)
        labels = self.data.get("id2label")
        if labels is None:
            return 2
        if not isinstance(labels, dict) or not 0 < len(labels) <= 10**6:
            raise self.fail("id2label", "an object of labels", labels)
        return len(labels)

    def head_dim(self, hidden: int, heads: int, name: str | None = "head_dim") -> int:
        """The field ``name`` when given (families without one pass ``None``), else
        ``hidden_size / num_attention_heads``, which must divide, as transformers requires."""
        if name is not None and (name in self.symbols or self._raw(name, None) is not None):
            return self.size(name)
        if not isinstance(hidden, int) or not isinstance(heads, int):
            return hidden / heads  # symbolic: transformers' integer division, stated exactly
        if hidden % heads:
            raise SymparamError(f"{self.where}: the hidden size {hidden} is not divisible by "
                                f"the {heads} attention heads")
        return hidden // heads

    def kv_heads(self, heads: int, name: str = "num_key_value_heads") -> int:
        kv = self.size(name, heads)
        if isinstance(kv, int) and isinstance(heads, int) and heads % kv:
            raise SymparamError(f"{self.where}: {name}={kv} must divide the {heads} "
                                "attention heads")
        return kv
