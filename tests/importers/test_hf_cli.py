"""``symparam hf``: the Hugging Face branch of the command line."""

import json

import pytest
from hf_configs import PUBLISHED, config

from symparam.cli import main


@pytest.fixture
def gpt2(tmp_path):
    path = tmp_path / "config.json"
    path.write_text(json.dumps(PUBLISHED["GPT-2"][0]))
    return path


def test_text_table_with_a_sequence_length(gpt2, capsys):
    assert main(["hf", str(gpt2), "--set", "T=1024"]) == 0
    out = capsys.readouterr().out
    assert "124,439,808" in out and "lm_head" in out and "T = 1024" in out


def test_json_like_symparam_model(gpt2, capsys):
    assert main(["hf", str(gpt2.parent), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert int(data["total"]) == 124439808 and "T**2" in data["macs"]
    assert [layer["name"] for layer in data["layers"]][-1] == "lm_head"


@pytest.mark.parametrize("fmt", ["markdown", "latex", "html", "mermaid"])
def test_every_format_renders(gpt2, capsys, fmt):
    assert main(["hf", str(gpt2), "--format", fmt]) == 0
    assert "lm" in capsys.readouterr().out


def test_conventions(gpt2, capsys):
    assert main(["hf", str(gpt2), "--attention", "causal", "--format", "json"]) == 0
    causal = json.loads(capsys.readouterr().out)["macs"]
    assert main(["hf", str(gpt2), "--decode", "--format", "json"]) == 0
    decode = json.loads(capsys.readouterr().out)["macs"]
    assert "T*(T + 1)" in causal and "T**2" not in decode  # the lower triangle: T(T+1)/2


def test_approximations_section(gpt2, capsys):
    assert main(["hf", str(gpt2), "--approximations", "--set", "T=1024", "--format",
                 "json"]) == 0
    kaplan, six_n, palm = json.loads(capsys.readouterr().out)["approximations"]
    n = 124439808 - 50257 * 768 - 1024 * 768  # Kaplan's non-embedding parameters
    assert six_n["approximate"] == 6 * n
    assert kaplan["approximate"] == 2 * n + 2 * 12 * 1024 * 768
    assert kaplan["exact"] - kaplan["approximate"] == kaplan["difference"]
    assert main(["hf", str(gpt2), "--approximations", "--format", "markdown"]) == 0
    assert "| Kaplan training (6N) |" in capsys.readouterr().out


@pytest.mark.parametrize("argv,message", [
    (["--set", "Q=3"], "no dimension 'Q'"),
    (["--set", "T=-4"], "T"),
    (["--memory", "--format", "latex"], "--memory"),
    (["--approximations", "--format", "html"], "--approximations"),
    (["--memory", "--dtype", "fp13"], "dtype"),
])
def test_bad_input_is_one_line_and_exit_2(gpt2, capsys, argv, message):
    assert main(["hf", str(gpt2), *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


def test_bad_configs_exit_2(tmp_path, capsys):
    path = tmp_path / "config.json"
    for data in ({"model_type": "unknown"}, {**config("llama"), "hidden_size": -1}, [1]):
        path.write_text(json.dumps(data))
        assert main(["hf", str(path)]) == 2
    path.write_text("{" * 10_000)
    assert main(["hf", str(path)]) == 2
    assert main(["hf", str(tmp_path / "absent")]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 5 and all(line.startswith("symparam: error:") for line in lines)


def test_symparam_never_imports_transformers_or_torch(gpt2):
    import subprocess
    import sys
    code = ("import sys, symparam as S; S.from_hf_config(sys.argv[1]).summary().macs; "
            "S.from_hf_config(sys.argv[1]).summary().memory(); "
            "assert not {'transformers', 'torch', 'safetensors'} & set(sys.modules), "
            "sorted({'transformers', 'torch', 'safetensors'} & set(sys.modules))")
    subprocess.run([sys.executable, "-c", code, str(gpt2)], check=True,
                   cwd=__import__("pathlib").Path(__file__).resolve().parents[2])
