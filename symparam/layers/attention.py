"""Attention layers: projections and scales are weights, the attention products are not.

A query position attends over the key positions: a score for each key, a softmax over the keys,
and the sum of the value vectors weighted by it.  The equations show the per-position parts that
carry parameters (projections, scales) and write the products ``QK^T`` and ``AV`` as
``attend(...)``, a node without parameters whose shape is the attended vector's.  Inputs are a
list ``[query, value]`` or ``[query, value, key]`` (the key defaults to the value), seen in the
equations as ``x_1``, ``x_2`` and ``x_3``.
"""

from __future__ import annotations

import sympy
from sympy import HadamardProduct, Integer, MatrixExpr, OneMatrix

from symparam.core import args
from symparam.core.errors import SymparamError, shorten
from symparam.core.shapes import format_shape, is_shape_list, product, same_dims
from symparam.engine.cost import Cost, equations_cost
from symparam.engine.equations import Eq, activate, affine, vector
from symparam.engine.layer import Layer
from symparam.layers.registry import register

#: Keras call options that never change a count or a shape
CALL_OPTIONS = frozenset({"mask", "query_mask", "value_mask", "key_mask", "attention_mask",
                          "training", "use_causal_mask", "return_attention_scores"})


class Attend(MatrixExpr):
    """``attend(scores..., values)``: softmax over the key positions, then the weighted sum of
    the values; a column vector of ``rows`` entries with no parameters of its own."""

    def __new__(cls, rows, *operands):
        return super().__new__(cls, sympy.sympify(rows, strict=True), *operands)

    @property
    def shape(self):
        return (self.args[0], Integer(1))

    def _sympystr(self, printer):
        return f"attend({', '.join(printer._print(a) for a in self.args[1:])})"

    def _latex(self, printer):
        inner = ", ".join(printer._print(a) for a in self.args[1:])
        return rf"\operatorname{{attend}}\left({inner}\right)"


def attention_inputs(layer, input_shape) -> tuple:
    """``(query, value, key)`` shapes from ``[query, value]`` or ``[query, value, key]``."""
    if not is_shape_list(input_shape) or len(input_shape) not in (2, 3):
        raise SymparamError(f"{args.where(layer)}: expects a list [query, value] or "
                            f"[query, value, key], got {shorten(input_shape)}")
    query, value = input_shape[:2]
    key = input_shape[2] if len(input_shape) == 3 else value
    if len(key) != len(value) or not all(same_dims(a, b) for a, b in zip(key[1:-1], value[1:-1])):
        raise SymparamError(f"{args.where(layer)}: key {format_shape(key)} and value "
                            f"{format_shape(value)} must agree on every axis but the last")
    return query, value, key


def positions(layer, input_shape) -> tuple:
    """How many query positions and key positions one example has (``None`` if unknown)."""
    query, value, _ = attention_inputs(layer, input_shape)
    return product(query[1:-1]), product(value[1:-1])


def check_call_options(layer, options) -> None:
    unknown = sorted(set(options) - CALL_OPTIONS)
    if unknown:
        raise SymparamError(f"{args.where(layer)}: unknown call argument {unknown[0]!r}")
    if options.get("return_attention_scores"):
        raise SymparamError(f"{args.where(layer)}: give return_attention_scores=True to the "
                            "layer itself: its outputs change")


def heads_cost(equations, heads, queries, keys, attended=None) -> Cost:
    """The cost of multi-head attention written as ``[q, k, v, attend, *rest]``: the query
    side (``q`` and ``rest``) once per query position, the key and value projections once per
    key position, and for every (query, attended key) pair the ``QK^T`` and ``AV`` products
    (the widths of ``q`` and ``v`` in MACs) and a softmax entry per head.  ``attended`` defaults
    to ``keys`` (PyTorch's ``add_bias_kv`` and ``add_zero_attn`` append keys)."""
    q, k, v, _, *rest = equations
    pairs = sympy.Mul(queries, keys if attended is None else attended)
    products = Cost(sympy.Mul(pairs, q.lhs.shape[0] + v.lhs.shape[0]), sympy.Mul(pairs, heads))
    return (equations_cost([q] + rest).times(queries)
            + equations_cost([k, v]).times(keys) + products)


