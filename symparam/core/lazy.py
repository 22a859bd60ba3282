"""Names a package imports on first use (a module ``__getattr__``, PEP 562).

``import symparam`` for one question should not load every importer: a first answer from a
Hugging Face config needs neither the Keras reader nor the PyTorch walk.  A package lists the
names it re-exports with the module each comes from, and this one function serves them all.
"""

from __future__ import annotations

import importlib
import sys


def lazy_names(package: str, names: dict, subpackages=frozenset()):
    """A ``__getattr__`` for ``package``: a name of ``names`` is taken from the module it maps
    to, a name of ``subpackages`` is the subpackage ``package.name``, each imported on first
    access and then kept in the package (later accesses do not come here)."""

    def __getattr__(name: str):
        if name in subpackages:
            return importlib.import_module(f"{package}.{name}")
        if name not in names:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(names[name]), name)
        setattr(sys.modules[package], name, value)
        return value

    return __getattr__
