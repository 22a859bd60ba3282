"""``Repeated`` has a PyTorch twin (``nn.ModuleList`` of the block's twins), and an incomplete
comparison never shows a PyTorch total or a difference."""

from pathlib import Path

import torch

import symparam as S
from symparam.analysis.compare import compare
from symparam.layers import Dense, Repeated

EXAMPLES = Path(__file__).parent.parent.parent / "docs" / "examples"
u, d, L = S.dims("u d L")


def test_gpt_spec_compares_completely_with_gpt2_small_count():
    report = compare(EXAMPLES / "gpt.yaml")
    assert report.complete
    numbers = report.evaluated()
    # GPT-2 small (tied embeddings): 124,439,808 parameters in both conventions (Radford et
    # al. 2019; Hugging Face's GPT2LMHeadModel.num_parameters())
    assert numbers.torch_total == 124_439_808 and numbers.keras_total == 124_439_808
    assert "Difference (PyTorch - Keras): 0" in report.render("text")


def test_repeated_layer_twin_counts_each_copy_under_pytorch_convention():
    model = S.Sequential([S.Input((25, d)), Dense(u), Repeated(Dense(u), L)])
    row = compare(model).rows[-1]
    assert row.torch_class is not None and row.difference == 0
    torch_stack = torch.nn.ModuleList([torch.nn.Linear(8, 8) for _ in range(3)])
    ours = row.torch_formula.xreplace({u: 8, L: 3})
    assert ours == sum(p.numel() for p in torch_stack.parameters())


def test_incomplete_comparison_prints_no_total(monkeypatch):
    from symparam.analysis import conventions
    table = dict(conventions.TABLE)
    table.pop(Repeated)
    monkeypatch.setattr(conventions, "TABLE", table)
    model = S.Sequential([S.Input((25, d)), Repeated(Dense(d), L), Dense(u)])
    report = compare(model)
    assert not report.complete
    for fmt in ("text", "markdown", "latex", "html"):
        out = report.render(fmt)
        assert "PyTorch total:" not in out and "Difference (" not in out, fmt
        assert "no PyTorch total or difference" in out, fmt
