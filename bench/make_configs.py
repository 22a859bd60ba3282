"""Write the Keras configs the benchmark reads: ``KERAS_BACKEND=jax python bench/make_configs.py``.

``bench/configs/vgg16.json`` and ``resnet50.json`` are ``keras.applications.X(weights=None)
.to_json()`` (Keras 3.15), written once and committed, so that the benchmark's symparam side never
needs Keras.  The video QA model's config is ``docs/examples/video_qa.keras``
(``docs/examples/make_keras_files.py``).
"""

import json
import os
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402

CONFIGS = Path(__file__).parent / "configs"
APPLICATIONS = {"vgg16": keras.applications.VGG16, "resnet50": keras.applications.ResNet50}


def main() -> None:
    CONFIGS.mkdir(exist_ok=True)
    for name, build in APPLICATIONS.items():
        model = build(weights=None)
        config = json.loads(model.to_json())
        (CONFIGS / f"{name}.json").write_text(json.dumps(config, indent=1) + "\n")
        print(f"{name}.json: {model.count_params():,} parameters")


if __name__ == "__main__":
    main()
