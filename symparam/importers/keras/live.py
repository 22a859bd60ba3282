"""Building a model in Keras itself, only when the user asks for a reconciliation.

Only this module imports Keras.  It loads with ``safe_mode=True`` (Keras then refuses to
deserialize Lambda functions), and only after symparam's own reader has accepted the file, which
already refuses Lambda, custom and unknown layers.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from symparam.core.errors import SymparamError
from symparam.importers.files import read_config


def load_keras_model(source):
    """A live Keras model from a ``.keras`` file or a JSON config, built in safe mode."""
    os.environ.setdefault("KERAS_BACKEND", "jax")
    try:
        import keras
    except ImportError:
        raise SymparamError("--reconcile needs Keras: pip install 'symparam[keras]'") from None
    try:
        if isinstance(source, (str, Path)) and str(source).lower().endswith(".keras"):
            return keras.saving.load_model(source, compile=False, safe_mode=True)
        config = read_config(source)
        return keras.saving.deserialize_keras_object(json.loads(json.dumps(config)),
                                                     safe_mode=True)
    except SymparamError:
        raise
    except Exception as error:  # Keras raises many types; the user needs one clear line
        message = str(error).splitlines()[0][:160] if str(error) else type(error).__name__
        raise SymparamError(f"Keras could not build {source}: {message}") from None
