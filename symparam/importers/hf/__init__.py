"""Hugging Face models read from their ``config.json`` (and checkpoints' safetensors headers),
without importing ``transformers`` or running anything the files name."""

from symparam.importers.hf.build import from_hf_config

__all__ = ["from_hf_config"]
