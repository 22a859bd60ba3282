"""The GPT family from one symbolic spec, checked against PyTorch builds of the same models."""

from pathlib import Path

import pytest
import torch
from torch_models import GPT
from torch_reference import macs_per_example

from symparam.analysis.family import GPT_CONFIGS, VOCABULARY, equal_budgets, gpt_family

SPEC = Path(__file__).resolve().parents[2] / "docs" / "examples" / "gpt.yaml"


def gpt(d, L, h, n):  # noqa: N803 - the papers' names
    """The PyTorch GPT of a configuration, with GPT-2's vocabulary and ``n`` positions."""
    return GPT(vocab=VOCABULARY, positions=n, d=d, layers=L, heads=h)


def torch_count(config) -> int:
    with torch.device("meta"):  # shapes only: no memory for the weights
        model = gpt(**config)
    return sum(p.numel() for p in model.parameters())  # tied weights are yielded once


def test_gpt2_sizes_match_pytorch_and_gpt3_matches_the_paper():
    _, leading, rows = gpt_family(SPEC)
    by_name = {row.name: row for row in rows}
    for name in ("GPT-2 small", "GPT-2 medium", "GPT-2 large", "GPT-2 XL"):
        assert by_name[name].params == torch_count(GPT_CONFIGS[name]), name
    assert by_name["GPT-2 small"].params == 124_439_808           # the reference number
    assert by_name["GPT-3 175B"].params == 174_604_259_328        # Brown et al., exact
    assert str(leading) == "12*L*d**2"


def test_equal_budget_widths_are_tight():
    _, _, widths, crossover = equal_budgets()
    for budget, lstm_width, gru_width in widths:
        assert 4 * lstm_width * (lstm_width + 257) <= budget < \
            4 * (lstm_width + 1) * (lstm_width + 258)
        assert 3 * gru_width * (gru_width + 258) <= budget < \
            3 * (gru_width + 1) * (gru_width + 259)
    assert 4 * crossover * (crossover + 257) >= 3 * crossover * (crossover + 258) + 10_000
    assert 4 * (crossover - 1) * (crossover + 256) < \
        3 * (crossover - 1) * (crossover + 257) + 10_000


def test_gpt_macs_match_pytorch_counter_with_the_tied_head():
    """The spec's MACs per sequence at a small configuration, against PyTorch's counter on
    the nn model (attention unmasked in both; the tied head computes its logits)."""
    config = dict(d=32, L=2, h=4, n=16)
    summary, _, _ = gpt_family(SPEC)
    tokens = torch.randint(0, VOCABULARY, (2, config["n"]))
    assert summary.subs(V=VOCABULARY, **config).macs == \
        macs_per_example(gpt(**config), [tokens], 2)


@pytest.mark.parametrize("name", sorted(GPT_CONFIGS))
def test_gpt_macs_per_sequence_counted_by_hand(name):
    """Per block and token: q, k, v and output projections 4*d*d, the MLP 8*d*d; per block and
    sequence the full (unmasked) QK^T and AV products n*n*d each; embeddings are lookups; the
    output layer tied to the token embedding d*V per token."""
    _, _, rows = gpt_family(SPEC)
    row = next(r for r in rows if r.name == name)
    c = GPT_CONFIGS[name]
    per_block = c["n"] * 12 * c["d"] ** 2 + 2 * c["n"] ** 2 * c["d"]
    assert row.macs == c["L"] * per_block + c["n"] * c["d"] * VOCABULARY
