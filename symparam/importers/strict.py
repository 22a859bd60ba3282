"""One strict loader for untrusted JSON and YAML: duplicate keys, non-string keys, huge numbers,
alias bombs and deep nesting are refused with one ``SymparamError``.

Python's ``json`` and PyYAML silently keep the last of two equal keys, and a YAML alias lets a
few hundred bytes stand for billions of nodes ("billion laughs").  Every file symparam reads
(specs, Keras configs, and whatever importer comes next) goes through ``load_json`` or
``load_yaml`` here and then ``check_tree``, so those rules live in one place.

Caps (CPU time measured on this project's 2-core machine; DESIGN.md section 6 lowered where a
file at the old 10 MB cap could not be parsed in about a second): JSON 5 MB (0.3 s; 10 MB took
0.8 s, and a 5 MB config already holds more layers than the 10,000-layer model cap), YAML 256 KB
(0.3 s with libyaml; 1 MB took 1.5 to 1.9 s: PyYAML builds every value in Python), nesting 64
levels, 1,000,000 values once aliases are expanded, integers of at most 30 digits.
"""

from __future__ import annotations

import json

from symparam.core.errors import SymparamError

MAX_JSON_BYTES = 5 * 1024 * 1024
MAX_YAML_BYTES = 256 * 1024
MAX_DEPTH = 64
MAX_ITEMS = 1_000_000
#: integer literals longer than this are refused before ``int()`` sees them
MAX_INT_DIGITS = 30


def _unique_pairs(where: str):
    """A ``json`` object hook refusing a key given twice (the last would silently win)."""
    def hook(pairs):
        result = dict(pairs)
        if len(result) != len(pairs):
            seen: set = set()
            twice = next(key for key, _ in pairs if key in seen or seen.add(key))
            raise SymparamError(f"{where}: key {twice[:60]!r} is given twice")
        return result
    return hook


def _bounded_int(where: str):
    def parse_int(digits: str) -> int:
        if len(digits) > MAX_INT_DIGITS:
            raise SymparamError(f"{where}: an integer of {len(digits)} digits is too large")
        return int(digits)
    return parse_int


def load_json(text: str, where: str):
    """Parse untrusted JSON text: at most 5 MB, unique keys, integers of at most 30 digits."""
    if len(text) > MAX_JSON_BYTES:
        raise SymparamError(f"{where}: larger than {MAX_JSON_BYTES // 2**20} MB")
    try:
        data = json.loads(text, object_pairs_hook=_unique_pairs(where),
                          parse_int=_bounded_int(where))
    except (RecursionError, MemoryError):
        raise SymparamError(f"{where}: JSON nested too deeply or too large") from None
    except SymparamError:
        raise
    except ValueError as error:
        raise SymparamError(f"{where}: not valid JSON{position(error)}") from None
    check_tree(data, what=where, keys=False)  # JSON keys are strings
    return data


def load_yaml(text: str, where: str):
    """Parse untrusted YAML with PyYAML's safe loader (libyaml when present): at most 256 KB,
    unique string keys; aliases and nesting are bounded by ``check_tree`` on the result
    (PyYAML builds an aliased node once and shares it, so construction itself stays cheap)."""
    import yaml  # only specs need it, and it adds 10 ms to ``import symparam``

    if len(text) > MAX_YAML_BYTES:
        raise SymparamError(f"{where}: larger than {MAX_YAML_BYTES // 1024} KB (a YAML spec)")
    loader = _strict_loader(yaml)(text)
    try:
        _check_events(yaml, text, where)
        data = loader.get_single_data()
    except SymparamError as error:  # the constructor's refusals name a line, not the file
        if str(error).startswith(f"{where}:"):
            raise
        raise SymparamError(f"{where}: {error}") from None
    except (RecursionError, MemoryError):
        raise SymparamError(f"{where}: YAML nested too deeply or too large") from None
    except (yaml.YAMLError, ValueError, TypeError, OverflowError, IndexError, KeyError,
            AttributeError) as error:  # PyYAML's constructors fail in all these ways on tags
        # such as ``!!int ''`` (IndexError) or ``!!timestamp 2001-13-99`` (ValueError)
        raise SymparamError(f"{where}: not valid YAML{position(error)}") from None
    finally:
        loader.dispose()
    check_tree(data, what=where, keys=False)  # the strict constructor checked every key
    return data


