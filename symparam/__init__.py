"""symparam: parameter formulas, output shapes and costs derived from layers' own equations.

>>> import symparam as S
>>> from symparam.layers import LSTM
>>> u, d = S.dims("u d")
>>> LSTM(units=u).derive((None, 25, d)).params
4*u*(d + u + 1)

This module only re-exports the public API; the package is layered bottom-up as ``core``,
``engine``, ``layers``/``torch`` (the two catalogues), ``models``, ``importers``, ``analysis``
and ``report`` (see ``docs/architecture.md``).
"""

from symparam.core.dims import dim, dims, parse
from symparam.core.errors import SymparamError
from symparam.core.lazy import lazy_names
from symparam.engine.derivation import Derivation
from symparam.engine.graph import Tensor
from symparam.engine.layer import Layer
from symparam.engine.weights import Buffer, Param, Weight
from symparam.models import Input, Model, Row, Sequential, Summary

#: names imported on first use, so that ``import symparam`` for one importer does not load the
#: others (the Keras reader, the PyTorch walk, the comparisons): a first answer in a fresh
#: process costs little more than ``import sympy``
_LAZY = {
    **dict.fromkeys(("Comparison", "compare"), "symparam.analysis.compare"),
    **dict.fromkeys(("crossover", "leading_term", "sensitivity", "shares", "solve_budget",
                     "sweep"), "symparam.analysis.query"),
    "reconcile": "symparam.analysis.reconcile",
    **dict.fromkeys(("from_hf_config", "from_safetensors"), "symparam.importers.hf"),
    "from_keras": "symparam.importers.keras.config",
    "Reconciliation": "symparam.importers.reconciliation",
    **dict.fromkeys(("Spec", "load_spec"), "symparam.importers.spec"),
    "from_torch": "symparam.importers.torch.walk",
}
#: subpackages reachable as attributes (``symparam.layers.LSTM``), imported on first use too
_SUBPACKAGES = frozenset({"analysis", "core", "engine", "importers", "layers", "models",
                          "report", "torch", "query", "docsgen", "cli"})
__getattr__ = lazy_names(__name__, _LAZY, _SUBPACKAGES)


def __dir__() -> list:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "Buffer", "Comparison", "Derivation", "Input", "Layer", "Model", "Param", "Reconciliation",
    "Row", "Sequential", "Spec", "Summary", "SymparamError", "Tensor", "Weight", "compare",
    "crossover", "dim", "dims", "from_hf_config", "from_keras", "from_safetensors", "from_torch",
    "leading_term", "load_spec", "parse",
    "reconcile", "sensitivity", "shares", "solve_budget", "sweep",
]
