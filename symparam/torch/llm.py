"""The parts of today's transformer language models, as Hugging Face ``transformers`` builds them:
RMSNorm, attention with grouped key/value heads, plain and gated MLPs, sparse mixtures of experts,
and learnt position tables (Vaswani et al. 2017; Shazeer 2019 "Fast Transformer Decoding"
for multi-query attention; Ainslie et al. 2023 for grouped-query attention; Shazeer 2020 "GLU
Variants Improve Transformer"; Fedus et al. 2022 and Jiang et al. 2024 for routed experts).

These layers follow PyTorch's conventions (sizes as ``transformers`` names them) but are kept in
their own registry, ``HF``: ``torch.nn`` has no class for most of them, and the PyTorch-convention
registry is checked module by module against ``torch.nn``.  Each states equations only; the
transformer layer that joins them is in ``symparam.torch.llm_block``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import sympy
from sympy import HadamardPower, HadamardProduct, KroneckerProduct, MatrixExpr, OneMatrix

from symparam.core.shapes import is_shape_list
from symparam.engine.cost import Cost, OneHot, equations_cost
from symparam.engine.equations import Eq, activate, affine, vector
from symparam.engine.weights import Weight
from symparam.layers.attention import Attend
from symparam.layers.normalization import inverse_std, mean_of
from symparam.layers.registry import Registry
from symparam.torch._base import TorchLayer, same_size

#: the transformer parts by class name (``symparam.torch.llm`` and ``llm_block``)
HF = Registry("transformer part")
register = HF.register


class Counting(StrEnum):
    """How the attention products of a causal model are counted: every (query, key) pair, as
    an eager implementation multiplies them before masking, or only the pairs the mask (and a
    sliding window) keeps."""

    FULL = "full"
    CAUSAL = "causal"


ATTENTION_COUNTS = tuple(c.value for c in Counting)
#: the equations of an attention layer that run once per key position (the rest: per query)
KEY_SIDE = frozenset({"k", "v", "k_n"})


@dataclass(frozen=True)
class ExpertWeight(Weight):
    """A weight stacked once per expert, of which a token uses the fraction ``active``
    (``top_k / num_experts``): what ``active_params`` counts."""

    active: sympy.Expr = sympy.Integer(1)


def rms(layer, x, affine_weight: str | None):
    """``gamma ⊙ x ⊙ (mean(x^2) + eps)^(-1/2)`` as two equations' right-hand sides."""
    n = x.shape[0]
    mean_square = mean_of(HadamardPower(x, 2))
    z = HadamardProduct(x, inverse_std(vector("r", n)))
    if affine_weight:
        z = HadamardProduct(layer.weight(affine_weight, n), z)
    return mean_square, z


@register
class RMSNorm(TorchLayer):
    """Root-mean-square normalisation over the last axis (Zhang and Sennrich 2019; PyTorch
    ``nn.RMSNorm``; ``LlamaRMSNorm``, ``T5LayerNorm``, Gemma's ``1 + gamma`` variant has the same
    size)."""

    def __init__(self, normalized_shape, eps=None, elementwise_affine=True, **kwargs):
        super().__init__(**kwargs)
        self.normalized_shape = self.as_size("normalized_shape", normalized_shape)
        self.elementwise_affine = self.as_flag("elementwise_affine", elementwise_affine)

    def equations(self, x):
        same_size(self, x.shape[0], self.normalized_shape, "last axis")
        mean_square, y = rms(self, x, "gamma" if self.elementwise_affine else None)
        return [Eq(vector("r", x.shape[0]), mean_square), Eq(vector("y", x.shape[0]), y)]

    def input_layout(self):
        return (None, self.normalized_shape)


def _head_norm(layer, kind: str, name: str, heads, head_dim, x):
    """``x`` normalised head by head with one ``head_dim`` scale shared by the heads (Qwen3's
    ``q_norm``/``k_norm``, Phi's ``q_layernorm``): the scale is repeated ``heads`` times."""
    gamma = KroneckerProduct(OneMatrix(heads, 1), layer.weight(f"gamma_{name}", head_dim))
    centred = x
    if kind == "layer":
        centred = x - vector(f"mu_{name}", x.shape[0])
    z = HadamardProduct(gamma, centred, inverse_std(vector(f"r_{name}", x.shape[0])))
    if kind == "layer":
        z = z + KroneckerProduct(OneMatrix(heads, 1), layer.weight(f"beta_{name}", head_dim))
    return Eq(vector(f"{name}_n", x.shape[0]), z)


