"""``S.from_torch`` and ``S.reconcile`` on live PyTorch 2.13.0 modules.

The reference numbers are PyTorch's own: ``sum(p.numel() for p in module.parameters())``
(which counts a shared parameter once), the buffers, and output shapes recorded by forward
hooks; reconciliation does the per-row comparison and these tests check that it agrees.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
import sympy
import torch
import torch.nn.functional as F
from torch import nn
from torch_forward_models import Scale  # a module symparam does not know: an opaque row
from torch_models import GPT, Block, LinearAttentionBlock
from torch_reference import macs_per_example

import symparam as S
from symparam.importers.torch.reconcile import reconcile_torch
from symparam.importers.torch.walk import from_torch, read_torch
from symparam.layers import Tied
from symparam.torch import nn as snn

pytestmark = pytest.mark.filterwarnings("ignore:enable_nested_tensor:UserWarning")

GPT2_SMALL = dict(vocab=50257, positions=1024, d=768, layers=12, heads=12)


# -- models built from nn modules: tests/torch_models.py ---------------------------------------
def small_cnn():
    return nn.Sequential(
        nn.Conv2d(3, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(32), nn.ReLU(),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.2), nn.Linear(32, 10))


def numel(module) -> int:
    return sum(p.numel() for p in module.parameters())


def assert_reconciled(report):
    assert report.ok, [(r.name, r.params, r.reference_params, r.output_shape, r.reference_shape)
                       for r in report.mismatches]
    assert report.framework == "PyTorch"
    assert all(row.reference_shape is not None for row in report.rows if row.derived)


# -- a small CNN -------------------------------------------------------------------------------
def test_small_cnn_rows_agree_with_pytorch():
    cnn = small_cnn()
    report = S.reconcile(cnn, input_shape=(None, 3, 32, 32))
    assert_reconciled(report)
    assert report.total == numel(cnn) == 5_482
    assert report.buffers == report.reference_buffers == sum(b.numel() for b in cnn.buffers())
    batchnorm = report.rows[1]
    assert (batchnorm.class_name, batchnorm.params, batchnorm.buffers) == ("BatchNorm2d", 32, 33)
    assert "buffers" in batchnorm.note
    assert report.rows[-1].output_shape == (None, 10)


def test_small_cnn_summary_and_edges():
    model = from_torch(small_cnn(), (None, 3, 32, 32))
    assert isinstance(model, S.Model)
    summary = model.summary()
    assert [row.name for row in summary.rows] == [str(i) for i in range(11)]
    assert summary.total == 5_482 and summary.buffers == 16 * 2 + 1 + 32 * 2 + 1
    assert summary.edges[0] == (None, "0", (None, 3, 32, 32))
    assert summary.edges[-1] == ("10", None, (None, 10))
    assert model.result_shape == (None, 10)
    assert summary.render("text")
    assert model.derive((None, 3, 16, 16)).output_shape == (None, 10)


def test_without_input_shape_rows_derive_on_their_own_layout():
    summary = from_torch(small_cnn()).summary()
    H, W = S.dims("H W")
    assert summary.rows[0].output_shape == (None, 16, H, W)
    assert summary.total == 5_482


# -- GPT-2 -----------------------------------------------------------------------------------
@pytest.mark.parametrize("block", [Block, LinearAttentionBlock])
def test_small_gpt_reconciles_with_tied_embeddings(block):
    gpt = GPT(vocab=97, positions=32, d=24, layers=2, heads=4, block=block)
    report = reconcile_torch(gpt, (None, 7))
    assert_reconciled(report)
    head = next(row for row in report.rows if row.name == "lm_head")
    assert head.params == 0 and "tied to wte.weight" in head.note
    assert report.rows[-1].output_shape == (None, 7, 97)
    assert report.total == numel(gpt)


def test_gpt2_small_count_is_exact():
    """124,439,808 parameters with tied embeddings, counted from the module tree (built on
    the meta device: no memory) and from symparam's own equations."""
    with torch.device("meta"):
        gpt = GPT(**GPT2_SMALL)
    assert numel(gpt) == 124_439_808
    model = from_torch(gpt, (None, 16))
    summary = model.summary()
    assert summary.total == 124_439_808
    assert model.result_shape == (None, 16, 50257)


