"""Hostile and malformed input through the API (issue 17): each case is refused with one
``SymparamError`` of one line, within 100 ms (best of three runs), or, where the input is valid,
answered exactly.  The command line's cases are in ``test_hostile_cli.py``."""

import os
import sys

import pytest
import sympy
from hostile_inputs import (
    API_TIMES,
    SMALL_CONFIG,
    billion_laughs,
    config_json,
    lying_zip,
    many_member_zip,
    timed_refusal,
    write_zip,
)

import symparam as S
from symparam.analysis.query import solve_budget, sweep
from symparam.importers.spec import load_spec
from symparam.layers import Dense

u, d, h, n = S.dims("u d h n")
GPT = "docs/examples/gpt.yaml"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module", autouse=True)
def report_times():
    """With ``-s``: how many refusals were timed and the slowest (the figures of issue 17)."""
    yield
    if API_TIMES:
        print(f"\n{len(API_TIMES)} API refusals, slowest {max(API_TIMES) * 1000:.1f} ms")


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Every hostile file once: special files, archives, oversized and malformed texts."""
    root = tmp_path_factory.mktemp("hostile")
    fifo = root / "pipe.yaml"
    os.mkfifo(fifo)
    (root / "zero.json").symlink_to("/dev/zero")
    (root / "folder.keras").mkdir()
    with open(root / "big.json", "wb") as handle:  # sparse: refused by size, never read
        handle.truncate(6 * 1024 * 1024)
    (root / "big.yaml").write_text("name: " + "x" * 300_000 + "\n")
    (root / "scalar.yaml").write_text("name: n\ninput: [4]\nlayers:\n  - Dense: {units: "
                                      + "9" * 200_000 + "}\n")
    (root / "laughs.yaml").write_text(billion_laughs())
    (root / "deep.yaml").write_text("layers: " + "[" * 5000 + "]" * 5000 + "\n")
    (root / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (root / "recursive.yaml").write_text("layers: &a [*a]\n")
    (root / "twice.yaml").write_text("input: [4]\nlayers: []\nlayers:\n  - Dense: {units: 3}\n")
    (root / "intkey.yaml").write_text("input: [4]\n1: x\nlayers: []\n")
    (root / "listkey.yaml").write_text("? [a, b]\n: 1\n")
    (root / "python.yaml").write_text("name: !!python/object/apply:os.system ['true']\n")
    (root / "digits.json").write_text('{"input": [' + "7" * 5000 + '], "layers": []}')
    write_zip(root / "two.keras", [("config.json", config_json()), ("config.json", "{}")])
    write_zip(root / "locked.keras", {"config.json": config_json()}, encrypted=True)
    write_zip(root / "bomb.keras", {"config.json": " " * 4_000_000 + config_json()})
    write_zip(root / "escape.keras", {"../config.json": config_json(), "config.json": "{}"})
    write_zip(root / "empty.keras", {"metadata.json": "{}"})
    (root / "notzip.keras").write_bytes(b"PK\x03\x04 nothing else")
    many_member_zip(root / "many.keras", 300_000)
    lying_zip(root / "lying.keras", 300_000)
    return root


FILE_CASES = [  # (reader, file, words the error contains)
    ("spec", "pipe.yaml", "regular file"), ("keras", "pipe.yaml", "regular file"),
    ("keras", "zero.json", "regular file"), ("spec", "zero.json", "regular file"),
    ("keras", "folder.keras", "regular file"), ("spec", "folder.keras", "regular file"),
    ("keras", "missing.json", "cannot read"), ("keras", "big.json", "larger than"),
    ("spec", "big.yaml", "larger than"), ("spec", "scalar.yaml", "digits"),
    ("spec", "laughs.yaml", "aliases"), ("spec", "deep.yaml", "nested"),
    ("keras", "deep.json", "nested"), ("spec", "recursive.yaml", "nested"),
    ("spec", "twice.yaml", "twice"), ("spec", "intkey.yaml", "string"),
    ("spec", "listkey.yaml", "string"), ("spec", "python.yaml", "yaml"),
    ("spec", "digits.json", "digits"), ("keras", "two.keras", "2 config.json"),
    ("keras", "locked.keras", "encrypted"), ("keras", "bomb.keras", "ratio"),
    ("keras", "escape.keras", "unsafe"), ("keras", "empty.keras", "no config.json"),
    ("keras", "notzip.keras", "not a valid"), ("keras", "many.keras", "300000 members"),
    ("keras", "lying.keras", "directory"),
]


@pytest.mark.parametrize("reader, name, match", FILE_CASES)
def test_hostile_files_are_refused_fast(files, reader, name, match):
    read = load_spec if reader == "spec" else S.from_keras
    timed_refusal(lambda: read(str(files / name)), match)


HUGE_BYTES = b"{" + b" " * (8 * 2**20)  # built once: the refusal is timed, not the argument
HUGE_TEXT = HUGE_BYTES.decode()
DATA_CASES = [
    (lambda: S.from_keras('{"class_name": "Sequential", "class_name": "Model"}'), "twice"),
    (lambda: load_spec([1, 2]), "path or a mapping"),
    (lambda: S.from_keras(HUGE_BYTES), "larger than"),
    (lambda: S.from_keras(HUGE_TEXT), "larger than"),
    (lambda: load_spec({1: "x"}), "string"),
    (lambda: load_spec({"input": [4], "layers": [{"Dense": {"units": 3, 7: 1}}]}), "string"),
    (lambda: S.from_keras({"class_name": "Sequential", 5: {}}), "string"),
]


def _shared(levels):
    """A dict whose one list is shared ``levels`` times over: 2**levels values once expanded."""
    item = ["x"]
    for _ in range(levels):
        item = [item, item]
    return {"input": [4], "layers": item}


DATA_CASES.append((lambda: load_spec(_shared(60)), "values"))


@pytest.mark.parametrize("call, match", DATA_CASES)
def test_hostile_data_is_refused_fast(call, match):
    timed_refusal(call, match)


PARSER_CASES = ["(((999999999999*u)**8)**8)**8", "((u**8)**8)**8", "(u+1)**8**8", "2**9999",
                "u²", "\uff55 + 1", "٣*u", "9" * 5000, "1" * 250, "().__class__", "u.real",
                "lambda: 1", "__import__('os')", "u**-1", "u/0", "u/(u-u)",
                "1/999999999999/9999999", "ceil(u, d)", "min(u)", "[u]", "u if d else h",
                "u @ d", "f(u)", "ceil(u=1)", "ceil(" * 40 + "u" + ")" * 40, "-" * 300,
                "u" * 257]


@pytest.mark.parametrize("text", PARSER_CASES)
def test_parser_refuses_fast(text):
    timed_refusal(lambda: S.parse(text))


SIZE_CASES = [
    (lambda: Dense(units=u - d).derive((None, d)).subs(u=1, d=5), "-4"),
    (lambda: S.Sequential([S.Input((4,)), Dense(S.parse("u/3"))]).summary().subs(u=4),
     "4/3"),
    (lambda: S.Sequential([S.Input((4,)), Dense(u - 100)]).summary().subs(u=1), "-99"),
    (lambda: S.Sequential([S.Input((d,)), Dense(u)]).summary().subs(q=3), "'q'"),
    (lambda: Dense(u).derive((None, d)).subs(q=3), "'q'"),
    (lambda: Dense(u).derive((None, d)).subs(u=2**70), "integer"),
    (lambda: Dense(u).derive((None, d)).subs(u="u²"), "non-ASCII"),
    (lambda: Dense(u).derive((None, d)).subs(u=0), "integer"),
    (lambda: load_spec(GPT).model.summary().subs(d=100, h=12), "key_dim"),
    (lambda: _compare({"input": [4], "dims": {"u": 4}, "layers": [{"Dense": {"units": "u/3"}}]
                       }).evaluated(), "4/3"),
    (lambda: S.MultiHeadAttention if False else S.Sequential([S.Input((n, d))] + [
        Dense(d)]).summary().subs(n=2.5), "integer"),
    (lambda: Dense(u).derive(((None, d), (None, d))), "inputs"),
    (lambda: Dense(u).derive((None, "9" * 5000)), "longer than"),
    (lambda: Dense(u).derive((None, 2**64 + 1)), "integer"),
]


@pytest.mark.parametrize("call, match", SIZE_CASES)
def test_bad_sizes_are_refused(call, match):
    timed_refusal(call, match)


def _compare(spec):
    from symparam.analysis.compare import compare
    return compare(spec)


def test_sizes_stay_integers_where_they_are_valid():
    summary = S.Sequential([S.Input((4,)), Dense(S.parse("u/3"))]).summary()
    assert summary.subs(u=6).total == 2 * 5
    assert summary.subs(u="3*d").total == 5 * d  # symbolic values stay allowed


class Broken(S.Layer):
    """A user's layer whose ``equations`` make each mistake in turn."""

    def __init__(self, mistake, **kw):
        super().__init__(**kw)
        self.mistake = mistake

    def equations(self, x):
        y = sympy.MatrixSymbol("y", 3, 1)
        if self.mistake == "int":
            return 5
        if self.mistake == "strings":
            return ["y = W x"]
        if self.mistake == "scalar":
            return [sympy.Eq(sympy.Symbol("y"), 1)]
        if self.mistake == "misaligned":
            W = self.weight("W", 3, 7)
            return [sympy.Eq(y, W * x)]
        rows = {"text": "abc!", "float": 2.5, "negative": -3, "zero": 0, "none": None,
                "huge": 10**30}[self.mistake]
        W = self.weight("W", rows, x.shape[0])
        return [sympy.Eq(sympy.MatrixSymbol("y", W.shape[0], 1), W * x)]


