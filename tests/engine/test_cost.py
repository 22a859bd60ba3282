"""Compute cost derived from the equations, reconciled with PyTorch's own FLOP counter.

``torch.utils.flop_counter.FlopCounterMode`` counts 2 FLOPs per multiply-accumulate of matrix
products and convolutions and nothing for element-wise work: symparam's ``macs`` convention.
Known differences, stated in docs/cost.md and checked here: the counter sees nothing inside the
fused ``nn.LSTM`` kernel (stepping ``nn.LSTMCell`` exposes it) nor inside fused
scaled-dot-product attention (``need_weights=True`` takes the path it can see).
"""

import json
import re

import pytest
import sympy
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode
from torch_models import Block
from torch_reference import counted_flops

import symparam as S
from symparam.engine.cost import FlopConvention
from symparam.layers import (
    GRU,
    LSTM,
    Conv1D,
    Conv2D,
    Conv2DTranspose,
    Dense,
    Embedding,
    MultiHeadAttention,
    SimpleRNN,
)

u, d, T, n = S.dims("u d T n")


def torch_flops(module, *inputs) -> int:
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        module(*inputs)
    return counter.get_total_flops()


@pytest.mark.parametrize("features, units, lead", [(16, 8, ()), (7, 3, (5,)), (4, 6, (3, 2))])
def test_dense_matches_linear(features, units, lead):
    ours = Dense(units).derive((None, *lead, features)).flops()
    assert ours == torch_flops(nn.Linear(features, units), torch.randn(1, *lead, features))


@pytest.mark.parametrize("kwargs, torch_kwargs", [
    (dict(filters=8, kernel_size=3, padding="same"), dict(out_channels=8, kernel_size=3,
                                                          padding=1)),
    (dict(filters=6, kernel_size=(3, 5), strides=2), dict(out_channels=6, kernel_size=(3, 5),
                                                         stride=2)),
    (dict(filters=4, kernel_size=3, dilation_rate=2, groups=2),
     dict(out_channels=4, kernel_size=3, dilation=2, groups=2)),
])
def test_conv2d_matches(kwargs, torch_kwargs):
    ours = Conv2D(data_format="channels_first", **kwargs).derive((None, 4, 13, 11)).flops()
    theirs = torch_flops(nn.Conv2d(4, **torch_kwargs), torch.randn(1, 4, 13, 11))
    assert ours == theirs


def test_conv1d_and_transpose_match():
    assert Conv1D(5, 3, data_format="channels_first").derive((None, 2, 20)).flops() == \
        torch_flops(nn.Conv1d(2, 5, 3), torch.randn(1, 2, 20))
    ours = Conv2DTranspose(8, 3, strides=2, data_format="channels_first") \
        .derive((None, 3, 10, 10)).flops()
    assert ours == torch_flops(nn.ConvTranspose2d(3, 8, 3, stride=2), torch.randn(1, 3, 10, 10))


def test_gru_reset_after_matches_pytorch_gru():
    ours = GRU(8).derive((None, 5, 16)).flops()
    assert ours == torch_flops(nn.GRU(16, 8, batch_first=True), torch.randn(1, 5, 16))


def test_lstm_matches_stepped_lstm_cell_and_the_fused_kernel_is_invisible():
    cell, steps = nn.LSTMCell(16, 8), 5
    x, state = torch.randn(1, 16), (torch.zeros(1, 8), torch.zeros(1, 8))

    def run(inputs):
        h = state
        for _ in range(steps):
            h = cell(inputs, h)
    assert LSTM(8).derive((None, steps, 16)).flops() == torch_flops(run, x)
    assert torch_flops(nn.LSTM(16, 8, batch_first=True), torch.randn(1, steps, 16)) == 0


def test_simple_rnn_matches_rnn_cell():
    cell = nn.RNNCell(6, 4)

    def run(inputs):
        h = torch.zeros(1, 4)
        for _ in range(3):
            h = cell(inputs, h)
    assert SimpleRNN(4).derive((None, 3, 6)).flops() == torch_flops(run, torch.randn(1, 6))


