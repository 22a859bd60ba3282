"""Memory of a model in bytes, for inference and for training, read off its summary: weights,
gradients, optimizer states, activations saved for the backward pass and the KV cache.

- Weights: the parameter count times the dtype's bytes.
- Training (``optimizer`` given) keeps gradients in the weights' dtype and the optimizer's
  states in float32: Adam two moments, SGD one momentum, plus a float32 master copy of the
  weights when they are 16-bit (mixed precision; Rajbhandari et al. 2020, ZeRO, section 3.1:
  16 bytes per parameter with Adam).
- The KV cache (inference) holds, for every attention whose keys and values are kept between
  decoding steps, the ``k`` and ``v`` vectors its equations compute for every cached position
  (with a sliding window of ``W``, the last ``W - 1``, as transformers' sliding cache keeps
  after a forward pass): a self-attention's own positions (after one decoding step, the
  ``T`` of its cache), an encoder-decoder's cross-attention the encoder's ``S`` positions.
- Activations (training) are the vectors the equations compute for every position, which
  autograd keeps for the backward pass, and each attention's probabilities (``heads`` per query
  and key pair); with full recomputation (Chen et al. 2016) only each layer's input is kept,
  plus one layer's activations while it is recomputed.

Everything is symbolic in the sequence length ``T`` and the batch until given values.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from enum import StrEnum
from functools import reduce

import sympy

from symparam.core.errors import SymparamError, shorten
from symparam.engine.substitute import substitution
from symparam.torch.llm import ExpertWeight, HeadsAttend

BYTES = {"fp32": 4, "float32": 4, "f32": 4, "bf16": 2, "bfloat16": 2, "fp16": 2,
         "float16": 2, "f16": 2, "fp8": 1, "float8": 1, "int8": 1,
         "int4": sympy.Rational(1, 2)}
class Optimizer(StrEnum):
    """The optimizers whose states are counted (float32 states per parameter: ``states``)."""

    SGD = "sgd"    # momentum
    ADAM = "adam"  # first and second moments

    @property
    def states(self) -> int:
        return 1 if self is Optimizer.SGD else 2
PARTS = ("weights", "gradients", "optimizer", "activations", "kv_cache")


@dataclass(frozen=True)
class Memory:
    """Bytes per part and their total (``summary.memory(...)``)."""

    weights: sympy.Expr
    gradients: sympy.Expr
    optimizer: sympy.Expr
    activations: sympy.Expr
    kv_cache: sympy.Expr
    total: sympy.Expr

    def subs(self, **values) -> "Memory":
        """The same estimate with dimensions given values (``subs(T=4096, B=8)``)."""
        symbols = set().union(*(getattr(self, f.name).free_symbols for f in fields(self)))
        mapping = substitution(values, symbols)
        return replace(self, **{f.name: getattr(self, f.name).xreplace(mapping)
                                for f in fields(self)})

    def as_dict(self) -> dict:
        """JSON values: integers when concrete, else the formula's text."""
        return {f.name: _json(getattr(self, f.name)) for f in fields(self)}

    def table(self, markdown: bool = False) -> str:
        """A two-column table of the parts, in bytes and GiB when concrete."""
        lines = ["| memory | bytes |", "|---|---:|"] if markdown else ["Memory (bytes)"]
        for f in fields(self):
            value = getattr(self, f.name)
            shown = f"{int(value):,} ({float(value) / 2**30:.2f} GiB)" \
                if value.is_number else str(value)
            lines.append(f"| {f.name} | {shown} |" if markdown else f" {f.name:<12} {shown}")
        return "\n".join(lines) + "\n"

    def __repr__(self) -> str:
        return f"<Memory total={self.total}>"


def _json(value):
    return int(value) if value.is_Integer else str(value)


def dtype_bytes(dtype: str):
    if dtype not in BYTES:
        raise SymparamError(f"memory: unknown dtype {shorten(dtype)}; use one of "
                            f"{', '.join(BYTES)}")
    return BYTES[dtype]


