"""Rendering: golden files per template, escaping in every format, and the real tools.

Golden files live in tests/golden/; after an intended change to a template or a printer,
regenerate them with ``SYMPARAM_REGEN_GOLDEN=1 python -m pytest tests/test_render.py`` and
review the diff.  LaTeX is compiled with pdflatex, HTML loaded in headless Chromium, diagrams
drawn by Graphviz, and a built wheel renders every format from outside the checkout.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
import sympy

import symparam as S
from symparam.analysis.compare import compare
from symparam.importers.reconciliation import ReconciledRow, Reconciliation
from symparam.importers.spec import load_spec
from symparam.layers import LAYERS, LSTM, Dense
from symparam.layers.samples import example
from symparam.report.catalogue import formulas_table
from symparam.report.render import Format, render

u, d = S.dims("u d")
ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parents[1] / "golden"
EXAMPLES = ROOT / "docs" / "examples"
REGENERATE = os.environ.get("SYMPARAM_REGEN_GOLDEN") == "1"
NASTY = ["conv_1%&#", "a\\input{/etc/passwd}", "x|y\nz", "<script>alert(1)</script>",
         "{{ 7*7 }}"]
#: how each nasty name must read once the format is rendered (newlines are shown as \n)
READABLE = [name.replace("\n", "\\n") for name in NASTY]
TEXT_FORMATS = ["text", "markdown", "latex", "html", "json"]


# -- the reports every test renders ---------------------------------------------------------
def lstm_derivation():
    return LSTM(units=u).derive((None, 25, d))


def lstm_summary():
    spec = load_spec(EXAMPLES / "lstm.yaml")
    return spec.model.summary(), spec.dims


def video_summary():
    spec = load_spec(EXAMPLES / "video_qa.yaml")
    return spec.model.summary(), spec.dims


def small_table():
    return formulas_table(["Dense", "Embedding", "LSTM", "GRU", "Conv2D", "BatchNormalization",
                           "Concatenate"])


def reconciliation(names=("embedding", "encoder")):
    rows = (ReconciledRow(names[0], "Embedding", 1000 * d, sympy.Integer(256000), 256000,
                          sympy.Integer(256000), 256000, (None, 25, 256), (None, 25, 256)),
            ReconciledRow(names[1], "LSTM", 4 * u * (u + 257), sympy.Integer(197120), 197632,
                          sympy.Integer(197120), 197632, (None, 128), (None, 128),
                          "an example note"))
    return Reconciliation("text-lstm", "Keras", rows, sympy.Integer(453120), 453632,
                          sympy.Integer(453120), 453632, sympy.Integer(0), 0)


def nasty_summary():
    layers = [Dense(3, name=name) for name in NASTY]
    return S.Sequential([S.Input((4,))] + layers, name=NASTY[3]).summary()


# -- golden files ---------------------------------------------------------------------------
def golden_cases():
    summary, dims = lstm_summary()
    cases = {}
    for fmt in TEXT_FORMATS:
        cases[f"derivation_lstm.{fmt}"] = lambda f=fmt: render(
            lstm_derivation(), f, values={"u": 128, "d": 256}, standalone=False)
        cases[f"summary_lstm.{fmt}"] = lambda f=fmt: render(summary, f, values=dims,
                                                            standalone=False)
        cases[f"table.{fmt}"] = lambda f=fmt: render(small_table(), f, standalone=False)
        cases[f"reconcile.{fmt}"] = lambda f=fmt: render(reconciliation(), f,
                                                         standalone=False)
    comparison = compare(ROOT / "docs" / "examples" / "lstm.yaml")
    for fmt in TEXT_FORMATS:
        cases[f"compare_lstm.{fmt}"] = lambda f=fmt: render(comparison, f, standalone=False)
    video, video_dims = video_summary()
    for fmt in ("dot", "mermaid"):
        cases[f"summary_video_qa.{fmt}"] = lambda f=fmt: render(video, f, values=video_dims)
    cases["derivation_batchnorm.latex"] = lambda: render(
        example("BatchNormalization")[0].derive((None, "H", "W", "c")), "latex")
    cases["standalone_derivation.latex"] = lambda: render(lstm_derivation(), "latex",
                                                          standalone=True)
    cases["page_summary.html"] = lambda: render(summary, "html", values=dims)
    return cases


GOLDEN_CASES = golden_cases()


@pytest.mark.parametrize("name", sorted(GOLDEN_CASES))
def test_golden(name):
    output = GOLDEN_CASES[name]()
    path = GOLDEN / name
    if REGENERATE:
        path.parent.mkdir(exist_ok=True)
        path.write_text(output, encoding="utf-8")
    assert path.is_file(), f"missing {path}; run SYMPARAM_REGEN_GOLDEN=1 pytest {__file__}"
    assert output == path.read_text(encoding="utf-8"), (
        f"{name} differs from {path}; if the change is intended, regenerate with "
        f"SYMPARAM_REGEN_GOLDEN=1 python -m pytest tests/test_render.py and review the diff")


def test_every_template_has_a_golden_file():
    templates = {p.relative_to(ROOT / "templates").as_posix()
                 for p in (ROOT / "templates").rglob("*.j2")}
    covered = {"text/derivation.j2", "text/summary.j2", "text/table.j2", "text/reconcile.j2",
               "text/compare.j2", "text/_box.j2",  # included by the four text tables
               "dot/summary.j2", "mermaid/summary.j2", "latex/document.j2",
               "html/document.j2", "markdown/page_layers.j2", "markdown/page_example.j2",
               # compared with the committed docs by test_docs.py and test_keras_import.py
               "markdown/page_queries.j2", "markdown/page_keras.j2",
               # compared with the committed docs/llm.md by test_hf_docs.py
               "markdown/page_llm.j2"}
    covered |= {f"{fmt}/{kind}.j2" for fmt in ("markdown", "latex", "html")
                for kind in ("derivation", "summary", "table", "reconcile", "compare")}
    assert templates <= covered, templates - covered  # a new template needs a golden case


# -- the printers: the notation of the seed post, through SymPy's printer dispatch -----------
def test_latex_derivation_reads_like_the_post():
    out = render(lstm_derivation(), "latex", values={"u": 128, "d": 256})
    assert r"f_{t} &= \sigma\left(W_{f} \begin{bmatrix} h_{t-1} \\ x_{t} \end{bmatrix}" in out
    assert r"\tilde{c}_{t} &= \tanh" in out and r"\odot" in out
    assert r"&= 4 \cdot u \cdot \left(d + u + 1\right)" in out
    assert r"&= 4 \cdot 128 \cdot \left(256 + 128 + 1\right)" in out and "197{,}120" in out
    assert r"\mapsto" not in out and r"\circ" not in out
    assert r"$W_{\tilde{c}}$ & $u \times \left(d + u\right)$" in out


def test_mathml_uses_the_same_conventions():
    out = render(lstm_derivation(), "html", standalone=False)
    assert "elementwiseapplyfunction" not in out and "blockmatrix" not in out
    assert "<mi>&#963;</mi>" in out  # sigma
    assert '<mover accent="true"><mi>c</mi>' in out  # c tilde
    assert "&#8857;" in out  # the Hadamard product as ⊙


def test_gru_writes_one_minus_z():
    out = render(LAYERS["GRU"](units=u).derive((None, 25, d)), "latex")
    assert r"\left(1 - z_{t}\right) \odot \tilde{h}_{t}" in out


def test_names_outside_the_grammar_print_verbatim_in_latex():
    from symparam.report.printers import latex
    out = latex(sympy.MatrixSymbol("a\\input{/etc/passwd}", 2, 1))
    assert "\\input" not in out and out.startswith(r"\text{\texttt{")


# -- escaping: names are inert and readable in every format -----------------------------------
@pytest.mark.parametrize("fmt", ["text", "markdown", "latex", "html", "json", "dot", "mermaid"])
def test_nasty_names_in_a_summary(fmt):
    out = render(nasty_summary(), fmt)
    assert "49" not in out  # {{ 7*7 }} was never evaluated
    CHECKS[fmt](out)


@pytest.mark.parametrize("fmt", TEXT_FORMATS)
def test_nasty_names_in_a_derivation_and_a_reconciliation(fmt):
    for report in [Dense(3, name=name).derive((None, 4)) for name in NASTY] + [
            reconciliation(NASTY[:2]), reconciliation(NASTY[2:4]),
            reconciliation(NASTY[4:] + ["x"])]:
        out = render(report, fmt, standalone=False)
        assert "49" not in out
        CHECK_ANY[fmt](out, report)


def check_text(out):
    assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f]", out)
    for name in READABLE:
        assert name in out
    widths = {len(line) for line in out.splitlines() if line.startswith(("│", "┃"))}
    assert len(widths) == 1  # the box stays aligned


def check_markdown(out):
    from markdown_it import MarkdownIt
    html = MarkdownIt("commonmark").enable("table").render(out)
    parsed = Page(html)
    assert "script" not in parsed.tags
    rows = [row for row in parsed.rows if row]
    assert len({len(row) for row in rows}) == 1  # no | escaped a cell
    for name in READABLE:
        assert name in parsed.text


def check_latex(out):
    pdf_text = compile_latex(out, standalone=r"\documentclass" not in out)
    flat = pdf_text.replace(" ", "")
    for name in READABLE:
        # OT1 fonts draw \_ as a rule that pdftotext reads as a space
        assert name.replace(" ", "").replace("_", "") in flat.replace("_", "")


def check_html(out):
    page = Page(out)
    assert "script" not in page.tags and "49" not in page.text
    for name in NASTY:
        assert name.replace("\n", " ") in page.text.replace("\n", " ")


def check_json(out, report=None):
    text = json.dumps(json.loads(out))
    for name in NASTY:
        if json.dumps(name)[1:-1] in text:
            break
    else:
        raise AssertionError("no name round-trips through JSON")


def check_dot(out):
    svg = ET.fromstring(render_dot(out))
    texts = " | ".join(t.text or "" for t in svg.iter("{http://www.w3.org/2000/svg}text"))
    assert not list(svg.iter("{http://www.w3.org/2000/svg}script"))
    for name in READABLE:
        assert name in texts


def check_mermaid(out):
    labels = re.findall(r'^\s+n\d+\["([^"\n]*)"\]$', out, flags=re.M)
    assert len(labels) == len(NASTY)
    decoded = [re.sub(r"#(\d+);", lambda m: chr(int(m.group(1))),
                      label.replace("#quot;", '"').replace("#lt;", "<").replace("#gt;", ">"))
               for label in labels]
    for name, label in zip(READABLE, decoded):
        assert label.split("<br/>")[0] == name
        assert "<" not in label.split("<br/>")[0].replace(name, "")


CHECKS = {"text": check_text, "markdown": check_markdown, "latex": check_latex,
          "html": check_html, "json": check_json, "dot": check_dot, "mermaid": check_mermaid}
CHECK_ANY = {
    "text": lambda out, r: assert_some_name(out, READABLE),
    "markdown": lambda out, r: assert_some_name(Page(md_html(out)).text, READABLE),
    "latex": lambda out, r: assert_some_name(compile_latex(out).replace(" ", "").replace(
        "_", ""), [n.replace(" ", "").replace("_", "") for n in READABLE]),
    "html": lambda out, r: (check_no_script(out),
                            assert_some_name(Page(out).text, NASTY)),
    "json": check_json,
}


def assert_some_name(text, names):
    assert any(name in text for name in names), text[:300]


def check_no_script(out):
    assert "script" not in Page(out).tags


def md_html(out):
    from markdown_it import MarkdownIt
    html = MarkdownIt("commonmark").enable("table").render(out)
    assert "<script" not in html
    return html


class Page(HTMLParser):
    """The tags, text and table rows of an HTML document, as a browser's parser sees them."""

    def __init__(self, html):
        super().__init__()
        self.tags, self.text, self.rows = set(), "", []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th") and self.rows:
            self.rows[-1].append(tag)

    def handle_data(self, data):
        self.text += data


