"""Record keras-hub backbones' configs and parameter counts as test data (the oracle for
``tests/importers/test_kerashub.py``).

keras-hub needs TensorFlow (tensorflow-text), which stays out of symparam's own install and CI,
so its counts are recorded once here and committed.  Run from the repository root with a
separate venv (never the system Python)::

    python -m venv /tmp/khub && /tmp/khub/bin/pip install keras-hub jax jaxlib
    KERAS_BACKEND=jax /tmp/khub/bin/python bench/kerashub_record.py

Each backbone is built with random weights from a small config (and a few preset-sized ones);
``keras.saving.serialize_keras_object`` gives the entry a ``.keras`` file or a preset's
``config.json`` holds.  The oracle is ``count_params()`` of the backbone keras-hub rebuilds from
that very entry (``keras.saving.deserialize_keras_object``), recorded beside the count of the
backbone first built and the per-layer counts: keras-hub 0.32's ``LlamaBackbone.get_config``
drops ``tie_word_embeddings``, so a tied Llama's config rebuilds untied.  ``PATCHES`` puts the
field back, as a preset's ``config.json`` states it, before rebuilding.
"""

import copy
import json
import math
import os
import sys
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras
import keras_hub

COMMAND = "KERAS_BACKEND=jax /tmp/khub/bin/python bench/kerashub_record.py"
OUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "kerashub"

SMALL = {"vocabulary_size": 1000, "num_layers": 2, "hidden_dim": 64, "intermediate_dim": 128}
TIED = {**SMALL, "num_query_heads": 4, "num_key_value_heads": 4, "tie_word_embeddings": True}
CASES = {
    "gpt2_small_test": ("GPT2Backbone", {**SMALL, "num_heads": 4,
                                         "max_sequence_length": 128}),
    "gpt2_base": ("GPT2Backbone", {"vocabulary_size": 50257, "num_layers": 12,
                                   "num_heads": 12, "hidden_dim": 768,
                                   "intermediate_dim": 3072, "max_sequence_length": 1024}),
    "bert_small_test": ("BertBackbone", {**SMALL, "num_heads": 4, "max_sequence_length": 128,
                                         "num_segments": 3}),
    "bert_base": ("BertBackbone", {"vocabulary_size": 30522, "num_layers": 12,
                                   "num_heads": 12, "hidden_dim": 768,
                                   "intermediate_dim": 3072, "max_sequence_length": 512}),
    "distil_bert_small_test": ("DistilBertBackbone", {**SMALL, "num_heads": 4,
                                                      "max_sequence_length": 96}),
    "llama_small_test": ("LlamaBackbone", {**SMALL, "num_query_heads": 8,
                                           "num_key_value_heads": 2}),
    "llama_tied_test": ("LlamaBackbone", TIED),
    # the same, its config as get_config gives it: keras-hub rebuilds it untied
    "llama_tied_unpatched_test": ("LlamaBackbone", TIED),
    # Llama 3.2 1B's shape (published count 1,235,814,400), bfloat16 to halve the memory
    "llama3_2_1b": ("LlamaBackbone", {"vocabulary_size": 128256, "num_layers": 16,
                                      "num_query_heads": 32, "num_key_value_heads": 8,
                                      "hidden_dim": 2048, "intermediate_dim": 8192,
                                      "tie_word_embeddings": True, "dtype": "bfloat16"}),
    # Gemma 2B's shape (published count 2,506,172,416): intermediate_dim is twice HF's
    "gemma_2b": ("GemmaBackbone", {"vocabulary_size": 256000, "num_layers": 18,
                                   "num_query_heads": 8, "num_key_value_heads": 1,
                                   "hidden_dim": 2048, "intermediate_dim": 32768,
                                   "head_dim": 256, "dtype": "bfloat16"}),
    "gemma_small_test": ("GemmaBackbone", {**SMALL, "num_query_heads": 4,
                                           "num_key_value_heads": 1, "head_dim": 32}),
    "gemma2_small_test": ("GemmaBackbone", {**SMALL, "num_query_heads": 4,
                                            "num_key_value_heads": 2, "head_dim": 16,
                                            "use_post_ffw_norm": True,
                                            "use_post_attention_norm": True,
                                            "use_sliding_window_attention": True,
                                            "sliding_window_size": 64}),
    "mistral_small_test": ("MistralBackbone", {**SMALL, "num_query_heads": 8,
                                               "num_key_value_heads": 2,
                                               "sliding_window": 32}),
    "mistral_head_dim_test": ("MistralBackbone", {**SMALL, "num_query_heads": 4,
                                                  "num_key_value_heads": 2, "head_dim": 24}),
    "mixtral_small_test": ("MixtralBackbone", {**SMALL, "num_query_heads": 8,
                                               "num_key_value_heads": 2, "num_experts": 4,
                                               "top_k": 2}),
    "qwen_small_test": ("QwenBackbone", {**SMALL, "num_query_heads": 8,
                                         "num_key_value_heads": 2}),
    "qwen_untied_test": ("QwenBackbone", {**SMALL, "num_query_heads": 4,
                                          "num_key_value_heads": 4,
                                          "tie_word_embeddings": False}),
    "llama3_small_test": ("Llama3Backbone", {**SMALL, "num_query_heads": 8,
                                             "num_key_value_heads": 2}),
    "qwen3_small_test": ("Qwen3Backbone", {**SMALL, "num_query_heads": 8,
                                           "num_key_value_heads": 2, "head_dim": 8}),
    "qwen3_wide_heads_test": ("Qwen3Backbone", {**SMALL, "num_query_heads": 4,
                                                "num_key_value_heads": 2, "head_dim": 24,
                                                "tie_word_embeddings": False}),
    # Qwen3-0.6B's shape (tied; Hugging Face's Qwen3ForCausalLM of it has 596,049,920)
    "qwen3_0_6b": ("Qwen3Backbone", {"vocabulary_size": 151936, "num_layers": 28,
                                     "num_query_heads": 16, "num_key_value_heads": 8,
                                     "head_dim": 128, "hidden_dim": 1024,
                                     "intermediate_dim": 3072, "dtype": "bfloat16"}),
    "falcon_small_test": ("FalconBackbone", {**SMALL, "num_attention_heads": 4}),
    "falcon_wide_mlp_test": ("FalconBackbone", {**SMALL, "num_attention_heads": 8,
                                                "intermediate_dim": 200}),
    "phi3_small_test": ("Phi3Backbone", {**SMALL, "num_query_heads": 8,
                                         "num_key_value_heads": 2}),
    "gpt_neo_x_small_test": ("GPTNeoXBackbone", {**SMALL, "num_heads": 4,
                                                 "max_sequence_length": 128}),
}


