"""Model specs on disk: the documented examples load, bad specs give one clear error."""

import json
from pathlib import Path

import pytest
import sympy

import symparam as S
from symparam.importers.spec import load_spec

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
u, d, n, V = S.dims("u d n V")


def test_every_example_spec_loads():
    specs = sorted(EXAMPLES.glob("*.yaml"))
    assert len(specs) >= 6
    for path in specs:
        spec = load_spec(path)
        assert spec.model.summary().rows


@pytest.mark.parametrize("name, expected", [
    ("dense.yaml", 25120),                       # the seed post, section 2
    ("embedding.yaml", 262144),                  # section 3
    ("lstm.yaml", 256000 + 197120),              # section 4.1: Embedding(1000, 256) + LSTM(128)
    ("gru.yaml", 256000 + 147840),               # section 4.2, Keras 2's reset_after=False
])
def test_seed_examples_give_the_posts_numbers(name, expected):
    spec = load_spec(EXAMPLES / name)
    assert spec.model.summary().subs(**spec.dims).total == expected


def test_sequential_spec_is_symbolic_with_defaults():
    spec = load_spec(EXAMPLES / "lstm.yaml")
    s = spec.model.summary()
    assert sympy.expand(s.total - (V * d + 4 * u * (u + d + 1))) == 0
    assert s.rows[-1].name == "encoder"
    assert spec.dims == {"n": 25, "V": 1000, "d": 256, "u": 128}


def test_graph_spec_with_shared_layer_and_json(tmp_path):
    data = {
        "name": "siamese",
        "inputs": {"left": [8], "right": [8]},
        "nodes": [
            {"name": "enc", "layer": {"Dense": {"units": "u"}}, "inputs": ["left"]},
            {"name": "enc2", "shared": "enc", "inputs": ["right"]},
            {"name": "join", "layer": {"Add": {}}, "inputs": ["enc", "enc2"]},
        ],
        "outputs": ["join"],
    }
    path = tmp_path / "siamese.json"
    path.write_text(json.dumps(data))
    s = load_spec(path).model.summary()
    assert [r.class_name for r in s.rows] == ["InputLayer", "InputLayer", "Dense", "Add"]
    assert sympy.expand(s.total - 9 * u) == 0


def _error(tmp_path, text, suffix=".yaml"):
    path = tmp_path / f"spec{suffix}"
    path.write_text(text)
    with pytest.raises(S.SymparamError) as info:
        load_spec(path)
    return str(info.value)


def test_bad_specs(tmp_path):
    assert "LSTM" in _error(tmp_path, "input: [3, 4]\nlayers:\n  - LTSM: {units: 3}\n")
    assert "units" in _error(tmp_path, "input: [4]\nlayers:\n  - Dense: {unitz: 3}\n")
    assert "units" in _error(tmp_path, "input: [4]\nlayers:\n  - Dense: {units: -3}\n")
    assert "unknown key" in _error(tmp_path, "input: [4]\nlayerz: []\n")
    assert "not valid" in _error(tmp_path, "input: [4\n")
    assert "nested deeper" in _error(tmp_path, "[" * 100 + "]" * 100, ".json")
    assert "unknown tensor" in _error(
        tmp_path, "inputs: {a: [3]}\nnodes:\n  - {name: b, layer: {Dense: {units: 2}}, "
                  "inputs: [zz]}\noutputs: [b]\n")
    assert "contains itself" in _error(
        tmp_path, "models:\n  m: {input: [3], layers: [{Model: m}]}\ninput: [3]\n"
                  "layers: [{Model: m}]\n")


def test_python_tags_in_yaml_are_refused(tmp_path):
    text = "input: !!python/object/apply:os.system ['touch pwned']\nlayers: []\n"
    assert "not valid" in _error(tmp_path, text)
    assert not (tmp_path / "pwned").exists()


def test_huge_spec_file_is_refused(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"#" * (10 * 1024 * 1024 + 10))
    with pytest.raises(S.SymparamError, match="larger than"):
        load_spec(path)


def test_deep_json_is_one_clear_error(tmp_path):
    assert "nested" in _error(tmp_path, "[" * 100_000 + "]" * 100_000, ".json")


def test_rnn_cells_in_a_spec(tmp_path):
    path = tmp_path / "cells.yaml"
    path.write_text("input: [T, d]\nlayers:\n"
                    "  - RNN: {cell: [{LSTMCell: {units: u}}, {GRUCell: {units: u}}]}\n")
    total = load_spec(path).model.summary().total
    # an LSTM cell on d features, then a GRU cell (reset_after) on the LSTM's u outputs
    assert sympy.expand(total - (4 * u * (u + d + 1) + 3 * u * (2 * u + 2))) == 0
