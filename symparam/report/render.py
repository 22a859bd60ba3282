"""Rendering: views (plain data, ``symparam.report.views``) become text through Jinja2 templates.

Only this module imports Jinja2.  Templates are looked up in a user folder (if given), then inside
the installed package (``symparam/templates``, where the wheel puts them), then in the checkout's
``templates/`` folder, so rendering works installed and editable alike.  Templates are never
built from user strings.

Escaping happens once, when a value is written: every format's environment escapes whatever a
template prints (HTML by Jinja's autoescape, the others by a ``finalize`` hook with the format's
escape function), and only markup made here from SymPy's printers is marked safe.  A template
cannot forget to escape a layer name, and nothing is escaped twice.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache, partial
from pathlib import Path
from typing import Callable

import jinja2
import markupsafe
import sympy

from symparam.core.errors import SymparamError, shorten
from symparam.report import jsonview, layout, mathml, printers, views
from symparam.report.escape import (
    escape_dot,
    escape_html,
    escape_latex,
    escape_markdown,
    escape_mermaid,
    escape_text,
)

PACKAGE_TEMPLATES = Path(__file__).parent.parent / "templates"
CHECKOUT_TEMPLATES = Path(__file__).parent.parent.parent / "templates"
DOT_TIMEOUT = 60


class Format(StrEnum):
    """Output formats; the CLI's ``--format`` values."""

    TEXT = "text"
    MARKDOWN = "markdown"
    LATEX = "latex"
    HTML = "html"
    JSON = "json"
    DOT = "dot"
    MERMAID = "mermaid"
    SVG = "svg"


#: formats that draw a model's graph, so only a ``Summary`` has them
GRAPHS = (Format.DOT, Format.MERMAID, Format.SVG)


def as_format(value) -> Format:
    try:
        return Format(value)
    except ValueError:
        options = ", ".join(f.value for f in Format)
        raise SymparamError(f"unknown format {shorten(value)}; choose one of {options}") from None


# -- escaping: pure functions, one pass over the text each ---------------------------------------
class Verbatim(str):
    """Markup this module produced (from SymPy's printers or a rendered template): written as is."""


@dataclass(frozen=True)
class Notation:
    """One format's way of writing cells: text escaping, math, shapes and numbers.

    ``math`` and ``shape`` return raw markup (LaTeX, MathML or text); ``inline`` wraps it for
    running text (``None``: plain-text formats); ``display`` writes a concrete count in math;
    ``safe`` marks markup as already escaped; ``equals``, ``listing`` and ``comma`` join
    pieces of math.
    """

    escape: Callable[[str], str]
    math: Callable = printers.text
    shape: Callable = printers.text_shape
    inline: Callable[[str], str] | None = None
    display: Callable[[int], str] = "{:,}".format
    safe: type | None = None
    equals: str = " = "
    listing: Callable[[str], str] = "[{}]".format
    comma: str = ", "


def _tex_number(value: int) -> str:
    return f"{value:,}".replace(",", "{,}")


def _mathml_number(value: int) -> str:
    return f"<mn>{value:,}</mn>"


_TEX = dict(math=printers.latex, shape=printers.latex_shape, display=_tex_number, safe=Verbatim)
NOTATIONS = {
    Format.TEXT: Notation(escape_text),
    Format.MARKDOWN: Notation(escape_markdown, inline="${}$".format, **_TEX),
    Format.LATEX: Notation(escape_latex, inline="${}$".format,
                           comma=r",\allowbreak ",
                           **{**_TEX, "shape": partial(printers.latex_shape, breakable=True)}),
    Format.HTML: Notation(escape_html, math=mathml.mathml, shape=mathml.mathml_shape,
                          inline="<math>{}</math>".format, display=_mathml_number,
                          safe=markupsafe.Markup, equals="<mo>=</mo>",
                          listing="<mrow><mo>[</mo>{}<mo>]</mo></mrow>".format,
                          comma="<mo>,</mo>"),
    Format.DOT: Notation(escape_dot),
    Format.MERMAID: Notation(escape_mermaid),
}


def _raw(cell, notation: Notation) -> str:
    """A math cell as the format's raw math markup (no delimiters), printed once per distinct
    cell and format: a deep model's rows repeat a few formulas (0.3 ms each to print)."""
    if _sympy_only(cell):
        return _printed(cell, notation)
    return _print_cell(cell, notation)


