"""``symparam.importers.torch.tracer``: fx's tracer with unpacking read once per function gives
the graph ``torch.fx`` itself gives, and refuses what fx refuses."""

from __future__ import annotations

import pytest
import torch
from torch import fx, nn

from symparam.importers.torch.tracer import Tracer, _instructions, _unpacked


class Unpacks(nn.Module):
    """Unpacks a shape, an attribute of an attribute, and a chunked tensor, in two places."""

    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(8, 24)

    def forward(self, x):
        batch, tokens, width = x.shape
        q, k, v = self.proj(x).chunk(3, dim=-1)
        rows, cols = x.mT.shape[-2:]
        scores = (q @ k.transpose(-2, -1)).softmax(-1) @ v
        return self.tail(scores.reshape(batch, tokens, width)) + rows * cols

    def tail(self, y):
        first, second = y.split(4, dim=-1)
        return torch.cat([second, first], dim=-1)


class Iterates(nn.Module):
    def forward(self, x):
        return sum(row for row in x)


def test_the_graph_is_fx_own():
    module = Unpacks()
    ours, theirs = Tracer(set()).trace(module), fx.Tracer().trace(module)
    assert str(ours) == str(theirs) and len(ours.nodes) == len(theirs.nodes) > 10
    x = torch.randn(1, 5, 8)
    assert torch.equal(fx.GraphModule(module, ours)(x), module(x))


def test_a_function_is_disassembled_once():
    _unpacked.cache_clear()
    _instructions.cache_clear()
    Tracer(set()).trace(Unpacks())
    Tracer(set()).trace(Unpacks())
    # forward and tail, disassembled once; four unpackings, each read once, then remembered
    assert _instructions.cache_info().currsize == 2
    assert _unpacked.cache_info().currsize == 4 and _unpacked.cache_info().hits == 4


def test_iterating_a_traced_value_is_refused_as_fx_refuses_it():
    with pytest.raises(fx.proxy.TraceError) as theirs:
        fx.Tracer().trace(Iterates())
    with pytest.raises(fx.proxy.TraceError) as ours:
        Tracer(set()).trace(Iterates())
    assert str(ours.value) == str(theirs.value)
