"""symparam: parameter formulas, output shapes and costs derived from layers' own equations.

>>> import symparam as S
>>> from symparam.layers import LSTM
>>> u, d = S.dims("u d")
>>> LSTM(units=u).derive((None, 25, d)).params
4*u*(d + u + 1)
"""

from symparam.compare import Comparison, compare
from symparam.dims import dim, dims, parse
from symparam.engine import Derivation, Layer, Param, Weight
from symparam.errors import SymparamError
from symparam.graph import Tensor
from symparam.importers.hf import from_hf_config, from_safetensors
from symparam.importers.keras import from_keras
from symparam.importers.torch import from_torch
from symparam.model import Input, Model, Row, Sequential, Summary
from symparam.reconcile import Reconciliation, reconcile
from symparam.spec import Spec, load_spec

__all__ = [
    "Comparison", "Derivation", "Input", "Layer", "Model", "Param", "Reconciliation", "Row",
    "Sequential", "Spec", "Summary", "SymparamError", "Tensor", "Weight", "compare", "dim",
    "dims", "from_hf_config", "from_keras", "from_safetensors", "from_torch", "load_spec", "parse", "reconcile",
]
