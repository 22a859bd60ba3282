"""One check over every registered layer, so a new layer cannot skip the basics."""

import sympy
import pytest

from symparam.layers.samples import EXAMPLES, NUMERIC, WRAPPED, example
from symparam.layers import LAYERS
from symparam.report.printers import text


def test_every_registered_layer_has_an_example():
    assert set(LAYERS) == set(EXAMPLES) | set(WRAPPED)


def test_registry_names_are_the_class_names():
    assert all(cls.__name__ == name for name, cls in LAYERS.items())


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_layer_conforms(name):
    layer, shape = example(name)
    r = layer.derive(shape)
    # the count is a polynomial in the dimensions with non-negative integer coefficients
    for count in (r.params, r.trainable, r.non_trainable):
        poly = sympy.Poly(sympy.expand(count * _denominator(count)), *sorted(
            count.free_symbols, key=str)) if count.free_symbols else None
        if poly is not None:
            assert all(c.is_Integer and c >= 0 for c in poly.coeffs()), (name, count)
        else:
            assert count.is_Integer and count >= 0
    assert sympy.expand(r.params - r.trainable - r.non_trainable) == 0
    # the count is the sum of the weights' sizes, and every weight has a unique name
    assert sympy.expand(r.params - sum(w.size for w in r.weights.values())) == 0
    assert len(set(r.weights)) == len(r.weights)
    # shapes derive, stay batch-first, and become integers at the example values
    shapes = r.output_shape if isinstance(r.output_shape, list) else [r.output_shape]
    for concrete in (r.at(NUMERIC).output_shape,):
        for s in concrete if isinstance(concrete, list) else [concrete]:
            assert s[0] is None and all(v is None or v.is_Integer for v in s[1:]), (name, s)
    assert all(s[0] is None for s in shapes)
    # equations render, and the output is the last one
    if name != "InputLayer":
        assert r.equations and all(text(eq) for eq in r.equations)


def _denominator(expr):
    """Grouped convolutions divide by the group count: clear it before reading coefficients."""
    return sympy.Mul(*(sympy.denom(term) for term in sympy.Add.make_args(sympy.expand(expr))))
