"""Guards against super-linear work coming back (issue 18), without timing anything.

Each guard builds a workload at two sizes, ``N`` and ``2N``, from a cold start (derivation
cache, SymPy's cache and symparam's small memo caches emptied) and counts the Python function
calls it makes (``sys.setprofile``): linear work doubles, quadratic work quadruples, so the
ratio must stay under 2.5.  Other guards check what the work produces: shape expressions of a
bounded size whatever the depth, and depths beyond Python's recursion limit.
"""

import json
import sys

import pytest
import sympy

import symparam as S
from symparam.core import algebra as _algebra
from symparam.core import args as _args
from symparam.core import dims as _dims
from symparam.engine.cache import DERIVATIONS
from symparam.layers import Conv1D, Conv2D, Dense, MaxPooling1D, MaxPooling2D
from symparam.report import jsonview as _jsonview
from symparam.report import render as _render

n, c, d, u, H = S.dims("n c d u H")
LINEAR = 2.5  # the call ratio allowed when the size doubles (linear: 2, quadratic: 4)


def cold() -> None:
    """Forget everything remembered between runs, so both sizes start alike."""
    DERIVATIONS.clear()
    sympy.core.cache.clear_cache()
    for cached in (_dims._parse_text, _args._size_problem, _render._printed, _jsonview.written,
                   _algebra.tidy):
        cached.cache_clear()


def calls(work) -> int:
    """Python function calls made by ``work()`` after a cold start."""
    cold()
    count = 0

    def profiler(frame, event, arg):
        nonlocal count
        if event == "call":
            count += 1

    sys.setprofile(profiler)
    try:
        work()
    finally:
        sys.setprofile(None)
    return count


def assert_linear(make, size: int) -> None:
    """``make(size)`` builds a workload; its calls at ``2*size`` at most 2.5 times those at
    ``size`` (after one warm-up at a small size for imports and first-use costs)."""
    make(3)()
    small, large = calls(make(size)), calls(make(2 * size))
    assert large <= LINEAR * small, (small, large, large / small)


def sequential(shape, layers):
    return lambda: S.Sequential([S.Input(shape)] + layers).summary()


def test_pooling_stack_is_linear():
    assert_linear(lambda k: sequential((n, c), [MaxPooling1D(2, padding="same")
                                                for _ in range(k)]), 40)


def test_strided_convolution_stack_is_linear():
    assert_linear(lambda k: sequential((n, c), [Conv1D(c, 3, strides=2) for _ in range(k)]), 40)


def test_functional_chain_is_linear():
    def make(k):
        def work():
            x = S.Input((d,))
            y = x
            for _ in range(k):
                y = Dense(u)(y)
            S.Model(x, y).summary()
        return work
    assert_linear(make, 300)


@pytest.mark.parametrize("reverse", [False, True])
def test_keras_functional_config_is_linear_in_any_order(reverse):
    sys.path.insert(0, "bench")
    try:
        from scale import keras_chain_config
    finally:
        sys.path.remove("bench")

    def make(k):
        config = keras_chain_config(k)
        if reverse:  # layers listed last first: each waits for the one listed after it
            layers = config["config"]["layers"]
            layers[1:] = layers[1:][::-1]
        text = json.dumps(config)
        return lambda: S.from_keras(text).summary()
    assert_linear(make, 200)


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_rendering_a_deep_summary_is_linear(fmt):
    def make(k):
        summary = S.Sequential([S.Input((d,))] + [Dense(u) for _ in range(k)]).summary()
        return lambda: summary.render(fmt, values={"u": 3} if fmt == "text" else None)
    assert_linear(make, 500)


def test_graph_spec_is_linear(tmp_path):
    def make(k):
        nodes = [{"name": f"d{i}", "layer": {"Dense": {"units": "u"}},
                  "inputs": [f"d{i - 1}" if i else "x"]} for i in range(k)]
        path = tmp_path / f"graph{k}.json"
        path.write_text(json.dumps({"inputs": {"x": ["d"]}, "nodes": nodes,
                                    "outputs": [f"d{k - 1}"]}))
        return lambda: S.load_spec(path).model.summary().render("text")
    assert_linear(make, 300)


def test_nested_torch_sequentials_are_linear():
    nn = pytest.importorskip("torch").nn

    def make(k):
        module = nn.Linear(4, 2)
        for _ in range(k):
            module = nn.Sequential(module)
        return lambda: S.from_torch(module, input_shape=(None, 4)).summary()
    assert_linear(make, 150)  # fx once failed past ~250 levels and re-traced each level


def test_distinct_layers_are_linear():
    """No two layers alike (``Dense(u_i*v_i + w_i)``): nothing is reused, work per layer stays."""
    def make(k):
        symbols = [S.dims(f"u{i} v{i} w{i}") for i in range(k)]
        return sequential((d,), [Dense(a * b + e) for a, b, e in symbols])
    assert_linear(make, 60)


def test_lengths_with_symbolic_strides_grow_linearly():
    """``Conv1D(c, k, strides=s)``: no collapse is exact for a symbolic stride in general, so the
    length grows, by a bounded number of nodes per layer (one term of its numerator)."""
    k, s = S.dims("k s")
    lengths = [sequential((n, c), [Conv1D(c, k, strides=s) for _ in range(depth)])()
               .rows[-1].output_shape[1] for depth in (20, 40)]
    assert all(len(x.atoms(sympy.floor)) == 1 for x in lengths)
    assert size_of(lengths[1]) <= 2.2 * size_of(lengths[0]), [size_of(x) for x in lengths]


def size_of(expr) -> int:
    return sum(1 for _ in sympy.preorder_traversal(expr))


def test_strided_lengths_stay_small_at_any_depth():
    """The output length of 10 and of 300 strided layers: one rounding, a few nodes."""
    for layer in (lambda: MaxPooling1D(2, padding="same"), lambda: Conv1D(c, 3, strides=2),
                  lambda: MaxPooling1D(3, strides=2)):
        shallow = sequential((n, c), [layer() for _ in range(10)])().rows[-1].output_shape[1]
        deep = sequential((n, c), [layer() for _ in range(300)])().rows[-1].output_shape[1]
        assert len(deep.atoms(sympy.floor, sympy.ceiling)) == 1
        assert size_of(deep) == size_of(shallow) <= 12, (shallow, deep)
    pooled = sequential((n, c), [MaxPooling1D(2, padding="same") for _ in range(150)])()
    assert pooled.rows[-1].output_shape[1] == sympy.ceiling(n / 2**150)


def test_symbolic_resnet_spatial_sizes_stay_small():
    """ResNet-50's stem and strided blocks on a symbolic height: one floor per size."""
    x = S.Input((H, H, 3))
    y = MaxPooling2D(3, strides=2)(Conv2D(8, 7, strides=2)(x))
    for _ in range(3):
        y = Conv2D(8, 1, strides=2)(y)
    length = y.shape[1]
    assert len(length.atoms(sympy.floor)) == 1 and size_of(length) <= 12
    assert length.xreplace({H: 224}) == 7


def test_depth_beyond_the_recursion_limit():
    """Chains deeper than Python's recursion limit: functional API, Keras config, graph spec."""
    depth = 3 * sys.getrecursionlimit()
    x = S.Input((d,))
    y = x
    for _ in range(depth):
        y = Dense(u)(y)
    assert len(S.Model(x, y).summary().rows) == depth + 1
    sys.path.insert(0, "bench")
    try:
        from scale import keras_chain_config
    finally:
        sys.path.remove("bench")
    assert len(S.from_keras(keras_chain_config(depth)).summary().rows) == depth + 1
