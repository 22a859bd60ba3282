"""One check over every registered layer of both catalogues (Keras's and PyTorch's), so a new
layer cannot skip the basics: the count is a polynomial with non-negative integer coefficients,
it is the sum of the declared weights, shapes derive and become integers, equations render."""

from dataclasses import dataclass

import pytest
import sympy

import symparam.torch.nn as snn
from symparam.layers import LAYERS
from symparam.layers import samples as keras_samples
from symparam.report.printers import text
from symparam.torch import TORCH
from symparam.torch import samples as torch_samples


@dataclass(frozen=True)
class Catalogue:
    classes: dict
    example: object
    numeric: dict
    batch_first: bool  # Keras puts the batch first; PyTorch wherever the module expects it


CATALOGUES = {
    "keras": Catalogue(LAYERS, keras_samples.example, keras_samples.NUMERIC, True),
    "torch": Catalogue(TORCH.classes, torch_samples.example, torch_samples.NUMERIC, False),
}
CASES = [(kind, name) for kind, catalogue in CATALOGUES.items()
         for name in sorted(catalogue.classes)]


def test_every_registered_keras_layer_has_an_example():
    assert set(LAYERS) == set(keras_samples.EXAMPLES) | set(keras_samples.WRAPPED)


def test_every_registered_torch_module_has_an_example():
    assert set(TORCH.classes) <= set(snn.__all__)
    assert all(name in TORCH.classes for name in torch_samples.TORCH_EXAMPLES)


@pytest.mark.parametrize("kind", sorted(CATALOGUES))
def test_registry_names_are_the_class_names(kind):
    assert all(cls.__name__ == name for name, cls in CATALOGUES[kind].classes.items())


def _polynomial_ok(count) -> bool:
    """A polynomial with non-negative integer coefficients (after clearing the group count a
    grouped convolution divides by)."""
    count = sympy.sympify(count)
    if not count.free_symbols:
        return count.is_Integer and count >= 0
    denominator = sympy.Mul(*(sympy.denom(t) for t in sympy.Add.make_args(sympy.expand(count))))
    poly = sympy.Poly(sympy.expand(count * denominator), *sorted(count.free_symbols, key=str))
    return all(c.is_Integer and c >= 0 for c in poly.coeffs())


def _shapes(shape) -> list:
    return shape if isinstance(shape, list) else [shape]


@pytest.mark.parametrize("kind,name", CASES)
def test_layer_conforms(kind, name):
    catalogue = CATALOGUES[kind]
    layer, shape = catalogue.example(name)
    r = layer.derive(shape)
    for count in (r.params, r.trainable, r.non_trainable, r.buffer_size):
        assert _polynomial_ok(count), (name, count)
    assert sympy.expand(r.params - r.trainable - r.non_trainable) == 0
    # the count is the sum of the weights' sizes, and every weight has a unique name
    assert sympy.expand(r.params - sum(w.size for w in r.weights.values())) == 0
    assert len(set(r.weights)) == len(r.weights)
    # shapes derive, keep the batch axis, and become integers at the example values
    for s in _shapes(r.output_shape):
        assert (s[0] is None) if catalogue.batch_first else (None in s), (name, s)
    for s in _shapes(r.at(catalogue.numeric).output_shape):
        assert s[0] is None or not catalogue.batch_first, (name, s)
        assert all(v is None or v.is_Integer for v in s[1 if catalogue.batch_first else 0:]), \
            (name, s)
    # equations render, and the output is the last one
    if name != "InputLayer":
        assert r.equations and all(text(eq) for eq in r.equations)
    if kind == "torch":
        assert r.render("latex") and r.render("json")
