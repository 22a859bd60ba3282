"""Regenerate the Keras files in docs/examples from the Keras functional-API guide's code.

    KERAS_BACKEND=jax python docs/examples/make_keras_files.py

Writes image_qa.keras and video_qa.keras (the models of the guide's "visual question answering"
and "video question answering" examples, as the seed post's sequel ran them) plus their JSON
configs.  Weights are set to zero and the archives re-packed with deflate, so the files stay small
(the video model has 169 million parameters); symparam reads only their config.json.
"""

import json
import os
import zipfile
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras import layers  # noqa: E402

HERE = Path(__file__).parent


def vision_model():
    return keras.Sequential([
        keras.Input((224, 224, 3)),
        layers.Conv2D(64, (3, 3), activation="relu", padding="same"),
        layers.Conv2D(64, (3, 3), activation="relu"),
        layers.MaxPooling2D((2, 2)),
        layers.Conv2D(128, (3, 3), activation="relu", padding="same"),
        layers.Conv2D(128, (3, 3), activation="relu"),
        layers.MaxPooling2D((2, 2)),
        layers.Conv2D(256, (3, 3), activation="relu", padding="same"),
        layers.Conv2D(256, (3, 3), activation="relu"),
        layers.Conv2D(256, (3, 3), activation="relu"),
        layers.MaxPooling2D((2, 2)),
        layers.Flatten(),
    ], name="vision_model")


def qa_models():
    vision = vision_model()
    image_input = keras.Input((224, 224, 3), name="image_input")
    encoded_image = vision(image_input)
    question_input = keras.Input((100,), dtype="int32", name="question_input")
    embedded_question = layers.Embedding(input_dim=10000, output_dim=256)(question_input)
    encoded_question = layers.LSTM(256)(embedded_question)
    merged = layers.concatenate([encoded_question, encoded_image])
    output = layers.Dense(1000, activation="softmax")(merged)
    vqa_model = keras.Model([image_input, question_input], output, name="image_qa")

    video_input = keras.Input((100, 224, 224, 3), name="video_input")
    encoded_frame_sequence = layers.TimeDistributed(vision)(video_input)
    encoded_video = layers.LSTM(256)(encoded_frame_sequence)
    question_encoder = keras.Model(question_input, encoded_question, name="question_encoder")
    video_question_input = keras.Input((100,), dtype="int32", name="video_question_input")
    encoded_video_question = question_encoder(video_question_input)
    merged = layers.concatenate([encoded_video, encoded_video_question])
    output = layers.Dense(1000, activation="softmax")(merged)
    video_qa_model = keras.Model([video_input, video_question_input], output, name="video_qa")
    return {"image_qa": vqa_model, "video_qa": video_qa_model}


def save_small(model, path: Path) -> None:
    for weight in model.weights:
        weight.assign(np.zeros(weight.shape, dtype=weight.dtype))
    raw = path.with_suffix(".raw.keras")
    model.save(raw)
    with zipfile.ZipFile(raw) as source, \
            zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info.filename))
    raw.unlink()


if __name__ == "__main__":
    for name, model in qa_models().items():
        save_small(model, HERE / f"{name}.keras")
        (HERE / f"{name}.json").write_text(json.dumps(json.loads(model.to_json()), indent=1))
        print(name, model.count_params())
