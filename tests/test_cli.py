"""The command line: output, exit codes, and one clear line for every bad input."""

import json
import subprocess
import sys

import pytest
from cli_runner import EXAMPLES, run


def test_layer_text_shows_formula_and_value(capsys):
    code, out, _ = run(capsys, "layer", "LSTM", "units=u", "--input", "None,25,d",
                       "--set", "u=128", "--set", "d=256")
    assert code == 0
    assert "4*u*(d + u + 1) = 197,120" in out
    assert "f_t = sigma(W_f*[h_{t-1}; x_t] + b_f)" in out


def test_layer_json(capsys):
    code, out, _ = run(capsys, "layer", "GRU", "units=128", "reset_after=false",
                       "--input", "None,25,256", "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["params"] == 147840
    assert data["output_shape"] == [None, 128]


def test_layer_with_several_inputs(capsys):
    code, out, _ = run(capsys, "layer", "Concatenate", "--input", "None,u", "--input", "None,d",
                       "--format", "json")
    assert code == 0 and json.loads(out)["output_shape"] == [None, "d + u"]


def test_model_json_follows_the_contract(capsys):
    code, out, _ = run(capsys, "model", str(EXAMPLES / "lstm.yaml"), "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert set(data) >= {"name", "layers", "total", "trainable", "non_trainable"}
    lstm = data["layers"][-1]
    assert lstm["class_name"] == "LSTM" and lstm["params"] == 197120
    assert lstm["formula"] == "4*u*(d + u + 1)"
    assert data["total"] == 256000 + 197120


def test_model_set_overrides_defaults(capsys):
    code, out, _ = run(capsys, "model", str(EXAMPLES / "lstm.yaml"), "--set", "u=64",
                       "--format", "json")
    assert code == 0 and json.loads(out)["layers"][-1]["params"] == 4 * 64 * (64 + 257)


def test_video_qa_text_table(capsys):
    code, out, _ = run(capsys, "model", str(EXAMPLES / "video_qa.yaml"))
    assert code == 0
    assert "169,436,968" in out and "TimeDistributed" in out and "4*u*(u + 160001)" in out


def test_table_lists_every_layer(capsys):
    from symparam.layers import LAYERS
    code, out, _ = run(capsys, "table", "--width", "400")  # wide enough for names unbroken
    assert code == 0 and all(f" {name} " in out for name in LAYERS)


@pytest.mark.parametrize("argv, needle", [
    (["layer", "Dense", "units=-3", "--input", "None,4"], "units"),
    (["layer", "Dense", "units=0", "--input", "None,4"], "units"),
    (["layer", "Dense", "units=2.5", "--input", "None,4"], "units"),
    (["layer", "Dense", "units=10**30", "--input", "None,4"], "units"),
    (["layer", "Dense", "units=__import__('os').system('id')", "--input", "None,4"], "units"),
    (["layer", "Dense", "units=().__class__.__base__.__subclasses__()", "--input", "None,4"],
     "units"),
    (["layer", "Dense", "units=10**10**10", "--input", "None,4"], "units"),
    (["layer", "Dense", "units=u/0", "--input", "None,4"], "units"),
    (["layer", "Dense", "units=ｕ", "--input", "None,4"], "units"),
    (["layer", "Dense", "units=" + "(" * 10_000 + "u" + ")" * 10_000, "--input", "None,4"],
     "units"),
    (["layer", "Dense", "unitz=3", "--input", "None,4"], "did you mean 'units'"),
    (["layer", "Dens", "units=3", "--input", "None,4"], "did you mean 'Dense'"),
    (["layer", "Conv2D", "filters=4", "kernel_size=5", "--input", "None,3,3,1"],
     "larger than the input"),
    (["layer", "Dense", "units=3", "--input", "None,4", "--set", "q=3"], "q"),
    (["model", "/nonexistent/spec.yaml"], "cannot read"),
])
def test_bad_input_exits_2_with_one_line(capsys, argv, needle):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and needle in err and "Traceback" not in err


def test_incompatible_layers_in_a_spec_name_both(tmp_path, capsys):
    spec = tmp_path / "bad.yaml"
    spec.write_text("input: {shape: [25], dtype: int32}\nlayers:\n"
                    "  - Embedding: {input_dim: 10, output_dim: 8, name: emb}\n"
                    "  - Conv2D: {filters: 4, kernel_size: 3, name: conv}\n")
    code, _, err = run(capsys, "model", str(spec))
    assert code == 2 and "conv" in err and "emb" in err


def test_console_entry_points_run():
    for command in ([sys.executable, "-m", "symparam"], ):
        result = subprocess.run([*command, "layer", "Dense", "units=32", "--input", "None,784"],
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0 and "25,120" in result.stdout
    bad = subprocess.run([sys.executable, "-m", "symparam", "layer", "Dense", "units=-1",
                          "--input", "None,4"], capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_compare_shows_both_conventions(capsys):
    code, out, _ = run(capsys, "compare", str(EXAMPLES / "lstm.yaml"), "--format", "json")
    data = json.loads(out)
    lstm = data["layers"][-1]
    assert code == 0 and lstm["difference"] == "4*u"
    assert int(lstm["torch_params"]) - int(lstm["keras_params"]) == 4 * 128
    code, out, _ = run(capsys, "compare", str(EXAMPLES / "lstm.yaml"), "--set", "u=64")
    assert code == 0 and "= 256" in out     # the difference 4*u at u = 64
    code, _, err = run(capsys, "compare", "/nonexistent.yaml")
    assert code == 2 and err.count("\n") == 1


def test_table_keeps_layer_names_whole_at_the_default_width(capsys):
    """At 100 columns the other columns wrap first: a name up to 32 characters stays whole."""
    from symparam.layers import LAYERS
    code, out, _ = run(capsys, "table")
    assert code == 0 and max(len(line) for line in out.splitlines()) <= 100
    assert all(f" {name} " in out for name in LAYERS if len(name) <= 32)
