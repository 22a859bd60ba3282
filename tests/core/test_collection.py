"""``paused_collection``: the cyclic collector is off inside ``from_torch`` and back as the caller
had it afterwards, whether the read succeeds or fails."""

from __future__ import annotations

import gc

import pytest
from torch import nn

from symparam.core.collection import paused_collection
from symparam.core.errors import SymparamError
from symparam.importers.torch.walk import from_torch


class Watching(nn.Module):
    """Notes whether the collector ran during its forward (the read records one)."""

    seen: list = []

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(4, 4)

    def forward(self, x):
        Watching.seen.append(gc.isenabled())
        return self.linear(x) * 2


@pytest.fixture
def collector_on():
    gc.enable()
    yield
    gc.enable()


def test_paused_inside_a_read_and_back_on_after(collector_on):
    Watching.seen.clear()
    assert from_torch(Watching(), (None, 4)).summary().macs == 16
    assert Watching.seen and not any(Watching.seen)
    assert gc.isenabled()


def test_back_on_after_a_read_that_fails(collector_on):
    with pytest.raises(SymparamError):
        from_torch(nn.Linear(4, 4), (None, 5))
    assert gc.isenabled()


def test_a_caller_that_turned_it_off_keeps_it_off(collector_on):
    gc.disable()
    from_torch(nn.Linear(4, 4), (None, 4))
    with paused_collection():
        pass
    assert not gc.isenabled()

