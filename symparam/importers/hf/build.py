"""A Hugging Face architecture as a symparam ``Model``: embeddings, the stack of transformer
layers (one ``Repeated`` row), the final norm, and the head ``architectures[0]`` names.

Rows are named as ``transformers`` names the modules (``embed_tokens``, ``layers``, ``norm``,
``lm_head``); a head tied to the token embedding (``tie_word_embeddings``) shows the embedding's
table as a tied symbol and counts it once, where the embedding owns it.
"""

from __future__ import annotations

import re

from symparam.core import args
from symparam.core.dims import dim
from symparam.core.errors import SymparamError, shorten
from symparam.core.shapes import format_shape
from symparam.importers.hf.config import Config, load
from symparam.importers.hf.defaults import ENCODER_DECODERS, family
from symparam.importers.hf.families import Options, Parts, Stack
from symparam.importers.hf.seq2seq import (
    Prefilled,
    check_head,
    decoder_head,
    encoder_head,
    same,
)
from symparam.importers.hf.vision import VisionParts, assemble_vision, image_shape
from symparam.layers.wrappers import Repeated, Tied
from symparam.models.functional import Input, Model
from symparam.torch.linear import Embedding, Linear
from symparam.torch.llm import ATTENTION_COUNTS, Counting, FirstToken, PositionTable

#: the heads transformers' class names end with, and what symparam builds for them (the
#: first suffix that matches: ``EncoderModel`` before ``Model``)
HEADS = {"ForCausalLM": "lm", "LMHeadModel": "lm", "ForConditionalGeneration": "lm",
         "ForMaskedLM": "mlm", "ForSequenceClassification": "classifier",
         "ForTokenClassification": "tokens", "ForQuestionAnswering": "answers",
         "EncoderModel": "encoder_only", "ForImageClassification": "image_classifier",
         "ForMaskedImageModeling": "masked_image", "Model": None}
_ARCH = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,99}")
COUNTINGS = ATTENTION_COUNTS


class RepeatedWithMemory(Repeated):
    """``Repeated`` for decoder layers that also read the encoder's output: derived on
    ``[(None, T, d), (None, S, d)]``, it keeps the first shape."""

    def _block(self, input_shape):
        block = self.layer.derive(input_shape)
        if block.output_shape != tuple(input_shape[0]):
            raise SymparamError(f"{self.name}: the repeated layer must keep the shape "
                                f"{format_shape(input_shape[0])}")
        return block


def from_hf_config(source, *, seq_len=None, batch=None, target_len=None, attention="full",
                   decode=False, symbolic=None, image_size=None) -> Model:
    """A ``Model`` of the architecture a Hugging Face ``config.json`` describes.

    Args:
        source: a ``config.json`` path, a model folder, JSON text or a dict.
        seq_len: the sequence length (the encoder's, for an encoder-decoder): a number, a
            dimension name such as ``"S"``, or the symbol ``T`` when ``None``.
        batch: the batch size (a number or a dimension name): the default of the summary's
            ``memory()`` (KV cache and activations scale with it) and ``flops()``;
            ``summary.macs`` stays per example, and shapes show the batch axis as ``None``.
        target_len: an encoder-decoder's decoder length, ``seq_len`` unless given.
        attention: ``"full"`` counts every (query, key) product of causal attention, as eager
            implementations compute them before masking; ``"causal"`` only the lower triangle.
        decode: one decoding step instead of the forward pass over the whole sequence: one
            new token whose self-attention reads a cache of ``seq_len`` positions (itself
            included), or in an encoder-decoder ``target_len`` positions, with cross-attention
            over the encoder's ``seq_len`` outputs, whose keys and values the prefill cached
            (the encoder and those projections are not in the step's cost, as in
            transformers' cached generation; see ``symparam.importers.hf.seq2seq``).
        symbolic: config fields read as symbols, ``{"hidden_size": "d",
            "num_hidden_layers": "L"}``: the counts become formulas in them, evaluated with
            ``summary.subs(d=4096, L=32)``.
        image_size: an image model's (ViT's) side, or ``(height, width)``: a number, or a
            name for a formula in it (``"S"``); the config's ``image_size`` when ``None``.
            ``seq_len`` does not apply to image models (``symparam.importers.hf.vision``).
    """
    data = load(source)
    make, defaults = family(data.get("model_type"), data)
    if symbolic is not None and not isinstance(symbolic, dict):
        raise SymparamError(f"from_hf_config: symbolic must map config fields to names, got "
                            f"{shorten(symbolic)}")
    config = Config(data, defaults, symbolic=symbolic)
    head = _head(data)
    attention, batch = _check_options(data, attention, batch, target_len, image_size)
    name = data["architectures"][0] if head[1] else data["model_type"]
    length = dim("T") if seq_len is None else config_size(seq_len, "seq_len")
    target = length if target_len is None else config_size(target_len, "target_len")
    encoder_decoder = data["model_type"] in ENCODER_DECODERS
    parts = make(config, Options(attention, (target if encoder_decoder else length) if decode
                                 else None))
    if isinstance(parts, VisionParts):
        if decode:
            raise SymparamError("from_hf_config: decode needs a decoder")
        return assemble_vision(parts, head[0] if head[1] else None, name, config, batch=batch,
                               image=image_shape(parts, image_size, seq_len))
    check_head(parts, head[0], name, decode)
    if decode and parts.kind != "decoder" and not encoder_decoder:
        raise SymparamError("from_hf_config: decode needs a decoder")
    inputs = dict(batch=batch, length=length if encoder_decoder or not decode else 1,
                  target=1 if decode else target, prefilled=decode)
    return _assemble(parts, head[0], name, config, **inputs)


