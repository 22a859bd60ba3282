"""What only an encoder-decoder (T5, BART) has: its heads other than the language model, and
its decoding step, in which the encoder has already run.

Heads (transformers 5's classes): ``...ForSequenceClassification`` reads the decoder's vector
at the input's last end-of-sequence token and applies ``dense``, ``tanh`` and ``out_proj``
(``BartClassificationHead``, ``T5ClassificationHead``); ``...ForQuestionAnswering`` scores a
start and an end per decoder position (``qa_outputs``; BART forces two labels, T5 reads
``num_labels``); ``T5ForTokenClassification`` is the encoder alone with a classifier per
position; ``T5EncoderModel`` the encoder alone.

A decoding step (``decode=True``) is one new decoder token: its self-attention reads a cache
of ``target_len`` positions, its cross-attention the encoder's ``seq_len`` outputs, whose keys
and values were projected once at prefill and are read from the cache (transformers'
``EncoderDecoderCache``).  The encoder and those projections cost nothing in the step; their
weights still count, as the model holds them.
"""

from __future__ import annotations

from dataclasses import replace

from symparam.core.errors import SymparamError
from symparam.engine.cost import Cost
from symparam.layers.wrappers import Rewired
from symparam.torch.activation import Tanh
from symparam.torch.linear import Linear
from symparam.torch.llm import FirstToken

#: the heads an encoder-decoder builds from the decoder's output
DECODER_HEADS = ("lm", None, "classifier", "answers")
#: the heads built on the encoder alone
ENCODER_HEADS = ("encoder_only", "tokens")


class Prefilled(Rewired):
    """A layer that ran before the decoding step (at prefill) and whose output the step reads:
    its weights count, its equations show, its cost is not the step's."""

    def __init__(self, layer, **kwargs):
        super().__init__(layer, [], name=layer.name, **kwargs)

    def rewire(self, equations, weights):
        for weight in weights.values():
            self.declare(weight)
        return equations

    def build(self, input_shape):
        return replace(super().build(input_shape), cost=Cost())


class EosToken(FirstToken):
    """The vector at the last end-of-sequence token of the input, ``(None, T, d) -> (None, d)``:
    what an encoder-decoder's sequence classifier reads (a selection, no arithmetic)."""


def same(layer):
    """The layer itself: how a prefill (or a whole forward pass) runs each encoder layer."""
    return layer


def check_head(parts, head: str | None, architecture: str, decode: bool) -> None:
    """Refuse what transformers builds differently for an encoder-decoder: its decoder alone
    (``BartForCausalLM`` keeps the cross-attention weights its forward never runs), and a
    decoding step of a head that reads no decoder token."""
    if parts.kind != "seq2seq":
        return
    if architecture.endswith("ForCausalLM"):
        raise SymparamError(f"config.json: architectures[0] {architecture!r} (the decoder of "
                            "an encoder-decoder alone) is not built; use "
                            "...ForConditionalGeneration")
    if head not in DECODER_HEADS + ENCODER_HEADS:
        raise SymparamError(f"config.json: architectures[0] names a head ({head}) that "
                            "symparam does not build for a seq2seq model")
    if decode and head not in ("lm", None):
        raise SymparamError(f"from_hf_config: decode needs a decoder's language-model head "
                            f"or the bare model, not {architecture!r}")


def encoder_head(parts, head: str, config, memory):
    """``T5EncoderModel``'s output, or ``T5ForTokenClassification``'s labels per position."""
    if head == "encoder_only":
        return memory
    return Linear(parts.hidden, config.labels(), name="classifier")(memory)


def decoder_head(parts, head: str, config, h):
    """The sequence classifier or the start and end scores on the decoder's output."""
    d = parts.hidden
    if head == "answers":
        return Linear(d, parts.answer_labels or config.labels(), name="qa_outputs")(h)
    pooled = Tanh(name="tanh")(Linear(d, d, name="dense")(EosToken(name="eos_token")(h)))
    return Linear(d, config.labels(), name="out_proj")(pooled)
