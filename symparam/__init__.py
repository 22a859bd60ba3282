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

from symparam.analysis.compare import Comparison, compare
from symparam.analysis.query import (
                                     crossover,
                                     leading_term,
                                     sensitivity,
                                     shares,
                                     solve_budget,
                                     sweep,
)
from symparam.analysis.reconcile import reconcile
from symparam.core.dims import dim, dims, parse
from symparam.core.errors import SymparamError
from symparam.engine.derivation import Derivation
from symparam.engine.graph import Tensor
from symparam.engine.layer import Layer
from symparam.engine.weights import Buffer, Param, Weight
from symparam.importers.hf import from_hf_config, from_safetensors
from symparam.importers.keras.config import from_keras
from symparam.importers.reconciliation import Reconciliation
from symparam.importers.spec import Spec, load_spec
from symparam.importers.torch.walk import from_torch
from symparam.models import Input, Model, Row, Sequential, Summary

__all__ = [
    "Buffer", "Comparison", "Derivation", "Input", "Layer", "Model", "Param", "Reconciliation",
    "Row", "Sequential", "Spec", "Summary", "SymparamError", "Tensor", "Weight", "compare",
    "crossover", "dim", "dims", "from_hf_config", "from_keras", "from_safetensors", "from_torch",
    "leading_term", "load_spec", "parse",
    "reconcile", "sensitivity", "shares", "solve_budget", "sweep",
]