# -- the real tools: pdflatex, Graphviz, Chromium, a wheel -------------------------------------
def compile_latex(source, standalone=True, tmp=None):
    """Compile with pdflatex (a fragment inside a minimal document) and return the PDF's text."""
    import tempfile
    folder = Path(tmp or tempfile.mkdtemp(prefix="symparam-tex-"))
    document = source if not standalone else (
        "\\documentclass{article}\n\\usepackage{amsmath,array,booktabs,longtable}\n"
        "\\begin{document}\n" + source + "\\end{document}\n")
    (folder / "doc.tex").write_text(document, encoding="utf-8")
    result = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error",
                             "-no-shell-escape", "doc.tex"], cwd=folder, capture_output=True,
                            text=True, timeout=120)
    log = (folder / "doc.log").read_text(errors="replace") if (folder / "doc.log").exists() else ""
    assert result.returncode == 0, "pdflatex failed:\n" + "\n".join(
        line for line in log.splitlines() if line.startswith("!") or line.startswith("l."))
    text = subprocess.run(["pdftotext", "-layout", "doc.pdf", "-"], cwd=folder,
                          capture_output=True, text=True, check=True, timeout=60).stdout
    shutil.rmtree(folder, ignore_errors=True)
    return text


def render_dot(source):
    return subprocess.run(["dot", "-Tsvg"], input=source, capture_output=True, text=True,
                          check=True, timeout=60).stdout


