"""A few real architectures per library (small configurations, built on the meta device) read
by ``from_torch`` and compared with PyTorch's ``FlopCounterMode`` itself and with
``sum(p.numel())``; symbolic image sides and sequence lengths checked at three sizes
(``bench/zoo_torch.py`` runs the full list)."""

from __future__ import annotations

import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode
from torch_libraries import library

import symparam as S


def _library(name):
    return library(name)


def counted(module, shape, ids=0) -> int:
    x = (torch.zeros(shape, dtype=torch.long, device="meta") if ids
         else torch.empty(shape, device="meta"))
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        module(x)
    return counter.get_total_flops() // 2


def on_meta(build):
    with torch.device("meta"):
        return build().eval()


def check(module, shape, ids=0):
    summary = S.from_torch(module, (None, *shape[1:])).summary()
    assert summary.total == sum(p.numel() for p in module.parameters())
    assert summary.macs == counted(module, shape, ids)
    return summary


def _hf(model, config, **settings):
    transformers = _library("transformers")
    made = getattr(transformers, config)(vocab_size=100, **settings)
    return on_meta(lambda: getattr(transformers, model)(made))


_SMALL = dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64)


@pytest.mark.parametrize("name", ["resnet18", "mobilenet_v3_small", "swin_t", "googlenet"])
def test_torchvision(name):
    models = _library("torchvision").models
    check(on_meta(models.get_model_builder(name)), (1, 3, 224, 224))


@pytest.mark.parametrize("name", ["convnext_atto", "efficientnet_b0", "maxvit_nano_rw_256"])
def test_timm(name):
    timm = _library("timm")
    side = 256 if "256" in name else 224
    check(on_meta(lambda: timm.create_model(name)), (1, 3, side, side))


@pytest.mark.parametrize("model, config", [("BertModel", "BertConfig"),
                                           ("LlamaModel", "LlamaConfig"),
                                           ("GPT2Model", "GPT2Config")])
def test_transformers(model, config):
    settings = dict(n_embd=32, n_layer=2, n_head=4) if model == "GPT2Model" else _SMALL
    check(_hf(model, config, **settings), (1, 16), ids=100)


def _at_sizes(module, shape, sizes, ids=0):
    macs = S.from_torch(module, shape).summary().macs
    names = [s for s in shape if isinstance(s, str)]
    for values in sizes:
        given = dict(zip(names, values))
        concrete = (1, *(given.get(s, s) for s in shape[1:]))
        assert macs.xreplace({S.dim(n): v for n, v in given.items()}) == \
            counted(module, concrete, ids), values


def test_torchvision_convnext_with_a_symbolic_image_side():
    models = _library("torchvision").models
    _at_sizes(on_meta(models.convnext_tiny), (None, 3, "H", "W"), [(64, 64), (96, 128),
                                                                    (100, 77)])


def test_timm_vit_with_a_symbolic_image_side():
    timm = _library("timm")
    vit = on_meta(lambda: timm.create_model("vit_tiny_patch16_224", dynamic_img_size=True))
    _at_sizes(vit, (None, 3, "H", "W"), [(64, 64), (96, 128), (224, 224)])


@pytest.mark.parametrize("model, config", [("BertModel", "BertConfig"),
                                           ("LlamaForCausalLM", "LlamaConfig")])
def test_transformers_with_a_symbolic_sequence_length(model, config):
    _at_sizes(_hf(model, config, **_SMALL), (None, "T"), [(7,), (32,), (100,)], ids=100)
