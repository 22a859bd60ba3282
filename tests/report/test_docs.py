"""The generated docs: committed files equal a fresh generation, and say what they should."""

from pathlib import Path

import pytest

from symparam.report import docsgen

ROOT = Path(__file__).resolve().parents[2]


def test_committed_docs_are_up_to_date():
    stale = [str(path.relative_to(ROOT)) for path in docsgen.stale(ROOT)]
    assert not stale, (f"generated docs are out of date: {', '.join(stale)}; regenerate them "
                       f"with `{docsgen.COMMAND}` and commit the result")


def test_generation_covers_the_catalogue_and_every_seed_case():
    from symparam.report.catalogue import formulas_table
    files = docsgen.generate(ROOT)
    names = {path.relative_to(ROOT).as_posix() for path in files}
    assert names == {"docs/layers.md", "docs/queries.md"} | {
        f"docs/examples/{case}.md" for case in docsgen.CASES}
    layers = files[ROOT / "docs" / "layers.md"]
    assert all(f"| {row.class_name} |" in layers for row in formulas_table().rows)
    video = files[ROOT / "docs" / "examples" / "video_qa.md"]
    # per-layer formulas and numbers at the spec's dims, the diagram and each derivation
    assert r"$4 \cdot u \cdot \left(u + 160001\right)$ | 164,103,168 |" in video
    assert "169{,}436{,}968" in video and "```mermaid" in video
    assert "### encoded\\_video (LSTM)" in video and r"\tilde{c}_{t} &= \tanh" in video
    lstm = files[ROOT / "docs" / "examples" / "lstm.md"]
    assert r"&= 4 \cdot 128 \cdot \left(256 + 128 + 1\right)" in lstm


def test_check_mode_reports_stale_files(tmp_path, capsys):
    (tmp_path / "docs" / "examples").mkdir(parents=True)
    for spec in (ROOT / "docs" / "examples").glob("*.yaml"):
        (tmp_path / "docs" / "examples" / spec.name).write_text(spec.read_text())
    assert docsgen.main(["--check", "--root", str(tmp_path)]) == 1
    assert "stale:" in capsys.readouterr().err
    assert docsgen.main(["--root", str(tmp_path)]) == 0
    assert docsgen.main(["--check", "--root", str(tmp_path)]) == 0


PAGES = sorted(str(path.relative_to(ROOT)) for path in (ROOT / "docs").glob("*.md"))


@pytest.mark.parametrize("page, least", [("docs/architecture.md", 30), ("README.md", 10),
                                         *[(page, 0) for page in PAGES
                                           if page != "docs/architecture.md"]])
def test_pages_name_only_modules_that_exist(page, least):
    """Every module path the page names (``symparam/core/shapes.py``, the shorter
    ``core/shapes.py``, or a bare ``errors.py``) is a file of the checkout."""
    import re
    text = (ROOT / page).read_text(encoding="utf-8")
    named = set(re.findall(r"`([\w/]+\.(?:py|j2)|symparam/[\w/]+/)`", text))
    named |= set(re.findall(r"\(`(symparam/[\w/]+\.py)", text))
    assert len(named) > least or least == 0
    package = ROOT / "symparam"
    missing = []
    for path in sorted(named):
        if "/" in path.rstrip("/"):
            found = (ROOT / path).exists() or (package / path).exists()
        else:
            found = any(package.rglob(path)) or any((ROOT / "bench").rglob(path)) \
                or any((ROOT / "tests").rglob(path)) or any((ROOT / "docs").rglob(path))
        if not found:
            missing.append(path)
    assert not missing, f"{page} names missing files: {missing}"
