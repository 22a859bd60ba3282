"""Test setup: Keras 3 on the JAX backend, chosen before anything imports Keras."""

import os
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")
# No accelerator here; skip JAX's probe for one (and its warning).
os.environ.setdefault("JAX_PLATFORMS", "cpu")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

# The Keras tests share tests/keras_reference.py; keep it importable however pytest roots us.
HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)