def test_lstm_derivation_pdf_shows_the_four_gates():
    text = compile_latex(render(lstm_derivation(), "latex", values={"u": 128, "d": 256},
                                standalone=True), standalone=False)
    flat = re.sub(r"\s+", "", text)
    for gate in ("ft=σWf", "it=σWi", "ot=σWo", "c̃t=tanhWc̃"):
        assert gate in flat, gate
    assert "ct=ct−1⊙ft+c̃t⊙it" in flat and "197,120" in flat


def test_every_latex_output_compiles():
    summary, dims = video_summary()
    parts = [render(formulas_table(), "latex"), render(summary, "latex", values=dims),
             render(reconciliation(), "latex"),
             render(lstm_derivation(), "latex", values={"u": 128, "d": 256})]
    for name in sorted(LAYERS):  # every catalogue layer's equations
        try:
            layer, shape = example(name)
        except KeyError:
            continue  # no example yet; test_conformance reports it
        parts.append(render(layer.derive(shape), "latex"))
    text = compile_latex("\n\\clearpage\n".join(parts))
    assert "169,436,968" in text and "Conv2D" in text
    # standalone documents compile as they are
    for report in (formulas_table(["Dense", "LSTM"]), summary, reconciliation()):
        compile_latex(render(report, "latex", standalone=True), standalone=False)