def _check_options(data: dict, attention, batch, target_len, image_size) -> tuple:
    """The attention counting and the batch, checked; the lengths that do not apply to the
    config's kind of model refused."""
    if attention not in COUNTINGS:
        raise SymparamError(f"from_hf_config: attention must be 'full' or 'causal', got "
                            f"{shorten(attention)}")
    if batch is not None:
        batch = args.size(batch, field="batch", owner="from_hf_config")
    if data.get("model_type") == "vit" and target_len is not None:
        raise SymparamError("from_hf_config: an image model has no target_len (it reads one "
                            "image: give image_size)")
    if image_size is not None and data.get("model_type") != "vit":
        raise SymparamError("from_hf_config: image_size is for image models (vit); give "
                            "seq_len for a sequence")
    return Counting(attention), batch


def config_size(value, field: str):
    """A length given as a number (checked as a config field is), or as a dimension name or
    safe formula (``"S"``): the encoder's and the decoder's lengths may be two symbols."""
    if isinstance(value, str):
        value = args.size(value, field=field, owner="from_hf_config")
        if not value.is_Integer:
            return value
        value = int(value)  # a number written as text is held to a number's limit
    return Config({field: value}, {}, "from_hf_config").size(field)


def _head(data: dict) -> tuple[str | None, bool]:
    """The head ``architectures[0]`` names (the family's LM head when there is none)."""
    archs = data.get("architectures")
    if archs is None:
        return "lm", False
    if not isinstance(archs, list) or not archs or not isinstance(archs[0], str) or \
            not _ARCH.fullmatch(archs[0]):
        raise SymparamError(f"config.json: architectures must be a list of class names, got "
                            f"{shorten(archs)}")
    for suffix, head in HEADS.items():
        if archs[0].endswith(suffix):
            return head, True
    raise SymparamError(f"config.json: architectures[0] {archs[0]!r} has a head symparam does "
                        f"not build; supported: {', '.join(HEADS)}")


def _embed(parts: Parts, stack: Stack, table, h, prefix="", wrap=same):
    """The token table applied to ``h``, then position and token-type tables and a norm (each
    of their layers passed through ``wrap``)."""
    h = table(h)
    width = parts.embed_dim or parts.hidden
    if parts.embed_dim:
        h = Linear(width, parts.hidden, bias=False, name="project_in")(h)
    if stack.positions:
        h = wrap(PositionTable(stack.positions, parts.hidden,
                               name=f"{prefix}embed_positions"))(h)
    if stack.token_types:
        h = wrap(PositionTable(stack.token_types, parts.hidden,
                               name="token_type_embeddings"))(h)
    norm = stack.embed_norm
    return h if norm is None else wrap(_named(norm, prefix + norm.name))(h)


