"""``from_torch`` sees every operation of a forward pass (run on meta or fake tensors), checked
against PyTorch's own ``FlopCounterMode`` (2 FLOPs per multiply-accumulate) and
``sum(p.numel())``: custom modules, attention written by hand, batches named in the input,
symbolic image sides and sequence lengths, causal attention, uncounted operations, and the
caller's module left as it was."""

from __future__ import annotations

from fractions import Fraction

import pytest
import sympy
import torch
import torch.nn.functional as F
from torch import nn
from torch._subclasses.fake_tensor import FakeTensor
from torch.nn.attention import SDPBackend, sdpa_kernel
from torch.utils.flop_counter import FlopCounterMode
from torch_forward_models import Scale, TinyBert, TinyConvNeXt, TinyLlama

import symparam as S

H, W, T = S.dims("H W T")


def counted_macs(module, shape, *, ids=0, device="meta") -> Fraction:
    """The counter's MACs per example (``shape``'s first axis is the batch).  Attention runs
    the math kernel: the counter cannot see inside the CPU's fused one."""
    x = (torch.randint(0, ids, shape, device=device) if ids
         else torch.randn(shape, device=device))
    module.train()  # no inference fast path: its fused kernels are hidden from the counter
    with torch.no_grad(), sdpa_kernel(SDPBackend.MATH), FlopCounterMode(display=False) as counter:
        module(x)
    return Fraction(counter.get_total_flops(), 2 * shape[0])


def on_meta(build):
    with torch.device("meta"):
        return build()


def numel(module) -> int:
    return sum(p.numel() for p in module.parameters())


# -- the cases: a custom module, named batches ---------------------------------------
def test_pass_through_custom_module_keeps_shapes_and_macs():
    model = nn.Sequential(nn.Linear(32, 32), Scale(32), nn.Linear(32, 32))
    summary = S.from_torch(model, (None, 16, 32)).summary()
    assert [row.output_shape for row in summary.rows] == [(None, 16, 32)] * 3
    assert summary.macs == counted_macs(model, (1, 16, 32), device="cpu") == 32_768
    assert summary.total == numel(model)
    assert summary.uncounted == ()


class Attending(nn.Module):
    """A small language model block calling scaled dot-product attention itself, with a
    custom module before it."""

    def __init__(self, d=32, heads=4):
        super().__init__()
        self.heads = heads
        self.embed, self.scale = nn.Embedding(50, d), Scale(d)
        self.qkv, self.out = nn.Linear(d, 3 * d), nn.Linear(d, 50)

    def forward(self, ids):
        x = self.scale(self.embed(ids))
        b, t, d = x.shape
        q, k, v = (y.view(b, t, self.heads, -1).transpose(1, 2)
                   for y in self.qkv(x).split(d, dim=-1))
        y = F.scaled_dot_product_attention(q, k, v).transpose(1, 2).reshape(b, t, d)
        return self.out(y)


def test_attention_after_a_custom_module_is_counted():
    model = Attending()
    summary = S.from_torch(model, (None, 12)).summary()
    assert summary.macs == counted_macs(model, (1, 12), ids=50, device="cpu")
    assert summary.total == numel(model)


@pytest.mark.parametrize("build, shape", [
    (lambda: nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10)), (2, 64)),
    (lambda: nn.TransformerEncoder(nn.TransformerEncoderLayer(64, 4, 128, batch_first=True),
                                   2), (2, 10, 64)),
    (lambda: Attending(), (3, 9)),
], ids=["mlp", "encoder", "attention"])
def test_macs_are_per_example_whatever_batch_the_input_names(build, shape):
    model = build()
    ids = 50 if isinstance(model, Attending) else 0
    expected = counted_macs(model, shape, ids=ids, device="cpu")
    assert S.from_torch(model, shape).summary().macs == expected
    assert S.from_torch(model, (None, *shape[1:])).summary().macs == expected


# -- whole small architectures, concrete and symbolic ----------------------------------------
@pytest.mark.parametrize("build, shape, ids", [
    (TinyConvNeXt, (1, 3, 64, 64), 0),
    (TinyBert, (1, 16), 100),
    (TinyLlama, (1, 16), 100),
], ids=["convnext", "bert", "llama"])
def test_models_match_the_counter(build, shape, ids):
    model = on_meta(build)
    summary = S.from_torch(model, (None, *shape[1:])).summary()
    assert summary.macs == counted_macs(model, shape, ids=ids)
    assert summary.total == numel(model)
    assert summary.macs.is_Integer