def symbolic_gpt(layers, heads):
    """GPT-2 written with symparam.torch.nn layers, sizes as symbols: V, P, d."""
    V, P, d, n = S.dims("V P d n")
    tokens, positions = S.Input((n,), dtype="int32"), S.Input((n,), dtype="int32")
    wte = snn.Embedding(V, d)
    x = S.layers.Add()([wte(tokens), snn.Embedding(P, d)(positions)])
    x = snn.Dropout(0.1)(x)
    for _ in range(layers):
        a = snn.LayerNorm(d)(x)
        a = snn.MultiheadAttention(d, heads, batch_first=True, need_weights=False)(a, a, a)[0]
        x = S.layers.Add()([x, a])
        m = snn.Linear(4 * d, d)(snn.GELU()(snn.Linear(d, 4 * d)(snn.LayerNorm(d)(x))))
        x = S.layers.Add()([x, m])
    head = Tied(snn.Linear(d, V, bias=False), ["W"])  # the LM head reuses wte's table
    return S.Model([tokens, positions], head(snn.LayerNorm(d)(x))), (V, P, d)


def test_gpt2_small_symbolic_total():
    model, (V, P, d) = symbolic_gpt(GPT2_SMALL["layers"], GPT2_SMALL["heads"])
    total = model.summary().total
    L = GPT2_SMALL["layers"]
    assert sympy.expand(total - (L * (12 * d**2 + 13 * d) + V * d + P * d + 2 * d)) == 0
    values = dict(V=GPT2_SMALL["vocab"], P=GPT2_SMALL["positions"], d=GPT2_SMALL["d"])
    assert model.summary().subs(**values).total == 124_439_808


# -- nn.Transformer ----------------------------------------------------------------------------
def test_transformer_defaults_reconcile():
    transformer = nn.Transformer()
    report = reconcile_torch(transformer, [(3, None, 512), (2, None, 512)])
    assert_reconciled(report)
    assert report.total == numel(transformer) == 44_140_544
    assert report.rows[0].output_shape == (2, None, 512)


# -- compute cost of whole modules, against PyTorch's counter -----------------------------------
def example_inputs(shape, tokens=None) -> list:
    """A batch of 2 (for ``None``) of random inputs; integer ids below ``tokens`` if given."""
    shapes = shape if isinstance(shape, list) else [shape]
    sizes = [tuple(2 if size is None else size for size in s) for s in shapes]
    return [torch.randint(0, tokens, size) if tokens else torch.randn(size) for size in sizes]


@pytest.mark.parametrize("build, shape, tokens", [
    (small_cnn, (None, 3, 32, 32), None),
    (lambda: GPT(vocab=97, positions=32, d=24, layers=2, heads=4), (None, 7), 97),
    (lambda: nn.Transformer(16, 2, 1, 2, 24), [(5, None, 16), (3, None, 16)], None),
    (lambda: nn.LSTM(6, 5, num_layers=2, bidirectional=True), (4, 6), None),
], ids=["cnn", "gpt", "transformer", "unbatched-lstm"])
def test_model_macs_match_pytorch_counter(build, shape, tokens):
    """Per example, every row's multiply-accumulates added up, as PyTorch's counter sees a
    forward pass on a batch of 2 (the LM head tied to the embedding is counted: it computes)."""
    module = build()
    batched = any(None in s for s in (shape if isinstance(shape, list) else [shape]))
    summary = from_torch(module, shape).summary()
    expected = macs_per_example(module, example_inputs(shape, tokens), 2 if batched else None)
    assert summary.macs == expected
    assert summary.flops() == 2 * summary.macs


