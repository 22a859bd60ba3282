"""The model list of ``bench/zoo_torch.py``: real architectures from torchvision, timm and
transformers, each built on the meta device (no weights allocated, nothing downloaded).

Every case is ``Case(library, name, build, shape, ids)``: ``build()`` returns the module,
``shape`` is the input at batch 1, ``ids`` says the input holds token ids (below ``ids``).
transformers models are built from small config objects, so the zoo covers their code paths
without their sizes.
"""

from __future__ import annotations

import contextlib
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from torch_libraries import torchvision_schemas  # noqa: E402

#: the torchvision 0.28.0 wheel the registry serves is built against CUDA PyTorch: its two
#: operator schemas are defined first, as the tests do (``tests/torch_libraries.py``)
torchvision_shim = torchvision_schemas


@dataclass(frozen=True)
class Case:
    library: str
    name: str
    build: Callable
    shape: tuple
    ids: int = 0  # > 0: the input holds token ids below this


@contextlib.contextmanager
def parameters_to_meta():
    """For builders that compute sizes with tensors (torchvision's RegNet calls ``tolist()``),
    which fail under ``torch.device("meta")``: each parameter and buffer is created where the
    builder makes it and moved to the meta device as it is registered."""
    nn = torch.nn
    register_parameter, register_buffer = nn.Module.register_parameter, nn.Module.register_buffer

    def parameter(self, name, param):
        if param is not None:
            param = nn.Parameter(param.detach().to("meta"), requires_grad=param.requires_grad)
        register_parameter(self, name, param)

    def buffer(self, name, tensor, persistent=True):
        register_buffer(self, name, None if tensor is None else tensor.to("meta"), persistent)
    nn.Module.register_parameter, nn.Module.register_buffer = parameter, buffer
    try:
        yield
    finally:
        nn.Module.register_parameter, nn.Module.register_buffer = register_parameter, \
            register_buffer


def _on_meta(build):
    def built():
        try:
            with torch.device("meta"):
                return build().eval()
        except NotImplementedError:  # "Cannot copy out of meta tensor": sizes from tensors
            with parameters_to_meta():
                return build().eval()
    return built


def torchvision_cases() -> list[Case]:
    torchvision_shim()
    from torchvision import models
    cases = []
    for name in models.list_models(module=models):
        side = 299 if name == "inception_v3" else 224
        builder = models.get_model_builder(name)
        cases.append(Case("torchvision", name, _on_meta(builder), (1, 3, side, side)))
    seg = models.segmentation
    for name in ("fcn_resnet50", "deeplabv3_mobilenet_v3_large", "lraspp_mobilenet_v3_large"):
        builder = getattr(seg, name)
        cases.append(Case("torchvision", name, _on_meta(
            lambda b=builder: b(weights=None, weights_backbone=None)), (1, 3, 224, 224)))
    video = models.video
    for name, shape in (("r3d_18", (1, 3, 8, 112, 112)), ("mc3_18", (1, 3, 8, 112, 112)),
                        ("r2plus1d_18", (1, 3, 8, 112, 112)), ("s3d", (1, 3, 16, 224, 224)),
                        ("mvit_v2_s", (1, 3, 16, 224, 224)), ("swin3d_t", (1, 3, 8, 224, 224))):
        cases.append(Case("torchvision", name, _on_meta(getattr(video, name)), shape))
    det = models.detection
    for name in ("fasterrcnn_mobilenet_v3_large_320_fpn", "ssdlite320_mobilenet_v3_large"):
        builder = getattr(det, name)
        cases.append(Case("torchvision", name, _on_meta(
            lambda b=builder: b(weights=None, weights_backbone=None)), (1, 3, 320, 320)))
    return cases