@pytest.mark.parametrize("build, shape, sizes, ids", [
    (TinyConvNeXt, (None, 3, "H", "W"), [(64, 64), (96, 128), (72, 40)], 0),
    (TinyBert, (None, "T"), [(5,), (16,), (37,)], 100),
    (TinyLlama, (None, "T"), [(3,), (16,), (50,)], 100),
], ids=["convnext", "bert", "llama"])
def test_symbolic_sizes_give_formulas_matching_the_counter(build, shape, sizes, ids):
    model = on_meta(build)
    macs = S.from_torch(model, shape).summary().macs
    names = [s for s in shape if isinstance(s, str)]
    assert macs.free_symbols == {S.dim(n) for n in names}
    for values in sizes:
        concrete = [1] + [values[names.index(s)] if isinstance(s, str) else s
                          for s in shape[1:]]
        value = macs.xreplace({S.dim(n): v for n, v in zip(names, values)})
        assert value == counted_macs(model, tuple(concrete), ids=ids), values


def test_modules_with_weights_on_the_cpu_are_read_through_fake_tensors():
    model = TinyLlama()
    summary = S.from_torch(model, (None, 8)).summary()
    assert summary.macs == counted_macs(model, (1, 8), ids=100, device="cpu")


# -- conventions -----------------------------------------------------------------------------
def test_causal_attention_full_by_default_or_lower_triangle():
    model = on_meta(TinyLlama)
    full = S.from_torch(model, (None, "T")).summary().macs
    lower = S.from_torch(model, (None, "T"), causal="lower").summary().macs
    # per layer: 4 query heads of width 8 over T x T scores, two products (QK^T and AV)
    masked = 2 * 4 * 2 * 8 * (T * T - T * (T + 1) / 2)
    assert sympy.expand(full - lower - masked) == 0
    assert S.from_torch(model, (None, 9)).summary().flops() == 2 * full.xreplace({T: 9})


def test_unknown_operations_are_listed_not_counted_as_zero():
    class Inverting(nn.Module):
        def __init__(self):
            super().__init__()
            self.proj = nn.Linear(8, 8)

        def forward(self, x):
            m = self.proj(x).reshape(-1, 2, 2, 2)
            return torch.linalg.inv(m).relu().sum() + torch.fft.rfft(x).abs().sum()

    summary = S.from_torch(Inverting(), (None, 8)).summary()
    names = dict(summary.uncounted)
    assert "aten.linalg_inv_ex" in names and "aten._fft_r2c" in names
    assert not any("relu" in name or "add" in name or "abs" in name for name in names)
    assert "Uncounted operations" in summary.render("text")
    assert "linalg\\_inv\\_ex x1" in summary.render("markdown")


# -- the caller's module ---------------------------------------------------------------------
def test_the_module_is_left_unchanged_and_never_sees_data():
    seen = []

    class Probe(nn.Module):
        def forward(self, x):
            seen.append(x.device.type == "meta" or isinstance(x, FakeTensor))
            return x

    model = nn.Sequential(nn.Linear(4, 4), Probe(), nn.Dropout(0.5))
    model.train()
    model[0].eval()
    before = [(p, p.device, p.data_ptr()) for p in model.parameters()]
    hooks = (dict(torch.nn.modules.module._global_forward_hooks),
             dict(torch.nn.modules.module._global_forward_pre_hooks))
    S.from_torch(model, (None, 4)).summary()
    assert seen and all(seen)
    assert [(p, p.device, p.data_ptr()) for p in model.parameters()] == before
    assert model.training and model[2].training and not model[0].training
    assert (dict(torch.nn.modules.module._global_forward_hooks),
            dict(torch.nn.modules.module._global_forward_pre_hooks)) == hooks
    assert all(not m._forward_hooks and not m._forward_pre_hooks for m in model.modules())


