"""Test setup: Keras 3 on the JAX backend, chosen before anything imports Keras."""

import os
import sys
import tempfile

os.environ.setdefault("KERAS_BACKEND", "jax")
# No accelerator here; skip JAX's probe for one (and its warning).
os.environ.setdefault("JAX_PLATFORMS", "cpu")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# Building a Keras model compiles one small XLA program per weight shape to initialise it; a
# persistent compilation cache shares them between the xdist workers, the subprocesses (the
# benchmark's children, the CLI entry points) and later runs: MobileNetV2's two tests took 20 s
# of CPU cold and 8 s with the cache filled.  It never changes a result (keyed by the program).
os.environ.setdefault("JAX_COMPILATION_CACHE_DIR",
                      os.path.join(tempfile.gettempdir(), "symparam-tests-jax-cache"))
os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0")
os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES", "0")

# The Keras tests share tests/keras_reference.py; keep it importable however pytest roots us.
HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)