def memory(summary, *, dtype="bf16", optimizer=None, recompute=False, batch=None) -> Memory:
    """Memory of ``summary``'s model: for inference (``optimizer=None``: weights and the KV
    cache) or for training with ``"adam"`` or ``"sgd"`` (weights, gradients, optimizer states
    and activations), for ``batch`` sequences (a number or a symbol such as ``S.dim("B")``;
    by default the batch the model declares, ``from_hf_config(batch=...)``, else 1)."""
    if optimizer is not None:
        if optimizer not in tuple(Optimizer):
            raise SymparamError(f"memory: optimizer must be None, 'adam' or 'sgd', got "
                                f"{shorten(optimizer)}")
        optimizer = Optimizer(optimizer)
    size, params = dtype_bytes(dtype), summary.total
    batch = _batch(getattr(summary, "batch", 1) if batch is None else batch)
    zero = sympy.Integer(0)
    if optimizer is None:
        parts = (params * size, zero, zero, zero, kv_cache_elements(summary) * batch * size)
    else:
        master = 4 if size < 4 else 0
        states = params * (4 * optimizer.states + master)
        saved = activation_elements(summary, recompute=recompute) * batch * size
        parts = (params * size, params * size, states, saved, zero)
    return Memory(*parts, sympy.Add(*parts))


def _batch(batch):
    from symparam.core import args
    return args.size(batch, field="batch", owner="memory")


def active_params(summary) -> sympy.Expr:
    """The parameters one token uses: every weight, but of a mixture of experts only the
    ``top_k`` experts' share (all of them for a dense model)."""
    return sympy.Add(*(w.size * w.active if isinstance(w, ExpertWeight) else w.size
                       for row in summary.rows if row.derivation is not None
                       for w in row.derivation.weights.values()))


def _repeats(row) -> sympy.Expr:
    """How many times a row's equations run one after another with their own weights: the
    common number of copies of its weights (a stack of ``L`` layers declares ``L`` of each,
    a mixture of ``E`` experts ``L*E`` of the experts')."""
    copies = [w.copies for w in row.derivation.weights.values()]
    return reduce(sympy.gcd, copies) if copies else sympy.Integer(1)


def _attends(row):
    return [eq.rhs for eq in row.derivation.equations if isinstance(eq.rhs, HeadsAttend)]


def _lengths(row) -> tuple:
    """The row's own positions and, for a layer that reads a memory, the memory's."""
    shape = row.derivation.input_shape
    own = shape[0] if isinstance(shape, list) else shape
    memory = shape[-1] if isinstance(shape, list) else shape
    return own[1], memory[1]


def kv_cache_elements(summary) -> sympy.Expr:
    """Cached numbers per sequence: each cached attention's ``k`` and ``v`` widths times the
    positions it caches, times the number of stacked layers."""
    terms = []
    for row in summary.rows:
        if row.derivation is None:
            continue
        own, memory = _lengths(row) if _attends(row) else (None, None)
        for node in _attends(row):
            if node.cached == HeadsAttend.NONE:
                continue
            keys = (node.context or own) if node.cached == HeadsAttend.SELF else memory
            if node.window is not None:  # a sliding cache keeps the last window - 1
                keys = sympy.Min(keys, node.window - 1)
            width = node.operands[1].shape[0] + node.operands[2].shape[0]
            terms.append(_repeats(row) * width * keys)
    return sympy.Add(*terms)


def activation_elements(summary, *, recompute=False) -> sympy.Expr:
    """Numbers kept for the backward pass per sequence."""
    terms, largest = [], []
    for row in summary.rows:
        if row.derivation is None or row.derivation.input_shape is None:
            continue
        attends = _attends(row)
        if not attends:  # embeddings, norms, heads: their outputs
            terms.append(sympy.Mul(*(s for s in row.output_shape[1:] if s is not None)))
            continue
        own, memory = _lengths(row)
        layer = sympy.Add(*(eq.lhs.shape[0] * own for eq in row.derivation.equations),
                          *(node.heads * own * (own if node.cached != HeadsAttend.MEMORY
                                                else memory) for node in attends))
        if recompute:
            terms.append(_repeats(row) * own * row.output_shape[-1])
            largest.append(layer)
        else:
            terms.append(_repeats(row) * layer)
    return sympy.Add(*terms, *largest[:1])
