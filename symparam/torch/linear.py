"""``nn.Linear``, ``nn.Bilinear``, ``nn.Identity``, ``nn.Flatten``, ``nn.Unflatten``,
``nn.Embedding`` and ``nn.EmbeddingBag`` (PyTorch ``torch.nn`` documentation, "Linear Layers"
and "Sparse Layers")."""

from __future__ import annotations

import sympy
from sympy import Function, KroneckerProduct, MatrixSymbol

from symparam.core import args
from symparam.core.dims import dim
from symparam.core.errors import SymparamError
from symparam.core.shapes import format_shape, is_shape_list, product
from symparam.engine.equations import Eq, vector
from symparam.layers.core import Dense
from symparam.layers.core import Embedding as KerasEmbedding
from symparam.torch._base import Borrowed, TorchLayer, register, same_size
from symparam.torch._shapes import positive_axis


@register
class Linear(Borrowed):
    """``y = x A^T + b`` on the last axis: ``(*, in_features) -> (*, out_features)``
    (PyTorch ``nn.Linear``).

    Keras's ``Dense`` states the same equations, reused here: ``W`` is PyTorch's ``weight``
    (``(out_features, in_features)``), ``b`` its ``bias``.
    """

    def __init__(self, in_features, out_features, bias=True, **kwargs):
        super().__init__(**kwargs)
        self.in_features = self.as_size("in_features", in_features)
        self.out_features = self.as_size("out_features", out_features)
        self.bias = self.as_flag("bias", bias)

    def keras_layer(self):
        return Dense(self.out_features, use_bias=self.bias)

    def keras_shape(self, input_shape):
        return (None, self.in_features)

    def check_input(self, input_shape):
        same_size(self, input_shape[-1], self.in_features, "last axis")

    def input_layout(self):
        return (None, self.in_features)


@register
class Bilinear(TorchLayer):
    """``y = x_1^T A x_2 + b``, one matrix ``A_k`` per output (PyTorch ``nn.Bilinear``).

    Written ``y = W (x_1 ⊗ x_2) + b``: row ``k`` of ``W`` is ``A_k`` read row by row, so
    ``W`` holds PyTorch's ``weight`` of shape ``(out_features, in1_features, in2_features)``.
    Inputs ``[(*, in1_features), (*, in2_features)]`` give ``(*, out_features)``.
    """

    def __init__(self, in1_features, in2_features, out_features, bias=True, **kwargs):
        super().__init__(**kwargs)
        self.in1_features = self.as_size("in1_features", in1_features)
        self.in2_features = self.as_size("in2_features", in2_features)
        self.out_features = self.as_size("out_features", out_features)
        self.bias = self.as_flag("bias", bias)

    def features(self, input_shape):
        if not is_shape_list(input_shape) or len(input_shape) != 2:
            raise SymparamError(f"{args.where(self)}: expects two inputs [x_1, x_2], got "
                                f"{format_shape(input_shape)}")
        same_size(self, input_shape[0][-1], self.in1_features, "first input's last axis")
        same_size(self, input_shape[1][-1], self.in2_features, "second input's last axis")
        return [self.in1_features, self.in2_features]

    def equations(self, xs):
        x1, x2 = xs
        kernel = self.weight("W", self.out_features, self.in1_features * self.in2_features)
        y = kernel * KroneckerProduct(x1, x2)
        if self.bias:
            y = y + self.weight("b", self.out_features)
        return [Eq(vector("y", self.out_features), y)]

    def compute_output_shape(self, input_shape):
        self.features(input_shape)
        return (*input_shape[0][:-1], self.out_features)

    def input_layout(self):
        return [(None, self.in1_features), (None, self.in2_features)]


@register
class Identity(TorchLayer):
    """``y = x`` (PyTorch ``nn.Identity``, which ignores its arguments)."""

    def __init__(self, *ignored, **kwargs):
        super().__init__(**{k: v for k, v in kwargs.items() if k in ("name", "trainable")})

    def features(self, input_shape):
        return input_shape[-1] if input_shape and input_shape[-1] is not None else dim("d")

    def equations(self, x):
        return [Eq(vector("y", x.shape[0]), x)]

    def compute_output_shape(self, input_shape):
        return input_shape

    def input_layout(self):
        return (None, dim("d"))


class Reshaping(TorchLayer):
    """``y = x`` on the numbers a reshape regroups: the shape changes, the numbers do not."""

    def equations(self, x):
        return [Eq(vector("y", x.shape[0]), x)]

    def input_layout(self):
        return (None, dim("C"), dim("H"), dim("W"))


