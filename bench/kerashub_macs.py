"""Record the matrix-product MACs of keras-hub's own forward pass (the oracle for symparam's
``summary().macs`` of keras-hub backbones, ``tests/importers/test_kerashub_macs.py``).

Run from the repository root in the keras-hub venv (never the system Python)::

    KERAS_BACKEND=jax /tmp/khub/bin/python bench/kerashub_macs.py [record names]

Each recorded backbone (``tests/data/kerashub/<name>.json``) is rebuilt from its serialized
entry and traced with ``jax.make_jaxpr`` on one example of ``LENGTH`` tokens (every input of
an encoder-decoder is that long).  Two independent references come out of the same forward:

* ``dot_general_macs``: the MACs of every ``dot_general`` in the jaxpr (each output element
  costs the product of the contracted sizes) and of every ``conv_general_dilated`` (an image
  backbone's patch embedding), walking into nested jaxprs (``pjit``,
  ``custom_jvp_call``, ``scan`` times its length).  Every Dense, every attention product and
  the reverse token embedding is one; lookups (``take``), norms and the softmax are not.
  A ``dot_general`` that contracts no axis is an outer product (rotary embeddings'
  position-times-frequency table): one multiplication per element, no accumulation, kept
  apart as ``outer_product_elements``.  That is what symparam's ``macs`` counts, so the two are compared exactly.
* ``xla_flops``: XLA's ``cost_analysis()["flops"]`` of the compiled forward, which adds the
  element-wise operations (norms, softmax, activations, masks, residual adds) at one FLOP
  each; its half is above the MACs, and the ratio is recorded, not compared.

Preset-sized Llama and Gemma (1-2.5 B weights) are left out: building them with random weights
takes minutes and the small configs of the same backbones exercise the same layers.
"""

import json
import math
import os
import sys
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")

import jax
import jax.extend
import keras
import numpy as np

COMMAND = "KERAS_BACKEND=jax /tmp/khub/bin/python bench/kerashub_macs.py"
DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "kerashub"
OUT = DATA / "macs" / "macs.json"
LENGTH = 16
#: backbones with a sliding window are measured longer than their window too (keras-hub masks
#: the window inside full attention: every product is still computed)
LONGER = {"mistral_small_test": 128, "gemma2_small_test": 128}
SKIPPED = ("llama3_2_1b", "gemma_2b")


def dot_macs(jaxpr) -> tuple[int, int]:
    """MACs of the ``dot_general`` equations of ``jaxpr`` and the jaxprs nested in it, and
    apart the elements of those that contract no axis (outer products: rotary embeddings'
    position-times-frequency tables, element-wise products written as an einsum)."""
    macs = outer = 0
    for eqn in jaxpr.eqns:
        if eqn.primitive.name == "dot_general":
            (contract, _), _ = eqn.params["dimension_numbers"]
            lhs, out = eqn.invars[0].aval.shape, eqn.outvars[0].aval.shape
            if contract:
                macs += math.prod(out) * math.prod(lhs[axis] for axis in contract)
            else:
                outer += math.prod(out)
        if eqn.primitive.name == "conv_general_dilated":
            macs += _conv_macs(eqn)
        if eqn.primitive.name == "while":
            raise ValueError("a while loop in the forward: its trip count is unknown")
        times = eqn.params.get("length", 1) if eqn.primitive.name == "scan" else 1
        for inner in _nested(eqn.params):
            inner_macs, inner_outer = dot_macs(inner)
            macs, outer = macs + times * inner_macs, outer + times * inner_outer
    return macs, outer


def _conv_macs(eqn) -> int:
    """A convolution's MACs (ViT's patch embedding): each output element accumulates one
    kernel's worth of products, the kernel's size over its output features (the input
    features in the kernel are already per group)."""
    kernel, out = eqn.invars[1].aval.shape, eqn.outvars[0].aval.shape
    out_feature_axis = eqn.params["dimension_numbers"].rhs_spec[0]
    return math.prod(out) * math.prod(kernel) // kernel[out_feature_axis]


def _nested(params) -> list:
    """The jaxprs among an equation's parameters (``jaxpr``, ``call_jaxpr``, branches)."""
    found = []
    for value in params.values():
        for item in value if isinstance(value, (tuple, list)) else (value,):
            if isinstance(item, jax.extend.core.ClosedJaxpr):
                found.append(item.jaxpr)
            elif isinstance(item, jax.extend.core.Jaxpr):
                found.append(item)
    return found


def _example(model, length: int) -> tuple:
    """One example for ``model``: ``length`` tokens for every input of a text model (a dict
    of inputs), or one image of the model's own input shape (an image backbone, whose length
    is then ``None``: its size is fixed by ``image_shape``)."""
    if isinstance(model.input, dict):
        return {key: np.ones((1, length), "int32") for key in model.input}, length
    return np.ones((1, *model.input.shape[1:]), "float32"), None


def measure(name: str, length: int) -> dict:
    """Both references for one record's model, at ``length`` tokens."""
    entry = json.loads((DATA / f"{name}.json").read_text())["serialized"]
    model = keras.saving.deserialize_keras_object(entry)
    inputs, length = _example(model, length)
    state = ([v.value for v in model.trainable_variables],
             [v.value for v in model.non_trainable_variables])

    def forward(state, inputs):
        outputs, _ = model.stateless_call(*state, inputs, training=False)
        return outputs

    macs, outer = dot_macs(jax.make_jaxpr(forward)(state, inputs).jaxpr)
    cost = jax.jit(forward).lower(state, inputs).compile().cost_analysis()
    cost = cost[0] if isinstance(cost, list) else cost
    flops = int(cost["flops"])
    keras.backend.clear_session()
    return {"length": length, "dot_general_macs": macs, "outer_product_elements": outer,
            "xla_flops": flops,
            "xla_flops_over_2_macs": round(flops / (2 * macs), 4)}


def main(names) -> None:
    records = sorted(path.stem for path in DATA.glob("*.json"))
    data = json.loads(OUT.read_text()) if OUT.exists() else {}
    data["command"] = COMMAND
    data["versions"] = {"keras": keras.__version__, "jax": jax.__version__,
                        "backend": keras.backend.backend()}
    data.setdefault("models", {})
    for name in records:
        if name in SKIPPED or (names and name not in names):
            continue
        lengths = (LENGTH, LONGER[name]) if name in LONGER else (LENGTH,)
        data["models"][name] = [measure(name, length) for length in lengths]
        for row in data["models"][name]:
            print(f"{name:28s} T={row['length']!s:<4} {row['dot_general_macs']:>16,} MACs  "
                  f"XLA flops/2 = {row['xla_flops_over_2_macs']} x MACs")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
