"""A model read from PyTorch renders like any model; reconciliation reprs stay short."""

import torch

import symparam as S


def net():
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))


def test_from_torch_result_renders():
    model = S.from_torch(net(), (None, 4))
    out = model.render()
    assert "Linear" in out and "58" in out  # 4*8 + 8 + 8*2 + 2, by hand
    assert "| 0 (Linear)" in model.render("markdown").replace("\\", "")


def test_reconcile_takes_the_shape_positionally_and_has_a_short_repr():
    report = S.reconcile(net(), (None, 4))
    text = repr(report)
    assert report.ok and "\n" not in text and len(text) < 120
    assert text == "<Reconciliation 'sequential' with PyTorch: all rows match>"
