"""A module tree walked with an explicit stack.

``nn.Module.named_modules()`` yields through one nested generator per level, so walking a
chain of ``n`` nested modules costs ``n**2`` steps (300 nested ``nn.Sequential`` made a whole
read quadratic); this walk is linear and yields the same ``(path, module)`` pairs in the same
order, each module once.
"""

from __future__ import annotations

import contextlib


def named_modules(module):
    """``(path, module)`` for ``module`` and every submodule, depth first in registration
    order, as ``module.named_modules()`` gives them."""
    seen = set()
    stack = [("", module)]
    while stack:
        path, current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield path, current
        children = [(f"{path}.{name}" if path else name, child)
                    for name, child in current._modules.items() if child is not None]
        stack.extend(reversed(children))


def modules(module):
    """Every module of the tree once (``module.modules()``, without its quadratic walk)."""
    return (found for _, found in named_modules(module))


def named_parameters(module, recurse: bool = True):
    """``(path, parameter)`` pairs as ``module.named_parameters(recurse)`` gives them, each
    parameter once, without the nested generators."""
    seen = set()
    tree = named_modules(module) if recurse else [("", module)]
    for path, current in tree:
        for name, parameter in current._parameters.items():
            if parameter is not None and id(parameter) not in seen:
                seen.add(id(parameter))
                yield (f"{path}.{name}" if path else name), parameter


def first_tensor(module):
    """The module's first parameter or buffer (its device), or ``None``."""
    for _, current in named_modules(module):
        for tensor in (*current._parameters.values(), *current._buffers.values()):
            if tensor is not None:
                return tensor
    return None


@contextlib.contextmanager
def evaluating(module):
    """``module`` in eval mode for the block, every submodule's own train/eval flag put back
    afterwards whatever happens (the caller's module is never left changed)."""
    training = {current: current.training for current in modules(module)}
    try:
        module.eval()
        yield module
    finally:
        for current, was in training.items():
            current.training = was