@pytest.mark.parametrize("mistake", ["int", "strings", "scalar", "misaligned", "text", "float",
                                     "negative", "zero", "none", "huge"])
def test_a_broken_user_layer_is_one_clear_error(mistake):
    timed_refusal(lambda: Broken(mistake, name=f"b_{mistake}").derive((None, 5)), "Broken")


KERAS_GRAPH = {"class_name": "Functional", "config": {
    "name": "f", "layers": [
        {"class_name": "InputLayer", "name": "x", "config": {"batch_shape": [None, 4],
                                                             "name": "x"}},
        {"class_name": "Dense", "name": "d", "config": {"name": "d", "units": 3},
         "inbound_nodes": [[["x", 0, 0, {}]]]}],
    "input_layers": [["x", 0, 0]], "output_layers": [["d", 0, 0]]}}


def _graph(**changes):
    import copy
    config = copy.deepcopy(KERAS_GRAPH)
    for key, value in changes.items():
        if key == "inbound":
            config["config"]["layers"][1]["inbound_nodes"] = value
        else:
            config["config"][key] = value
    return config


def _history(history):
    return [{"args": [{"class_name": "__keras_tensor__", "config": {"keras_history": history}}],
             "kwargs": {}}]


KERAS_CASES = [
    _graph(inbound=[[["x"]]]), _graph(inbound=[[[["x"], 0, 0]]]), _graph(inbound=[[[]]]),
    _graph(inbound=_history([["x"], 0, 0])), _graph(inbound=_history([{"a": 1}, 0, 0])),
    _graph(inbound=[[["x", True, 0]]]), _graph(inbound="x"), _graph(inbound=[7]),
    _graph(output_layers=[{"d": 0}]), _graph(output_layers=[["d", {"a": 1}, 0]]),
    _graph(input_layers=[["x", 0]]), _graph(output_layers=["d", 0, 0, 0]),
    _graph(layers=[{"class_name": "Lambda", "config": {"name": "l", "function": "x"}}]),
]


