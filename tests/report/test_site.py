"""The documentation site: ``mkdocs build --strict`` (a broken page or link fails), every
script and style served from the site itself, and one page rendered in headless Chromium with
its math (KaTeX) and diagram (Mermaid) drawn offline."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent.parent
CHROMIUM = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--no-first-run", "--virtual-time-budget=10000")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q",
                          "-f", str(ROOT / "mkdocs.yml"), "-d", str(out)],
                         capture_output=True, text=True, timeout=300, cwd=ROOT,
                         env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"})
    assert run.returncode == 0, run.stderr[-3000:]
    return out


def test_every_page_is_built_and_needs_no_network(site):
    for page in ("index.html", "custom-layers.html", "layers.html", "json-schema.html",
                 "examples/lstm.html", "examples/video_qa_keras.html"):
        html = (site / page).read_text(encoding="utf-8")
        remote = re.findall(r'<(?:script|link)[^>]+(?:src|href)="(https?:[^"]+)"', html)
        assert remote == [], (page, remote)
    assert (site / "assets/vendor/katex/katex.min.js").is_file()
    assert (site / "assets/vendor/mermaid/mermaid.min.js").is_file()


@pytest.mark.skipif(not shutil.which("chromium"), reason="needs Chromium (tools/system-deps.sh)")
def test_a_page_renders_math_and_diagrams_offline(site):
    page = site / "examples" / "lstm.html"
    run = subprocess.run(["chromium", *CHROMIUM, "--dump-dom", page.as_uri()],
                         capture_output=True, text=True, timeout=120)
    dom = run.stdout
    assert dom.count('class="katex"') > 10  # the formulas, typeset by the vendored KaTeX
    # Material swaps each <pre class="mermaid"> source for a drawn <div class="mermaid">
    assert '<pre class="mermaid"' not in dom and '<div class="mermaid">' in dom
