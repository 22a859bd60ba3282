"""What ``transformers`` itself says about a config: the parameter count of the class named in
``architectures[0]`` built on the meta device, and FLOPs counted by PyTorch's
``FlopCounterMode`` on a forward pass with eager attention.  The oracle for the Hugging Face
importer's tests; symparam never imports transformers."""

from __future__ import annotations

import copy

from torch_libraries import library


def transformers():
    """transformers itself (``torch_libraries`` makes the torchvision beside it importable)."""
    return library("transformers")


def build(config: dict, device="meta", seed=0):
    """The transformers model of ``architectures[0]`` built from ``config``."""
    import torch
    hf = transformers()
    data = copy.deepcopy(config)
    arch = data.pop("architectures")[0]
    hf_config = hf.AutoConfig.for_model(data.pop("model_type"), **data)
    hf_config.architectures = [arch]
    hf_config._attn_implementation = "eager"
    # the default grouped_mm experts run torch._grouped_mm, which FlopCounterMode does not
    # count: the eager loop over experts runs plain linear layers, which it does
    hf_config._experts_implementation = "eager"
    torch.manual_seed(seed)
    with torch.device(device):
        model = getattr(hf, arch)(hf_config)
    return model.eval()


def count(config: dict) -> int:
    """``sum(p.numel())`` over the model's parameters (tied weights appear once)."""
    return sum(p.numel() for p in build(config).parameters())


def macs(config: dict, length: int, target: int | None = None, device="cpu") -> int:
    """``FlopCounterMode`` total / 2 for one sequence of ``length`` tokens (and a decoder input
    of ``target`` tokens for an encoder-decoder)."""
    import torch
    from torch.utils.flop_counter import FlopCounterMode
    model = build(config, device=device)
    ids = torch.zeros((1, length), dtype=torch.long, device=device)
    if getattr(model.config, "is_encoder_decoder", False) and device != "meta":
        # an encoder-decoder's sequence classifier reads the last end-of-sequence token
        ids[:, -1] = model.config.eos_token_id
    kwargs = dict(input_ids=ids)
    if target is not None:
        kwargs["decoder_input_ids"] = torch.zeros((1, target), dtype=torch.long, device=device)
    elif device == "meta" and getattr(model.config, "is_decoder", True) is not False:
        # an explicit mask keeps a causal model from inspecting position ids for packed
        # sequences, which reads tensor values and fails on the meta device
        kwargs["attention_mask"] = torch.ones_like(ids)
    if _takes_cache(model):
        kwargs["use_cache"] = False
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        model(**kwargs)
    flops = counter.get_total_flops()
    assert flops % 2 == 0
    return flops // 2


def _takes_cache(model) -> bool:
    import inspect
    return "use_cache" in inspect.signature(model.forward).parameters


def kv_cache_bytes(config: dict, length: int, batch: int, target: int | None = None) -> int:
    """Bytes of the keys and values transformers' cache holds after a forward pass over
    ``batch`` sequences of ``length`` tokens (float32), for every layer and, in an
    encoder-decoder, for the self- and cross-attention caches."""
    import torch
    model = build(config, device="cpu")
    ids = torch.zeros((batch, length), dtype=torch.long)
    kwargs = dict(input_ids=ids, use_cache=True)
    if target is not None:
        kwargs["decoder_input_ids"] = torch.zeros((batch, target), dtype=torch.long)
    with torch.no_grad():
        cache = model(**kwargs).past_key_values
    caches = [cache.self_attention_cache, cache.cross_attention_cache] \
        if hasattr(cache, "cross_attention_cache") else [cache]
    return sum(t.numel() * t.element_size() for c in caches for layer in c.layers
               for t in (layer.keys, layer.values))


def saved_activation_bytes(config: dict, length: int) -> int:
    """Bytes of the tensors autograd saves for the backward pass of one sequence (float32,
    dropout off, eager attention; parameters and storages shared by several saves once)."""
    import torch
    model = build(config, device="cpu").train()
    for module in model.modules():
        if isinstance(module, torch.nn.Dropout):
            module.p = 0.0
    sizes = {}

    def pack(tensor):
        storage = tensor.untyped_storage()
        sizes[storage.data_ptr()] = max(sizes.get(storage.data_ptr(), 0), storage.nbytes())
        return tensor

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda tensor: tensor):
        model(input_ids=torch.zeros((1, length), dtype=torch.long))
    weights = {p.untyped_storage().data_ptr() for p in model.parameters()}
    return sum(size for pointer, size in sizes.items() if pointer not in weights)


def image_macs(config: dict, height: int, width: int | None = None, device="cpu") -> int:
    """``FlopCounterMode`` total / 2 for one image of ``height x width`` pixels; a side other
    than the config's ``image_size`` runs with ``interpolate_pos_encoding=True``."""
    import torch
    from torch.utils.flop_counter import FlopCounterMode
    model = build(config, device=device)
    width = height if width is None else width
    side = model.config.image_size
    sides = tuple(side) if isinstance(side, (list, tuple)) else (side, side)
    pixels = torch.zeros((1, model.config.num_channels, height, width), device=device)
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        model(pixel_values=pixels, interpolate_pos_encoding=(height, width) != sides)
    flops = counter.get_total_flops()
    assert flops % 2 == 0
    return flops // 2


def decode_step(config: dict, length: int, target: int | None = None, batch: int = 1,
                device="cpu") -> tuple[int, int]:
    """``(MACs, cache bytes)`` of one cached decoding step, as transformers' ``generate``
    runs it: a prefill fills the cache, then one new token per sequence is counted by
    ``FlopCounterMode``.  A decoder-only model's prefill is ``length - 1`` tokens, so the
    step attends ``length`` keys; an encoder-decoder encodes ``length`` tokens and prefills
    ``target - 1`` decoder tokens, and the step gets the encoder's output (not run again) and
    the ``EncoderDecoderCache`` whose cross-attention keys and values the prefill computed.
    The bytes are those of every cached key and value after the step (float32)."""
    import torch
    from torch.utils.flop_counter import FlopCounterMode
    model = build(config, device=device)
    ids = lambda n: torch.zeros((batch, n), dtype=torch.long, device=device)  # noqa: E731
    prefill, step = dict(use_cache=True), dict(use_cache=True)
    if target is None:
        prefill["input_ids"], step["input_ids"] = ids(length - 1), ids(1)
    else:
        prefill.update(input_ids=ids(length), decoder_input_ids=ids(target - 1))
        step["decoder_input_ids"] = ids(1)
    with torch.no_grad():
        first = model(**prefill)
        if target is not None:
            step["encoder_outputs"] = (first.encoder_last_hidden_state,)
        cache = first["cache"] if "cache" in first else first.past_key_values
        step[_cache_argument(model)] = cache
        with FlopCounterMode(display=False) as counter:
            model(**step)
    flops = counter.get_total_flops()
    assert flops % 2 == 0
    return flops // 2, _cache_bytes(cache)


def _cache_argument(model) -> str:
    """transformers 5 renames ``past_key_values`` to ``cache`` (the old name deprecated)."""
    import inspect
    return "cache" if "cache" in inspect.signature(model.forward).parameters \
        else "past_key_values"


def _cache_bytes(cache) -> int:
    caches = [cache.self_attention_cache, cache.cross_attention_cache] \
        if hasattr(cache, "cross_attention_cache") else [cache]
    return sum(t.numel() * t.element_size() for c in caches for layer in c.layers
               for t in (layer.keys, layer.values))