def test_a_module_in_training_mode_is_counted_as_in_evaluation():
    """The forward is recorded in eval mode (the counter's zoo setting): a training-only
    branch costs nothing, and the module's own mode is kept."""

    class WithAux(nn.Module):
        def __init__(self):
            super().__init__()
            self.main, self.aux = nn.Linear(8, 8), nn.Linear(8, 8)

        def forward(self, x):
            y = self.main(x)
            return y + self.aux(x) if self.training else y

    model = WithAux().train()
    summary = S.from_torch(model, (None, 8)).summary()
    assert summary.macs == 64
    assert [row.derivation.macs for row in summary.rows] == [64, 0]
    assert "not called" in summary.rows[1].note and model.training


def test_convolutional_networks_traced_completely_match_the_counter():
    """A network whose every call ``fx`` accounts for (rows, sums, pooling, reshapes) is not
    run at all; its cost is still the counter's."""
    model = on_meta(lambda: nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, stride=2), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
        nn.Linear(16, 10)).eval())
    summary = S.from_torch(model, (None, 3, 32, 32)).summary()
    assert summary.macs == counted_macs(model, (1, 3, 32, 32))
    assert summary.total == numel(model)


def test_gpt_calling_attention_itself_with_a_custom_module_keeps_its_attention():
    """The issue's case: a custom module in a GPT whose blocks call scaled dot-product
    attention themselves no longer drops the attention from the MACs."""
    from torch_models import GPT, LinearAttentionBlock

    gpt = GPT(vocab=97, positions=32, d=24, layers=2, heads=4, block=LinearAttentionBlock)
    gpt.ln_f = nn.Sequential(gpt.ln_f, Scale(24))
    summary = S.from_torch(gpt, (None, 7)).summary()
    assert summary.macs == counted_macs(gpt, (2, 7), ids=97, device="cpu")
    assert summary.total == numel(gpt) and summary.uncounted == ()


def test_a_forward_that_needs_data_is_reported_and_leaves_nothing_behind():
    class Selecting(nn.Module):
        def __init__(self):
            super().__init__()
            self.proj = nn.Linear(4, 4)

        def forward(self, x):
            y = self.proj(x)
            return y[y > 0]  # how many survive depends on the data

    hooks = dict(torch.nn.modules.module._global_forward_pre_hooks)
    summary = S.from_torch(Selecting(), (None, 4)).summary()
    assert any(name.startswith("forward not recorded") for name, _ in summary.uncounted)
    assert dict(torch.nn.modules.module._global_forward_pre_hooks) == hooks
    assert summary.total == 20


class Mixing(nn.Module):
    """Work a forward does by hand, through several aten products: an einsum, a transposed
    convolution with the module's own weight, a batched product with a bias, and one Linear
    called twice (its parameters once, its cost twice)."""

    def __init__(self):
        super().__init__()
        self.shared = nn.Linear(8, 8)
        self.mix = nn.Parameter(torch.randn(8, 8))
        self.up = nn.Parameter(torch.randn(8, 4, 3, 3))

    def forward(self, x):                     # x: (b, 8, 5, 5)
        t = x.flatten(2).transpose(1, 2)      # (b, 25, 8)
        t = self.shared(self.shared(t))
        t = torch.einsum("bnd,de->bne", t, self.mix)
        scores = torch.baddbmm(torch.zeros(1, 1, 1), t, t.transpose(1, 2))
        y = F.conv_transpose2d(x, self.up, stride=2)
        return scores.sum() + y.sum()


def test_products_written_in_forward_and_shared_modules_match_the_counter():
    model = Mixing()
    summary = S.from_torch(model, (None, 8, 5, 5)).summary()
    assert summary.macs == counted_macs(model, (2, 8, 5, 5), device="cpu")
    assert summary.total == numel(model) and summary.uncounted == ()
    shared = next(row for row in summary.rows if row.name == "shared")
    assert shared.params == 72 and shared.derivation.macs == 2 * 25 * 64


def test_a_model_that_fixes_a_symbolic_size_is_refused():
    class Fixed(nn.Module):
        def __init__(self):
            super().__init__()
            self.proj = nn.Linear(16, 4)

        def forward(self, x):
            torch._assert(x.shape[1] == 16, "sixteen tokens only")
            return self.proj(x.transpose(1, 2))

    with pytest.raises(S.SymparamError, match="fixes T=16"):
        S.from_torch(Fixed(), (None, "T", 8))