def _check_events(yaml, text: str, where: str) -> None:
    """Refuse nesting deeper than 64 from libyaml's event stream, before a node is composed
    (5,000 nested brackets took 0.12 s to compose only to be refused afterwards)."""
    depth = 0
    starts = (yaml.SequenceStartEvent, yaml.MappingStartEvent)
    ends = (yaml.SequenceEndEvent, yaml.MappingEndEvent)
    for event in yaml.parse(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
        if isinstance(event, starts):
            depth += 1
            if depth > MAX_DEPTH:
                raise SymparamError(f"{where}: nested deeper than {MAX_DEPTH} levels")
        elif isinstance(event, ends):
            depth -= 1


_LOADERS: dict = {}


def _strict_loader(yaml):
    """PyYAML's (C) safe loader with a mapping constructor that refuses duplicate and
    non-string keys; built once."""
    if "strict" in _LOADERS:
        return _LOADERS["strict"]
    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    merge = "tag:yaml.org,2002:merge"

    class StrictLoader(base):
        def construct_mapping(self, node, deep=False):
            seen: set = set()
            for key_node, _ in getattr(node, "value", []):
                if key_node.tag == merge:
                    continue
                if not isinstance(key_node, yaml.ScalarNode):
                    raise SymparamError(f"line {key_node.start_mark.line + 1}: a mapping key must "
                                        "be a string")
                key = self.construct_object(key_node)
                if not isinstance(key, str):
                    raise SymparamError(f"line {key_node.start_mark.line + 1}: mapping key "
                                        f"{key!r} must be a string")
                if key in seen:
                    raise SymparamError(f"line {key_node.start_mark.line + 1}: key "
                                        f"{key[:60]!r} is given twice")
                seen.add(key)
            return super().construct_mapping(node, deep=deep)

        def construct_yaml_int(self, node):
            if len(node.value) > MAX_INT_DIGITS:  # int() of 200,000 digits is quadratic
                raise SymparamError(f"line {node.start_mark.line + 1}: an integer of "
                                    f"{len(node.value)} digits is too large")
            return super().construct_yaml_int(node)

    StrictLoader.add_constructor("tag:yaml.org,2002:int", StrictLoader.construct_yaml_int)

    _LOADERS["strict"] = StrictLoader
    return StrictLoader


_CONTAINERS = (dict, list, tuple)


def check_tree(data, *, limit: int = MAX_DEPTH, what: str = "spec", keys: bool = True) -> None:
    """Refuse parsed data nested deeper than ``limit``, holding more than 1,000,000 values once
    shared (aliased) parts are counted each time they occur, or with a non-string key.

    Level by level, without recursion.  A level whose containers are not all distinct (YAML
    aliases, a list shared 2**60 times over) is merged into its distinct containers with the
    number of times each occurs, so an alias bomb is refused after looking at its few distinct
    parts; parsed JSON, which shares nothing, never pays for the merge.  ``keys=False`` skips
    the key check for data whose parser already made every key a string."""
    level = [data] if isinstance(data, _CONTAINERS) else []
    times: list | None = None  # how often each container of the level occurs (None: once)
    total = 0
    for _ in range(limit + 1):
        below: list = []
        if times is None:
            for item in level:
                below.extend(_children(item, keys, what))
            total += len(below)
        else:
            counts: list = []
            for item, weight in zip(level, times):
                children = _children(item, keys, what)
                below.extend(children)
                counts.extend([weight] * len(children))
            total += sum(counts)
        if total > MAX_ITEMS:
            raise SymparamError(f"{what}: more than {MAX_ITEMS:,} values (aliases expanded)")
        if times is None:
            below, counts = [child for child in below if isinstance(child, _CONTAINERS)], None
        else:
            kept = [(c, w) for c, w in zip(below, counts) if isinstance(c, _CONTAINERS)]
            below, counts = [c for c, _ in kept], [w for _, w in kept]
        if not below:
            return
        level, times = _merged(below, counts)
    raise SymparamError(f"{what}: nested deeper than {limit} levels")


def _children(item, keys: bool, what: str):
    if isinstance(item, dict):
        if keys and not all(map(isinstance, item, [str] * len(item))):
            raise SymparamError(f"{what}: mapping keys must be strings")
        return item.values()
    return item


def _merged(items: list, counts: list | None) -> tuple[list, list | None]:
    """``items`` with each shared container once and how often it occurs (``None`` when every
    item is distinct and occurs once)."""
    ids = list(map(id, items))
    if len(set(ids)) == len(ids):
        return items, counts
    merged: dict = {}
    for item, key, weight in zip(items, ids, counts or [1] * len(items)):
        if key in merged:
            merged[key][1] += weight
        else:
            merged[key] = [item, weight]
    return [pair[0] for pair in merged.values()], [pair[1] for pair in merged.values()]


def position(error) -> str:
    """Where a YAML or JSON syntax error is, 1-based as editors count (``" at line 3,
    column 7: found ':'"``), or the error's first line."""
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    if mark is not None:  # yaml.MarkedYAMLError
        what = getattr(error, "problem", None) or getattr(error, "context", None) or ""
        return f" at line {mark.line + 1}, column {mark.column + 1}: {what}"[:200]
    if hasattr(error, "lineno") and hasattr(error, "colno"):  # json.JSONDecodeError
        return f" at line {error.lineno}, column {error.colno}: {error.msg}"[:200]
    first = str(error).splitlines()[0][:120] if str(error) else type(error).__name__
    return f": {first}"