def test_pytorch_modules_and_functions_compile_in_latex():
    """Every PyTorch-convention module's derivation (buffers included) and the function rows
    of ``from_torch`` compile; BatchNorm's running statistics are listed as buffers."""
    from symparam.torch import TORCH
    from symparam.torch.functional import MatMul, ScaledDotProductAttention
    from symparam.torch.samples import example as torch_example
    L_, E_ = S.dims("L E")
    parts = [render(torch_example(name)[0].derive(torch_example(name)[1]), "latex")
             for name in sorted(TORCH.classes)]
    parts += [render(ScaledDotProductAttention().derive([(None, 4, L_, E_)] * 3), "latex"),
              render(MatMul().derive([(None, L_, E_), (None, E_, L_)]), "latex")]
    text = compile_latex("\n\\clearpage\n".join(parts))
    assert "BatchNorm2d" in text and "Buffer (not a parameter)" in text
    assert "A = softmax" in text and "torch.matmul" in text


#: where the weights table starts and the buffers table starts, and how ``mu`` is written
BUFFER_MARKS = {"text": ("Weights:", "Buffers", "mu"), "json": ('"weights"', '"buffers"', '"mu"'),
                "markdown": ("| Weight |", "| Buffer", "\\mu"),
                "latex": ("Weight & Shape", "Buffer (not", "\\mu"),
                "html": ("<th>Weight</th>", "<th>Buffer", "&#956;")}


