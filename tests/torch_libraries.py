"""The optional PyTorch libraries the reference tests compare with (torchvision, timm,
transformers), imported the same way in every test process.

The registry's torchvision 0.28.0 wheel is built against the CUDA build of PyTorch and
registers fakes for two operators (``torchvision::nms``, ``torchvision::qnms``) whose schemas
the CPU build of PyTorch 2.13 lacks; defining the schemas first makes it import and run on the
CPU.  transformers and timm import torchvision when it is installed, so every import goes
through here.  A missing library is an error, not a skip: CI installs them (``.[test]``).
"""

from __future__ import annotations

import importlib

import torch

_LIBRARIES: list = []  # keeps the schema library alive for the whole process


def torchvision_schemas() -> None:
    """The two operator schemas torchvision registers fakes for, defined once per process."""
    try:
        torch.ops.torchvision.nms  # noqa: B018 - looking it up is the test
    except (AttributeError, RuntimeError):
        library = torch.library.Library("torchvision", "DEF")  # noqa: TOR901
        library.define("nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
        library.define("qnms(Tensor qdets, Tensor scores, float iou_threshold) -> Tensor")
        _LIBRARIES.append(library)


def library(name: str):
    """``import name`` after making torchvision importable."""
    torchvision_schemas()
    return importlib.import_module(name)
