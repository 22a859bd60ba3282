"""Hugging Face models read from their ``config.json`` (and checkpoints' safetensors headers),
without importing ``transformers`` or running anything the files name."""

from symparam.importers.hf.build import from_hf_config
from symparam.importers.hf.reconcile import reconcile_checkpoint
from symparam.importers.hf.safetensors import Checkpoint, from_safetensors

__all__ = ["Checkpoint", "from_hf_config", "from_safetensors", "reconcile_checkpoint"]