TIMM = [
    "resnet50", "convnext_tiny", "vit_tiny_patch16_224", "deit_tiny_patch16_224",
    "swin_tiny_patch4_window7_224", "swinv2_tiny_window8_256", "efficientnet_b0",
    "mobilenetv3_large_100", "regnety_002", "resnest14d", "coatnet_0_rw_224",
    "maxvit_tiny_tf_224", "poolformer_s12", "levit_128s", "resmlp_12_224", "nf_resnet26",
    "beit_base_patch16_224", "eva02_tiny_patch14_224", "mixer_b16_224", "convmixer_768_32",
    "mobilevit_s", "edgenext_small", "ghostnet_100", "cspdarknet53", "dla34",
    "densenet121", "xcit_nano_12_p16_224", "pvt_v2_b0", "twins_svt_small", "cait_xxs24_224",
    "deit3_small_patch16_224", "fastvit_t8", "repvgg_a0", "tiny_vit_5m_224",
    "focalnet_tiny_srf", "davit_tiny", "inception_next_tiny", "hiera_tiny_224",
    "efficientformer_l1", "hrnet_w18_small",
]


def timm_cases() -> list[Case]:
    torchvision_shim()
    import timm
    cases = []
    for name in TIMM:
        side = 256 if "256" in name else 224
        cases.append(Case("timm", f"timm/{name}", _on_meta(lambda n=name: timm.create_model(n)),
                          (1, 3, side, side)))
    return cases


def _hf(model_class: str, config_class: str, **config):
    def build():
        import transformers
        settings = {"vocab_size": 1000, **config}
        made = getattr(transformers, config_class)(**settings)
        if hasattr(made, "_experts_implementation"):
            # the default grouped kernel needs bfloat16 on meta; eager routing is data-dependent
            made._experts_implementation = "batched_mm"
        return getattr(transformers, model_class)(made)
    return build


_ENCODER = dict(hidden_size=128, num_hidden_layers=2, num_attention_heads=4,
                intermediate_size=256)
_DECODER = dict(hidden_size=128, num_hidden_layers=2, num_attention_heads=4,
                num_key_value_heads=2, intermediate_size=256)
HF = [
    ("BertModel", "BertConfig", _ENCODER),
    ("RobertaModel", "RobertaConfig", _ENCODER),
    ("DistilBertModel", "DistilBertConfig", dict(dim=128, n_layers=2, n_heads=4,
                                                 hidden_dim=256)),
    ("AlbertModel", "AlbertConfig", dict(_ENCODER, embedding_size=64)),
    ("ElectraModel", "ElectraConfig", dict(_ENCODER, embedding_size=64)),
    ("GPT2Model", "GPT2Config", dict(n_embd=128, n_layer=2, n_head=4)),
    ("LlamaModel", "LlamaConfig", _DECODER),
    ("MistralModel", "MistralConfig", _DECODER),
    ("Qwen2Model", "Qwen2Config", _DECODER),
    ("GemmaModel", "GemmaConfig", dict(_DECODER, head_dim=32)),
    ("PhiModel", "PhiConfig", _DECODER),
    ("MixtralModel", "MixtralConfig", dict(_DECODER, num_local_experts=4,
                                           num_experts_per_tok=2)),
    ("T5EncoderModel", "T5Config", dict(d_model=128, d_kv=32, d_ff=256, num_layers=2,
                                        num_heads=4)),
    ("BartModel", "BartConfig", dict(d_model=128, encoder_layers=2, decoder_layers=2,
                                     encoder_attention_heads=4, decoder_attention_heads=4,
                                     encoder_ffn_dim=256, decoder_ffn_dim=256)),
    ("OPTModel", "OPTConfig", dict(hidden_size=128, num_hidden_layers=2,
                                   num_attention_heads=4, ffn_dim=256, word_embed_proj_dim=128)),
    ("GPTNeoXModel", "GPTNeoXConfig", _ENCODER),
]


def transformers_cases() -> list[Case]:
    return [Case("transformers", model, _on_meta(_hf(model, config, **settings)), (1, 32),
                 ids=1000) for model, config, settings in HF]


def all_cases() -> list[Case]:
    return torchvision_cases() + timm_cases() + transformers_cases()
