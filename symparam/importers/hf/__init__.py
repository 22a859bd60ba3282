"""Hugging Face models read from their ``config.json`` (and checkpoints' safetensors headers),
without importing ``transformers`` or running anything the files name.

``from_hf_config`` is imported with the package; the checkpoint readers on first use (a first
answer from a config needs neither)."""

from symparam.core.lazy import lazy_names
from symparam.importers.hf.build import from_hf_config

_LAZY = {"reconcile_checkpoint": "symparam.importers.hf.reconcile",
         "Checkpoint": "symparam.importers.hf.safetensors",
         "from_safetensors": "symparam.importers.hf.safetensors"}

__all__ = ["Checkpoint", "from_hf_config", "from_safetensors", "reconcile_checkpoint"]
__getattr__ = lazy_names(__name__, _LAZY)