class HeadsAttend(Attend):
    """``attend(q, k, v)`` over ``heads`` heads.  ``cached`` says whether the keys and values
    are kept between decoding steps: 0 not at all (an encoder's self-attention), 1 over the
    sequence itself (causal self-attention), 2 over the memory (attention over an encoder's
    output); ``window`` is a sliding window's width (0: none); ``context`` the positions a
    decoding step's self-attention cache holds (0: the sequence's own).  Memory estimates read
    them from the equations."""

    NONE, SELF, MEMORY = 0, 1, 2

    def __new__(cls, rows, heads, cached, window, context, *operands):
        return MatrixExpr.__new__(cls, *(sympy.sympify(value, strict=True) for value in (
            rows, heads, cached, window or 0, context or 0)), *operands)

    @property
    def heads(self):
        return self.args[1]

    @property
    def cached(self) -> int:
        return int(self.args[2])

    @property
    def window(self):
        """The sliding window's width, or ``None``."""
        return self.args[3] if self.args[3] != 0 else None

    @property
    def context(self):
        """The positions a decoding step's cache holds, or ``None`` (the sequence's own)."""
        return self.args[4] if self.args[4] != 0 else None

    @property
    def operands(self) -> tuple:
        return self.args[5:]

    def _sympystr(self, printer):
        return f"attend({', '.join(printer._print(a) for a in self.operands)})"

    def _latex(self, printer):
        inner = ", ".join(printer._print(a) for a in self.operands)
        return rf"\operatorname{{attend}}\left({inner}\right)"