@pytest.mark.parametrize("fmt", sorted(BUFFER_MARKS))
def test_buffers_have_their_own_section(fmt):
    from symparam.torch import nn as snn
    out = render(snn.BatchNorm2d(4).derive((None, 4, 5, 5)), fmt, standalone=False)
    weights_start, buffers_start, mu = BUFFER_MARKS[fmt]
    weights = out[out.index(weights_start):out.index(buffers_start)]
    buffers = out[out.index(buffers_start):]
    assert mu in buffers and mu not in weights


def test_video_qa_svg_from_graphviz():
    summary, dims = video_summary()
    svg = render(summary, "svg", values=dims)
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    texts = " ".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
    for name in ("video", "frames", "encoded_video", "question_encoder", "merged", "answer",
                 "TimeDistributed", "(None, 100, 224, 224, 3)", "4*u*(u + 160001) = 164,103,168"):
        assert name in texts, name


def test_svg_without_graphviz_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(S.SymparamError, match="Graphviz's 'dot' program"):
        render(lstm_summary()[0], "svg")


@pytest.mark.parametrize("fmt", ["dot", "mermaid", "svg"])
def test_diagrams_are_for_models_only(fmt):
    with pytest.raises(S.SymparamError, match="draws a model's graph"):
        render(lstm_derivation(), fmt)


def chromium_dom(page: Path, tmp_path) -> str:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    assert browser, "chromium is not installed (.ci/run installs it)"
    result = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--host-resolver-rules=MAP * ~NOTFOUND", f"--user-data-dir={tmp_path / 'profile'}",
         "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=90)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_html_page_renders_math_in_chromium(tmp_path):
    """Our page (no scripts allowed by its CSP) inside a harness whose script asks the browser
    whether the formulas are laid out as MathML elements with a real size."""
    fragment = render(lstm_derivation(), "html", values={"u": 128, "d": 256}, standalone=False)
    page = render(lstm_derivation(), "html", values={"u": 128, "d": 256})
    assert fragment in page and "http" not in page.replace("http-equiv", "")
    (tmp_path / "page.html").write_text(page, encoding="utf-8")
    dom = chromium_dom(tmp_path / "page.html", tmp_path)
    assert dom.count("<math") >= 6 + 4 and "<msub>" in dom
    # laid out as math: every <math> is a MathMLElement with a size, and the gate equations
    # stand as tall as their stacked [h_{t-1}; x_t] column (plain text would be one line)
    harness = ("<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>" + fragment +
               "<script>const m=[...document.querySelectorAll('math')];"
               "const h=m.map(e=>e.getBoundingClientRect().height);document.body.setAttribute("
               "'data-verdict',m.length+':'+m.every(e=>e instanceof MathMLElement)+':'+"
               "Math.min(...h)+':'+Math.max(...h))</script></body></html>")
    (tmp_path / "harness.html").write_text(harness, encoding="utf-8")
    verdict = re.search(r'data-verdict="(\d+):(\w+):([\d.]+):([\d.]+)"',
                        chromium_dom(tmp_path / "harness.html", tmp_path))
    assert verdict, "the harness script did not run"
    count, mathml, lowest, tallest = verdict.groups()
    assert int(count) >= 10 and mathml == "true"
    assert float(lowest) > 0 and float(tallest) > 2.5 * 16


