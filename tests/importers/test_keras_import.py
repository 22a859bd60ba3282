"""Reading Keras files and configs without running them, and reconciling with live Keras."""

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import keras
import pytest
import sympy
from keras import layers
from keras_reference import check_summary, keras_model_facts

import symparam as S
from symparam.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


def small_model():
    """A functional model touching nesting, sharing, wrappers and several inputs."""
    vision = keras.Sequential([keras.Input((16, 16, 3)), layers.Conv2D(4, 3, padding="same"),
                               layers.MaxPooling2D(), layers.Flatten()])
    q = keras.Input((10,), dtype="int32", name="q")
    h = layers.Bidirectional(layers.LSTM(8), merge_mode="sum")(layers.Embedding(50, 6)(q))
    v = keras.Input((3, 16, 16, 3), name="v")
    g = layers.GRU(5)(layers.TimeDistributed(vision)(v))
    shared = layers.Dense(4)
    inner_in = keras.Input((4,))
    inner = keras.Model(inner_in, layers.BatchNormalization()(inner_in), name="inner")
    out = layers.Concatenate()([inner(shared(layers.Dense(4)(h))), shared(layers.Dense(4)(g))])
    return keras.Model([v, q], out)


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    model = small_model()
    folder = tmp_path_factory.mktemp("keras")
    model.save(folder / "model.keras")
    (folder / "model.json").write_text(model.to_json())
    return model, folder


@pytest.mark.parametrize("form", ["keras-file", "json-file", "json-string", "config-dict"])
def test_every_source_form_matches_keras_row_by_row(saved, form):
    model, folder = saved
    source = {"keras-file": folder / "model.keras", "json-file": str(folder / "model.json"),
              "json-string": model.to_json(),
              "config-dict": {"class_name": "Functional", "config": model.get_config()}}[form]
    check_summary(S.from_keras(source).summary(), keras_model_facts(model))


