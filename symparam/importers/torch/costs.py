"""What one aten operation costs, from its argument and result shapes.

The multiply-accumulates (MACs) follow the products' own equations: ``C = A B`` with ``A`` of
``m x k`` and ``B`` of ``k x n`` is ``m*k*n``; a batched product multiplies by the batch; a
convolution is one product per output position (per *input* position for a transposed one,
which scatters), ``batch * positions * prod(weight.shape)``; scaled dot-product attention is its
two products, ``Q K^T`` and ``A V``, over the query heads (grouped-query attention broadcasts
the key/value heads).  These are the quantities PyTorch's ``FlopCounterMode`` counts (2 FLOPs
per MAC), so a model's MACs equal its FLOPs / 2.

Everything else costs no MAC.  Element-wise operations (``torch.Tag.pointwise``), reductions,
normalisation, pooling, softmax and interpolation count one element-wise operation per
element (the ``full`` FLOP convention adds them); views, copies, indexing and factories count
nothing.  An operation in none of these tables has no rule: ``rule_for`` returns ``None`` and
the recorder lists it as *uncounted* rather than counting it as 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import prod

import sympy
import torch

aten = torch.ops.aten


@dataclass(frozen=True)
class OpCost:
    """MACs and element-wise operations of one call (ints, or SymPy expressions over a
    ShapeEnv's symbols)."""

    macs: object = 0
    elementwise: object = 0


ZERO_RULE = OpCost()  # the shared "costs nothing" answer; the recorder drops these


def _n(value):
    """A size as a SymPy-ready value: ints stay ints, a ``SymInt`` gives its expression."""
    return value.node.expr if isinstance(value, torch.SymInt) else int(value)


def _shape(tensor) -> list:
    return [_n(s) for s in tensor.shape]


def _numel(value):
    tensor = value[0] if isinstance(value, (list, tuple)) else value
    return prod(_shape(tensor)) if isinstance(tensor, torch.Tensor) else 0


# Python arithmetic, not sympy.Mul: plain ints for a concrete forward (thousands of calls),
# SymPy expressions only when the sizes are symbols
def _mm(a, b):
    (m, k), n = _shape(a), _n(b.shape[-1])
    return OpCost(m * k * n)


def _bmm(a, b):
    (batch, m, k), n = _shape(a), _n(b.shape[-1])
    return OpCost(batch * m * k * n)


def _convolution(args, kwargs, out):
    x, w = args[0], args[1]
    transposed = bool(args[6]) if len(args) > 6 else bool(kwargs.get("transposed", False))
    positions = (x if transposed else out).shape[2:]
    return OpCost(_n(x.shape[0]) * prod(map(_n, positions)) * prod(_shape(w)))


def _attention(args, kwargs, out):
    query, value = args[0], args[2]
    batch, heads, length, width = _shape(query)
    keys, value_width = _n(value.shape[-2]), _n(value.shape[-1])
    return OpCost(batch * heads * length * keys * (width + value_width))


def _elementwise_out(args, kwargs, out):
    return OpCost(elementwise=_numel(out))


def _elementwise_in(args, kwargs, out):
    return OpCost(elementwise=_numel(args[0]))


def _zero(args, kwargs, out):
    return ZERO_RULE


MACS = {
    aten.mm: lambda a, k, o: _mm(a[0], a[1]),
    aten.addmm: lambda a, k, o: _mm(a[1], a[2]),
    aten._scaled_mm: lambda a, k, o: _mm(a[0], a[1]),
    aten.bmm: lambda a, k, o: _bmm(a[0], a[1]),
    aten.baddbmm: lambda a, k, o: _bmm(a[1], a[2]),
    **{op: _convolution for op in (aten.convolution, aten._convolution,
                                   aten.cudnn_convolution, aten._slow_conv2d_forward,
                                   aten.convolution_overrideable)},
    **{op: _attention for op in (aten._scaled_dot_product_efficient_attention,
                                 aten._scaled_dot_product_flash_attention,
                                 aten._scaled_dot_product_cudnn_attention,
                                 aten._scaled_dot_product_flash_attention_for_cpu)},
}
def _packets(*names) -> list:
    """The aten operations of these names that this PyTorch build has."""
    return [getattr(aten, name) for name in names if hasattr(aten, name)]


#: no MAC, one element-wise operation per input element
READS = _packets(
    "native_layer_norm", "native_batch_norm", "_native_batch_norm_legit",
    "_native_batch_norm_legit_no_training", "native_group_norm", "_fused_rms_norm",
    "_softmax", "_log_softmax", "_safe_softmax", "sum", "mean", "amax",
    "amin", "max", "min", "argmax", "argmin", "var", "std", "var_mean",
    "std_mean", "prod", "norm", "linalg_vector_norm", "logsumexp", "any",
    "all", "cumsum", "cumprod", "max_pool2d_with_indices",
    "max_pool3d_with_indices", "max_pool2d", "max_pool1d", "avg_pool1d",
    "avg_pool2d", "avg_pool3d", "_adaptive_avg_pool2d", "_adaptive_avg_pool3d",
    "adaptive_max_pool2d", "adaptive_max_pool3d", "topk", "sort",
)
#: no MAC, one element-wise operation per output element
WRITES = _packets(
    "upsample_nearest1d", "upsample_nearest2d", "upsample_nearest3d",
    "upsample_linear1d", "upsample_bilinear2d", "upsample_bicubic2d",
    "upsample_trilinear3d", "_upsample_bilinear2d_aa", "_upsample_bicubic2d_aa",
    "_upsample_nearest_exact2d", "grid_sampler_2d", "grid_sampler_3d",
)
#: data movement, lookups, factories and random draws: nothing to count
MOVES = _packets(
    "cat", "stack", "clone", "copy_", "copy", "_to_copy", "expand",
    "repeat", "index", "index_select", "gather", "scatter", "scatter_add",
    "index_put", "index_put_", "index_add", "slice_scatter", "select_scatter",
    "constant_pad_nd", "reflection_pad1d", "reflection_pad2d", "reflection_pad3d",
    "replication_pad1d", "replication_pad2d", "replication_pad3d", "roll",
    "flip", "zeros", "ones", "empty", "full", "arange", "scalar_tensor",
    "empty_strided", "new_empty", "new_zeros", "new_ones", "new_full",
    "new_empty_strided", "zeros_like", "ones_like", "full_like", "empty_like",
    "fill_", "fill", "zero_", "lift_fresh", "lift_fresh_copy",
    "_unsafe_view", "embedding", "embedding_bag", "_embedding_bag",
    "pixel_shuffle", "pixel_unshuffle", "channel_shuffle", "native_channel_shuffle",
    "im2col", "col2im", "linspace", "logspace", "eye", "bernoulli",
    "rand", "randn", "randint", "rand_like", "randn_like", "uniform_",
    "normal_", "native_dropout", "tril_indices", "triu_indices", "masked_select",
    "nonzero", "_local_scalar_dense", "one_hot", "repeat_interleave",
    "masked_scatter", "unfold", "alias", "resize_", "set_", "_unsafe_index",
    "unbind", "split", "split_with_sizes", "chunk", "searchsorted",
    "bucketize", "detach", "contiguous", "as_strided_scatter", "_linalg_check_errors", "tril",
    "triu",
    "_assert_async", "_assert_scalar", "_assert_tensor_metadata", "sym_constrain_range",
    "sym_constrain_range_for_size", "_functional_sym_constrain_range",
)
_TABLE = {**MACS, **{op: _elementwise_in for op in READS},
          **{op: _elementwise_out for op in WRITES}, **{op: _zero for op in MOVES}}


_FOUND: dict = {}  # overload -> rule: a forward calls the same few overloads many times


def rule_for(func):
    """The cost rule of an aten overload (``rule(args, kwargs, out) -> OpCost``), ``None`` when
    no table covers it."""
    try:
        return _FOUND[func]
    except KeyError:
        rule = _FOUND[func] = _lookup(func)
        return rule


def _lookup(func):
    rule = _TABLE.get(func.overloadpacket)
    if rule is not None:
        return rule
    if func.is_view:
        return _zero
    if torch.Tag.pointwise in func.tags:
        return _elementwise_out
    return None


def causal_share(queries, keys):
    """The share of query-key pairs a causal mask keeps (query ``i`` sees keys ``j <= i``,
    PyTorch's alignment), for ``queries <= keys``: ``(L + 1) / (2 S)``."""
    return sympy.Rational(1, 2) * (queries + 1) / keys


def total_elements(shape) -> sympy.Expr:
    return sympy.Mul(*shape) if shape else sympy.Integer(prod(()))