def _sympy_only(cell) -> bool:
    """Only SymPy values (or ``None``): a Python ``160000`` equals and hashes like
    ``Integer(160000)`` but prints otherwise, so it never meets ``_printed``."""
    if isinstance(cell, views.Chain):
        return all(_sympy_only(part) for part in cell.parts)
    if isinstance(cell, views.Shape):
        return isinstance(cell.shape, tuple) and all(
            item is None or isinstance(item, sympy.Basic) for item in cell.shape)
    return isinstance(getattr(cell, "expr", None), sympy.Basic) and all(
        isinstance(item, sympy.Basic) for pair in getattr(cell, "values", ()) for item in pair)


@lru_cache(maxsize=4096)
def _printed(cell, notation: Notation) -> str:
    return _print_cell(cell, notation)


def _print_cell(cell, notation: Notation) -> str:
    if isinstance(cell, views.Chain):
        return notation.equals.join(_raw(part, notation) for part in cell.parts)
    if isinstance(cell, views.Count) and cell.expr.is_Integer:
        return notation.display(int(cell.expr))
    if isinstance(cell, views.Shape) and isinstance(cell.shape, list):
        return notation.listing(notation.comma.join(_raw(views.Shape(s), notation)
                                                    for s in cell.shape))
    if isinstance(cell, views.Shape):
        return notation.shape(cell.shape, matrix=cell.matrix)
    return notation.math(cell.expr, dict(cell.values) if isinstance(cell, views.Math) else None)


def show(cell, notation: Notation):
    """A cell in running text: escaped text, inline math, or a number."""
    if cell is None:
        return ""
    if isinstance(cell, views.Text):
        return cell.value
    if isinstance(cell, views.Count) and cell.expr.is_Integer:
        return f"{int(cell.expr):,}"
    if isinstance(cell, views.Chain) and not notation.safe:
        return " = ".join(str(show(part, notation)) for part in cell.parts)
    raw = _raw(cell, notation)
    return notation.safe(notation.inline(raw)) if notation.safe else raw


def math(cell, notation: Notation):
    """A cell inside a display-math block (``align*``, ``$$``, ``<math display=block>``)."""
    raw = _raw(cell, notation)
    return notation.safe(raw) if notation.safe else raw


def box(headers, rows, keys, align=None, width=None, keep=()) -> dict:
    """A box-drawn text table of ``rows`` (dicts of cells) in the columns ``keys``: cells
    written and escaped, then laid out to fit ``width`` (``symparam.report.layout``; right-aligned
    where ``align`` is true; the columns named in ``keep`` wrapped last).  Each row is a list
    of physical lines of padded cells."""
    notation = NOTATIONS[Format.TEXT]
    written = [[escape_text(str(show(row[key], notation))) for key in keys] for row in rows]
    headers = [escape_text(h) for h in headers]
    table = layout.lay_out(headers, written, align or [False] * len(headers), width,
                           {keys.index(key) for key in keep if key in keys})
    mark = lambda lines: [[Verbatim(cell) for cell in line] for line in lines]  # noqa: E731
    return {"widths": table["widths"], "header": mark(table["header"]),
            "rows": [mark(row) for row in table["rows"]]}


def code(text, fmt: Format):
    """Literal text such as a command (``symparam model x.yaml``) in the format's code style."""
    text = escape_text(str(text))
    if fmt is Format.MARKDOWN:
        fence = "`" * (1 + max((len(run) for run in re.findall("`+", text)), default=0))
        return Verbatim(f"{fence} {text} {fence}" if "`" in text else f"`{text}`")
    if fmt is Format.LATEX:
        return Verbatim(r"\texttt{" + escape_latex(text) + "}")
    if fmt is Format.HTML:
        return markupsafe.Markup("<code>{}</code>").format(text)
    return text


def _finalize(value, *, escape):
    """Jinja's hook on every printed value: escape it unless this module marked it as markup."""
    if value is None:
        return ""
    if isinstance(value, (Verbatim, markupsafe.Markup)):
        return value
    return escape(str(value))


_LATEX_SYNTAX = dict(block_start_string=r"\BLOCK{", block_end_string="}",
                     variable_start_string=r"\VAR{", variable_end_string="}",
                     comment_start_string=r"\#{", comment_end_string="}",
                     line_comment_prefix="%#")