@register
class Flatten(Reshaping):
    """Axes ``start_dim`` to ``end_dim`` merged into one (PyTorch ``nn.Flatten``; the defaults
    keep the batch axis)."""

    def __init__(self, start_dim=1, end_dim=-1, **kwargs):
        super().__init__(**kwargs)
        self.start_dim = self.as_axis("start_dim", start_dim)
        self.end_dim = self.as_axis("end_dim", end_dim)

    def _span(self, input_shape):
        rank = len(input_shape)
        start = positive_axis(self, self.start_dim, rank, "start_dim")
        end = positive_axis(self, self.end_dim, rank, "end_dim")
        if start > end:
            raise SymparamError(f"{args.where(self)}: start_dim comes after end_dim on "
                                f"{format_shape(input_shape)}")
        return start, end

    def features(self, input_shape):
        start, end = self._span(input_shape)
        return product(input_shape[start:end + 1]) or dim("n")

    def compute_output_shape(self, input_shape):
        start, end = self._span(input_shape)
        return (*input_shape[:start], product(input_shape[start:end + 1]),
                *input_shape[end + 1:])


@register
class Unflatten(Reshaping):
    """Axis ``dim`` split into ``unflattened_size`` (PyTorch ``nn.Unflatten``)."""

    def __init__(self, dim, unflattened_size, **kwargs):
        super().__init__(**kwargs)
        self.dim = self.as_axis("dim", dim)
        items = args._as_items(unflattened_size)
        self.unflattened_size = self.as_sizes("unflattened_size", items, len(items))

    def features(self, input_shape):
        size = input_shape[positive_axis(self, self.dim, len(input_shape))]
        same_size(self, size, sympy.Mul(*self.unflattened_size), f"axis {self.dim}")
        return sympy.Mul(*self.unflattened_size)

    def compute_output_shape(self, input_shape):
        axis = positive_axis(self, self.dim, len(input_shape))
        return (*input_shape[:axis], *self.unflattened_size, *input_shape[axis + 1:])

    def input_layout(self):
        return (None, sympy.Mul(*self.unflattened_size))


@register
class Embedding(Borrowed):
    """A table of ``num_embeddings`` vectors looked up by index: ``(*) -> (*, embedding_dim)``
    (PyTorch ``nn.Embedding``).

    Keras's ``Embedding`` states the same equation, reused: ``y = E x`` with ``x`` the one-hot
    vector of an index; ``E`` is PyTorch's ``weight`` (stored transposed there).
    ``padding_idx``, ``max_norm`` and ``sparse`` change training, never the count.
    """

    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, max_norm=None,
                 norm_type=2.0, scale_grad_by_freq=False, sparse=False, **kwargs):
        super().__init__(**kwargs)
        self.num_embeddings = self.as_size("num_embeddings", num_embeddings)
        self.embedding_dim = self.as_size("embedding_dim", embedding_dim)
        self.sparse = self.as_flag("sparse", sparse)

    def keras_layer(self):
        return KerasEmbedding(self.num_embeddings, self.embedding_dim)

    def keras_shape(self, input_shape):
        return (None, 1)

    def compute_output_shape(self, input_shape):
        return (*input_shape, self.embedding_dim)

    def input_layout(self):
        return (None, dim("n"))


@register
class EmbeddingBag(Embedding):
    """Each bag of indices reduced to one vector, ``(B, N) -> (B, embedding_dim)`` (PyTorch
    ``nn.EmbeddingBag``): the looked-up vectors ``E x`` summed, averaged or maximised over the
    bag (``mode``).  A 1-D input with ``offsets`` holds a number of bags the shape cannot tell.
    """

    def __init__(self, num_embeddings, embedding_dim, max_norm=None, norm_type=2.0,
                 scale_grad_by_freq=False, mode="mean", sparse=False, include_last_offset=False,
                 padding_idx=None, **kwargs):
        super().__init__(num_embeddings, embedding_dim, padding_idx, max_norm, norm_type,
                         scale_grad_by_freq, sparse, **kwargs)
        self.mode = self.as_choice("mode", mode, ("sum", "mean", "max"))

    def equations_for(self, input_shape):
        looked_up = super().equations_for(input_shape)
        found = looked_up[-1].lhs
        rows = MatrixSymbol("e", *found.shape)
        bag = rows.applyfunc(Function(f"{self.mode}_over_bag"))
        return [Eq(rows, looked_up[-1].rhs), Eq(vector("y", rows.shape[0]), bag)]

    def compute_output_shape(self, input_shape):
        if len(input_shape) not in (1, 2):
            raise SymparamError(f"{args.where(self)}: expects (B, N) or a 1-D input with "
                                f"offsets, got {format_shape(input_shape)}")
        return (input_shape[0] if len(input_shape) == 2 else None, self.embedding_dim)