def test_matrix_products_in_forward_are_rows():
    """A block calling ``F.scaled_dot_product_attention`` itself: the call is a row of its
    own, named after the block, with the ``QK^T`` and ``AV`` products as its cost."""
    gpt = GPT(vocab=97, positions=32, d=24, layers=2, heads=4, block=LinearAttentionBlock)
    report = reconcile_torch(gpt, (None, 7))
    assert_reconciled(report)
    summary = from_torch(gpt, (None, 7)).summary()
    attention = [row for row in summary.rows if row.class_name.startswith("F.")]
    assert [row.name for row in attention] == [f"h.{i}.scaled_dot_product_attention"
                                                for i in range(2)]
    assert all(row.params == 0 and row.output_shape == (None, 4, 7, 6) for row in attention)
    assert summary.macs == macs_per_example(gpt, example_inputs((None, 7), 97), 2)
    assert ("h.0.c_attn", "h.0.scaled_dot_product_attention", (None, 4, 7, 6)) in summary.edges


def test_matmul_in_forward_is_a_row():
    class Scores(nn.Module):
        def __init__(self):
            super().__init__()
            self.q, self.k = nn.Linear(8, 5), nn.Linear(8, 5)

        def forward(self, x):
            return self.q(x) @ self.k(x).transpose(1, 2)

    module = Scores()
    summary = from_torch(module, (None, 6, 8)).summary()
    assert summary.rows[-1].class_name == "torch.matmul"
    assert summary.rows[-1].output_shape == (None, 6, 6)
    assert summary.macs == macs_per_example(module, example_inputs((None, 6, 8)), 2)


class Projected(nn.Module):
    def __init__(self):
        super().__init__()
        self.l = nn.Linear(4, 4)

    def forward(self, x):
        return self.l(x) @ x.transpose(1, 2)


class CallsFirst(nn.Module):
    """Its own product runs before its child's, though its row comes after the child's."""

    def __init__(self):
        super().__init__()
        self.inner, self.p = Projected(), nn.Linear(4, 3)

    def forward(self, x):
        y = self.p(x).transpose(1, 2) @ x
        return self.inner(x), y


def test_function_rows_are_reconciled_in_call_order():
    report = reconcile_torch(CallsFirst(), (None, 6, 4))
    assert_reconciled(report)
    shapes = {row.name: row.reference_shape for row in report.rows}
    assert shapes["inner.matmul"] == (None, 6, 6) and shapes["matmul"] == (None, 3, 4)


# -- how the tree is read ----------------------------------------------------------------------
class WithOwnParameter(nn.Module):
    def __init__(self):
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(5))
        self.linear = nn.Linear(4, 5)
        self.scale = Scale(5)

    def forward(self, x):
        return self.scale(self.linear(x) + self.bias)


def test_unknown_modules_are_opaque_rows_with_their_counts():
    module = WithOwnParameter()
    report = reconcile_torch(module, (None, 4))
    names = {row.name: row for row in report.rows}
    assert set(names) == {"with_own_parameter", "linear", "scale"}
    assert names["with_own_parameter"].params == 5 and not names["with_own_parameter"].derived
    assert names["scale"].class_name == "Scale (not derived)" and names["scale"].params == 5
    assert "not derived" in names["scale"].note
    assert names["linear"].derived and names["linear"].output_shape == (None, 5)
    assert report.ok and report.total == numel(module) == 35


def test_unknown_torch_module_becomes_opaque():
    module = nn.Sequential(nn.Linear(4, 8), nn.PixelShuffle(2))
    rows = from_torch(module, (None, 4)).summary().rows
    assert rows[1].class_name == "PixelShuffle (not derived)" and not rows[1].derived


class Untraceable(nn.Sequential):
    """fx cannot trace it (a branch on a tensor's rank): the forward alone sees its shapes."""

    def forward(self, x):
        return super().forward(x if x.dim() == 2 else x.flatten(1))


