"""Real Keras 3 models read back from their configs (issue 15), against Keras itself.

A fast subset of ``bench/zoo_keras.py``: ``keras.applications`` models whose configs hold the
new forms (``Rescaling``, ``Normalization``, operation layers with constants, ``LayerScale``),
read from Keras's recorded configs and answers; keras.io-style models with call keywords
(the seq2seq training model with ``initial_state``, masks, causal attention) and tensor
operations (slicing, reductions, reshapes), a symbolic input size, and the refusals that must
stay clean errors.
"""

import gzip
import json
import sys
from pathlib import Path

import keras
import pytest
import sympy
from keras_reference import check_summary, keras_model_facts

import symparam as S

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
import keras_examples  # noqa: E402
import keras_examples_more  # noqa: E402,F401 - registers its examples

H, W = S.dims("H W")

#: Keras's configs and answers for applications holding the new forms (operations with
#: constants, Rescaling, Normalization, LayerScale, CustomScaleLayer), recorded from real Keras
#: by ``python bench/zoo_keras.py --only NAME --record tests/data/keras_zoo``: building them
#: takes Keras 10 to 60 s each on a shared 2-core machine
RECORDED = sorted((ROOT / "tests" / "data" / "keras_zoo").glob("*.json.gz"))
EXAMPLES = ("seq2seq_lstm", "seq2seq_gru", "seq2seq_inference_decoder", "text_transformer",
            "transformer_decoder_causal", "attention_with_mask", "luong_attention_seq2seq",
            "siamese_distance", "vae_encoder", "ddpg_actor", "vit_class_token", "mlp_mixer",
            "ops_graph", "hard_swish_block", "masked_lstm", "lstm_with_mask_input",
            "image_classification_augmented", "augmentation_sequential",
            "structured_data_encoding", "collaborative_filtering", "attention_scores")


def _facts_and_config(model):
    facts, config = keras_model_facts(model), model.to_json()
    keras.backend.clear_session()
    return facts, config


@pytest.mark.parametrize("path", RECORDED, ids=lambda p: p.name.split(".")[0])
def test_recorded_application_reads_exactly(path):
    with gzip.open(path, "rt") as source:
        recorded = json.load(source)
    summary = S.from_keras(recorded["config"]).summary()
    expected = recorded["facts"]
    assert (_value(summary.total), _value(summary.trainable),
            _value(summary.non_trainable)) == (expected["total"], expected["trainable"],
                                               expected["non_trainable"])
    rows = [{"name": row.name, "params": _value(row.params), "trainable": _value(row.trainable),
             "non_trainable": _value(row.non_trainable), "shape": _shape(row.output_shape)}
            for row in summary.rows]
    assert rows == expected["rows"]


def test_enough_applications_are_recorded():
    assert len(RECORDED) >= 7


def _value(expr):
    return int(expr) if isinstance(expr, int) or getattr(expr, "is_Integer", False) \
        else str(expr)


def _shape(shape):
    if isinstance(shape, list):
        found = [_shape(item) for item in shape]
        return found[0] if len(found) == 1 else found
    return [None if size is None else _value(size) for size in shape]


@pytest.mark.parametrize("name", EXAMPLES)
def test_keras_io_model_reads_exactly(name):
    facts, config = _facts_and_config(keras_examples.EXAMPLES[name](keras))
    check_summary(S.from_keras(config).summary(), facts)


def test_convnext_layer_scale_reads_exactly():
    """ConvNeXt's own LayerScale, read by its registered name, on a one-block model."""
    from keras.src.applications.convnext import LayerScale
    inputs = keras.Input((8, 8, 16))
    x = keras.layers.Dense(16)(keras.layers.LayerNormalization(epsilon=1e-6)(inputs))
    x = inputs + LayerScale(1e-6, 16)(x)
    facts, config = _facts_and_config(keras.Model(inputs, x))
    check_summary(S.from_keras(config).summary(), facts)


def test_symbolic_input_gives_macs_in_h_and_w():
    """ResNet50 on (None, H, W, 3): MACs and shapes are formulas that give the concrete
    figures at 224 x 224."""
    config = ROOT / "bench" / "configs" / "resnet50.json"
    symbolic = S.from_keras(config, input_shape="None,H,W,3").summary()
    concrete = S.from_keras(config).summary()
    assert {s.name for s in symbolic.macs.free_symbols} == {"H", "W"}
    assert symbolic.total == concrete.total == 25_636_712
    assert symbolic.macs.xreplace({H: 224, W: 224}) == concrete.macs
    assert symbolic.subs(H=224, W=224).rows == concrete.rows


def test_input_shape_must_match_the_models_inputs():
    config = ROOT / "bench" / "configs" / "resnet50.json"
    with pytest.raises(S.SymparamError, match="rank"):
        S.from_keras(config, input_shape=(None, 224, 3))
    with pytest.raises(S.SymparamError, match="2 shapes for 1 inputs"):
        S.from_keras(config, input_shape=[(None, 8, 8, 3), (None, 8, 8, 3)])