@pytest.mark.parametrize("config", KERAS_CASES)
def test_malformed_keras_configs_are_refused(config):
    timed_refusal(lambda: S.from_keras(config))


def test_a_keras_config_stays_readable():
    assert S.from_keras(SMALL_CONFIG).summary().total == 15
    assert S.from_keras(KERAS_GRAPH).summary().total == 15


def test_from_torch_refuses_an_input_shape_the_first_layer_cannot_take():
    import torch
    module = torch.nn.Sequential(torch.nn.Linear(10, 5), torch.nn.ReLU())
    timed_refusal(lambda: S.from_torch(module, (None, 7)), "does not fit")
    conv = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3))
    timed_refusal(lambda: S.from_torch(conv, (None, 3, 2, 2)), "window")
    assert S.from_torch(module, (None, 10)).summary().total == 55


# -- queries: exact, integer sizes only -------------------------------------------------------
def _gpt():
    spec = load_spec(GPT)
    return spec.model.summary(), spec.dims


def test_solve_answers_only_sizes_that_divide():
    from symparam.engine.substitute import size_fields
    summary, dims = _gpt()
    values = {k: v for k, v in dims.items() if k != "d"}
    best = solve_budget(summary.total, "175B", "d", values=values, sizes=size_fields(summary))
    assert best % dims["h"] == 0
    assert summary.subs(**values, d=best).total <= 175 * 10**9
    assert summary.subs(**values, d=best + dims["h"]).total > 175 * 10**9
    assert solve_budget(summary, "175B", "d", values=values) == best  # sizes read off it


