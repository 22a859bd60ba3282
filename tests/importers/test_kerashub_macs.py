"""symparam's MACs of keras-hub backbones, exact against keras-hub's own forward pass.

The oracle, ``tests/data/kerashub/macs/macs.json``, was recorded by
``KERAS_BACKEND=jax /tmp/khub/bin/python bench/kerashub_macs.py``: the MACs of every
``dot_general`` (matrix product) in the jaxpr of keras-hub's forward at a fixed length, and
XLA's FLOP count of the same forward (recorded, not compared: it adds the element-wise
operations).  symparam counts matrix products as MACs, as the ``dot_general`` count does;
outer products (rotary angle tables) are one multiplication per element and are not MACs.
"""

import copy
import json
from pathlib import Path

import pytest

import symparam as S

DATA = Path(__file__).resolve().parent.parent / "data" / "kerashub"
MACS = json.loads((DATA / "macs" / "macs.json").read_text())
CASES = [(name, row) for name, rows in sorted(MACS["models"].items()) for row in rows]


def record(name: str) -> dict:
    return json.loads((DATA / f"{name}.json").read_text())


def forward_macs(entry: dict, length: int | None):
    """symparam's MACs of what keras-hub's forward computes: a decoder backbone is built as
    its CausalLM twin, but the backbone's forward stops at the hidden states, so the LM head's
    MACs are taken off (a ``...CausalLM`` or ``...Seq2SeqLM`` task computes its logits and
    keeps them)."""
    shape = {} if length is None else dict(input_shape=f"None,{length}")  # images: own size
    summary = S.from_keras(entry, **shape).summary()
    if entry["class_name"].endswith(("CausalLM", "Seq2SeqLM")):
        return summary.macs
    head = [row.derivation.macs for row in summary.rows if row.name == "lm_head"]
    return summary.macs - sum(head)


def test_every_record_but_the_largest_is_measured():
    measured = {name for name, _ in CASES}
    recorded = {path.stem for path in DATA.glob("*.json")}
    assert recorded - measured == {"llama3_2_1b", "gemma_2b"}
    assert "bench/kerashub_macs.py" in MACS["command"]


@pytest.mark.parametrize("name, row", [case for case in CASES if case[0] != "mixtral_small_test"],
                         ids=lambda value: value if isinstance(value, str) else value["length"])
def test_macs_equal_keras_hub_matrix_products(name, row):
    assert forward_macs(record(name)["serialized"], row["length"]) == row["dot_general_macs"]


def test_mixtral_is_exact_once_keras_hub_runs_every_expert():
    """keras-hub's Mixtral runs every expert on every token (one einsum over the expert bank)
    and zeroes the unrouted ones' weights; symparam counts the ``top_k`` routed experts, as
    transformers' implementation computes them.  With ``top_k`` equal to ``num_experts`` the
    two are the same computation."""
    (row,) = MACS["models"]["mixtral_small_test"]
    entry = record("mixtral_small_test")["serialized"]
    routed = forward_macs(entry, row["length"])
    dense = copy.deepcopy(entry)
    dense["config"]["top_k"] = dense["config"]["num_experts"]
    assert forward_macs(dense, row["length"]) == row["dot_general_macs"]
    assert routed < row["dot_general_macs"]


@pytest.mark.parametrize("name, row", CASES,
                         ids=lambda value: value if isinstance(value, str) else value["length"])
def test_xla_counts_at_least_two_flops_per_matrix_product_mac(name, row):
    """XLA's FLOPs are 2 per MAC of each product plus the element-wise operations (norms,
    softmax, activations, masks, residual sums): never below, and above by a few percent."""
    assert 1 <= row["xla_flops"] / (2 * row["dot_general_macs"]) < 1.2
