"""When the ``fx`` trace already accounts for every operation, the forward need not run.

A module whose ``forward`` ``torch.fx`` traces completely (every row reached with a known shape,
no module symparam cannot derive, no untraced branch) and whose graph calls, besides the rows,
only functions known to cost no multiply-accumulate (sums, activations, pooling, reshapes,
concatenation: ``ZERO_FUNCTIONS``, ``ZERO_METHODS``) has its whole cost in the derived rows,
exactly as a recorded forward would find it.  Most convolutional networks are such modules;
anything else (a product in ``forward``, a custom module, a symbolic size, a module in training
mode, whose traced branches may differ from evaluation's) is recorded.
"""

from __future__ import annotations

import operator

import sympy
import torch
import torch.nn.functional as F

from symparam.core.shapes import is_shape_list
from symparam.importers.torch.tree import modules

#: functions a traced graph may call outside the rows: no multiply-accumulate
ZERO_FUNCTIONS = frozenset({
    operator.add, operator.mul, operator.sub, operator.truediv, operator.floordiv,
    operator.getitem, operator.iadd, operator.imul, operator.neg, getattr, torch.cat,
    torch.stack, torch.permute, torch.transpose, torch.flatten, torch.reshape, torch.chunk,
    torch.split, torch.add, torch.mul, torch.sigmoid, torch.tanh, torch.relu, torch.softmax,
    torch.mean, torch.sum, torch.clamp, torch.squeeze, torch.unsqueeze, F.relu, F.relu6,
    F.gelu, F.silu, F.hardswish, F.hardsigmoid, F.sigmoid, F.dropout, F.layer_norm,
    F.batch_norm, F.adaptive_avg_pool2d, F.adaptive_max_pool2d, F.max_pool2d, F.avg_pool2d,
    F.interpolate, F.pad, F.softmax, F.leaky_relu, F.elu, F.mish})
#: tensor methods likewise
ZERO_METHODS = frozenset({
    "size", "view", "reshape", "flatten", "permute", "transpose", "contiguous", "mean", "sum",
    "chunk", "split", "unsqueeze", "squeeze", "expand", "expand_as", "relu", "relu_",
    "sigmoid", "sigmoid_", "clone", "float", "to", "dim", "mul", "mul_", "add", "add_",
    "softmax", "numel", "type_as"})


def fully_traced(reader, module, shape) -> bool:
    """True when the rows ``fx`` derived hold the forward's whole cost (module docstring)."""
    shapes = shape if is_shape_list(shape) else [shape]
    if not all(None in s for s in shapes) or any(
            sympy.sympify(size, strict=True).free_symbols
            for s in shapes for size in s if size is not None):
        return False  # a batch named by a number, or symbolic sizes: record
    if any(m.training for m in modules(module)):
        return False
    if reader.functions or not reader.seen <= (ZERO_FUNCTIONS | ZERO_METHODS):
        return False
    for plan in reader.plans:
        if plan.recurse and (not plan.derived or plan.layer is None):
            return False  # a module not derived, or a row fx did not reach
    return True