def test_sweep_skips_points_where_a_size_is_fractional():
    from symparam.engine.substitute import size_fields
    summary, dims = _gpt()
    values = {k: v for k, v in dims.items() if k != "d"}
    result = sweep({"params": summary.total}, {"d": range(760, 781)}, values=values,
                   sizes=size_fields(summary))
    assert list(result["d"]) == [768, 780] and result.skipped == 19
    timed_refusal(lambda: sweep({"params": summary.total}, {"d": [1, 2, 3]}, values=values,
                                sizes=size_fields(summary)), "no point")


def test_sweep_is_exact_past_int64_and_float64():
    summary, dims = _gpt()
    values = {**{k: v for k, v in dims.items() if k != "d"}, "h": 1}
    at = 101_000_000
    result = sweep({"params": summary.total, "macs": summary.macs}, {"d": [at]}, values=values)
    assert result["params"][0] == summary.subs(**values, d=at).total
    assert result["macs"][0] == summary.subs(**values, d=at).macs > 2**63
    at = 10**8 + 1  # n**2 is past 2**53: float64 rounds it before the ceiling
    third = sweep({"c": sympy.ceiling(n**2 / 3)}, {"n": [at]})
    assert third["c"][0] == -(-(at**2) // 3)


SWEEP_CASES = [
    (lambda: sweep({"p": u * d}, {"u": [1, 2], "zz": [1]}, values={"d": 3}), "'zz'"),
    (lambda: sweep({"p": u}, {"u": [2**64]}), "integers"),
    (lambda: sweep({"p": u}, {"u": ["1"]}), "integers"),
    (lambda: sweep({"p": u}, {"u": [True]}), "integers"),
    (lambda: sweep({"p": u}, {"u": range(1, 10**7)}), "more than"),
    (lambda: sweep({"p": u}, {"u²": [1]}), "invalid"),
    (lambda: solve_budget(u, "1e5", u), "budget"),
    (lambda: solve_budget(u, "١٠٠", u), "budget"),
]


@pytest.mark.parametrize("call, match", SWEEP_CASES)
def test_bad_sweeps_are_refused(call, match):
    timed_refusal(call, match)


def test_sweep_without_numpy_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "numpy", None)
    timed_refusal(lambda: sweep({"p": u}, {"u": [1]}), "pip install numpy")


# -- rendering --------------------------------------------------------------------------------
def _named(name):
    return S.Sequential([S.Input((4,)), Dense(3, name=name)], name=name).summary()


def test_mermaid_directives_in_names_are_escaped():
    text = _named("x%%{init: {'theme': 'dark'}}%%").render("mermaid")
    assert "%%{" not in text and "}%%" not in text
    assert text.count("%%") == 1  # the comment line symparam writes itself


@pytest.mark.parametrize("char", ["\u202e", "\u2066", "\u200f", "\u2028", "\x1b", "\u061c"])
@pytest.mark.parametrize("fmt", ["text", "markdown", "mermaid", "html"])
def test_bidirectional_and_control_characters_are_shown_not_sent(char, fmt):
    text = _named(f"ev{char}il").render(fmt)
    assert char not in text
    assert "ev" in text


def test_cli_sweep_without_numpy_exits_2_in_one_line(monkeypatch, capsys):
    from symparam.cli import main
    monkeypatch.setitem(sys.modules, "numpy", None)
    assert main(["sweep", "docs/examples/lstm.yaml", "--grid", "u=1:4"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pip install numpy" in err
