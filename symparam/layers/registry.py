"""The Keras-convention catalogue's registry: every layer class by its Keras name.

Specs, the CLI and the Keras importer look classes up here.  Keras's initializers,
regularizers and constraints, and the arguments that only change training or execution, are
tolerated by these classes and ignored (they change no count or shape); other catalogues (the
PyTorch one) tolerate none of them.
"""

from __future__ import annotations

from symparam.engine.registry import Registry

#: Keras arguments that cannot change a parameter count or a shape: accepted and ignored.
IGNORED_KERAS_ARGS = frozenset(
    f"{prefix}_{kind}"
    for prefix in ("kernel", "bias", "recurrent", "embeddings", "beta", "gamma", "depthwise",
                   "pointwise", "moving_mean", "moving_variance", "alpha", "activity")
    for kind in ("initializer", "regularizer", "constraint")
) | {
    "dtype", "autocast", "seed", "input_length", "mask_zero", "sparse", "weights",
    "dropout", "recurrent_dropout", "unroll", "stateful", "go_backwards", "implementation",
    "time_major", "use_cudnn", "unit_forget_bias", "momentum", "epsilon", "synchronized",
    "fused", "virtual_batch_size", "adjustment",
    "noise_shape", "quantization_config", "lora_alpha", "activity_regularizer",
}

#: Keras layers refused by name, with the reason (DESIGN.md section 6)
REFUSED = {"Lambda": "Lambda layers run arbitrary code and are not supported; write the "
                     "computation as a symparam.Layer subclass with equations() instead"}

KERAS = Registry("layer", REFUSED, tolerated=IGNORED_KERAS_ARGS)
LAYERS = KERAS.classes
register = KERAS.register
layer_class = KERAS.lookup