@lru_cache(maxsize=32)
def environment(fmt: Format, user_folder: str | None = None) -> jinja2.Environment:
    """The Jinja environment of one format: its escaping, its filters and, for LaTeX, the
    ``\\VAR{}``/``\\BLOCK{}`` delimiters (``{{`` collides with TeX braces)."""
    folders = [folder for folder in (user_folder, PACKAGE_TEMPLATES, CHECKOUT_TEMPLATES)
               if folder is not None and Path(folder).is_dir()]
    notation = NOTATIONS[fmt]
    html = fmt is Format.HTML
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(f) for f in folders]),
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True, autoescape=html,
        finalize=partial(_finalize, escape=notation.escape),
        **(_LATEX_SYNTAX if fmt is Format.LATEX else {}))
    env.filters.update(show=partial(show, notation=notation), fold=layout.fold,
                       math=partial(math, notation=notation), code=partial(code, fmt=fmt))
    env.globals.update(box=box, embed=partial(_embed, fmt=fmt, user_folder=user_folder))
    return env


def _embed(report, fmt=None, *, user_folder=None, values=None, format=None):
    """A report rendered inside a page template (as markup of the page's format, or of
    ``format``, e.g. a Mermaid diagram inside Markdown)."""
    inner = as_format(format or fmt)
    text = render(report, inner, values=values, template_folder=user_folder, standalone=False)
    return NOTATIONS[fmt].safe(text) if NOTATIONS[fmt].safe else Verbatim(text)


def template(fmt: Format, kind: str, user_folder=None) -> jinja2.Template:
    return environment(fmt, user_folder).get_template(f"{fmt.value}/{kind}.j2")


def render(report, fmt="text", *, values=None, template_folder=None, standalone=None,
           width=None) -> str:
    """Render a ``Derivation``, ``Summary``, ``FormulasTable`` or ``Reconciliation``.

    Args:
        report: the report.
        fmt: a ``Format`` or its name.
        values: dimension values (``{"u": 128}``): numbers and worked examples beside formulas.
        template_folder: a folder searched before the packaged templates.
        standalone: a complete document (LaTeX ``\\documentclass``, an HTML page); ``None``
            means the format's usual form (a page for HTML, a fragment for LaTeX).
        width: the width text tables fit (default: the terminal's, 100 when not a terminal).
    """
    fmt, values = as_format(fmt), dict(values or {})
    if fmt is Format.JSON:
        return json.dumps(_json(report, values), indent=2) + "\n"
    kind, view = _view(report, values)
    if fmt in GRAPHS and kind != "summary":
        raise SymparamError(f"the {fmt.value} format draws a model's graph; render a "
                            f"{type(report).__name__} as text, markdown, latex, html or json")
    if fmt is Format.SVG:
        return run_dot(render(report, Format.DOT, values=values,
                              template_folder=template_folder))
    width = layout.default_width() if width is None else width
    body = template(fmt, kind, template_folder).render(**view, width=width)
    if standalone is None:
        standalone = fmt is Format.HTML
    if not standalone or fmt not in (Format.LATEX, Format.HTML):
        return body
    wrap = NOTATIONS[fmt].safe
    return template(fmt, "document", template_folder).render(body=wrap(body),
                                                             title=view["heading"])


def render_page(name: str, fmt="markdown", *, template_folder=None, **context) -> str:
    """A page template (``templates/<fmt>/page_<name>.j2``) that embeds reports, e.g. the
    generated docs; ``context`` values are escaped like any other value."""
    fmt = as_format(fmt)
    return template(fmt, f"page_{name}", template_folder).render(**context)


def _view(report, values):
    try:
        return views.view(report, values)
    except TypeError:
        raise SymparamError(f"cannot render {shorten(report)}") from None


def _json(report, values):
    try:
        return jsonview.json_view(report, values)
    except TypeError:
        raise SymparamError(f"cannot render {shorten(report)}") from None


def run_dot(source: str) -> str:
    """SVG from DOT text through Graphviz's ``dot`` program (stdin to stdout, no shell)."""
    program = shutil.which("dot")
    if program is None:
        raise SymparamError("the svg format needs Graphviz's 'dot' program, which is not on "
                            "PATH; install Graphviz (e.g. apt-get install graphviz) or use "
                            "--format dot")
    try:
        result = subprocess.run([program, "-Tsvg"], input=source, capture_output=True,
                                text=True, encoding="utf-8", timeout=DOT_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise SymparamError(f"Graphviz 'dot' could not run: {error}") from None
    if result.returncode != 0:
        first = (result.stderr.strip().splitlines() or ["no message"])[0]
        raise SymparamError(f"Graphviz 'dot' failed: {first[:200]}")
    return result.stdout