@register
class MultiHeadAttention(Layer):
    """Multi-head attention (Vaswani et al. 2017; Keras ``MultiHeadAttention``).

    Each of the ``num_heads`` heads projects the query and the key to ``key_dim`` and the value
    to ``value_dim``; ``W_Q`` stacks the heads' query matrices (Keras kernel
    ``(d_q, num_heads, key_dim)``), and so on.  Per head ``o_i = softmax(q_i k_i^T /
    sqrt(key_dim)) v_i``; ``W_O`` maps the ``num_heads*value_dim`` head outputs back to the
    query's width, or to ``output_shape``.  ``use_gate`` multiplies the heads by a sigmoid gate
    computed from the query.  Called as in Keras: ``mha(query, value)``,
    ``mha(query, value, key)`` or on a list; derived on ``[query, value(, key)]`` shapes.
    """

    def __init__(self, num_heads, key_dim, value_dim=None, dropout=0.0, use_bias=True,
                 output_shape=None, attention_axes=None, sliding_window=None,
                 flash_attention=None, use_gate=False, return_attention_scores=False,
                 **kwargs):
        super().__init__(**kwargs)
        # Keras's call argument, a setting here: it adds the scores as a second output
        self.return_attention_scores = self.as_flag("return_attention_scores",
                                                    return_attention_scores)
        self.num_heads = self.as_size("num_heads", num_heads)
        self.key_dim = self.as_size("key_dim", key_dim)
        self.value_dim = self.key_dim if value_dim is None else \
            self.as_size("value_dim", value_dim)
        self.as_number("dropout", dropout)
        self.use_bias = self.as_flag("use_bias", use_bias)
        self.use_gate = self.as_flag("use_gate", use_gate)
        # Keras's output_shape argument, kept apart from the Layer method of that name
        items = args._as_items(output_shape) if output_shape not in (None, (), []) else []
        self.output_dims = self.as_sizes("output_shape", items, len(items)) if items else None
        axes = args._as_items(attention_axes) if attention_axes is not None else []
        self.attention_axes = tuple(self.as_axis("attention_axes", a) for a in axes) or None
        if sliding_window is not None:
            self.as_size("sliding_window", sliding_window)
        if flash_attention is not None:
            self.as_flag("flash_attention", flash_attention)

    def __call__(self, query, value=None, key=None, **options):
        check_call_options(self, options)
        if value is None:
            return super().__call__(query)
        return super().__call__([query, value] + ([] if key is None else [key]))

    def features(self, input_shape):
        attention_inputs(self, input_shape)
        return super().features(input_shape)

    def _project(self, name, label, rows, x, activation=None):
        """``name = activation(W_label x + b_label)``, the bias only with ``use_bias``."""
        kernel = self.weight(f"W_{label}", rows, x.shape[0])
        bias = self.weight(f"b_{label}", rows) if self.use_bias else None
        return Eq(vector(name, rows), activate(activation, affine(kernel, x, bias)))

    def equations(self, xs):
        query, value = xs[:2]
        heads_k, heads_v = self.num_heads * self.key_dim, self.num_heads * self.value_dim
        q, k, v = (self._project(name, name.upper(), rows, x) for name, rows, x in (
            ("q", heads_k, query), ("k", heads_k, xs[-1]), ("v", heads_v, value)))
        heads = Eq(vector("o", heads_v), Attend(heads_v, q.lhs, k.lhs, v.lhs))
        equations = [q, k, v, heads]
        if self.use_gate:
            gate = self._project("g", "G", heads_v, query, activation="sigmoid")
            equations += [gate, Eq(vector("o_g", heads_v), HadamardProduct(gate.lhs, heads.lhs))]
        width = sympy.Mul(*self.output_dims) if self.output_dims else query.shape[0]
        return equations + [self._project("y", "O", width, equations[-1].lhs)]

    def compute_output_shape(self, input_shape):
        query = attention_inputs(self, input_shape)[0]
        output = (*query[:-1], *self.output_dims) if self.output_dims else query
        if not self.return_attention_scores:
            return output
        # Keras's compute_output_spec gives the scores the query's length twice, (B, N, T, T),
        # where a run returns (B, N, T, S); its summary, and layers built on the scores, use
        # that shape, so symparam does too
        return [output, (query[0], self.num_heads, query[1], query[1])]

    def cost(self, input_shape, output_shape, equations):
        """Query-side equations run per query position, key and value projections per key
        position, and ``QK^T`` and ``AV`` cost ``num_heads*(key_dim + value_dim)`` MACs for
        every (query, key) pair: the products that scale with the sequence length squared."""
        queries, keys = positions(self, input_shape)
        if queries is None or keys is None:
            return None
        q, k, v, heads, *rest = equations
        pair = sympy.Mul(self.num_heads, self.key_dim + self.value_dim)
        products = Cost(sympy.Mul(queries, keys, pair),
                        sympy.Mul(queries, keys, self.num_heads))  # the softmax
        return (equations_cost([q] + rest).times(queries)
                + equations_cost([k, v]).times(keys) + products)