# --- OPT, RoBERTa, XLM-RoBERTa, BART, T5: small configs and preset shapes (the keras-hub
# presets' published counts: opt_125m_en 125,237,760, roberta_base_en 124,052,736,
# bart_base_en 139,417,344, t5_small_multi 60,506,624)
BASE = {"num_layers": 12, "num_heads": 12, "hidden_dim": 768, "intermediate_dim": 3072}
CASES.update({
    "opt_small_test": ("OPTBackbone", {**SMALL, "num_heads": 4, "max_sequence_length": 96}),
    "opt_125m": ("OPTBackbone", {**BASE, "vocabulary_size": 50272,
                                 "max_sequence_length": 2048}),
    "roberta_small_test": ("RobertaBackbone", {**SMALL, "num_heads": 4,
                                               "max_sequence_length": 80}),
    "roberta_base": ("RobertaBackbone", {**BASE, "vocabulary_size": 50265,
                                         "max_sequence_length": 512}),
    "xlm_roberta_small_test": ("XLMRobertaBackbone", {**SMALL, "num_heads": 8,
                                                      "max_sequence_length": 64}),
    "bart_small_test": ("BartBackbone", {**SMALL, "num_heads": 4, "max_sequence_length": 72}),
    "bart_base": ("BartBackbone", {**BASE, "num_layers": 6, "vocabulary_size": 50265,
                                   "max_sequence_length": 1024}),
    "t5_small_test": ("T5Backbone", {**SMALL, "num_heads": 4}),
    "t5_plain_kv_test": ("T5Backbone", {**SMALL, "num_heads": 4, "key_value_dim": 24,
                                        "activation": "gelu",
                                        "use_gated_activation": False}),
    "t5_small": ("T5Backbone", {"vocabulary_size": 32128, "num_layers": 6, "num_heads": 8,
                                "hidden_dim": 512, "intermediate_dim": 2048,
                                "key_value_dim": 64, "activation": "relu",
                                "use_gated_activation": False}),
})


#: fields get_config drops, restored in the serialized entry before keras-hub rebuilds it
PATCHES = {"llama_tied_test": {"tie_word_embeddings": True},
           "llama3_2_1b": {"tie_word_embeddings": True}}


def _size(weights) -> int:
    """The number of scalars in ``weights`` (each variable counted once)."""
    unique = {id(weight): weight for weight in weights}
    return sum(math.prod(weight.shape) for weight in unique.values())


def _layers(model) -> dict:
    """Per-layer counts (a task's are its backbone's)."""
    model = getattr(model, "backbone", model)
    return {layer.name: layer.count_params() for layer in model.layers
            if layer.count_params()}


