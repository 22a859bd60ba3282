"""``bench/bench.py --quick`` runs end to end, and what it times gives the right answers.

No timing is asserted (timings live in the benchmark's own output): the check is that the count
symparam reports for VGG16 equals the one Keras's ``count_params()`` gives in the same run, that
the sweep's lambdified formula agrees with the exact SymPy total, and that the benchmark's GPT
configurations are the published ones symparam's own family table uses.  One more guard in the
spirit of test_performance_guard.py: renaming and substituting symbols never makes SymPy decide an
equation again.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
VGG16_PARAMS = 138_357_544  # keras.applications.VGG16(weights=None).count_params()


def test_gpt_sizes_are_the_published_configurations():
    from symparam.analysis.family import GPT_CONFIGS, VOCABULARY
    sys.path.insert(0, str(BENCH))
    try:
        import workloads
    finally:
        sys.path.remove(str(BENCH))
    for name, config in workloads.GPT_SIZES.items():
        assert config == dict(GPT_CONFIGS[name], V=VOCABULARY)


def test_quick_run_counts_vgg16_like_keras(tmp_path):
    pytest.importorskip("keras")
    out = tmp_path / "results.json"
    run = subprocess.run(
        [sys.executable, str(BENCH / "bench.py"), "--quick", "--repeats", "1",
         "--only", "VGG16,evaluate", "--json", str(out)],
        capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert run.returncode == 0, run.stderr[-2000:]
    results = json.loads(out.read_text())
    vgg = results["keras"]["VGG16"]
    assert set(vgg["warm"]["counts"].values()) == {VGG16_PARAMS}
    assert vgg["process"]["symparam"]["count"] == vgg["process"]["keras"]["count"] == VGG16_PARAMS
    assert results["evaluate"]["sweep_exact"] and results["evaluate"]["sweep_size"] == 10**6
    checked = {t["target"] for t in results["targets"]}
    assert "VGG16: symparam's count equals Keras's count_params()" in checked
    assert "VGG16: summary vs Keras, whole process" in run.stdout


def test_renaming_and_substituting_never_decide_equations_again(monkeypatch):
    """A regression guard for the engine's ``replaced``: rebuilding an ``Eq`` with evaluation
    makes SymPy canonicalise ``lhs - rhs``, which once took 80% of deriving the GPT spec."""
    from sympy.core import relational

    import symparam as S
    from symparam.engine.weights import tagged
    from symparam.layers import LSTM, Dense, LayerNormalization, Repeated

    u, d, n, L = S.dims("u d n L")
    lstm = LSTM(u).derive((None, 25, d))
    x = S.Input((n, d))
    block = S.Model(x, Dense(d)(LayerNormalization()(x)))
    calls = []
    original = relational.is_eq
    monkeypatch.setattr(relational, "is_eq", lambda *a, **k: calls.append(a) or original(*a, **k))
    tagged(lstm, "(1)")
    assert lstm.subs(u=128, d=256).params == 197120
    block.derive((None, n, d))
    Repeated(block, times=L).derive((None, n, d))
    assert calls == []