def test_attention_products_scale_with_both_lengths():
    mha = nn.MultiheadAttention(32, 4, batch_first=True)
    q, kv = torch.randn(1, 7, 32), torch.randn(1, 9, 32)
    ours = MultiHeadAttention(4, 8).derive([(None, 7, 32), (None, 9, 32)])
    visible = torch_flops(lambda a, b: mha(a, b, b, need_weights=True), q, kv)
    assert ours.flops() == visible
    fused = torch_flops(lambda a, b: mha(a, b, b, need_weights=False), q, kv)
    assert ours.flops() - fused == 2 * 7 * 9 * 4 * (8 + 8)   # QK^T and AV, unseen when fused
    symbolic = MultiHeadAttention(4, 8).derive([(None, T, 32), (None, T, 32)]).macs
    assert sympy.Poly(symbolic, T).degree() == 2


def test_gpt_block_spec_matches_pytorch_counter():
    spec = S.load_spec("docs/examples/gpt.yaml")
    block = next(row for row in spec.model.summary().rows if row.name == "blocks").derivation
    width, heads, length = 64, 4, 10
    one_block = block.macs / S.dim("L")
    ours = 2 * one_block.xreplace({S.dim("d"): width, S.dim("n"): length, S.dim("h"): heads})
    assert ours == counted_flops(Block(width, heads), torch.randn(1, length, width))


def test_conventions_and_memory():
    r = Dense(u).derive((None, T, d))
    assert r.macs == T * d * u
    assert r.flops(FlopConvention.FULL) == 2 * T * d * u + T * u     # plus the bias additions
    assert r.activation_elements == T * u
    assert r.activation_bytes("float16") == 2 * T * u
    assert sympy.expand(r.weight_bytes("float32") - 4 * u * (d + 1)) == 0
    assert Embedding(1000, u).derive((None, n)).macs == 0             # a lookup
    with pytest.raises(S.SymparamError):
        r.activation_bytes("float7")


def test_model_cost_counts_every_call_of_a_shared_layer():
    a, b = S.Input((d,)), S.Input((d,))
    shared = Dense(u)
    m = S.Model([a, b], [shared(a), shared(b)])
    assert m.summary().macs == 2 * d * u
    assert sympy.expand(m.summary().total - u * (d + 1)) == 0


def test_model_memory_and_batch_as_a_symbol():
    B = S.dim("B")
    q = S.Input((T,), dtype="int32")
    m = S.Model(q, LSTM(u)(Embedding(1000, d)(q)))
    s = m.summary()
    assert sympy.expand(s.activation_elements - (T + T * d + u)) == 0   # input, embedding, LSTM
    assert sympy.expand(s.activation_bytes("float16", batch=B) - 2 * B * (T + T * d + u)) == 0
    assert sympy.expand(s.weight_bytes("float32") - 4 * s.total) == 0
    assert sympy.expand(s.flops(batch=B) - 2 * B * 4 * T * u * (d + u)) == 0


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_summaries_report_macs_per_example(fmt):
    """A model summary ends with its MACs per example: for an embedding and an LSTM, what
    PyTorch's counter sees stepping ``nn.LSTMCell`` over the sequence (the lookup is free)."""
    cell, steps = nn.LSTMCell(16, 8), 5
    state = (torch.zeros(1, 8), torch.zeros(1, 8))

    def run(inputs):
        h = state
        for _ in range(steps):
            h = cell(inputs, h)
    expected = torch_flops(run, torch.randn(1, 16)) // 2
    q = S.Input((steps,), dtype="int32")
    out = S.Model(q, LSTM(8)(Embedding(50, 16)(q))).summary().render(fmt)
    if fmt == "json":
        assert json.loads(out)["macs"] == expected
    else:
        assert re.search(rf"MACs per example: \$?{expected:,}\$?$", out, re.M), out
