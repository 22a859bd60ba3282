"""``docs/llm.md``: Hugging Face language models (and Vision Transformers) from their
``config.json`` forms, generated.

The published configurations of the tests (``tests/hf_configs.py`` holds the same dicts, checked
there against transformers and the model cards) and GPT-3's sizes (Brown et al. 2020, Table
2.1) as GPT-2-style configs: parameters, MACs as formulas in ``T``, compute per token beside
Kaplan's and PaLM's approximations, KV cache and training memory.
``python -m symparam.report.llmdocs`` rewrites the page; ``--check`` exits 1 if it is stale
(``tests/test_hf_docs.py`` checks it too).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import sympy

from symparam.analysis.scaling import approximations
from symparam.importers.hf import from_hf_config
from symparam.report.render import render_page
from symparam.report.views import Count, Math

ROOT = Path(__file__).resolve().parent.parent.parent
PAGE = Path("docs") / "llm.md"
COMMAND = "python -m symparam.report.llmdocs"
CONTEXT, BUDGET = 4096, 24 * 2**30
_LLAMA2 = dict(model_type="llama", architectures=["LlamaForCausalLM"], vocab_size=32000,
               hidden_size=4096, intermediate_size=11008, num_hidden_layers=32,
               num_attention_heads=32, num_key_value_heads=32, tie_word_embeddings=False)
_MISTRAL = dict(_LLAMA2, model_type="mistral", architectures=["MistralForCausalLM"],
                intermediate_size=14336, num_key_value_heads=8, sliding_window=4096)
MODELS = {
    "GPT-2": dict(model_type="gpt2", architectures=["GPT2LMHeadModel"]),
    "Llama-2-7B": _LLAMA2,
    "Llama-3-8B": dict(_LLAMA2, vocab_size=128256, intermediate_size=14336,
                       num_key_value_heads=8),
    "Mistral-7B": _MISTRAL,
    "Mixtral-8x7B": dict(_MISTRAL, model_type="mixtral", architectures=["MixtralForCausalLM"],
                         num_local_experts=8, num_experts_per_tok=2, sliding_window=None),
    "T5-small": dict(model_type="t5", architectures=["T5ForConditionalGeneration"]),
}
#: google/vit-base-patch16-224's config (its defaults are ViTConfig's), bare and classifying
VIT_BASE = dict(model_type="vit", num_labels=1000)
#: Brown et al. 2020, Table 2.1: (name, n_layers, d_model, n_heads, the paper's size); XL and
#: 13B are left out: their heads times d_head (3,072 and 5,120) is not d_model, which a GPT-2
#: config cannot state
GPT3 = (("GPT-3 Small", 12, 768, 12, "125M"), ("GPT-3 Medium", 24, 1024, 16, "350M"),
        ("GPT-3 Large", 24, 1536, 16, "760M"), ("GPT-3 2.7B", 32, 2560, 32, "2.7B"),
        ("GPT-3 6.7B", 32, 4096, 32, "6.7B"), ("GPT-3 175B", 96, 12288, 96, "175.0B"))


def _model_row(name: str, config: dict) -> dict:
    summary = from_hf_config(config).summary()
    memory = summary.memory(dtype="bf16")
    return dict(name=name, params=Count(summary.total), active=Count(summary.active_params),
                macs=Math(summary.macs), kv=Math(memory.kv_cache),
                longest=_longest(memory))


def _longest(memory) -> str:
    """The longest context whose KV cache fits in ``BUDGET`` (bisection: the cache never
    shrinks as the context grows); "any" when a sliding window caps it below."""
    fits = lambda length: memory.subs(T=length).kv_cache <= BUDGET  # noqa: E731
    low, high = 1, 10**9
    if fits(high):
        return "any"
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if fits(middle) else (low, middle)
    return f"{low:,}"


def _gpt3_row(name, layers, width, heads, published) -> dict:
    config = dict(model_type="gpt2", architectures=["GPT2LMHeadModel"], n_positions=2048,
                  n_embd=width, n_layer=layers, n_head=heads)
    return dict(name=name, layers=layers, width=width, heads=heads, published=published,
                params=Count(from_hf_config(config).summary().total))


#: the fields shown as symbols in the formulas section
SYMBOLS = dict(hidden_size="d", num_hidden_layers="L", num_attention_heads="h",
               num_key_value_heads="g", intermediate_size="f", vocab_size="V",
               num_local_experts="E", num_experts_per_tok="k")


def _formula_rows() -> list:
    rows = []
    for name in ("Llama-2-7B", "Llama-3-8B", "Mistral-7B", "Mixtral-8x7B"):
        config = MODELS[name]
        fields = {k: v for k, v in SYMBOLS.items() if k in config}
        summary = from_hf_config(config, symbolic=fields).summary()
        values = {v: config[k] for k, v in fields.items()}
        rows.append(dict(name=name, total=Math(summary.total), macs=Math(summary.macs),
                         at=", ".join(f"{k} = {v:,}" for k, v in values.items())))
    return rows


def _compute_rows() -> list:
    rows = []
    for name in ("GPT-2", "Llama-2-7B", "Mixtral-8x7B"):
        summary = from_hf_config(MODELS[name]).summary()
        for item in approximations(summary):
            rows.append(dict(model=name, name=item.name, exact=Math(sympy.expand(item.exact)),
                             approximate=Math(item.approximate),
                             difference=Math(item.difference)))
    return rows


def _memory_rows() -> list:
    summary = from_hf_config(MODELS["Llama-2-7B"]).summary()
    cases = (("inference, bf16", dict()),
             ("training, bf16, Adam", dict(optimizer="adam")),
             ("training, bf16, Adam, full recomputation", dict(optimizer="adam",
                                                               recompute=True)))
    rows = []
    for label, options in cases:
        m = summary.memory(dtype="bf16", **options).subs(T=CONTEXT)
        rows.append(dict(label=label, **{k: Count(v) for k, v in vars(m).items()}))
    return rows


def _vision_rows() -> list:
    """ViT-B/16 with the image side as the symbol ``S``, and at two sides."""
    rows = []
    for architecture in ("ViTModel", "ViTForImageClassification"):
        config = dict(VIT_BASE, architectures=[architecture])
        summary = from_hf_config(config, image_size="S").summary()
        rows.append(dict(name=architecture, params=Count(summary.total),
                         macs=Math(summary.macs), at224=Count(summary.subs(S=224).macs),
                         at384=Count(summary.subs(S=384).macs)))
    return rows


def _decode_rows() -> list:
    """One new token against a cache: the decoder-only models' cache of ``T`` positions, and
    T5's decoder cache of ``T`` beside the encoder's ``S`` outputs."""
    rows = []
    for name in ("GPT-2", "Llama-3-8B", "Mixtral-8x7B", "T5-small"):
        lengths = dict(seq_len="S", target_len="T") if name.startswith("T5") else {}
        summary = from_hf_config(MODELS[name], decode=True, **lengths).summary()
        rows.append(dict(name=name, macs=Math(summary.macs),
                         kv=Math(summary.memory(dtype="bf16").kv_cache)))
    return rows


def page() -> str:
    """The text of ``docs/llm.md``."""
    korthikanti = 32 * CONTEXT * 4096 * (34 + 5 * 32 * CONTEXT // 4096)
    return render_page("llm", command=COMMAND, context=CONTEXT,
                       models=[_model_row(n, c) for n, c in MODELS.items()],
                       gpt3=[_gpt3_row(*row) for row in GPT3], compute=_compute_rows(),
                       formulas=_formula_rows(), vision=_vision_rows(),
                       decode=_decode_rows(),
                       memory=_memory_rows(), korthikanti=Count(sympy.Integer(korthikanti)))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 if the page is stale")
    parser.add_argument("--root", type=Path, default=ROOT)
    options = parser.parse_args(argv)
    path, text = options.root / PAGE, page()
    if options.check:
        fresh = path.is_file() and path.read_text(encoding="utf-8") == text
        if not fresh:
            print(f"stale: {path}", file=sys.stderr)
        return 0 if fresh else 1
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