def _layers(stack: Stack, h, memory=None, prefix="", wrap=same):
    inputs = h if memory is None else [h, memory]
    if stack.first is not None:
        h = wrap(_named(stack.first, f"{prefix}block_0"))(inputs)
        inputs = h if memory is None else [h, memory]
    kind = Repeated if memory is None else RepeatedWithMemory
    for start, count, windowed in _runs(stack):
        block = stack.windowed if windowed else stack.block
        name = f"{prefix}layers" if count == stack.layers else f"{prefix}layers_{start}"
        h = wrap(kind(block, count, name=name))(inputs)
        inputs = h if memory is None else [h, memory]
    norm = stack.final_norm
    return h if norm is None else wrap(_named(norm, prefix + norm.name))(h)


def _runs(stack: Stack) -> list:
    """``(first layer, count, windowed)`` for each run of alike layers (one run unless some
    layers have a sliding window and others not)."""
    if not stack.pattern:
        return [(0, stack.layers, False)] if stack.layers != 0 else []
    runs = []
    for index, windowed in enumerate(stack.pattern):
        if runs and runs[-1][2] == windowed:
            runs[-1][1] += 1
        else:
            runs.append([index, 1, windowed])
    return [tuple(run) for run in runs]


def _named(layer, name):
    layer.name = name
    return layer


def _assemble(parts: Parts, head, name, config, *, batch, length, target,
              prefilled=False) -> Model:
    width = parts.embed_dim or parts.hidden
    table = Embedding(parts.vocab, width, name="embed_tokens")
    tokens = Input((target if parts.kind == "seq2seq" else length,), batch_size=batch,
                   dtype="int32", name="input_ids")
    inputs, outputs = [tokens], []
    memory = None
    if parts.kind == "seq2seq":
        source = Input((length,), batch_size=batch, dtype="int32", name="encoder_input_ids")
        inputs.insert(0, source)
        wrap = Prefilled if prefilled else same  # a decoding step reads the encoder's output
        memory = _layers(parts.encoder, _embed(parts, parts.encoder, table, source, "encoder_",
                                               wrap), prefix="encoder_", wrap=wrap)
        if head in ("encoder_only", "tokens"):
            return Model(source, encoder_head(parts, head, config, memory), name=name)
        if not head:
            outputs.append(memory)
    prefix = "decoder_" if memory is not None else ""
    h = _layers(parts.stack, _embed(parts, parts.stack, table, tokens, prefix), memory, prefix)
    if parts.embed_dim:
        h = Linear(parts.hidden, width, bias=False, name="project_out")(h)
    outputs.append(_apply_head(parts, head, config, h))
    if head is None and parts.pooler:
        outputs.append(Linear(parts.hidden, parts.hidden, name="pooler")(
            FirstToken(name="first_token")(h)))
    return Model(inputs if len(inputs) > 1 else tokens,
                 outputs if len(outputs) > 1 else outputs[0], name=name)


def _apply_head(parts: Parts, head, config, h):
    d, vocab = parts.hidden, parts.vocab
    if head == "lm" and parts.kind == "encoder":  # no architectures: the family's LM head
        head = "mlm"
    if head == "lm":
        lm = Linear(parts.embed_dim or d, vocab, bias=parts.head_bias, name="lm_head")
        return (Tied(lm, ["W"], name="lm_head") if parts.tie else lm)(h)
    if head == "mlm" and parts.kind == "encoder":
        h = parts.head_norm(Linear(d, d, name="transform")(h))
        return Tied(Linear(d, vocab, name="decoder"), ["W"], name="decoder")(h)
    if head == "classifier" and parts.kind == "decoder":
        return Linear(parts.embed_dim or d, config.labels(), bias=False, name="score")(h)
    if head == "classifier" and parts.kind == "encoder":
        pooled = Linear(d, d, name="pooler")(FirstToken(name="first_token")(h))
        return Linear(d, config.labels(), name="classifier")(pooled)
    if head in ("tokens", "answers") and parts.kind != "seq2seq":
        # a label per token, or a start and an end score per token (qa_outputs: BERT's family
        # sizes it num_labels, the decoders 2)
        width = 2 if head == "answers" and parts.kind == "decoder" else config.labels()
        return Linear(parts.embed_dim or d, width,
                      name="classifier" if head == "tokens" else "qa_outputs")(h)
    if parts.kind == "seq2seq" and head in ("classifier", "answers"):
        return decoder_head(parts, head, config, h)
    if head in (None, "encoder_only"):
        return h
    raise SymparamError(f"config.json: architectures[0] names a head ({head}) that symparam "
                        f"does not build for a {parts.kind} model")