def _modified_models():
    models = []
    for kind in (nn.Sequential, Untraceable):
        extra = kind(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
        extra[0].register_parameter("extra", nn.Parameter(torch.zeros(3)))  # 43 parameters
        wider = kind(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
        wider[0].weight = nn.Parameter(torch.zeros(8, 6))  # reads 6 features, not its 4
        models += [(extra, (None, 4), 43), (wider, (None, 6), 56)]
    return models


@pytest.mark.parametrize("module, shape, count", _modified_models())
@pytest.mark.parametrize("traced", [True, False])
def test_a_module_modified_after_it_was_built_is_an_opaque_row(module, shape, count, traced):
    """The first row's parameters differ from what its class would have: checked on the first
    shape fx derives it on (or the layout), it becomes an opaque row with PyTorch's numbers,
    never a derived row nor a refused input; the rest of the model is still derived."""
    rows = from_torch(module, shape if traced else None).summary().rows
    assert rows[0].class_name == "Linear (not derived)" and not rows[0].derived
    assert f"PyTorch has {count} parameters" in rows[0].note and rows[0].params == count
    assert all(row.derived for row in rows[1:])
    assert sum(row.params for row in rows) == numel(module)
    if traced:
        assert reconcile_torch(module, shape).ok


def test_shared_module_and_frozen_parameters():
    shared = nn.Linear(6, 6)
    module = nn.Sequential(shared, nn.ReLU(), shared, nn.Linear(6, 3))
    module[3].bias.requires_grad_(False)
    report = reconcile_torch(module, (None, 6))
    assert_reconciled(report)
    assert [row.name for row in report.rows] == ["0", "1", "3"]  # "2" is module 0 again
    assert report.non_trainable == report.reference_non_trainable == 3
    assert "bias frozen" in report.rows[-1].note


class SequenceClassifier(nn.Module):
    """Tuple outputs and slicing in forward: ``out, (h, c) = lstm(x)``, ``out[:, -1, :]``."""

    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(50, 8)
        self.lstm = nn.LSTM(8, 16, batch_first=True, bidirectional=True)
        self.head = nn.Linear(32, 3)

    def forward(self, x):
        out, (h, c) = self.lstm(self.emb(x))
        return self.head(out[:, -1, :])


class FlattenByView(nn.Module):
    """``x.view(x.size(0), -1)``: the batch passed on, the rest worked out."""

    def __init__(self):
        super().__init__()
        self.conv, self.fc = nn.Conv2d(1, 4, 3), nn.Linear(4 * 13 * 13, 5)

    def forward(self, x):
        x = F.max_pool2d(torch.relu(self.conv(x)), 2)
        return torch.softmax(self.fc(x.view(x.size(0), -1)), dim=1)


@pytest.mark.parametrize("module, shape", [(SequenceClassifier, (None, 7)),
                                           (FlattenByView, (None, 1, 28, 28))])
def test_shapes_flow_through_functional_code(module, shape):
    report = reconcile_torch(module(), shape)
    assert_reconciled(report)
    assert all("not traced" not in row.note for row in report.rows)


def test_fx_failure_falls_back_to_module_order():
    class DataDependent(nn.Module):
        def forward(self, x):
            return x if x.sum() > 0 else -x  # control flow on data: fx cannot trace it

    module = nn.Sequential(nn.Linear(4, 8), DataDependent(), nn.Linear(8, 2))
    model = from_torch(module, (None, 4))
    assert model.summary().rows[-1].output_shape == (None, 2)


def test_symbolic_sizes_give_formulas():
    lstm = nn.LSTM(8, 16, num_layers=2)
    model, values = read_torch(lstm, (5, None, 8),
                               symbolic=["LSTM.hidden_size=h", "LSTM.input_size=d"])
    h, d = S.dims("h d")
    assert sympy.expand(model.summary().total - (4 * h * (d + h + 2) + 4 * h * (2 * h + 2))) == 0
    assert values == {"h": 16, "d": 8}
    report = reconcile_torch(lstm, (5, None, 8), symbolic=["LSTM.hidden_size=h"])
    assert report.ok and report.rows[0].formula.free_symbols == {h}


def test_never_loads_files(monkeypatch):
    monkeypatch.setattr(torch, "load", lambda *a, **k: pytest.fail("torch.load called"))
    assert reconcile_torch(small_cnn(), (None, 3, 8, 8)).ok


def test_bad_inputs_are_one_clear_error():
    with pytest.raises(S.SymparamError, match="torch.nn.Module"):
        from_torch("model.pt")
    with pytest.raises(S.SymparamError, match="input shape"):
        from_torch(nn.Linear(2, 3), "None,a b")


def test_import_symparam_does_not_import_torch():
    code = ("import sys, symparam, symparam.analysis.compare, symparam.importers.keras.config; "
            "symparam.from_hf_config; print('torch' in sys.modules)")
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True)
    assert found.stdout.strip() == "False"