def test_wheel_renders_every_format_outside_the_checkout(tmp_path):
    """The templates ship inside the wheel: build it, install it in a fresh virtualenv and
    render every format from a folder that is not the checkout."""
    import importlib.util
    isolation = [] if importlib.util.find_spec("hatchling") is None else ["--no-build-isolation"]
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q",
                    *isolation, "-w", str(tmp_path / "dist")], check=True, timeout=300)
    wheel = next((tmp_path / "dist").glob("symparam-*.whl"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip",
                    str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    # --ignore-installed: the venv sees the system site-packages, where CI has already installed
    # symparam from the checkout; without it pip would call the wheel "already satisfied"
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--ignore-installed",
                    str(wheel)], check=True, timeout=300)
    script = (
        "import symparam, symparam.report.render as R\n"
        "from symparam.layers import LSTM\n"
        "from symparam.report.catalogue import formulas_table\n"
        f"assert {str(ROOT)!r} not in symparam.__file__, symparam.__file__\n"
        "assert (R.PACKAGE_TEMPLATES / 'latex' / 'document.j2').is_file()\n"
        "assert not R.CHECKOUT_TEMPLATES.is_dir()\n"
        "import importlib.util\n"
        "assert importlib.util.find_spec('symparam.report.docsgen') is None\n"
        "u, d = symparam.dims('u d')\n"
        "r = LSTM(u).derive((None, 25, d))\n"
        "s = symparam.Sequential([symparam.Input((25, d)), LSTM(u)]).summary()\n"
        "t = formulas_table(['Dense', 'LSTM'])\n"
        "for f in R.Format:\n"
        "    for report in (r, s, t):\n"
        "        if f in R.GRAPHS and report is not s: continue\n"
        "        assert len(R.render(report, f, standalone=True)) > 50, (f, report)\n"
        "print('ok', symparam.__file__)\n")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run([str(python), "-c", script], cwd=outside, capture_output=True,
                            text=True, timeout=300, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    assert str(venv) in result.stdout


# -- notebooks and the command line -------------------------------------------------------------
@pytest.mark.parametrize("report", [lstm_derivation(), lstm_summary()[0], small_table(),
                                    reconciliation()], ids=lambda r: type(r).__name__)
def test_notebook_reprs(report):
    assert report._repr_markdown_() == render(report, "markdown")
    assert report._repr_latex_() == render(report, "latex")
    html = report._repr_html_()
    assert "<html" not in html and "<section" in html
    assert len(repr(report)) < 200


def test_cli_standalone_and_svg(capsys):
    from symparam.cli import main
    assert main(["layer", "LSTM", "units=u", "--input", "None,25,d", "--format", "latex",
                 "--standalone"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("\\documentclass") and out.rstrip().endswith("\\end{document}")
    assert main(["model", str(EXAMPLES / "lstm.yaml"), "--format", "svg"]) == 0
    assert "<svg" in capsys.readouterr().out
    assert main(["layer", "Dense", "units=3", "--input", "None,4", "--format", "mermaid"]) == 2
    assert "draws a model's graph" in capsys.readouterr().err


def test_formats_are_the_cli_choices():
    assert {f.value for f in Format} == {"text", "markdown", "latex", "html", "json", "dot",
                                         "mermaid", "svg"}


def test_latex_survives_any_unicode_name():
    name = "café ß Øre ĸ 東京 \x1b[31m"
    out = render(Dense(3, name=name).derive((None, 4)), "latex", standalone=True)
    text = compile_latex(out, standalone=False)
    import unicodedata
    assert "café ß Øre ? ?? \\x1b[31m (Dense)" in unicodedata.normalize("NFC", text)
    assert "\x1b" not in render(Dense(3, name=name).derive((None, 4)), "text")


def test_a_user_template_folder_comes_first_and_still_escapes(tmp_path):
    (tmp_path / "text").mkdir()
    (tmp_path / "text" / "derivation.j2").write_text("custom: {{ heading|show }}\n")
    out = render(Dense(3, name="x\ny").derive((None, 4)), "text", template_folder=str(tmp_path))
    assert out == "custom: x\\ny (Dense)\n"


def test_comparison_latex_compiles_and_html_is_mathml(tmp_path):
    report = compare(ROOT / "docs" / "examples" / "lstm.yaml")
    text = compile_latex(render(report, "latex", standalone=True), standalone=False,
                         tmp=tmp_path)
    assert "PyTorch" in text and "197,632" in text and "197,120" in text
    page = render(report, "html")
    assert page.count("<math") >= 6 and "4</mn>" in page
