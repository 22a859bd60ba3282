"""``nn.MultiheadAttention`` (PyTorch ``torch.nn`` documentation; Vaswani et al. 2017).

The mathematics is Keras's ``MultiHeadAttention`` with ``key_dim = value_dim =
embed_dim / num_heads`` and the output projected back to ``embed_dim``, whose equations are
reused.  PyTorch *packs* the three input projections into one ``in_proj_weight`` of shape
``(3*embed_dim, embed_dim)`` when ``kdim == vdim == embed_dim`` (separate ``q/k/v_proj_weight``
otherwise): storage only, the sizes are the same.  ``add_bias_kv`` appends learnt vectors
``k_b`` and ``v_b`` to the keys and values (PyTorch's ``bias_k``, ``bias_v``);
``add_zero_attn`` appends a zero key and value, without parameters.
"""

from __future__ import annotations

from sympy import MatrixSymbol, ZeroMatrix

from symparam.core import args
from symparam.core.dims import dim
from symparam.core.errors import SymparamError
from symparam.core.shapes import format_shape, is_shape_list, same_dims
from symparam.engine.equations import Eq
from symparam.engine.weights import replaced
from symparam.layers.attention import Attend, heads_cost
from symparam.layers.attention import MultiHeadAttention as KerasMultiHeadAttention
from symparam.torch._base import Borrowed, example_size, register, same_size


@register
class MultiheadAttention(Borrowed):
    """Attention of ``num_heads`` heads (PyTorch ``nn.MultiheadAttention``).

    Derived on ``[query, key, value]`` shapes in PyTorch's order and layout: ``(L, N, E)``
    (``(N, L, E)`` with ``batch_first``, ``(L, E)`` unbatched), key ``(S, N, kdim)``, value
    ``(S, N, vdim)``; in the equations ``x_1``, ``x_2``, ``x_3``.  Outputs: the attention
    output like the query, and with ``need_weights`` (``forward``'s argument, true by default)
    the head-averaged weights ``(N, L, S)``.
    """

    def __init__(self, embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False,
                 add_zero_attn=False, kdim=None, vdim=None, batch_first=False,
                 need_weights=True, **kwargs):
        super().__init__(**kwargs)
        self.embed_dim = self.as_size("embed_dim", embed_dim)
        self.num_heads = self.as_size("num_heads", num_heads)
        self.head_dim = self.embed_dim / self.num_heads
        if self.head_dim.is_integer is False:
            raise SymparamError(f"{args.where(self)}: embed_dim must be divisible by num_heads")
        self.dropout = self.as_number("dropout", dropout)
        self.bias = self.as_flag("bias", bias)
        self.add_bias_kv = self.as_flag("add_bias_kv", add_bias_kv)
        self.add_zero_attn = self.as_flag("add_zero_attn", add_zero_attn)
        self.kdim = self.embed_dim if kdim is None else self.as_size("kdim", kdim)
        self.vdim = self.embed_dim if vdim is None else self.as_size("vdim", vdim)
        self.batch_first = self.as_flag("batch_first", batch_first)
        self.need_weights = self.as_flag("need_weights", need_weights)

    def __call__(self, query, key=None, value=None):
        """``mha(query, key, value)`` on symbolic tensors, or ``mha([query, key, value])``."""
        if key is None and value is None:
            return super().__call__(query)
        return super().__call__([query, key, value])

    @property
    def packed(self) -> bool:
        """True when PyTorch stores one ``in_proj_weight`` (``kdim == vdim == embed_dim``)."""
        return self.kdim == self.embed_dim and self.vdim == self.embed_dim

    def keras_layer(self):
        return KerasMultiHeadAttention(self.num_heads, self.head_dim, self.head_dim,
                                       use_bias=self.bias)

    def keras_shape(self, input_shape):
        return [(None, self.embed_dim), (None, self.vdim), (None, self.kdim)]

    def equations_for(self, input_shape):
        equations = super().equations_for(input_shape)
        # Keras reads [query, value, key] as x_1, x_2, x_3; PyTorch's order is query, key, value
        swap = {MatrixSymbol("x_2", self.vdim, 1): MatrixSymbol("x_3", self.vdim, 1),
                MatrixSymbol("x_3", self.kdim, 1): MatrixSymbol("x_2", self.kdim, 1)}
        equations = [replaced(eq, swap) for eq in equations]
        extra = []
        if self.add_bias_kv:
            extra += [self.weight("k_b", self.embed_dim), self.weight("v_b", self.embed_dim)]
        if self.add_zero_attn:
            extra += [ZeroMatrix(self.embed_dim, 1)] * 2
        return [Eq(eq.lhs, Attend(eq.rhs.args[0], *eq.rhs.args[1:], *extra))
                if isinstance(eq.rhs, Attend) else eq for eq in equations]

    def _inputs(self, input_shape) -> list:
        shapes = input_shape if is_shape_list(input_shape) else [input_shape] * 3
        if len(shapes) != 3:
            raise SymparamError(f"{args.where(self)}: expects [query, key, value], got "
                                f"{format_shape(list(shapes))}")
        return shapes

    def check_input(self, input_shape):
        query, key, value = self._inputs(input_shape)
        for shape, size, what in ((query, self.embed_dim, "query's embed_dim"),
                                  (key, self.kdim, "key's kdim"),
                                  (value, self.vdim, "value's vdim")):
            if len(shape) not in (2, 3) or len(shape) != len(query):
                raise SymparamError(f"{args.where(self)}: query, key and value must all be "
                                    f"batched (rank 3) or unbatched (rank 2), got "
                                    f"{format_shape(list(self._inputs(input_shape)))}")
            same_size(self, shape[-1], size, what)
        if not all(same_dims(a, b) for a, b in zip(key[:-1], value[:-1])):
            raise SymparamError(f"{args.where(self)}: key {format_shape(key)} and value "
                                f"{format_shape(value)} must agree but for the last axis")

    def compute_output_shape(self, input_shape):
        self.check_input(input_shape)
        query, key, _ = self._inputs(input_shape)
        output = (*query[:-1], self.embed_dim)
        if not self.need_weights:
            return [output]
        sequence = 0 if len(query) == 2 or not self.batch_first else 1
        extra = int(self.add_bias_kv) + int(self.add_zero_attn)
        keys = None if key[sequence] is None else key[sequence] + extra
        batch = () if len(query) == 2 else (query[1 - sequence],)
        return [output, (*batch, query[sequence], keys)]

    def cost(self, input_shape, output_shape, equations):
        """Keras's multi-head attention cost on PyTorch's layout: projections per position,
        ``QK^T`` and ``AV`` over the keys plus the appended ``bias_k`` and zero keys."""
        query, key, _ = self._inputs(input_shape)
        extra = int(self.add_bias_kv) + int(self.add_zero_attn)
        keys = example_size(key) / self.kdim
        return heads_cost(equations, self.num_heads, example_size(query) / self.embed_dim,
                          keys, keys + extra)

    def input_layout(self):
        if self.batch_first:
            return [(None, dim("L"), self.embed_dim), (None, dim("S"), self.kdim),
                    (None, dim("S"), self.vdim)]
        return [(dim("L"), None, self.embed_dim), (dim("S"), None, self.kdim),
                (dim("S"), None, self.vdim)]
