"""``torch.fx``'s tracer with symparam's rows as leaves, and unpacking read once per function.

A ``forward`` that unpacks a traced value (``B, N, C = x.shape``) makes fx ask which bytecode
instruction is running: ``Proxy.__iter__`` disassembles the calling function and looks for
``UNPACK_SEQUENCE`` there.  fx disassembles the whole function again at every unpacking, and
a transformer unpacks shapes in every block, so this alone was a third of tracing a Swin.  The
proxies here answer the same question from a table made once per code object; everything else
is fx's own behaviour (a value that is iterated otherwise is refused by ``tracer.iter`` as fx
refuses it).
"""

from __future__ import annotations

import bisect
import dis
import functools
import inspect

from torch import fx
from torch.fx.proxy import Attribute


class Tracer(fx.Tracer):
    """fx's tracer with symparam's rows as leaves, besides fx's own ``torch.nn`` leaves."""

    def __init__(self, leaves):
        super().__init__()
        self.leaves = leaves

    def is_leaf_module(self, module, qualified_name) -> bool:
        return id(module) in self.leaves or super().is_leaf_module(module, qualified_name)

    def proxy(self, node):
        return _Proxy(node, self)


class _Unpacking:
    """``__iter__`` for a proxy, from ``_unpacked``; attributes (``x.shape``) are such proxies
    too, since unpacking them is the common case."""

    def __iter__(self):
        caller = inspect.currentframe().f_back
        count = _unpacked(caller.f_code, caller.f_lasti)
        if count is None:
            return self.tracer.iter(self)
        return (self[i] for i in range(count))

    def __getattr__(self, name):
        return _Attribute(self, name)


class _Proxy(_Unpacking, fx.Proxy):
    pass


class _Attribute(_Unpacking, Attribute):
    pass


@functools.lru_cache(maxsize=4096)
def _unpacked(code, offset):
    """How many values the instruction at ``offset`` of ``code`` unpacks (``None``: it is no
    ``UNPACK_SEQUENCE``), from the function's instructions, disassembled once."""
    offsets, instructions = _instructions(code)
    index = bisect.bisect_left(offsets, offset)
    if index == len(instructions) or instructions[index].opname != "UNPACK_SEQUENCE":
        return None
    return instructions[index].argval


@functools.lru_cache(maxsize=1024)
def _instructions(code):
    instructions = list(dis.get_instructions(code))
    return [i.offset for i in instructions], instructions
