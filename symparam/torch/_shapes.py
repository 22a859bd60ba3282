"""PyTorch's length rules for convolution and pooling, and its argument checks.

The rules are the ones printed in the ``torch.nn`` documentation, kept exact and symbolic:

* ``Conv``: ``floor((L + 2p - d*(k-1) - 1)/s) + 1``, which is Keras's ``valid`` rule
  (``symparam.core.shapes.conv_length``) on the input padded by ``p`` on both sides; ``'same'``
  keeps ``L`` (stride 1 only) and ``'valid'`` is ``p = 0``;
* ``ConvTranspose``: ``(L-1)*s - 2p + d*(k-1) + output_padding + 1``, Keras's explicit
  ``output_padding`` rule (``symparam.core.shapes.transpose_length``) less ``2p``;
* pooling with ``ceil_mode=True``: ``ceil`` in place of ``floor``, then one window less when
  the last one would start beyond the input and its left padding
  (``pooling_output_shape`` in ATen), a ``Piecewise`` while ``L`` is a symbol.
"""

from __future__ import annotations

import sympy

from symparam.core import args
from symparam.core.errors import SymparamError
from symparam.core.shapes import conv_length, format_shape, transpose_length


def paddings(layer, value, rank: int, *, strings=("same", "valid")):
    """``padding`` as PyTorch takes it: an int, a tuple of ``rank`` ints, or one of
    ``strings``; the strings are returned as given, sizes as a tuple."""
    if isinstance(value, str) and value.lower() in strings:
        return value.lower()
    return layer.as_sizes("padding", value, rank, minimum=0)


def conv_out(n, kernel, *, stride, padding, dilation, owner: str):
    """One axis of ``nn.Conv*d``'s output; ``padding`` is a size or ``'same'``."""
    if n is None:
        return None
    if padding == "same":
        return n
    return conv_length(n + 2 * padding, kernel, stride=stride, padding="valid",
                       dilation=dilation, owner=owner)


def transpose_out(n, kernel, *, stride, padding, output_padding, dilation):
    """One axis of ``nn.ConvTranspose*d``'s output."""
    if n is None:
        return None
    return transpose_length(n, kernel, stride=stride, padding="valid",
                            output_padding=output_padding, dilation=dilation) - 2 * padding


def pool_out(n, kernel, *, stride, padding, dilation=1, ceil_mode=False, owner: str):
    """One axis of ``nn.MaxPool*d`` / ``nn.AvgPool*d``'s output."""
    if n is None:
        return None
    if not ceil_mode:
        return conv_out(n, kernel, stride=stride, padding=padding, dilation=dilation,
                        owner=owner)
    span = (kernel - 1) * dilation + 1
    windows = sympy.ceiling((n + 2 * padding - span) / stride) + 1
    if windows.is_number and windows < 1:
        raise SymparamError(f"{owner}: window of size {span} is larger than the padded input "
                            f"length {n + 2 * padding}")
    # ATen drops the last window when it would start past the input and its left padding
    return sympy.Piecewise((windows - 1, (windows - 1) * stride >= n + padding),
                           (windows, True))


def check_pool_padding(layer, kernel_size, padding, dilation=None) -> None:
    """PyTorch: ``pad should be at most half of effective kernel size``."""
    dilation = dilation or (1,) * len(kernel_size)
    for k, p, d in zip(kernel_size, padding, dilation):
        half = ((k - 1) * d + 1) / 2
        if (p - half).is_positive:
            raise SymparamError(f"{args.where(layer)}: padding {p} is more than half of the "
                                f"window {(k - 1) * d + 1}")


def check_rank(layer, input_shape, ranks) -> None:
    """Refuse an input whose rank is not one of ``ranks``."""
    if len(input_shape) not in ranks:
        wanted = " or ".join(str(r) for r in ranks)
        raise SymparamError(f"{args.where(layer)}: expects an input of rank {wanted}, got "
                            f"{format_shape(input_shape)}")


def positive_axis(layer, axis: int, rank: int, field: str = "dim") -> int:
    """A PyTorch ``dim`` (negative counts from the end) as an index into a shape of ``rank``."""
    if not -rank <= axis < rank:
        raise SymparamError(f"{args.where(layer)}: {field}={axis} is out of range for an input "
                            f"of rank {rank}")
    return axis % rank
