"""The engine: counts come from the Param symbols in a layer's equations, nothing else."""

import pytest
import sympy

import symparam as S
from symparam.engine.cache import DERIVATIONS
from symparam.engine.weights import Buffer
from symparam.layers import LSTM, Dense, TimeDistributed

u, d = S.dims("u d")


class Bilinear(S.Layer):
    """DESIGN.md section 3's example of a user's own layer, as written there."""

    def __init__(self, units, **kw):
        super().__init__(**kw); self.units = units  # noqa: E702

    def equations(self, x):
        A = self.weight("A", self.units, x.shape[0]); B = self.weight("B", self.units, x.shape[0])  # noqa: E702,E501
        c = self.weight("c", self.units)
        y = sympy.MatrixSymbol("y", self.units, 1)
        return [sympy.Eq(y, sympy.HadamardProduct(A * x, B * x) + c)]


def test_bilinear_example_from_the_design():
    r = Bilinear(units=u).derive((None, d))
    assert sympy.expand(r.params - (2 * d * u + u)) == 0
    assert r.output_shape == (None, u)
    assert set(r.weights) == {"A", "B", "c"}
    assert r.weights["A"].shape == (u, d)


def test_per_position_layers_keep_leading_axes():
    assert Bilinear(units=3).derive((None, 7, 5, d)).output_shape == (None, 7, 5, 3)


def test_seed_numbers_from_the_issue():
    assert LSTM(units=128).derive((None, 25, 256)).params == 197120
    assert Dense(32).derive((None, 784)).params == 25120


def test_subs_gives_concrete_integers():
    r = LSTM(units=u).derive((None, 25, d))
    concrete = r.subs(u=128, d=256)
    assert concrete.params == 197120 and isinstance(concrete.params, sympy.Integer)
    assert concrete.output_shape == (None, 128)
    assert concrete.weights["W_f"].shape == (128, 384)
    assert r.subs(u="2*d").params == r.params.xreplace({u: 2 * d})


class Unused(S.Layer):
    def equations(self, x):
        self.weight("W", 3, x.shape[0])
        self.weight("b", 3)
        return [sympy.Eq(sympy.MatrixSymbol("y", 3, 1), sympy.ZeroMatrix(3, 1) + x[:3, :])]


class Twice(S.Layer):
    def equations(self, x):
        a = self.weight("W", 3, x.shape[0])
        b = self.weight("W", 3, x.shape[0])
        return [sympy.Eq(sympy.MatrixSymbol("y", 3, 1), a * x + b * x)]


class Undeclared(S.Layer):
    def equations(self, x):
        W = S.Param("W", 3, x.shape[0])
        return [sympy.Eq(sympy.MatrixSymbol("y", 3, 1), W * x)]


class Clash(S.Layer):
    """Two parameters with one name but different shapes, one of them undeclared."""

    def equations(self, x):
        W = self.weight("W", 3, x.shape[0])
        return [sympy.Eq(sympy.MatrixSymbol("y", 3, 1), W * x + S.Param("W", 3, 1))]


class UnusedBuffer(S.Layer):
    def equations(self, x):
        self.buffer("mu", x.shape[0])
        return [sympy.Eq(sympy.MatrixSymbol("y", 4, 1), self.weight("g", 4) + x)]


class UndeclaredBuffer(S.Layer):
    def equations(self, x):
        mu = Buffer("mu", x.shape[0], 1)
        return [sympy.Eq(sympy.MatrixSymbol("y", 4, 1), x - mu)]


class BufferNamedLikeAWeight(S.Layer):
    def equations(self, x):
        w = self.weight("W", 4, 1)
        return [sympy.Eq(sympy.MatrixSymbol("y", 4, 1), x - w + self.buffer("W", 4))]


class Centered(S.Layer):
    """``y = g ⊙ (x - mu)``: a learnt scale and a kept mean."""

    def equations(self, x):
        n = x.shape[0]
        return [sympy.Eq(sympy.MatrixSymbol("y", n, 1), sympy.HadamardProduct(
            self.weight("g", n), x - self.buffer("mu", n)))]


@pytest.mark.parametrize("layer, message", [
    (Unused(), "declared but absent"),
    (Twice(), "two weights"),
    (Undeclared(), "not declared"),
    (Clash(), "two weights"),
    (UnusedBuffer(), "declared but absent"),
    (UndeclaredBuffer(), "not declared"),
    (BufferNamedLikeAWeight(), "two weights"),
])
def test_engine_refuses_inconsistent_declarations(layer, message):
    with pytest.raises(S.SymparamError, match=message):
        layer.derive((None, 4))


def test_buffers_are_declared_checked_and_not_counted():
    r = Centered().derive((None, d))
    assert (r.params, r.buffer_size) == (d, d)
    assert list(r.weights) == ["g"] and list(r.buffers) == ["mu"]
    assert r.subs(d=7).buffers["mu"].shape == (7, 1)
    wrapped = TimeDistributed(Centered()).derive((None, 5, d))  # reused with its buffer
    assert (wrapped.params, wrapped.buffer_size) == (d, d)


def test_weight_outside_equations_is_refused():
    with pytest.raises(S.SymparamError):
        Dense(3).weight("W", 3, 3)


def test_trainable_false_moves_weights_to_non_trainable():
    r = Dense(u, trainable=False).derive((None, d))
    assert r.trainable == 0
    assert sympy.expand(r.non_trainable - u * (d + 1)) == 0
    assert r.params == r.non_trainable


def test_identical_configurations_are_derived_once():
    before = DERIVATIONS.misses
    layers = [Dense(units=u, name=f"layer{i}") for i in range(50)]
    derivations = [layer.derive((None, d)) for layer in layers]
    assert DERIVATIONS.misses - before <= 1
    assert [r.name for r in derivations[:2]] == ["layer0", "layer1"]


class _Widened(S.Layer):
    """A layer whose width is a class setting, outside its configuration: only a fresh cache
    (or a cleared one) can see a change of it."""

    width = 2

    def equations(self, x):
        W = self.weight("W", self.width, x.shape[0])
        return [sympy.Eq(sympy.MatrixSymbol("y", self.width, 1), W * x)]


def test_a_fresh_or_cleared_cache_writes_the_equations_anew(monkeypatch):
    """Equations shared across shapes belong to the derivation cache: a new cache, or
    ``clear()``, derives from scratch (the equations on (None, 4) were kept for (None, 7, 4))."""
    from symparam.engine.cache import DerivationCache
    assert _Widened().derive((None, 4)).params == 8
    monkeypatch.setattr(_Widened, "width", 3)
    assert _Widened().derive((None, 7, 4), cache=DerivationCache()).params == 12
    DERIVATIONS.clear()
    assert _Widened().derive((None, 5, 4)).params == 12


def test_repr_is_short_and_names_the_count():
    text = repr(LSTM(u).derive((None, 25, d)))
    assert "4*u*(d + u + 1)" in text and len(text) < 120


def test_unknown_keyword_suggests_the_nearest_name():
    with pytest.raises(S.SymparamError, match="units"):
        Dense(3, unitz=4)


def test_ignored_keras_arguments_are_accepted():
    layer = Dense(4, kernel_initializer="zeros", bias_regularizer="l2", dtype="float32")
    assert layer.derive((None, 2)).params == 12
