"""Categorical and text preprocessing layers: numbers and strings to indices or encodings.

None owns a Keras weight: the lookup tables of ``StringLookup``, ``IntegerLookup`` and
``TextVectorization`` are TensorFlow tables, not Keras variables, and ``count_params()`` is 0.
What they change is the shape, following Keras's ``compute_output_shape``: ``int`` output keeps
the input's shape (a ``TextVectorization`` gives ``output_sequence_length`` tokens); ``one_hot``
replaces a last axis of 1 by the encoding depth (or appends it); ``multi_hot``, ``count`` and
``tf_idf`` encode the last axis into ``depth`` entries.  Each is written ``y = E x``: ``E`` maps
a value (``x``) to its index or its encoding, a fixed table of the layer's definition.
"""

from __future__ import annotations

import sympy
from sympy import MatrixSymbol

from symparam.core.dims import dim
from symparam.core.errors import SymparamError
from symparam.engine.cost import Cost
from symparam.engine.equations import Eq, vector
from symparam.engine.layer import Layer
from symparam.layers.registry import register

MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")


class Encoding(Layer):
    """Base: ``depth`` (the encoding's width, ``None`` when the config cannot tell) and
    Keras's shape rule for ``output_mode``."""

    output_mode = "int"
    depth = None

    def set_mode(self, output_mode, modes=MODES):
        self.output_mode = self.as_choice("output_mode", output_mode, modes)

    def compute_output_shape(self, input_shape):
        shape, depth = tuple(input_shape), self.depth
        if self.output_mode == "int":
            return shape
        if len(shape) == 0:
            return (depth,)
        if self.output_mode == "one_hot":
            return shape[:-1] + (depth,) if len(shape) > 1 and shape[-1] == 1 else \
                shape + (depth,)
        return shape[:-1] + (depth,)

    def equations_for(self, input_shape):
        x = vector("x", 1)
        width = 1 if self.output_mode == "int" else (self.depth or dim("k"))
        return [Eq(vector("y", width), MatrixSymbol("E", width, 1) * x)]

    def cost(self, input_shape, output_shape, equations):
        return Cost()  # a table lookup per value: no multiply-accumulate, no arithmetic


def _depth(layer, value, field):
    return None if value is None else layer.as_size(field, value)


@register
class CategoryEncoding(Encoding):
    """Integer categories to ``one_hot``, ``multi_hot`` or ``count`` vectors of
    ``num_tokens`` entries (Keras ``CategoryEncoding``)."""

    def __init__(self, num_tokens=None, output_mode="multi_hot", **kwargs):
        super().__init__(**kwargs)
        self.depth = _depth(self, num_tokens, "num_tokens")
        self.set_mode(output_mode, ("one_hot", "multi_hot", "count"))


@register
class Discretization(Encoding):
    """Numbers to bucket indices by ``bin_boundaries`` (``len + 1`` buckets) or ``num_bins``
    (Keras ``Discretization``); the boundaries are constants, not weights.  Keras's
    ``multi_hot``/``count`` rule drops the second axis and appends the depth."""

    def __init__(self, bin_boundaries=None, num_bins=None, output_mode="int", **kwargs):
        super().__init__(**kwargs)
        if bin_boundaries is not None and not isinstance(bin_boundaries, (list, tuple)):
            raise SymparamError("Discretization: bin_boundaries must be a list of numbers")
        self.depth = sympy.Integer(len(bin_boundaries) + 1) if bin_boundaries is not None \
            else _depth(self, num_bins, "num_bins")
        self.set_mode(output_mode, ("int", "one_hot", "multi_hot", "count"))

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape)
        if self.output_mode in ("multi_hot", "count"):
            return (shape[0], *shape[2:], self.depth) if len(shape) >= 2 else (self.depth,)
        return super().compute_output_shape(input_shape)


@register
class Hashing(Encoding):
    """Values hashed into ``num_bins`` buckets (Keras ``Hashing``, which needs TensorFlow)."""

    def __init__(self, num_bins, mask_value=None, salt=None, output_mode="int", **kwargs):
        super().__init__(**kwargs)
        self.depth = self.as_size("num_bins", num_bins)
        self.set_mode(output_mode, ("int", "one_hot", "multi_hot", "count"))

    def compute_output_shape(self, input_shape):
        """Keras's ``Hashing`` encodes the last axis in every mode but ``int``, ``one_hot``
        included (unlike the lookups)."""
        shape = tuple(input_shape)
        if self.output_mode == "int":
            return shape
        return shape[:-1] + (self.depth,) if shape else (self.depth,)


class Lookup(Encoding):
    """Base of the vocabulary lookups: the depth is ``max_tokens`` with
    ``pad_to_max_tokens``, else the vocabulary size the config records (Keras's
    ``IndexLookup``); ``vocabulary`` may be a file name, never opened here."""

    def configure(self, max_tokens, pad_to_max_tokens, vocabulary_size, output_mode):
        self.set_mode(output_mode)
        padded = self.as_flag("pad_to_max_tokens", pad_to_max_tokens)
        self.depth = _depth(self, max_tokens, "max_tokens") if padded else \
            _depth(self, vocabulary_size, "vocabulary_size")


@register
class StringLookup(Lookup):
    """Strings to vocabulary indices or encodings (Keras ``StringLookup``)."""

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token="[UNK]",
                 vocabulary=None, idf_weights=None, invert=False, output_mode="int",
                 pad_to_max_tokens=False, encoding="utf-8", vocabulary_size=None,
                 oov_method=None, salt=None, **kwargs):
        super().__init__(**kwargs)
        self.configure(max_tokens, pad_to_max_tokens, vocabulary_size, output_mode)


@register
class IntegerLookup(Lookup):
    """Integers to vocabulary indices or encodings (Keras ``IntegerLookup``)."""

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token=-1,
                 vocabulary=None, vocabulary_dtype="int64", idf_weights=None, invert=False,
                 output_mode="int", pad_to_max_tokens=False, vocabulary_size=None,
                 oov_method="floormod", salt=None, **kwargs):
        super().__init__(**kwargs)
        self.configure(max_tokens, pad_to_max_tokens, vocabulary_size, output_mode)


@register
class TextVectorization(Lookup):
    """Strings to token indices (``int``: ``output_sequence_length`` of them) or to
    ``multi_hot``/``count``/``tf_idf`` vectors (Keras ``TextVectorization``)."""

    def __init__(self, max_tokens=None, standardize="lower_and_strip_punctuation",
                 split="whitespace", ngrams=None, output_mode="int",
                 output_sequence_length=None, pad_to_max_tokens=False, vocabulary=None,
                 idf_weights=None, ragged=False, encoding="utf-8", vocabulary_size=None,
                 **kwargs):
        super().__init__(**kwargs)
        if not (standardize is None or isinstance(standardize, str)) or \
                not (split is None or isinstance(split, str)):
            raise SymparamError("TextVectorization: a custom standardize or split function "
                                "runs code; unsupported")
        self.configure(max_tokens, pad_to_max_tokens, vocabulary_size, output_mode)
        self.split = split
        self.length = _depth(self, output_sequence_length, "output_sequence_length")

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape)
        if self.output_mode == "int":
            return (shape[0], self.length)
        if self.split is None:
            shape = shape + (sympy.Integer(1),) if len(shape) <= 1 else shape
        else:
            shape = shape + (None,)
        return super().compute_output_shape(shape)