class ScoredAttention(Layer):
    """Single-head attention on the raw inputs (Keras ``Attention`` and its subclass): a score
    ``e`` per (query, key) pair, here a ``1x1`` matrix, then ``y = attend(e, x_2)``.  The key
    must have the query's width; the output has the value's."""

    def __init__(self, dropout=0.0, return_attention_scores=False, **kwargs):
        super().__init__(**kwargs)
        self.as_number("dropout", dropout)
        # Keras's call argument, a setting here: it adds the scores as a second output
        self.return_attention_scores = self.as_flag("return_attention_scores",
                                                    return_attention_scores)

    def __call__(self, inputs, **options):
        check_call_options(self, options)
        return super().__call__(inputs)

    def features(self, input_shape):
        query, value, key = attention_inputs(self, input_shape)
        widths = [self._last_axis(shape) for shape in (query, value, key)]
        if not same_dims(widths[0], widths[2]):
            raise SymparamError(f"{args.where(self)}: query {format_shape(query)} and key "
                                f"{format_shape(key)} must have the same last axis")
        # the key (the value, without a key) is given the query's width symbol, so that the
        # score's products and sums are well formed when the widths are equal symbols
        if len(input_shape) == 2:
            return [widths[0], widths[0]]
        return [widths[0], widths[1], widths[0]]

    def score(self, query, key):
        raise NotImplementedError

    def equations(self, xs):
        query, value = xs[:2]
        e = Eq(vector("e", 1), self.score(query, xs[-1]))
        return [e, Eq(vector("y", value.shape[0]), Attend(value.shape[0], e.lhs, value))]

    def compute_output_shape(self, input_shape):
        query, value, _ = attention_inputs(self, input_shape)
        output = (*query[:-1], value[-1])
        return [output, (*query[:-1], *value[1:-1])] if self.return_attention_scores else output

    def cost(self, input_shape, output_shape, equations):
        """The score for every (query, key) pair, then the weighted sum of the values."""
        queries, keys = positions(self, input_shape)
        if queries is None or keys is None:
            return None
        score, attend = equations
        width = attend.lhs.shape[0]
        weighted = Cost(sympy.Mul(queries, keys, width), sympy.Mul(queries, keys))
        return equations_cost([score]).times(sympy.Mul(queries, keys)) + weighted


@register
class Attention(ScoredAttention):
    """Dot-product (Luong-style) attention (Keras ``Attention``).

    ``score_mode="dot"``: ``e = x_1^T x_3``, times a learned scalar ``gamma`` with ``use_scale``;
    ``"concat"``: ``e = w_c * 1^T tanh(gamma (x_1 + x_3))`` with the learned scalar ``w_c``
    (Keras's ``concat_score_weight``, always present in that mode).
    """

    def __init__(self, use_scale=False, score_mode="dot", dropout=0.0, **kwargs):
        super().__init__(dropout=dropout, **kwargs)
        self.use_scale = self.as_flag("use_scale", use_scale)
        self.score_mode = self.as_choice("score_mode", score_mode, ("dot", "concat"))

    def scaled(self, expr):
        return expr * self.weight("gamma", 1) if self.use_scale else expr

    def score(self, query, key):
        if self.score_mode == "dot":
            return self.scaled(query.T * key)
        summed = OneMatrix(1, query.shape[0]) * activate("tanh", self.scaled(query + key))
        return self.weight("w_c", 1) * summed


@register
class AdditiveAttention(ScoredAttention):
    """Additive (Bahdanau-style) attention (Keras ``AdditiveAttention``).

    ``e = w^T tanh(x_1 + x_3)`` with a learned vector ``w`` of the query's width (Keras's
    ``scale``) when ``use_scale``, else the plain sum ``1^T tanh(x_1 + x_3)``.
    """

    def __init__(self, use_scale=True, dropout=0.0, **kwargs):
        super().__init__(dropout=dropout, **kwargs)
        self.use_scale = self.as_flag("use_scale", use_scale)

    def score(self, query, key):
        weights = self.weight("w", query.shape[0]).T if self.use_scale else \
            OneMatrix(1, query.shape[0])
        return weights * activate("tanh", query + key)