def test_reading_a_file_never_imports_keras(saved):
    _, folder = saved
    code = ("import sys, symparam as S; m = S.from_keras(sys.argv[1]); m.summary(); "
            "assert 'keras' not in sys.modules and 'jax' not in sys.modules, 'imported'")
    result = subprocess.run([sys.executable, "-c", code, str(folder / "model.keras")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_symbolic_sizes_turn_a_real_model_into_a_formula(saved):
    model, folder = saved
    m = S.from_keras(folder / "model.keras", symbolic=["GRU.units=u", "q.output_dim=e"])
    u = S.dim("u")
    total = m.summary().total
    assert u in total.free_symbols
    assert total.xreplace({u: 5}) == model.count_params()


def test_reconcile_live_model(saved):
    model, _ = saved
    report = S.reconcile(model)
    assert report.ok and report.reference_total == model.count_params()
    assert "every row and total agrees" in report.render("text")
    assert json.loads(report.render("json"))["ok"] is True


def test_reconcile_symbolic_rows():
    model = keras.Sequential([keras.Input((25,)), layers.Embedding(1000, 256),
                              layers.LSTM(128)])
    report = S.reconcile(model, symbolic=["LSTM.units=u"])
    u = S.dim("u")
    lstm = report.rows[-1]
    assert sympy.expand(lstm.formula - 4 * u * (u + 256 + 1)) == 0
    assert lstm.params == lstm.reference_params == 197120


# -- Keras 2 / tf.keras JSON, as the seed post's Keras 2.2.4 wrote it -----------------------------
KERAS2_SEQUENTIAL = {
    "class_name": "Sequential", "keras_version": "2.2.4", "backend": "tensorflow",
    "config": {"name": "sequential_1", "layers": [
        {"class_name": "Embedding", "config": {
            "name": "embedding_1", "trainable": True, "batch_input_shape": [None, 25],
            "dtype": "float32", "input_dim": 1000, "output_dim": 256,
            "embeddings_initializer": {"class_name": "RandomUniform",
                                       "config": {"minval": -0.05, "maxval": 0.05, "seed": None}},
            "embeddings_regularizer": None, "activity_regularizer": None,
            "embeddings_constraint": None, "mask_zero": False, "input_length": 25}},
        {"class_name": "GRU", "config": {
            "name": "gru_1", "trainable": True, "return_sequences": False,
            "return_state": False, "go_backwards": False, "stateful": False, "unroll": False,
            "units": 128, "activation": "tanh", "recurrent_activation": "hard_sigmoid",
            "use_bias": True, "kernel_initializer": {"class_name": "VarianceScaling",
                                                     "config": {"scale": 1.0}},
            "recurrent_initializer": {"class_name": "Orthogonal", "config": {"gain": 1.0}},
            "bias_initializer": {"class_name": "Zeros", "config": {}},
            "kernel_regularizer": None, "recurrent_regularizer": None, "bias_regularizer": None,
            "activity_regularizer": None, "kernel_constraint": None,
            "recurrent_constraint": None, "bias_constraint": None, "dropout": 0.0,
            "recurrent_dropout": 0.0, "implementation": 1, "reset_after": False}},
    ]},
}

KERAS2_FUNCTIONAL = {
    "class_name": "Model", "keras_version": "2.2.4",
    "config": {"name": "model_1", "layers": [
        {"name": "input_1", "class_name": "InputLayer",
         "config": {"batch_input_shape": [None, 25], "dtype": "int32", "sparse": False,
                    "name": "input_1"}, "inbound_nodes": []},
        {"name": "embedding_1", "class_name": "Embedding",
         "config": {"name": "embedding_1", "trainable": True, "input_dim": 1000,
                    "output_dim": 256, "input_length": 25},
         "inbound_nodes": [[["input_1", 0, 0, {}]]]},
        {"name": "lstm_1", "class_name": "LSTM",
         "config": {"name": "lstm_1", "trainable": True, "units": 128,
                    "unit_forget_bias": True, "implementation": 1},
         "inbound_nodes": [[["embedding_1", 0, 0, {}]]]},
        {"name": "lstm_2", "class_name": "LSTM",
         "config": {"name": "lstm_2", "trainable": True, "units": 128},
         "inbound_nodes": [[["embedding_1", 0, 0, {}]]]},
        {"name": "concatenate_1", "class_name": "Concatenate",
         "config": {"name": "concatenate_1", "trainable": True, "axis": -1},
         "inbound_nodes": [[["lstm_1", 0, 0, {}], ["lstm_2", 0, 0, {}]]]},
    ], "input_layers": [["input_1", 0, 0]], "output_layers": [["concatenate_1", 0, 0]]},
}


def test_keras2_sequential_json_gives_the_posts_gru_number():
    s = S.from_keras(json.dumps(KERAS2_SEQUENTIAL)).summary()
    assert [r.name for r in s.rows] == ["embedding_1", "gru_1"]
    assert s.rows[0].output_shape == (None, 25, 256)
    assert s.rows[1].params == 147840        # the seed post's GRU figure (reset_after=False)


def test_keras2_functional_json_with_old_inbound_nodes():
    s = S.from_keras(KERAS2_FUNCTIONAL).summary()
    assert [r.class_name for r in s.rows] == ["InputLayer", "Embedding", "LSTM", "LSTM",
                                              "Concatenate"]
    assert s.total == 256000 + 2 * 197120      # the post's 197120 per LSTM(128) on 256 features
    assert s.rows[-1].output_shape == (None, 256)


# -- bad files: one clear error, nothing run, nothing extracted -----------------------------------
def layer_entry(class_name, config, name="x", **extra):
    return {"class_name": class_name, "name": name, "config": {"name": name, **config},
            "inbound_nodes": [[["in", 0, 0, {}]]], **extra}


def functional(*entries):
    return {"class_name": "Functional", "config": {"name": "m", "layers": [
        {"class_name": "InputLayer", "name": "in", "config": {"batch_shape": [None, 4],
                                                             "name": "in"},
         "inbound_nodes": []}, *entries],
        "input_layers": [["in", 0, 0]], "output_layers": [[entries[-1]["name"], 0, 0]]}}


@pytest.mark.parametrize("config, needle", [
    (functional(layer_entry("Lambda", {"function": "gASVbG9s..."})), "Lambda"),
    (functional(layer_entry("function", {}, module="os")), "unsupported"),
    (functional({"module": "os", "class_name": "function", "config": "system", "name": "x",
                 "inbound_nodes": [[["in", 0, 0, {}]]]}), "unsupported"),
    (functional(layer_entry("MyLayer", {}, module="my_project.layers",
                            registered_name="Custom>MyLayer")), "MyLayer"),
    (functional(layer_entry("Dense", {"units": 3}, registered_name="Custom>Dense")),
     "unsupported"),
    (functional(layer_entry("Dense", {"units": 3, "activation": {
        "module": "os", "class_name": "function", "config": "system"}})), "activation"),
    (functional(layer_entry("Dense", {"units": -3})), "units"),
    (functional(layer_entry("Dense", {"units": "__import__('os').system('id')"})), "units"),
    (functional(layer_entry("Conv2D", {"filters": 3, "kernel_size": 3})), "spatial"),
])
def test_bad_configs_are_refused_by_name(config, needle):
    with pytest.raises(S.SymparamError) as info:
        S.from_keras(config)
    assert needle in str(info.value) and "\n" not in str(info.value)


def write_zip(path, members, compression=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(path, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_bad_archives(tmp_path):
    config = json.dumps(KERAS2_SEQUENTIAL)
    cases = {
        "no-config.keras": ({"metadata.json": "{}"}, "no config.json"),
        "traversal.keras": ({"config.json": config, "../../x": "boom"}, "unsafe member"),
        "absolute.keras": ({"config.json": config, "/abs/x": "boom"}, "unsafe member"),
        "bomb.keras": ({"config.json": " " * 2_000_000 + config}, "compression ratio"),
        "notzip.keras": (None, "not a valid"),
    }
    for name, (members, needle) in cases.items():
        path = tmp_path / name
        if members is None:
            path.write_bytes(b"PK\x03\x04 definitely not a zip")
        else:
            write_zip(path, members)
        with pytest.raises(S.SymparamError, match=needle):
            S.from_keras(path)
    assert not (tmp_path.parent / "x").exists()


def test_archive_declaring_a_huge_config_is_refused_without_reading(tmp_path):
    path = write_zip(tmp_path / "huge.keras", {"config.json": "{}"}, zipfile.ZIP_STORED)
    data = bytearray(path.read_bytes())
    # rewrite the declared uncompressed size (local header and central directory) to 1.5 GB
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.find(signature)
        data[at + offset:at + offset + 4] = (1_500_000_000).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    with pytest.raises(S.SymparamError, match="declares"):
        S.from_keras(path)


def test_archive_with_too_many_members(tmp_path):
    members = {f"m{i}": "" for i in range(10_001)}
    members["config.json"] = json.dumps(KERAS2_SEQUENTIAL)
    with pytest.raises(S.SymparamError, match="members"):
        S.from_keras(write_zip(tmp_path / "many.keras", members, zipfile.ZIP_STORED))


def test_other_bad_files(tmp_path):
    (tmp_path / "m.h5").write_bytes(b"\x89HDF\r\n\x1a\n")
    with pytest.raises(S.SymparamError, match="HDF5"):
        S.from_keras(tmp_path / "m.h5")
    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(S.SymparamError, match="nested"):
        S.from_keras(tmp_path / "deep.json")
    (tmp_path / "big.json").write_bytes(b" " * (10 * 1024 * 1024 + 1))
    with pytest.raises(S.SymparamError, match="larger"):
        S.from_keras(tmp_path / "big.json")


# -- the CLI -----------------------------------------------------------------------------------
def test_cli_reads_and_reconciles(saved, capsys):
    _, folder = saved
    assert main(["keras", str(folder / "model.keras"), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["layers"][0]["class_name"] == "InputLayer"
    assert main(["keras", str(folder / "model.keras"), "--reconcile"]) == 0
    out, err = capsys.readouterr()
    assert "safe_mode=True" in err and "every row and total agrees" in out


def test_cli_reconcile_exits_1_when_a_row_disagrees(saved, capsys, monkeypatch):
    _, folder = saved
    from symparam.layers import Dense
    original = Dense.equations

    def perturbed(self, x):  # one extra weight: symparam now disagrees with Keras
        equations = original(self, x)
        extra = self.weight("extra", 1)
        return equations[:-1] + [sympy.Eq(equations[-1].lhs,
                                          equations[-1].rhs + sympy.OneMatrix(
                                              equations[-1].lhs.shape[0], 1) * extra)]

    monkeypatch.setattr(Dense, "equations", perturbed)
    from symparam.engine.cache import DERIVATIONS
    monkeypatch.setattr(DERIVATIONS, "entries", type(DERIVATIONS.entries)())
    assert main(["keras", str(folder / "model.keras"), "--reconcile"]) == 1
    assert "MISMATCH" in capsys.readouterr().out


def test_cli_bad_file_exits_2(tmp_path, capsys):
    path = write_zip(tmp_path / "evil.keras", {"config.json": json.dumps(
        functional(layer_entry("Lambda", {"function": "x"})))})
    assert main(["keras", str(path)]) == 2
    err = capsys.readouterr().err
    assert "Lambda" in err and err.count("\n") == 1


@pytest.mark.parametrize("name", ["image_qa", "video_qa"])
def test_guide_models_in_docs_reconcile_with_keras(name, capsys):
    """The seed's step 3: the saved guide model, read by symparam, built by Keras, compared;
    the committed page docs/examples/<name>_keras.md is exactly what this run gives."""
    from symparam.report import docsgen
    page = docsgen.keras_page(name)
    assert "Verdict: every row and total agrees" in page and "MISMATCH" not in page
    committed = (EXAMPLES / f"{name}_keras.md").read_text(encoding="utf-8")
    assert page == committed, f"stale: regenerate with `{docsgen.KERAS_COMMAND}`"
    assert main(["keras", str(EXAMPLES / f"{name}.keras"), "--format", "json"]) == 0
    total = int(json.loads(capsys.readouterr().out)["total"])
    spec = S.load_spec(EXAMPLES / f"{name}.yaml")   # the same model written as a symbolic spec
    assert spec.model.summary().subs(**spec.dims).total == total
    keras.backend.clear_session()


def test_nested_functional_model_as_an_output():
    """Keras numbers a nested functional model's calls from 1 in ``output_layers``."""
    i = keras.Input((2,))
    inner = keras.Model(i, layers.Dense(3)(i), name="inner")
    a, b = keras.Input((2,)), keras.Input((2,))
    model = keras.Model([a, b], [inner(a), inner(b), layers.Dense(1)(inner(a))])
    check_summary(S.from_keras(model.to_json()).summary(), keras_model_facts(model))


def test_normalization_without_axes_round_trips():
    """Keras saves ``Normalization(axis=None)`` with ``"axis": []``."""
    x = keras.Input((4,))
    model = keras.Model(x, layers.Normalization(axis=None)(x))
    check_summary(S.from_keras(model.to_json()).summary(), keras_model_facts(model))


def test_a_raw_get_config_dict_with_tuples():
    model = small_model()
    source = {"class_name": "Functional", "config": model.get_config()}
    check_summary(S.from_keras(source).summary(), keras_model_facts(model))
