"""The command line as a new user tries it: --version, --width, number suffixes, helpful
errors for the wrong kind of file, solve's context, the sweep plot's panels."""

import json

import pytest
from cli_runner import EXAMPLES, run

from symparam.cli import main


def test_version(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0 and capsys.readouterr().out.startswith("symparam ")


def test_width_and_the_default_of_100_columns(capsys):
    code, out, _ = run(capsys, "table")
    assert code == 0 and max(len(line) for line in out.splitlines()) <= 100
    code, out, _ = run(capsys, "model", str(EXAMPLES / "video_qa.yaml"), "--width", "70")
    assert code == 0 and max(len(line) for line in out.splitlines()) <= 70
    assert "160,000" not in out  # no separator inside a shape
    code, out, _ = run(capsys, "model", str(EXAMPLES / "video_qa.yaml"))
    assert code == 0 and "(None, 100, 160000)" in out


@pytest.mark.parametrize("text, value", [("1k", 1000), ("1M", 1_000_000), ("2.5k", 2500)])
def test_number_suffixes_in_set(capsys, text, value):
    code, out, _ = run(capsys, "layer", "Dense", "units=u", "--input", "None,d",
                       "--set", f"u={text}", "--set", "d=3", "--format", "json")
    assert code == 0 and json.loads(out)["params"] == value * 4  # u*(d + 1)


def test_number_suffixes_in_spec_dims_and_layer_arguments(capsys, tmp_path):
    spec = tmp_path / "s.yaml"
    spec.write_text("name: s\ndims: {u: 1k}\ninput: [7]\nlayers:\n  - Dense: {units: u}\n"
                    "  - Dense: {units: 2k}\n")
    code, out, _ = run(capsys, "model", str(spec), "--format", "json")
    assert code == 0 and json.loads(out)["total"] == 1000 * 8 + 2000 * 1001


def test_table_takes_set(capsys):
    code, out, _ = run(capsys, "table", "Dense", "--set", "u=1k", "--format", "json")
    assert code == 0 and json.loads(out)["layers"][0]["example_params"] == 1000 * 257
    code, _, err = run(capsys, "table", "Dense", "--set", "zz=3")
    assert code == 2 and "zz" in err


def test_model_on_a_keras_config_points_to_symparam_keras(capsys):
    code, _, err = run(capsys, "model", str(EXAMPLES / "video_qa.json"))
    assert code == 2 and "symparam keras" in err and "Traceback" not in err


def test_yaml_and_json_syntax_errors_give_line_and_column(capsys, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: t\ninput: [25\nlayers:\n  - Dense: {units: 4}\n")
    code, _, err = run(capsys, "model", str(bad))
    assert code == 2 and "line 3, column 7" in err
    bad = tmp_path / "bad.json"
    bad.write_text('{"name": "t",\n "layers": [}\n')
    code, _, err = run(capsys, "model", str(bad))
    assert code == 2 and "line 2, column 13" in err


def test_sweep_plot_has_two_labelled_panels(capsys, tmp_path, monkeypatch):
    import matplotlib.pyplot as plt
    figures = []
    monkeypatch.setattr(plt, "close", figures.append)
    out = tmp_path / "sweep.png"
    code, _, _ = run(capsys, "sweep", str(EXAMPLES / "lstm.yaml"), "--grid", "u=8:64:8",
                     "--plot", str(out))
    assert code == 0 and out.read_bytes()[:4] == b"\x89PNG"
    axes = figures[0].get_axes()
    assert len(axes) == 2  # parameters and MACs each in their own panel
    assert "parameters" in axes[0].get_ylabel() and "MACs" in axes[1].get_ylabel()
    assert axes[1].get_xlabel().startswith("u")
    assert axes[0].get_lines()[0].get_linestyle() != axes[1].get_lines()[0].get_linestyle()
