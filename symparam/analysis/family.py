"""The worked query examples: the GPT family from one symbolic spec, and the seed's LSTM and
GRU at equal parameter budgets.  Data for ``docs/queries.md`` (``python -m symparam.report.docsgen``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sympy

from symparam.analysis.query import crossover, leading_term, solve_budget
from symparam.core.dims import dims
from symparam.importers.spec import load_spec
from symparam.layers import GRU, LSTM

#: published GPT configurations (Radford et al. 2019, Table 2; Brown et al. 2020, Table 2.1)
GPT_CONFIGS = {
    "GPT-2 small": dict(d=768, L=12, h=12, n=1024),
    "GPT-2 medium": dict(d=1024, L=24, h=16, n=1024),
    "GPT-2 large": dict(d=1280, L=36, h=20, n=1024),
    "GPT-2 XL": dict(d=1600, L=48, h=25, n=1024),
    "GPT-3 175B": dict(d=12288, L=96, h=96, n=2048),
}
VOCABULARY = 50257
BUDGETS = (100_000, 1_000_000, 10_000_000)
FEATURES = 256


@dataclass(frozen=True)
class FamilyRow:
    name: str
    config: dict
    params: sympy.Integer
    macs: sympy.Integer


def gpt_family(spec_path: Path):
    """The symbolic total and MACs of ``gpt.yaml``, its leading term, and every config's
    numbers (parameters; MACs per sequence of ``n`` tokens, the tied output layer included)."""
    summary = load_spec(spec_path).model.summary()
    rows = []
    for name, config in GPT_CONFIGS.items():
        values = summary.subs(V=VOCABULARY, **config)
        rows.append(FamilyRow(name, config, values.total, values.macs))
    return summary, leading_term(summary.total, ["d"]), rows


def equal_budgets():
    """LSTM and GRU widths that fit each budget on ``FEATURES`` input features, and the width
    where an LSTM outgrows a GRU with a fixed extra cost of 10,000 parameters."""
    u = dims("u")
    lstm = LSTM(u).derive((None, None, FEATURES)).params
    gru = GRU(u).derive((None, None, FEATURES)).params
    widths = [(budget, solve_budget(lstm, budget, u), solve_budget(gru, budget, u))
              for budget in BUDGETS]
    return lstm, gru, widths, crossover(lstm, gru + 10_000, u)
