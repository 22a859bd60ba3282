"""Models: graphs, Keras-style names, shared and nested layers, totals and subs."""

import pytest
import sympy

import symparam as S
from symparam.layers import (
    LSTM,
    Concatenate,
    Conv2D,
    Dense,
    Dropout,
    Embedding,
    Flatten,
    MaxPooling2D,
    TimeDistributed,
)

u, d, V = S.dims("u d V")


def test_sequential_rows_and_totals():
    m = S.Sequential([S.Input((d,)), Dense(u), Dropout(0.5), Dense(10)])
    s = m.summary()
    assert [r.class_name for r in s.rows] == ["Dense", "Dropout", "Dense"]
    assert [r.name for r in s.rows] == ["dense", "dropout", "dense_1"]
    assert sympy.expand(s.total - (u * (d + 1) + 10 * (u + 1))) == 0
    assert s.subs(u=32, d=784).total == 32 * 785 + 10 * 33
    assert s.rows[-1].output_shape == (None, 10)


def test_explicit_names_are_kept_and_auto_names_avoid_them():
    m = S.Sequential([S.Input((4,)), Dense(3, name="dense"), Dense(3), Dense(3, name="dense_1")])
    assert [r.name for r in m.summary().rows] == ["dense", "dense_2", "dense_1"]


def test_duplicate_explicit_names_are_refused():
    x = S.Input((4,))
    with pytest.raises(S.SymparamError, match="used by two layers"):
        S.Model(x, Dense(3, name="a")(Dense(3, name="a")(x)))


def test_shared_layer_is_counted_once():
    a, b = S.Input((d,)), S.Input((d,))
    shared = Dense(u)
    m = S.Model([a, b], Concatenate()([shared(a), shared(b)]))
    s = m.summary()
    assert [r.class_name for r in s.rows].count("Dense") == 1
    assert sympy.expand(s.total - u * (d + 1)) == 0


def test_nested_model_with_trainable_false():
    inner_in = S.Input((d,))
    inner = S.Model(inner_in, Dense(u)(inner_in), trainable=False)
    x = S.Input((d,))
    m = S.Model(x, Dense(1)(inner(x)))
    s = m.summary()
    row = next(r for r in s.rows if r.class_name == "Functional")
    assert row.trainable == 0
    assert sympy.expand(row.non_trainable - u * (d + 1)) == 0
    assert sympy.expand(s.trainable - (u + 1)) == 0


def test_model_derive_on_new_shapes_and_time_distributed_model():
    frame = S.Sequential([S.Input((8, 8, 3)), Conv2D(4, 3), MaxPooling2D(), Flatten()])
    video = S.Input((5, 8, 8, 3))
    out = TimeDistributed(frame)(video)
    assert out.shape == (None, 5, 36)
    r = frame.derive((None, 8, 8, 3))
    assert r.params == 4 * (27 + 1)


def test_incompatible_shapes_name_both_layers():
    x = S.Input((25,), dtype="int32")
    y = Embedding(100, 8, name="emb")(x)
    with pytest.raises(S.SymparamError) as info:
        Conv2D(4, 3, name="conv")(y)
    message = str(info.value)
    assert "conv" in message and "emb" in message and "(None, 25, 8)" in message


def test_sequential_without_input_cannot_summarise():
    with pytest.raises(S.SymparamError, match="S.Input"):
        S.Sequential([Dense(3)]).summary()


def test_functional_rows_follow_keras_depth_order():
    q = S.Input((100,), dtype="int32", name="q")
    v = S.Input((10,), name="v")
    a = LSTM(u, name="enc")(Embedding(V, d, name="emb")(q))
    m = S.Model([v, q], Concatenate(name="cat")([a, v]))
    # Keras orders by depth from the outputs, then by first visit of a depth-first walk
    assert [r.name for r in m.summary().rows] == ["q", "emb", "enc", "v", "cat"]


def test_summary_subs_with_strings_and_unknown_names():
    m = S.Sequential([S.Input((d,)), Dense(u)])
    s = m.summary()
    assert s.subs(u="2*d", d=3).total == 6 * 4
    with pytest.raises(S.SymparamError, match="no dimension 'z'"):
        s.subs(z=4)  # a name that occurs nowhere is refused (issue 17), never silently ignored


def test_thousand_layer_stack_derives():
    m = S.Sequential([S.Input((d,))] + [Dense(u) for _ in range(1000)])
    s = m.summary()
    assert len(s.rows) == 1000
    assert sympy.expand(s.total - (u * (d + 1) + 999 * u * (u + 1))) == 0


def test_repeated_block_counts_times_the_block():
    from symparam.layers import Repeated
    L = S.dim("L")
    r = Repeated(Dense(d, activation="relu"), times=L).derive((None, 7, d))
    assert sympy.expand(r.params - L * d * (d + 1)) == 0
    assert r.output_shape == (None, 7, d)
    assert r.macs == 7 * L * d * d
    assert r.subs(L=3, d=4).params == 3 * 4 * 5
    with pytest.raises(S.SymparamError, match="keep its input shape"):
        Repeated(Dense(u), times=2).derive((None, d))


def test_repeated_is_not_read_from_keras_files():
    config = {"class_name": "Sequential", "config": {"layers": [
        {"class_name": "InputLayer", "config": {"batch_shape": [None, 3], "name": "in"}},
        {"class_name": "Repeated", "module": "keras.layers",
         "config": {"name": "r", "times": 2, "layer": {"class_name": "Dense",
                                                       "config": {"units": 3}}}}]}}
    with pytest.raises(S.SymparamError, match="unsupported"):
        S.from_keras(config)