@register
class Attention(TorchLayer):
    """Multi-head attention whose ``num_key_value_heads`` key and value heads are shared by
    groups of query heads (one: multi-query; ``num_heads``: classic multi-head).

    ``q = W_Q x + b_Q`` (``num_heads*head_dim``), ``k``, ``v`` likewise with
    ``num_key_value_heads*head_dim`` rows, ``o = attend(q, k, v)`` head by head, and
    ``y = W_O o + b_O``.  Derived on ``(None, T, d)``, or on ``[(None, T, d), (None, S, m)]``
    for cross-attention over a memory of ``S`` positions.  ``relative_buckets`` adds T5's table
    of one learnt bias per (bucket, head); ``qk_norm`` (``"rms"`` or ``"layer"``) normalises
    queries and keys per head.  ``context`` is the number of keys when it differs from the
    input's length (one decoding step against a cache of ``context`` positions); ``window``
    limits each query to the last ``window`` keys (sliding-window attention, Mistral);
    ``memory_cached`` says a memory's keys and values were computed once, at prefill, and are
    read from the cache (an encoder-decoder's decoding step, as transformers' cached
    generation does): none are projected in this pass.
    """

    def __init__(self, hidden_size, num_heads, num_key_value_heads=None, head_dim=None,
                 q_bias=False, kv_bias=False, o_bias=False, qk_norm=None, causal=True,
                 counting="full", relative_buckets=None, context=None, window=None,
                 memory_cached=False, **kwargs):
        super().__init__(**kwargs)
        self.hidden_size = self.as_size("hidden_size", hidden_size)
        self.num_heads = self.as_size("num_heads", num_heads)
        self.num_key_value_heads = self.num_heads if num_key_value_heads is None else \
            self.as_size("num_key_value_heads", num_key_value_heads)
        self.head_dim = self.hidden_size / self.num_heads if head_dim is None else \
            self.as_size("head_dim", head_dim)
        self.q_bias, self.kv_bias, self.o_bias = (self.as_flag(n, v) for n, v in (
            ("q_bias", q_bias), ("kv_bias", kv_bias), ("o_bias", o_bias)))
        self.qk_norm = None if qk_norm is None else \
            self.as_choice("qk_norm", qk_norm, ("rms", "layer"))
        self.causal = self.as_flag("causal", causal)
        self.counting = Counting(self.as_choice("counting", str(counting), ATTENTION_COUNTS))
        self.relative_buckets = None if relative_buckets is None else \
            self.as_size("relative_buckets", relative_buckets)
        self.context = None if context is None else self.as_size("context", context)
        self.window = None if window is None else self.as_size("window", window)
        self.memory_cached = self.as_flag("memory_cached", memory_cached)

    def _project(self, name, rows, x, bias: bool):
        label = name.upper()
        kernel = self.weight(f"W_{label}", rows, x.shape[0])
        return Eq(vector(name, rows), affine(kernel, x, self.weight(f"b_{label}", rows)
                                             if bias else None))

    def equations(self, x):
        query, memory = (x[0], x[-1]) if isinstance(x, list) else (x, x)
        same_size(self, query.shape[0], self.hidden_size, "last axis")
        width, kv_width = self.num_heads * self.head_dim, self.num_key_value_heads * self.head_dim
        q = self._project("q", width, query, self.q_bias)
        k = self._project("k", kv_width, memory, self.kv_bias)
        v = self._project("v", kv_width, memory, self.kv_bias)
        equations, operands = [q, k, v], [q.lhs, k.lhs, v.lhs]
        if self.qk_norm:
            equations += [_head_norm(self, self.qk_norm, "q", self.num_heads, self.head_dim,
                                     q.lhs),
                          _head_norm(self, self.qk_norm, "k", self.num_key_value_heads,
                                     self.head_dim, k.lhs)]
            operands = [equations[-2].lhs, equations[-1].lhs, v.lhs]
        if self.relative_buckets is not None:
            table = self.weight("B", self.num_heads, self.relative_buckets)
            operands.append(table * OneHot("delta", self.relative_buckets, 1))  # the bucket
        cached = HeadsAttend.MEMORY if isinstance(x, list) else \
            HeadsAttend.SELF if self.causal else HeadsAttend.NONE
        heads = Eq(vector("o", width), HeadsAttend(width, self.num_heads, cached, self.window,
                                                   self.context, *operands))
        output = Eq(vector("y", self.hidden_size),
                    affine(self.weight("W_O", self.hidden_size, width), heads.lhs,
                           self.weight("b_O", self.hidden_size) if self.o_bias else None))
        return equations + [heads, output]

    def compute_output_shape(self, input_shape):
        query = input_shape[0] if is_shape_list(input_shape) else input_shape
        return (*query[:-1], self.hidden_size)

    def pairs(self, queries, keys):
        """The (query, key) pairs whose products are computed: all of them, as eager kernels
        multiply before masking, or with ``counting="causal"`` the pairs the causal mask (and
        a sliding window of ``W`` keys) keeps: ``T(T+1)/2``, or past ``T = W``,
        ``W(W+1)/2 + (T-W) W``."""
        if self.context is not None:  # one step: its keys are the cache (and itself)
            return sympy.Mul(queries, keys if self.window is None else sympy.Min(keys,
                                                                                  self.window))
        if self.counting is not Counting.CAUSAL or not self.causal:
            return sympy.Mul(queries, keys)
        triangle = queries * (queries + 1) / 2
        if self.window is None:
            return triangle
        w = self.window
        return sympy.Piecewise((triangle, queries <= w), (w * (w + 1) / 2 + (queries - w) * w,
                                                          True))

    def cost(self, input_shape, output_shape, equations):
        """Query-side equations once per query, key and value projections once per key, and
        for every (query, key) pair ``QK^T`` and ``AV``: the widths of ``q`` and ``o``, the
        products that grow with the sequence length squared, and a softmax entry per head."""
        query = input_shape[0] if is_shape_list(input_shape) else input_shape
        memory = input_shape[-1] if is_shape_list(input_shape) else input_shape
        queries, keys = sympy.Mul(*query[1:-1]), sympy.Mul(*memory[1:-1])
        # positions whose keys and values are computed in this pass
        projected = 0 if self.memory_cached and is_shape_list(input_shape) else keys
        if self.context is not None:  # the cache holds the others' keys and values
            keys = self.context
        key_side = [eq for eq in equations if eq.lhs.name in KEY_SIDE]
        query_side = [eq for eq in equations if eq.lhs.name not in KEY_SIDE
                      and not isinstance(eq.rhs, Attend)]
        attend = next(eq for eq in equations if isinstance(eq.rhs, Attend))
        pairs = self.pairs(queries, keys)
        products = Cost(sympy.Mul(pairs, attend.rhs.operands[0].shape[0] + attend.lhs.shape[0]),
                        sympy.Mul(pairs, self.num_heads))
        return (equations_cost(query_side).times(queries)
                + equations_cost(key_side).times(projected) + products)

    def input_layout(self):
        return (None, sympy.Symbol("T"), self.hidden_size)


@register
class MLP(TorchLayer):
    """The feed-forward network: ``y = W_2 f(W_1 x + b_1) + b_2``, or gated (SwiGLU, GeGLU;
    Shazeer 2020) ``y = W_2 (f(W_g x) ⊙ W_1 x)`` with ``gated=True``."""

    def __init__(self, hidden_size, intermediate_size, bias=True, activation="gelu",
                 gated=False, **kwargs):
        super().__init__(**kwargs)
        self.hidden_size = self.as_size("hidden_size", hidden_size)
        self.intermediate_size = self.as_size("intermediate_size", intermediate_size)
        self.bias = self.as_flag("bias", bias)
        self.activation = activation
        self.gated = self.as_flag("gated", gated)

    def equations(self, x):
        return expert_equations(self, x, self.hidden_size, self.intermediate_size)

    def input_layout(self):
        return (None, self.hidden_size)


