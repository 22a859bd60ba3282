"""JSON output: numbers as numbers, formulas as strings, the batch axis null, and exactly the
keys docs/json-schema.md documents."""

import json
import re
from pathlib import Path

import symparam as S
from symparam.analysis.compare import compare
from symparam.layers import LSTM, Dense, Embedding
from symparam.report.catalogue import formulas_table

u, d = S.dims("u d")
ROOT = Path(__file__).parent.parent.parent
EXAMPLES = ROOT / "docs" / "examples"


def documented(section: str) -> set:
    """The keys in the first table under ``## <section>`` of docs/json-schema.md."""
    text = (ROOT / "docs" / "json-schema.md").read_text(encoding="utf-8")
    body = text.split(f"## {section}", 1)[1].split("\n## ", 1)[0]
    first_table = body.split("\n\n")[1]
    return set(re.findall(r"^\| `(\w+)` \|", first_table, flags=re.M))


def as_json(report, **values):
    return json.loads(report.render("json", values=values))


def test_concrete_counts_are_numbers_and_the_batch_axis_is_null():
    data = as_json(LSTM(units=128).derive((None, 25, 256)))
    assert data["params"] == 197120 and data["non_trainable"] == 0  # 4*128*(256+128+1)
    assert data["output_shape"] == [None, 128] and data["input_shape"] == [None, 25, 256]
    assert data["macs"] == 25 * 4 * 128 * (256 + 128)  # per step: 4 gates of u x (d + u)


def test_symbolic_values_are_strings():
    data = as_json(LSTM(units=u).derive((None, 25, d)))
    assert data["params"] == "4*u*(d + u + 1)" and data["output_shape"] == [None, "u"]
    evaluated = as_json(LSTM(units=u).derive((None, 25, d)), u=128, d=256)
    assert evaluated["params"] == 197120 and evaluated["formula"] == "4*u*(d + u + 1)"
    assert evaluated["dims"] == {"d": 256, "u": 128}


def test_every_report_writes_the_documented_keys():
    summary = S.Sequential([S.Input((25,), dtype="int32"), Embedding(1000, d), LSTM(u)])
    data = as_json(summary.summary())
    row_keys = {"name", "class_name", "output_shape", "params", "trainable", "non_trainable"}
    assert set(data) | {"formulas", "dims", "uncounted"} == documented("Model summary")
    assert set(data["layers"][0]) == row_keys
    assert set(as_json(summary.summary(), u=8, d=4)["layers"][0]) == row_keys | {"formula"}
    derivation = as_json(Dense(u).derive((None, d)))
    assert set(derivation) | {"buffers", "dims"} == documented("Layer derivation")
    assert set(json.loads(formulas_table(["Dense"]).render("json"))) == documented(
        "Formulas table")
    assert set(as_json(compare(EXAMPLES / "lstm.yaml"))) == documented("Comparison")


def test_an_incomplete_comparison_gives_no_pytorch_total():
    data = as_json(compare(EXAMPLES / "gpt.yaml"))
    if data["complete"]:  # every layer has a twin now: totals are given
        assert data["values"]["torch_total"] is not None
        return
    assert data["torch_total"] is None and data["difference"] is None
    assert data["values"]["torch_total"] is None and data["values"]["difference"] is None