def test_cli_reads_a_symbolic_input(tmp_path, capsys):
    from symparam.cli import main
    assert main(["keras", str(ROOT / "bench" / "configs" / "resnet50.json"),
                 "--input", "None,H,W,3", "--format", "json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert "H" in found["macs"] and "W" in found["macs"]


def test_cli_reads_the_seq2seq_model(tmp_path, capsys):
    """The Keras blog's seq2seq training model: a table and exit 0, not a traceback."""
    from symparam.cli import main
    facts, config = _facts_and_config(keras_examples.EXAMPLES["seq2seq_lstm"](keras))
    path = tmp_path / "seq2seq.json"
    path.write_text(config)
    assert main(["keras", str(path), "--format", "json"]) == 0
    assert int(json.loads(capsys.readouterr().out)["total"]) == facts.total  # int or digits
    # the encoder's and the decoder's lengths as symbols: MACs linear in each
    assert main(["keras", str(path), "--input", "None,T,71", "--input", "None,S,93",
                 "--format", "json"]) == 0
    macs = S.parse(json.loads(capsys.readouterr().out)["macs"])
    assert {s.name for s in macs.free_symbols} == {"S", "T"}
    assert sympy.degree(macs, S.dims("T")) == 1


def _keras2_layer(class_name, name, config, nodes):
    return {"class_name": class_name, "name": name, "config": {"name": name, **config},
            "inbound_nodes": [[[*ref, {}] for ref in node] for node in nodes]}


def test_keras2_seq2seq_reads_its_states_as_initial_state():
    """tf.keras 2 wrote the decoder's initial states as extra inputs (``[x, h, c]``): the
    same counts and shapes as the Keras 3 model built here."""
    facts, _ = _facts_and_config(keras_examples.EXAMPLES["seq2seq_lstm"](keras))
    layers = [
        _keras2_layer("InputLayer", "input_1", {"batch_input_shape": [None, None, 71]}, []),
        _keras2_layer("InputLayer", "input_2", {"batch_input_shape": [None, None, 93]}, []),
        _keras2_layer("LSTM", "lstm", {"units": 256, "return_state": True},
                      [[["input_1", 0, 0]]]),
        _keras2_layer("LSTM", "lstm_1", {"units": 256, "return_sequences": True,
                                         "return_state": True},
                      [[["input_2", 0, 0], ["lstm", 0, 1], ["lstm", 0, 2]]]),
        _keras2_layer("Dense", "dense", {"units": 93, "activation": "softmax"},
                      [[["lstm_1", 0, 0]]]),
    ]
    config = {"class_name": "Functional", "keras_version": "2.4.0", "config": {
        "name": "model", "layers": layers, "input_layers": [["input_1", 0, 0], ["input_2", 0, 0]],
        "output_layers": [["dense", 0, 0]]}}
    summary = S.from_keras(config).summary()
    assert summary.total == facts.total
    got = [(int(row.params), _shape(row.output_shape)) for row in summary.rows]
    assert got == [(row.params, _shape(row.output_shape)) for row in facts.rows]


def _model_with(node_kwargs=None, extra=None):
    """A two-layer functional config; ``node_kwargs`` go into the Dense call."""
    inputs = keras.Input((4,))
    config = json.loads(keras.Model(inputs, keras.layers.Dense(2)(inputs)).to_json())
    dense = config["config"]["layers"][1]
    dense["inbound_nodes"][0]["kwargs"].update(node_kwargs or {})
    dense.update(extra or {})
    return config


@pytest.mark.parametrize("kwargs,message", [
    ({"constants": 3.0}, "argument 'constants'"),
    ({"return_attention_scores": True}, "no argument 'return_attention_scores'"),
])
def test_unreadable_call_keywords_are_clean_errors(kwargs, message):
    with pytest.raises(S.SymparamError, match=message):
        S.from_keras(_model_with(kwargs))


@pytest.mark.parametrize("extra,message", [
    ({"class_name": "MyLayer", "module": "my_package", "registered_name": "Custom>MyLayer"},
     "unsupported layer class 'MyLayer'"),
    ({"class_name": "Lambda"}, "Lambda"),
    ({"class_name": "LayerScale", "module": "keras.layers"}, "unsupported layer class"),
    ({"class_name": "GetItem", "module": "my.ops", "registered_name": "GetItem"},
     "unsupported layer class"),
])
def test_custom_lambda_and_misplaced_classes_are_refused_by_name(extra, message):
    with pytest.raises(S.SymparamError, match=message):
        S.from_keras(_model_with(extra=extra))


def test_an_argument_kind_that_would_run_code_is_refused():
    config = _model_with({"fn": {"class_name": "__lambda__", "config": {"code": "x"}}})
    with pytest.raises(S.SymparamError, match="not supported"):
        S.from_keras(config)


def test_operations_have_no_rows_but_their_cost_counts():
    inputs = keras.Input((8,))
    outputs = keras.layers.Dense(8)(inputs) * 2.0 + 1.0
    config = keras.Model(inputs, outputs).to_json()
    summary = S.from_keras(config).summary()
    assert [row.class_name for row in summary.rows] == ["InputLayer", "Dense"]
    assert summary.macs == 64 and summary.cost.elementwise >= 16
    assert sympy.Integer(summary.total) == 72


def test_mangled_configs_give_only_clean_errors():
    """Fields of the wrong type anywhere in a real config: a SymparamError or a model, never
    a raw exception (a deterministic sample of mutations)."""
    import random
    facts, config = _facts_and_config(keras_examples.EXAMPLES["seq2seq_lstm"](keras))
    original, rng = json.loads(config), random.Random(15)
    paths = list(_paths(original))
    for _ in range(150):
        mangled = json.loads(config)
        path = rng.choice(paths)
        parent = mangled
        for key in path[:-1]:
            parent = parent[key]
        parent[path[-1]] = rng.choice([None, 1, -1, 2.5, "x", [], {}, [1, 2], True,
                                       {"class_name": "__keras_tensor__", "config": {}}])
        try:
            S.from_keras(mangled).summary()
        except S.SymparamError:
            pass


def _paths(value, path=()):
    if path:
        yield path
    items = value.items() if isinstance(value, dict) else \
        enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        yield from _paths(item, (*path, key))


def test_resnet50_macs_are_its_convolutions_and_dense_layer():
    """Per example, a convolution costs (output positions) x (its kernel's size) and the
    classifier its kernel's size; padding, pooling, batch normalisation and additions move or
    combine numbers at no multiply-accumulate.  Kernel sizes are Keras's weights less the
    biases, output shapes Keras's."""
    with gzip.open(ROOT / "tests" / "data" / "keras_zoo" / "ResNet50.json.gz", "rt") as source:
        recorded = json.load(source)
    layers = {entry["config"]["name"]: entry
              for entry in json.loads(recorded["config"])["config"]["layers"]}
    expected = 0
    for row in recorded["facts"]["rows"]:
        entry = layers[row["name"]]
        if entry["class_name"] in ("Conv2D", "Dense"):
            bias = row["shape"][-1] if entry["config"]["use_bias"] else 0
            positions = row["shape"][1] * row["shape"][2] if len(row["shape"]) == 4 else 1
            expected += positions * (row["params"] - bias)
    assert S.from_keras(recorded["config"]).summary().macs == expected


def test_text_model_with_text_vectorization_reads_exactly():
    """The keras.io end-to-end text classifier: strings -> TextVectorization -> Embedding ->
    Conv1D.  Keras builds TextVectorization only with TensorFlow, so the model after it is built
    in Keras on the token indices and the layer's entry (as Keras 3's ``get_config`` writes it)
    put in front; its row is Keras's own shape rule with no weight."""
    L = keras.layers
    tokens = keras.Input((50,), dtype="int64", name="tokens")
    x = L.GlobalMaxPooling1D()(L.Conv1D(16, 5, activation="relu")(L.Embedding(200, 8)(tokens)))
    facts, config = _facts_and_config(keras.Model(tokens, L.Dense(1)(x)))
    config = json.loads(config)
    layers = config["config"]["layers"]
    layers[0]["config"].update(batch_shape=[None, 1], dtype="string", name="text")
    layers[0]["name"] = "text"
    vectorize = {"module": "keras.layers", "class_name": "TextVectorization",
                 "registered_name": None, "name": "text_vectorization", "config": {
                     "name": "text_vectorization", "trainable": True, "dtype": "string",
                     "max_tokens": 200, "standardize": "lower_and_strip_punctuation",
                     "split": "whitespace", "ngrams": None, "output_mode": "int",
                     "output_sequence_length": 50, "pad_to_max_tokens": False,
                     "sparse": False, "ragged": False, "vocabulary": None,
                     "idf_weights": None, "encoding": "utf-8", "vocabulary_size": 2},
                 "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {
                     "shape": [None, 1], "dtype": "string", "keras_history": ["text", 0, 0]}}],
                     "kwargs": {}}]}
    layers[1]["inbound_nodes"][0]["args"][0]["config"]["keras_history"] = [
        "text_vectorization", 0, 0]
    layers.insert(1, vectorize)
    config["config"]["input_layers"] = [["text", 0, 0]]
    summary = S.from_keras(config).summary()
    assert summary.total == facts.total
    rows = [(row.class_name, row.params, _shape(row.output_shape)) for row in summary.rows]
    assert rows[:2] == [("InputLayer", 0, [None, 1]), ("TextVectorization", 0, [None, 50])]
    assert rows[2:] == [(row.class_name, row.params, _shape(row.output_shape))
                        for row in facts.rows[1:]]


def test_symbolic_input_of_a_sequential_model():
    """The Sequential MNIST convnet on ``H x W`` images: at 28 x 28 it is Keras's model."""
    facts, config = _facts_and_config(keras_examples.EXAMPLES["mnist_convnet"](keras))
    summary = S.from_keras(config, input_shape=[None, "H", "W", 1]).summary()
    assert {s.name for s in summary.total.free_symbols} == {"H", "W"}  # the Dense after Flatten
    check_summary(summary.subs(H=28, W=28), facts)