def expert_equations(layer, x, hidden, width, declare=None, out="y"):
    """The equations of one feed-forward network (an MLP, or one expert of a mixture, whose
    output is ``out``); ``declare(name, rows, cols)`` declares a weight (``layer.weight`` by
    default)."""
    declare = declare or layer.weight
    bias = lambda name, rows: declare(name, rows, 1) if layer.bias else None  # noqa: E731
    h = vector("h", width)
    up = affine(declare("W_1", width, x.shape[0]), x, bias("b_1", width))
    if layer.gated:
        gate = affine(declare("W_g", width, x.shape[0]), x, bias("b_g", width))
        inner = Eq(h, HadamardProduct(activate(layer.activation, gate), up))
    else:
        inner = Eq(h, activate(layer.activation, up))
    affine_out = affine(declare("W_2", hidden, width), h, bias("b_2", hidden))
    return [inner, Eq(vector(out, hidden), affine_out)]


class Route(MatrixExpr):
    """``route(g, e)``: the outputs ``e`` of the ``top_k`` experts with the largest router
    logits ``g``, weighted by their softmax and summed."""

    def __new__(cls, rows, top_k, *operands):
        return super().__new__(cls, sympy.sympify(rows, strict=True),
                               sympy.sympify(top_k, strict=True), *operands)

    @property
    def shape(self):
        return (self.args[0], sympy.Integer(1))

    def _sympystr(self, printer):
        inner = ", ".join(printer._print(a) for a in self.args[2:])
        return f"route_{printer._print(self.args[1])}({inner})"

    def _latex(self, printer):
        inner = ", ".join(printer._print(a) for a in self.args[2:])
        return rf"\operatorname{{route}}_{{{printer._print(self.args[1])}}}\left({inner}\right)"


@register
class SparseMoE(TorchLayer):
    """A router ``g = W_R x`` over ``num_experts`` feed-forward experts of which each token
    uses the ``top_k`` best, weighted by their softmax (Mixtral's ``MixtralSparseMoeBlock``).
    The equations show one expert; its weights are declared once per expert."""

    def __init__(self, hidden_size, intermediate_size, num_experts, top_k, activation="silu",
                 gated=True, bias=False, **kwargs):
        super().__init__(**kwargs)
        self.hidden_size = self.as_size("hidden_size", hidden_size)
        self.intermediate_size = self.as_size("intermediate_size", intermediate_size)
        self.num_experts = self.as_size("num_experts", num_experts)
        self.top_k = self.as_size("top_k", top_k)
        self.activation, self.gated, self.bias = activation, gated, bias

    def equations(self, x):
        router = Eq(vector("g", self.num_experts),
                    self.weight("W_R", self.num_experts, x.shape[0]) * x)
        share = self.top_k / self.num_experts

        def declare(name, rows, cols):
            return self.declare(ExpertWeight(name, (sympy.sympify(rows, strict=True),
                                                    sympy.sympify(cols, strict=True)),
                                             copies=self.num_experts, active=share))

        expert = expert_equations(self, x, self.hidden_size, self.intermediate_size, declare,
                                  out="e")
        y = Eq(vector("y", self.hidden_size),
               Route(self.hidden_size, self.top_k, router.lhs, expert[-1].lhs))
        return [router, *expert, y]

    def cost(self, input_shape, output_shape, equations):
        """The router for every token, ``top_k`` experts per token."""
        router, *expert, combine = equations
        tokens = sympy.Mul(*output_shape[1:-1])
        return (equations_cost([router, combine]).times(tokens)
                + equations_cost(expert).times(tokens * self.top_k))

    def input_layout(self):
        return (None, self.hidden_size)


@register
class PositionTable(TorchLayer):
    """Adds a learnt vector per position (or per token type) to its input: ``y = x + P p``
    with ``p`` the one-hot position (GPT-2's ``wpe``, BERT's ``position_embeddings`` and
    ``token_type_embeddings``)."""

    def __init__(self, num_embeddings, embedding_dim, **kwargs):
        super().__init__(**kwargs)
        self.num_embeddings = self.as_size("num_embeddings", num_embeddings)
        self.embedding_dim = self.as_size("embedding_dim", embedding_dim)

    def equations(self, x):
        same_size(self, x.shape[0], self.embedding_dim, "last axis")
        table = self.weight("P", self.embedding_dim, self.num_embeddings)
        return [Eq(vector("y", self.embedding_dim),
                   x + table * OneHot("p", self.num_embeddings, 1))]

    def input_layout(self):
        return (None, self.embedding_dim)


@register
class FirstToken(TorchLayer):
    """The vector of the first position, ``(None, T, d) -> (None, d)``: what BERT's pooler and
    sequence classifiers read (a selection, no arithmetic)."""

    def equations(self, x):
        return [Eq(vector("y", x.shape[0]), x)]

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[-1])

    def cost(self, input_shape, output_shape, equations):
        return Cost()

    def input_layout(self):
        return (None, sympy.Symbol("T"), sympy.Symbol("d"))
