"""What PyTorch's own FLOP counter says a module costs, per example.

``torch.utils.flop_counter.FlopCounterMode`` counts 2 FLOPs per multiply-accumulate of the matrix
products and convolutions it sees, and nothing else.  It does not see everything:

- fused kernels: ``nn.LSTM`` (and, depending on the path, ``nn.RNN``/``nn.GRU``) runs one
  kernel the counter cannot look into, and ``nn.Bilinear``'s ``_trilinear`` is not registered;
  for those modules the counter runs ``unfused``, the module's documented equations written out
  with ``F.linear`` on the module's own weights, checked to give the module's own output;
- fused attention: the transformer layers' "fast path" (inference mode) and scaled dot-product
  attention's flash kernel; the module runs in training mode and with the math kernel.
"""

from __future__ import annotations

from fractions import Fraction

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.attention import SDPBackend, sdpa_kernel
from torch.utils.flop_counter import FlopCounterMode


def counted_flops(function, *inputs, **options) -> int:
    """FLOPs ``FlopCounterMode`` counts while ``function(*inputs, **options)`` runs."""
    with torch.no_grad(), sdpa_kernel(SDPBackend.MATH), FlopCounterMode(display=False) as counter:
        function(*inputs, **options)
    return counter.get_total_flops()


def macs_per_example(module, inputs, batch: int | None, options=None) -> Fraction:
    """The counter's multiply-accumulates for one example (``batch`` of them in ``inputs``,
    ``None`` when the input is unbatched)."""
    unfused = UNFUSED.get(type(module))
    if unfused is not None:
        module.eval()
        with torch.no_grad():
            expected = module(*inputs, **(options or {}))
            expected = expected[0] if isinstance(expected, tuple) else expected
            assert torch.allclose(unfused(module, *inputs), expected, atol=1e-5), \
                f"the unfused {type(module).__name__} does not reproduce the module"
        flops = counted_flops(unfused, module, *inputs)
    else:
        module.train()  # no inference fast path, whose fused kernels the counter cannot see
        flops = counted_flops(module, *inputs, **(options or {}))
    return Fraction(flops, 2 * (batch or 1))


def _recurrent(module, x):
    """``nn.RNN``/``nn.LSTM``/``nn.GRU`` step by step, as the PyTorch documentation writes
    them (gate order ``r, z, n`` and ``i, f, g, o``), every product an ``F.linear``."""
    kind, unbatched = type(module), x.dim() == 2
    seq = x.unsqueeze(1) if unbatched else (x.transpose(0, 1) if module.batch_first else x)
    steps, batch = seq.shape[:2]
    width = getattr(module, "proj_size", 0) or module.hidden_size
    for layer in range(module.num_layers):
        outputs = []
        for reverse in range(2 if module.bidirectional else 1):
            suffix = f"_l{layer}" + ("_reverse" if reverse else "")
            weights = {name: getattr(module, name + suffix, None) for name in
                       ("weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_hr")}
            h, c = seq.new_zeros(batch, width), seq.new_zeros(batch, module.hidden_size)
            found = [None] * steps
            for t in (reversed(range(steps)) if reverse else range(steps)):
                gi = F.linear(seq[t], weights["weight_ih"], weights["bias_ih"])
                gh = F.linear(h, weights["weight_hh"], weights["bias_hh"])
                if kind is nn.GRU:
                    (ir, iz, i_n), (hr, hz, hn) = gi.chunk(3, 1), gh.chunk(3, 1)
                    r, z = torch.sigmoid(ir + hr), torch.sigmoid(iz + hz)
                    h = (1 - z) * torch.tanh(i_n + r * hn) + z * h
                elif kind is nn.LSTM:
                    i, f, g, o = (gi + gh).chunk(4, 1)
                    c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
                    h = torch.sigmoid(o) * torch.tanh(c)
                    if weights["weight_hr"] is not None:
                        h = F.linear(h, weights["weight_hr"])
                else:
                    h = (torch.tanh if module.nonlinearity == "tanh" else torch.relu)(gi + gh)
                found[t] = h
            outputs.append(torch.stack(found))
        seq = torch.cat(outputs, dim=2)
    return seq.squeeze(1) if unbatched else (seq.transpose(0, 1) if module.batch_first else seq)


def _bilinear(module, x1, x2):
    """``y = W vec(x1 x2^T) + b``: the outer product element-wise, then one ``F.linear``."""
    outer = (x1.unsqueeze(-1) * x2.unsqueeze(-2)).flatten(-2)
    return F.linear(outer, module.weight.flatten(1), module.bias)


UNFUSED = {nn.RNN: _recurrent, nn.LSTM: _recurrent, nn.GRU: _recurrent, nn.Bilinear: _bilinear}
