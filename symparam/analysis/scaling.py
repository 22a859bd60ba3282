"""The classic compute approximations beside the exact count, with the symbolic difference.

- Kaplan et al. 2020 (Table 1): a forward pass costs ``2N + 2 n_layer n_ctx d_attn`` FLOPs per
  token, ``N`` the non-embedding parameters; training ``C = 6ND``, ``D`` the tokens.
- Chowdhery et al. 2022 (PaLM, Appendix B): training costs ``6N + 12 L H Q T`` FLOPs per token,
  ``L`` layers, ``H`` heads of width ``Q``, ``T`` the sequence length.

Their inputs are read from the model, not typed in: the embedding tables are the weights the
equations only ever multiply by a one-hot vector (a lookup), and ``n_layer d_attn`` (``L H Q``)
is the query width of every attention, times the layers that repeat it.  The exact figure is
``2 * macs / T`` per token for a forward pass (FLOPs = 2 MACs, as ``FlopCounterMode`` counts)
and three times that for training (the backward pass costs two forward passes).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce

import sympy

from symparam.core.dims import dim
from symparam.engine.cost import OneHot
from symparam.engine.weights import Param
from symparam.torch.llm import HeadsAttend


@dataclass(frozen=True)
class Approximation:
    """A published approximation, the exact value it approximates, and exact - approximate."""

    name: str
    approximate: sympy.Expr
    exact: sympy.Expr

    @property
    def difference(self) -> sympy.Expr:
        return sympy.expand(self.exact - self.approximate)


def lookup_tables(summary) -> sympy.Expr:
    """The parameters of embedding tables (weights only multiplied by one-hot vectors)."""
    sizes = []
    for row in summary.rows:
        if row.derivation is None:
            continue
        tables = {arg.name for eq in row.derivation.equations
                  for product in eq.rhs.atoms(sympy.MatMul)
                  if any(isinstance(a, OneHot) for a in product.args)
                  for arg in product.args if isinstance(arg, Param)}
        sizes += [w.size for name, w in row.derivation.weights.items() if name in tables]
    return sympy.Add(*sizes)


def attention_width(summary) -> sympy.Expr:
    """``n_layer * d_attn``: every self-attention's query width times its repetitions."""
    widths = []
    for row in summary.rows:
        if row.derivation is None:
            continue
        copies = [w.copies for w in row.derivation.weights.values()]
        repeats = reduce(sympy.gcd, copies) if copies else 1
        widths += [repeats * eq.lhs.shape[0] for eq in row.derivation.equations
                   if isinstance(eq.rhs, HeadsAttend) and eq.rhs.cached != HeadsAttend.MEMORY]
    return sympy.Add(*widths)


def approximations(summary, length=None) -> list[Approximation]:
    """Kaplan's forward FLOPs per token, ``6N`` training FLOPs per token, and PaLM's, each
    beside the exact value for sequences of ``length`` tokens (the symbol ``T`` if ``None``;
    the summary's own length if it has one)."""
    length = dim("T") if length is None else sympy.Integer(length)
    if length.is_Integer and any(s.name == "T" for s in summary.free_symbols):
        summary = summary.subs(T=length)
    n_total = summary.total
    n = n_total - lookup_tables(summary)
    width = attention_width(summary)
    forward = 2 * summary.macs / length
    return [
        Approximation("Kaplan forward (2N + 2 n_layer n_ctx d_attn)",
                      2 * n + 2 * width * length, forward),
        Approximation("Kaplan training (6N)", 6 * n, 3 * forward),
        Approximation("PaLM training (6N + 12 L H Q T)", 6 * n_total + 12 * width * length,
                      3 * forward),
    ]
