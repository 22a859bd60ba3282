"""``S.compare``: one architecture under Keras's and PyTorch's conventions.

The PyTorch side is checked against real PyTorch 2.13.0: the modules a PyTorch user would
write for each spec are built and counted.  ``docs/keras-vs-pytorch.md`` is checked cell by
cell: every table row naming a spec is recomputed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sympy
import torch
import yaml
from torch import nn

import symparam as S
from symparam.layers import GRU, BatchNormalization, Conv2D, Dense, Embedding
from symparam.torch import nn as snn

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "keras-vs-pytorch.md"
d, u, V, n, c, f = S.dims("d u V n c f")


def numel(*modules) -> int:
    return sum(p.numel() for m in modules for p in m.parameters())


def sequential(*layers, shape):
    return S.Sequential([S.Input(shape), *layers])


# -- the seed's examples -----------------------------------------------------------------------
def test_lstm_has_4u_more_parameters_in_pytorch():
    c_ = S.compare(ROOT / "docs" / "examples" / "lstm.yaml")
    lstm = c_.rows[1]
    assert (lstm.keras_class, lstm.torch_class) == ("LSTM", "LSTM")
    assert lstm.keras_formula == 4 * u * (d + u + 1)
    assert lstm.torch_formula == 4 * u * (d + u + 2)
    assert lstm.difference == 4 * u and c_.difference == 4 * u
    assert "two bias vectors" in lstm.note
    evaluated = c_.evaluated()
    assert evaluated.rows[1].keras_formula == 197_120
    torch_model = (nn.Embedding(1000, 256), nn.LSTM(256, 128, batch_first=True))
    assert evaluated.torch_total == numel(*torch_model) == 453_632


@pytest.mark.parametrize("reset_after, difference", [(False, 3 * u), (True, 0)])
def test_gru_reset_after(reset_after, difference):
    c_ = S.compare(sequential(GRU(u, reset_after=reset_after), shape=(n, d)))
    assert c_.difference == difference
    assert c_.rows[0].torch_formula == 3 * u * (d + u + 2)
    assert c_.subs(u=128, d=256, n=25).torch_total == numel(nn.GRU(256, 128)) == 148_224


def test_seed_gru_spec():
    c_ = S.compare(ROOT / "docs" / "examples" / "gru.yaml").evaluated()
    assert (c_.rows[1].keras_formula, c_.rows[1].torch_formula) == (147_840, 148_224)


def test_batchnorm_trainable_versus_buffers():
    c_ = S.compare(sequential(Conv2D(f, 3, use_bias=False), BatchNormalization(),
                              shape=(32, 32, c)))
    norm = c_.rows[1]
    assert (norm.keras_formula, norm.keras_non_trainable) == (4 * f, 2 * f)
    assert (norm.torch_formula, norm.torch_buffers, norm.difference) == (2 * f, 2 * f + 1, -2 * f)
    assert norm.torch_output_shape == (None, f, 30, 30)
    reference = nn.BatchNorm2d(64)
    values = c_.subs(f=64, c=3).rows[1]
    assert values.torch_formula == numel(reference)
    assert values.torch_buffers == sum(b.numel() for b in reference.buffers())


def test_dense_and_embedding_agree():
    c_ = S.compare(sequential(Embedding(V, d), Dense(u, activation="relu"), shape=(n,)))
    assert c_.difference == 0 and c_.complete
    assert [row.torch_class for row in c_.rows] == ["Embedding", "Linear"]
    assert "separate module" in c_.rows[1].note


def test_nested_models_and_weightless_layers():
    c_ = S.compare(ROOT / "docs" / "examples" / "image_qa.yaml")
    assert c_.complete and c_.difference == 4 * S.dims("u")
    merged = next(row for row in c_.rows if row.keras_class == "Concatenate")
    assert merged.torch_formula == 0 and merged.torch_class is None
    vision = next(row for row in c_.rows if row.name == "vision")
    assert vision.difference == 0


def test_layer_without_counterpart():
    attention = S.layers.MultiHeadAttention(4, 5)  # key_dim*heads != the query's width
    x = S.Input((n, d))
    c_ = S.compare(S.Model(x, attention(x, x)))
    row = c_.rows[-1]
    assert row.torch_formula is None and row.difference is None and "embed_dim" in row.note
    assert not c_.complete and c_.torch_total == 0


def test_comparison_fields_for_a_renderer():
    c_ = S.compare({"name": "t", "dims": {"d": 8, "u": 4, "n": 3}, "input": ["n", "d"],
                    "layers": [{"LSTM": {"units": "u"}}]})
    assert isinstance(c_, S.Comparison)
    assert c_.name == "t" and c_.dims == {"d": 8, "u": 4, "n": 3}
    row = c_.rows[0]
    for field in ("name", "keras_class", "torch_class", "keras_formula", "torch_formula",
                  "difference", "keras_non_trainable", "torch_buffers", "keras_output_shape",
                  "torch_output_shape", "note"):
        assert hasattr(row, field)
    evaluated = c_.evaluated()
    assert evaluated.values == (("d", 8), ("n", 3), ("u", 4))
    assert evaluated.rows[0].torch_output_shape[0] == (None, 3, 4)
    assert "Comparison" in repr(c_)


def test_bad_source_is_one_clear_error():
    with pytest.raises(S.SymparamError, match="compare"):
        S.compare(42)


def test_pytorch_lstm_options_formula():
    """The formula quoted in the document for a 2-layer bidirectional PyTorch LSTM."""
    found = snn.LSTM(d, u, num_layers=2, bidirectional=True).derive((n, None, d)).params
    assert sympy.expand(found - 8 * u * (d + 4 * u + 4)) == 0
    assert found.subs({d: 6, u: 5}) == numel(nn.LSTM(6, 5, num_layers=2, bidirectional=True))


# -- the document ------------------------------------------------------------------------------
def doc_specs(text: str) -> dict:
    blocks = re.findall(r"```yaml\n(.*?)```", text, flags=re.S)
    return {spec["name"]: spec for spec in map(yaml.safe_load, blocks)}


def doc_rows(text: str) -> list:
    rows = []
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("| `") and len(cells) == 9:
            rows.append(cells)
    return rows


def unquoted(cell: str) -> str:
    return cell.strip("`")


def test_document_tables_are_recomputed():
    text = DOC.read_text(encoding="utf-8")
    specs, rows = doc_specs(text), doc_rows(text)
    assert len(rows) >= 13 and {"text-gru-keras3", "conv-bn", "self-attention"} <= set(specs)
    for cells in rows:
        source = unquoted(cells[0])
        c_ = S.compare(ROOT / source if source.endswith(".yaml") else specs[source])
        evaluated = c_.evaluated()
        if cells[1] == "total":
            found = (c_.keras_total, c_.keras_non_trainable, c_.torch_total, c_.torch_buffers,
                     c_.difference, evaluated.keras_total, evaluated.torch_total)
        else:
            index = [f"{r.name} ({r.keras_class})" for r in c_.rows].index(cells[1])
            row, value = c_.rows[index], evaluated.rows[index]
            found = (row.keras_formula, row.keras_non_trainable, row.torch_formula,
                     row.torch_buffers, row.difference, value.keras_formula,
                     value.torch_formula)
        formulas = [unquoted(cell) for cell in cells[2:7]]
        numbers = [int(cell.replace(",", "")) for cell in cells[7:]]
        assert formulas == [str(expr) for expr in found[:5]], (source, cells[1])
        assert numbers == [int(expr) for expr in found[5:]], (source, cells[1])


def test_document_pytorch_numbers_are_pytorchs():
    """The PyTorch values in the document, counted by PyTorch itself."""
    assert numel(nn.Embedding(1000, 256), nn.LSTM(256, 128)) == 453_632
    assert numel(nn.Embedding(1000, 256), nn.GRU(256, 128)) == 404_224
    conv, norm = nn.Conv2d(3, 64, 3, padding="same", bias=False), nn.BatchNorm2d(64)
    assert numel(conv, norm) == 1_856 and sum(b.numel() for b in norm.buffers()) == 129
    assert numel(nn.MultiheadAttention(512, 8)) == 1_050_624
    assert torch.__version__.startswith("2.13.0")