#: CausalLM and Seq2SeqLM tasks (no preprocessor) on the backbone of a case: the task's
#: config nests the backbone's, and its head is the backbone's reversible token embedding
TASKS = {"gpt2_causal_lm_test": ("GPT2CausalLM", "gpt2_small_test"),
         "llama_causal_lm_test": ("LlamaCausalLM", "llama_small_test"),
         "gemma_causal_lm_test": ("GemmaCausalLM", "gemma_small_test"),
         "opt_causal_lm_test": ("OPTCausalLM", "opt_small_test"),
         "llama3_causal_lm_test": ("Llama3CausalLM", "llama3_small_test"),
         "qwen3_causal_lm_test": ("Qwen3CausalLM", "qwen3_small_test"),
         "falcon_causal_lm_test": ("FalconCausalLM", "falcon_small_test"),
         "bart_seq2seq_lm_test": ("BartSeq2SeqLM", "bart_small_test"),
         "t5_seq2seq_lm_test": ("T5Seq2SeqLM", "t5_small_test")}


def record(name: str, class_name: str, kwargs: dict, task: str | None = None,
           task_kwargs: dict | None = None) -> None:
    backbone = getattr(keras_hub.models, class_name)(**kwargs, name=name)
    if task is not None:
        backbone = getattr(keras_hub.models, task)(backbone=backbone, preprocessor=None,
                                                   **(task_kwargs or {}))
    built = backbone.count_params()
    serialized = keras.saving.serialize_keras_object(backbone)
    del backbone
    keras.backend.clear_session()
    serialized["config"].update(PATCHES.get(name, {}))
    # a copy: deserializing a task puts the backbone object into the dict it reads
    rebuilt = keras.saving.deserialize_keras_object(copy.deepcopy(serialized))
    data = {
        "command": COMMAND,
        "versions": {"keras": keras.__version__, "keras_hub": keras_hub.__version__,
                     "backend": keras.backend.backend()},
        "count_params": rebuilt.count_params(),
        "count_params_as_first_built": built,
        "trainable_params": _size(rebuilt.trainable_weights),
        "non_trainable_params": _size(rebuilt.non_trainable_weights),
        "patched": PATCHES.get(name, {}),
        "layers": _layers(rebuilt),
        "serialized": serialized,
    }
    (OUT / f"{name}.json").write_text(json.dumps(data, indent=1) + "\n")
    print(f"{name:28s} {task or class_name:20s} {data['count_params']:>14,} "
          f"(first built {built:,})")
    del rebuilt
    keras.backend.clear_session()


def main(names) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, (class_name, kwargs) in CASES.items():
        if not names or name in names:
            record(name, class_name, kwargs)
    for name, (task, case) in TASKS.items():
        if not names or name in names:
            record(name, *CASES[case], task=task)
    record_vit(names)


# --- ViT: image backbones (image_shape is (height, width, channels), channels last) ---
VIT_SMALL = {"image_shape": (32, 32, 3), "patch_size": 8, "num_layers": 2, "num_heads": 4,
             "hidden_dim": 64, "mlp_dim": 128}
VIT_CASES = {
    "vit_small_test": ("ViTBackbone", VIT_SMALL),
    # every bias off, no class token, a rectangular image of one channel and patches
    "vit_no_bias_test": ("ViTBackbone", {**VIT_SMALL, "image_shape": (32, 48, 1),
                                         "patch_size": (8, 16), "use_mha_bias": False,
                                         "use_mlp_bias": False, "use_class_token": False,
                                         "use_patch_bias": False}),
    # vit_base_patch16_224's shape (preset count 85,798,656: ViTModel without its pooler)
    "vit_base_patch16_224": ("ViTBackbone", {"image_shape": (224, 224, 3), "patch_size": 16,
                                             "num_layers": 12, "num_heads": 12,
                                             "hidden_dim": 768, "mlp_dim": 3072}),
}
#: ViTImageClassifier tasks on a case's backbone, with the task's own arguments
VIT_TASKS = {
    "vit_image_classifier_test": ("ViTImageClassifier", "vit_small_test",
                                  {"num_classes": 7}),
    "vit_image_classifier_gap_test": ("ViTImageClassifier", "vit_no_bias_test",
                                      {"num_classes": 5, "pooling": "gap",
                                       "intermediate_dim": 24}),
}


def record_vit(names) -> None:
    for name, (class_name, kwargs) in VIT_CASES.items():
        if not names or name in names:
            record(name, class_name, kwargs)
    for name, (task, case, task_kwargs) in VIT_TASKS.items():
        if not names or name in names:
            record(name, *VIT_CASES[case], task=task, task_kwargs=task_kwargs)


if __name__ == "__main__":
    main(sys.argv[1:])
