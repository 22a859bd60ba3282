"""Test setup: Keras 3 on the JAX backend, chosen before anything imports Keras."""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")
# No accelerator here; skip JAX's probe for one (and its warning).
os.environ.setdefault("JAX_PLATFORMS", "cpu")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
