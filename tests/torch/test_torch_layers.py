"""``symparam.torch.nn`` against real PyTorch 2.13.0 (CPU): parameters, buffers, output shapes.

A module is written once (``spec``): its ``torch.nn`` class name and PyTorch arguments, which
``symparam.torch.nn`` shares; sizes the symbolic route turns into symbols are ``Dim(name,
value)``.  ``check`` builds the module in PyTorch, counts ``p.numel()`` of its parameters
(trainable ones apart) and ``b.numel()`` of its buffers, and runs it forward on a small input
twice, with batch sizes 2 and 3 (the axes that change are the batch, ``None``), and counts the
multiply-accumulates of one example with PyTorch's ``FlopCounterMode`` (``torch_reference``).
symparam must agree on the concrete route and on the symbolic route (symbols, then ``subs``).
Expected values come from PyTorch only.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import sympy
import torch
from layer_specs import Dim, Spec, build, dim_values, resolve, spec
from torch import nn as tnn
from torch_reference import macs_per_example

import symparam as S
from symparam.torch import TORCH, buffers
from symparam.torch import nn as snn
from symparam.torch.samples import example

BATCHES = (2, 3)
pytestmark = [pytest.mark.filterwarnings("ignore:enable_nested_tensor:UserWarning"),
              pytest.mark.filterwarnings("ignore:LSTM with projections:UserWarning")]


# -- PyTorch's facts ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Facts:
    params: int
    trainable: int
    buffers: int
    output_shape: object
    macs: object  # per example


def flat_shapes(output) -> list:
    if isinstance(output, (list, tuple)):
        return [shape for item in output for shape in flat_shapes(item)]
    return [] if output is None else [tuple(output.shape)]


def torch_inputs(shape, batch, dtype):
    shapes = shape if isinstance(shape, list) else [shape]
    sizes = [tuple(batch if s is None else s for s in item) for item in shapes]
    if dtype == "long":
        return [torch.randint(0, 3, size) for size in sizes]
    return [torch.randn(size) for size in sizes]


def merged(runs):
    """Axes that differ between the batch sizes are the batch: ``None``."""
    if len(runs) == 1:
        result = runs[0]
    else:
        result = [tuple(None if a != b else a for a, b in zip(*pair)) for pair in zip(*runs)]
    return result if len(result) > 1 else result[0]


def torch_facts(module, shape, dtype="float", call=None) -> Facts:
    params = list(module.parameters())
    module.eval()
    batched = any(None in s for s in (shape if isinstance(shape, list) else [shape]))
    runs = []
    with torch.no_grad():
        for batch in BATCHES if batched else BATCHES[:1]:
            runs.append(flat_shapes(module(*torch_inputs(shape, batch, dtype), **(call or {}))))
    macs = macs_per_example(module, torch_inputs(shape, BATCHES[0], dtype),
                            BATCHES[0] if batched else None, call)
    return Facts(sum(p.numel() for p in params),
                 sum(p.numel() for p in params if p.requires_grad),
                 sum(b.numel() for b in module.buffers()), merged(runs), macs)


def concrete(value):
    if value is None:
        return None
    expr = sympy.sympify(value)
    return int(expr) if expr.is_Integer else expr


def symparam_facts(derivation) -> Facts:
    shapes = derivation.output_shape
    shapes = shapes if isinstance(shapes, list) else [shapes]
    found = [tuple(concrete(s) for s in shape) for shape in shapes]
    return Facts(concrete(derivation.params), concrete(derivation.trainable),
                 concrete(buffers(derivation)), found if len(found) > 1 else found[0],
                 concrete(derivation.macs))


def check(layer_spec: Spec, shape, dtype="float", call=None) -> Facts:
    """PyTorch's facts, and symparam's on the concrete and on the symbolic route."""
    values = dim_values(layer_spec, shape)
    reference = torch_facts(resolve(layer_spec, tnn, False), resolve(shape, None, False),
                            dtype, call)
    # forward() options that symparam takes as arguments (``need_weights``) go in as given
    ours = build(layer_spec, snn, False, **(call or {})).derive(resolve(shape, None, False))
    assert symparam_facts(ours) == reference, (layer_spec, symparam_facts(ours), reference)
    derived = build(layer_spec, snn, True, **(call or {})).derive(resolve(shape, None, True))
    assert symparam_facts(derived.at(values)) == reference, (layer_spec, derived.params)
    return reference


def case(layer_spec, shape, dtype="float", call=None):
    return pytest.param(layer_spec, shape, dtype, call, id=f"{layer_spec!r}@{shape!r}")


d, u, L, T = Dim("d", 6), Dim("u", 5), Dim("L", 9), Dim("T", 4)
c, f, H, W = Dim("c", 4), Dim("f", 6), Dim("H", 11), Dim("W", 8)
E, V = Dim("E", 8), Dim("V", 13)

CASES = [
    # linear and sparse layers
    case(spec("Linear", d, u), (None, d)),
    case(spec("Linear", d, u, bias=False), (None, T, d)),
    case(spec("Bilinear", d, c, u), [(None, d), (None, c)]),
    case(spec("Bilinear", d, c, u, bias=False), [(None, T, d), (None, T, c)]),
    case(spec("Embedding", V, E), (None, T), "long"),
    case(spec("Embedding", V, E, padding_idx=0, max_norm=1.0), (None, T, L), "long"),
    case(spec("EmbeddingBag", V, E), (None, T), "long"),
    case(spec("EmbeddingBag", V, E, mode="max"), (None, T), "long"),
    case(spec("Identity"), (None, d)),
    case(spec("Flatten"), (None, c, H, W)),
    case(spec("Flatten", start_dim=2), (None, c, H, W)),
    case(spec("Flatten", 0, 1), (None, c, H)),
    case(spec("Unflatten", 1, (2, 3)), (None, 6, W)),
    # recurrent
    case(spec("RNNCell", d, u), (None, d)),
    case(spec("RNNCell", d, u, bias=False, nonlinearity="relu"), (None, d)),
    case(spec("LSTMCell", d, u), (None, d)),
    case(spec("GRUCell", d, u), (None, d)),
    case(spec("GRUCell", d, u, bias=False), (d,)),
    case(spec("RNN", d, u), (T, None, d)),
    case(spec("RNN", d, u, num_layers=2, bidirectional=True, batch_first=True), (None, T, d)),
    case(spec("LSTM", d, u), (T, None, d)),
    case(spec("LSTM", d, u, num_layers=2, bidirectional=True, proj_size=3), (T, None, d)),
    case(spec("LSTM", d, u, bias=False, batch_first=True, proj_size=2), (None, T, d)),
    case(spec("LSTM", d, u, num_layers=3, dropout=0.1), (T, d)),
    case(spec("GRU", d, u), (T, None, d)),
    case(spec("GRU", d, u, num_layers=3, bidirectional=True, batch_first=True), (None, T, d)),
    case(spec("GRU", d, u, bias=False), (T, None, d)),
    # convolutions
    case(spec("Conv1d", c, f, 3), (None, c, L)),
    case(spec("Conv1d", c, f, 3, stride=2, padding=1, dilation=2), (None, c, L)),
    case(spec("Conv1d", c, f, 4, padding="same", dilation=2, padding_mode="reflect"),
         (None, c, L)),
    case(spec("Conv1d", c, 8, 3, groups=2, padding="valid", bias=False), (None, c, L)),
    case(spec("Conv1d", c, f, 3, padding=2, padding_mode="circular"), (c, L)),
    case(spec("Conv2d", c, f, (3, 5), stride=(2, 1), padding=(1, 2)), (None, c, H, W)),
    case(spec("Conv2d", c, 8, 3, groups=4, bias=False, dilation=(1, 2)), (None, c, H, W)),
    case(spec("Conv2d", c, f, 2, padding="same", padding_mode="replicate"), (None, c, H, W)),
    case(spec("Conv3d", 2, f, 3, stride=2, padding=1), (None, 2, 5, H, W)),
    case(spec("ConvTranspose1d", c, f, 3, stride=2, padding=1, output_padding=1),
         (None, c, L)),
    case(spec("ConvTranspose1d", c, f, 3, dilation=2, output_padding=1), (c, L)),
    case(spec("ConvTranspose2d", c, 6, 3, stride=2, groups=2, dilation=2), (None, c, H, W)),
    case(spec("ConvTranspose2d", c, f, (2, 3), stride=(2, 3), bias=False), (None, c, H, W)),
    case(spec("ConvTranspose3d", 2, f, 2, stride=2, padding=1), (None, 2, 5, H, W)),
    # pooling
    case(spec("MaxPool1d", 3, stride=2, ceil_mode=True), (None, c, L)),
    case(spec("MaxPool1d", 2, 2, padding=1, ceil_mode=True), (None, c, 3)),
    case(spec("MaxPool2d", 2), (None, c, H, W)),
    case(spec("MaxPool2d", 3, 2, padding=1, dilation=2, return_indices=True), (None, c, H, W)),
    case(spec("MaxPool3d", 2, ceil_mode=True), (None, c, 5, H, W)),
    case(spec("AvgPool1d", 3, 2, padding=1, ceil_mode=True), (None, c, L)),
    case(spec("AvgPool2d", 3, ceil_mode=True, count_include_pad=False), (None, c, H, W)),
    case(spec("AvgPool2d", (2, 3), stride=(1, 2)), (None, c, H, W)),
    case(spec("AvgPool3d", 2), (None, c, 4, H, W)),
    case(spec("AdaptiveAvgPool1d", 4), (None, c, L)),
    case(spec("AdaptiveAvgPool2d", (3, None)), (None, c, H, W)),
    case(spec("AdaptiveAvgPool2d", 1), (c, H, W)),
    case(spec("AdaptiveAvgPool3d", 2), (None, c, 4, H, W)),
    case(spec("AdaptiveMaxPool2d", (2, 3), return_indices=True), (None, c, H, W)),
    case(spec("AdaptiveMaxPool1d", 3), (None, c, L)),
    case(spec("AdaptiveMaxPool3d", (1, 2, 2)), (None, c, 4, H, W)),
    # normalization
    case(spec("BatchNorm1d", d), (None, d)),
    case(spec("BatchNorm1d", c, affine=False), (None, c, L)),
    case(spec("BatchNorm2d", c), (None, c, H, W)),
    case(spec("BatchNorm2d", c, track_running_stats=False), (None, c, H, W)),
    case(spec("BatchNorm3d", c, momentum=None), (None, c, 3, H, W)),
    case(spec("InstanceNorm1d", c), (None, c, L)),
    case(spec("InstanceNorm2d", c, affine=True, track_running_stats=True), (None, c, H, W)),
    case(spec("InstanceNorm3d", c, affine=True), (None, c, 3, H, W)),
    case(spec("LayerNorm", d), (None, T, d)),
    case(spec("LayerNorm", (T, d), elementwise_affine=False), (None, T, d)),
    case(spec("LayerNorm", (c, H), bias=False), (None, c, H)),
    case(spec("GroupNorm", 2, c), (None, c, L)),
    case(spec("GroupNorm", 2, 6, affine=False), (None, 6, H, W)),
    # attention and transformers
    case(spec("MultiheadAttention", E, 2), [(T, None, E)] * 3),
    case(spec("MultiheadAttention", E, 4, batch_first=True), [(None, T, E), (None, L, E),
                                                              (None, L, E)]),
    case(spec("MultiheadAttention", E, 2, kdim=d, vdim=c, bias=False),
         [(T, None, E), (L, None, d), (L, None, c)]),
    case(spec("MultiheadAttention", E, 2, add_bias_kv=True, add_zero_attn=True),
         [(T, None, E), (L, None, E), (L, None, E)]),
    case(spec("MultiheadAttention", E, 2, kdim=d, vdim=d, add_bias_kv=True),
         [(T, None, E), (L, None, d), (L, None, d)], call={"need_weights": False}),
    case(spec("MultiheadAttention", E, 2), [(T, E)] * 3),
    case(spec("TransformerEncoderLayer", E, 2, dim_feedforward=u), (T, None, E)),
    case(spec("TransformerEncoderLayer", E, 4, 12, norm_first=True, activation="gelu",
              batch_first=True, bias=False), (None, T, E)),
    case(spec("TransformerDecoderLayer", E, 2, dim_feedforward=u), [(T, None, E),
                                                                     (L, None, E)]),
    case(spec("TransformerDecoderLayer", E, 2, 12, norm_first=True, bias=False,
              batch_first=True), [(None, T, E), (None, L, E)]),
    case(spec("TransformerEncoder", spec("TransformerEncoderLayer", E, 2, dim_feedforward=u),
              3, norm=spec("LayerNorm", E)), (T, None, E)),
    case(spec("TransformerDecoder", spec("TransformerDecoderLayer", E, 2, dim_feedforward=u),
              2), [(T, None, E), (L, None, E)]),
    case(spec("Transformer", E, 2, 2, 1, 16), [(L, None, E), (T, None, E)]),
    case(spec("Transformer", E, 4, 1, 2, u, batch_first=True, norm_first=True),
         [(None, L, E), (None, T, E)]),
    # element-wise
    case(spec("ReLU"), (None, d)),
    case(spec("ReLU6", inplace=True), (None, c, H)),
    case(spec("GELU", approximate="tanh"), (None, T, d)),
    case(spec("Tanh"), (None, d)),
    case(spec("Sigmoid"), (None, d)),
    case(spec("SiLU"), (None, d)),
    case(spec("Mish"), (None, d)),
    case(spec("Hardswish"), (None, d)),
    case(spec("Hardsigmoid"), (None, d)),
    case(spec("Softsign"), (None, d)),
    case(spec("LogSigmoid"), (None, d)),
    case(spec("Tanhshrink"), (None, d)),
    case(spec("LeakyReLU", 0.2), (None, d)),
    case(spec("ELU", alpha=0.5), (None, d)),
    case(spec("Softmax", dim=1), (None, T, d)),
    case(spec("LogSoftmax", dim=-1), (None, d)),
    case(spec("PReLU"), (None, c, H)),
    case(spec("PReLU", c), (None, c, H, W)),
    case(spec("Dropout", 0.3), (None, d)),
    case(spec("Dropout1d", 0.2), (None, c, L)),
    case(spec("Dropout2d"), (None, c, H, W)),
    case(spec("Dropout3d"), (None, c, 3, H, W)),
    case(spec("AlphaDropout", 0.1), (None, d)),
]


@pytest.mark.parametrize("layer_spec, shape, dtype, call", CASES)
def test_module_agrees_with_pytorch(layer_spec, shape, dtype, call):
    check(layer_spec, shape, dtype, call)


def test_every_registered_module_is_checked_against_pytorch():
    checked = {param.values[0].class_name for param in CASES}
    assert set(TORCH.classes) - checked == set()


def test_transformer_defaults():
    """``nn.Transformer()``: d_model 512, 8 heads, 6 + 6 layers, feed-forward 2048, final
    norms: 44,140,544 parameters, here from the equations."""
    reference = torch_facts(tnn.Transformer(), [(3, None, 512), (2, None, 512)])
    derived = snn.Transformer().derive([(3, None, 512), (2, None, 512)])
    assert symparam_facts(derived) == reference
    assert derived.params == 44_140_544


def test_lstm_formula_has_two_biases_per_gate():
    d_, u_ = S.dims("d u")
    assert snn.LSTM(d_, u_).derive((25, None, d_)).params == 4 * u_ * (d_ + u_ + 2)
    assert sympy.expand(snn.GRU(d_, u_).derive((25, None, d_)).params
                        - 3 * u_ * (d_ + u_ + 2)) == 0


def test_batchnorm_running_statistics_are_buffers():
    c_ = S.dims("c")
    r = snn.BatchNorm2d(c_).derive((None, c_, 7, 7))
    assert (r.params, r.non_trainable, buffers(r)) == (2 * c_, 0, 2 * c_ + 1)
    assert buffers(snn.BatchNorm2d(c_, track_running_stats=False).derive((None, c_, 7, 7))) == 0


@pytest.mark.parametrize("build, shape, message", [
    (lambda: snn.Linear(4, 3), (None, 5), "module was built for 4"),
    (lambda: snn.Conv2d(3, 4, 3, stride=2, padding="same"), None, "strided"),
    (lambda: snn.Conv2d(3, 4, 3, groups=2), None, "divisible by groups"),
    (lambda: snn.MultiheadAttention(10, 3), None, "divisible by num_heads"),
    (lambda: snn.LSTM(4, 3, proj_size=3), None, "proj_size"),
    (lambda: snn.MaxPool2d(2, padding=2), None, "half of the window"),
    (lambda: snn.Conv1d(1, 1, 5), (None, 1, 3), "larger than the input"),
    (lambda: snn.ConvTranspose1d(1, 1, 3, stride=2, output_padding=2), None, "smaller"),
    (lambda: snn.BatchNorm2d(3), (None, 3, 5), "rank 4"),
])
def test_pytorch_refusals_are_one_clear_error(build, shape, message):
    with pytest.raises(S.SymparamError, match=message):
        build().derive(shape)
