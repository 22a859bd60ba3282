"""``docs/llm.md`` is generated (``python -m symparam.report.llmdocs``) and up to date, and the
classic approximations sit beside the exact counts."""

from pathlib import Path

import sympy
from hf_configs import PUBLISHED

import symparam as S
from symparam.analysis.scaling import approximations, attention_width, lookup_tables
from symparam.report import llmdocs

ROOT = Path(__file__).resolve().parents[2]
T = S.dim("T")


def test_committed_page_is_up_to_date():
    assert (ROOT / llmdocs.PAGE).read_text(encoding="utf-8") == llmdocs.page(), \
        f"docs/llm.md is stale: run `{llmdocs.COMMAND}` and commit it"


def test_check_mode(tmp_path, capsys):
    (tmp_path / "docs").mkdir()
    assert llmdocs.main(["--check", "--root", str(tmp_path)]) == 1
    assert llmdocs.main(["--root", str(tmp_path)]) == 0
    assert llmdocs.main(["--check", "--root", str(tmp_path)]) == 0


def test_page_states_the_published_figures():
    text = (ROOT / llmdocs.PAGE).read_text(encoding="utf-8")
    for figure in ("124,439,808", "6,738,415,616", "8,030,261,248", "7,241,732,096",
                   "46,702,792,704", "12,879,925,248", "60,506,624", "174,604,259,328"):
        assert figure in text


def test_kaplan_inputs_are_read_from_the_model():
    summary = S.from_hf_config(PUBLISHED["GPT-2"][0]).summary()
    # Kaplan et al. 2020 exclude the token and position tables: 50257*768 + 1024*768
    assert lookup_tables(summary) == 50257 * 768 + 1024 * 768
    assert attention_width(summary) == 12 * 768  # n_layer * d_attn


def test_approximations_and_their_exact_difference():
    summary = S.from_hf_config(PUBLISHED["GPT-2"][0]).summary()
    kaplan, six_n, palm = approximations(summary, 1024)
    n = 124439808 - 50257 * 768 - 1024 * 768
    assert kaplan.approximate == 2 * n + 2 * 12 * 1024 * 768
    assert six_n.approximate == 6 * n
    assert palm.approximate == 6 * 124439808 + 12 * 12 * 12 * 64 * 1024
    assert kaplan.difference == kaplan.exact - kaplan.approximate
    # symbolic in T when no length is given
    assert sympy.Poly(approximations(summary)[0].difference, T).degree() == 1
