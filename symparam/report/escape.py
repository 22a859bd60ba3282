"""Escaping names and user text for each output format, in one pass per string.

Names come from users and files, so every character a format treats specially is escaped
(LaTeX's ``\\ { } $ & # _ % ~ ^``, Markdown's table and emphasis marks, Mermaid's directive
openers, DOT's quotes), and control and bidirectional characters (U+202E reverses the rest of a
terminal row) are shown as escape codes instead of being written.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

import markupsafe


def _visible(char: str) -> str:
    """A control character as Python writes it (``\\n``, ``\\x1b``), so a name cannot
    break a table row or send escape codes to a terminal."""
    return repr(char)[1:-1]


#: invisible characters that change how the rest of a line shows: bidirectional overrides and
#: isolates (U+202E reverses the rest of a table row), zero-width marks, line separators
_FORMAT_CATEGORIES = ("Cf", "Zl", "Zp", "Cs", "Co", "Cn")


def _is_control(char: str) -> bool:
    return char < " " or "\x7f" <= char <= "\x9f" or (
        char > "\x9f" and unicodedata.category(char) in _FORMAT_CATEGORIES)


def _translate(text: str, table: dict, control: Callable[[str], str],
               other: Callable[[str], str] = str) -> str:
    """One pass over ``text``: special characters from ``table``, control characters through
    ``control``, every other character through ``other``; text with nothing to change is
    returned at once (joining character by character took 2 s for 10,000 rows).  Only ASCII
    text takes that shortcut: bidirectional and zero-width characters are never ASCII."""
    text = str(text)
    if text.isascii() and not _special(tuple(table)).search(text):
        return text
    return "".join(table[c] if c in table else control(_visible(c)) if _is_control(c)
                   else other(c) for c in str(text))


@lru_cache(maxsize=16)
def _special(keys: tuple) -> re.Pattern:
    """A character class matching the keys of an escape table and every control character."""
    return re.compile("[" + "".join(re.escape(k) for k in keys) + "\x00-\x1f\x7f-\x9f]")


_LATEX = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
          "_": r"\_", "%": r"\%", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
          "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}", "[": "{[}",
          "]": "{]}"}
_LATEX_LETTERS = {"ß": r"\ss{}", "æ": r"\ae{}", "Æ": r"\AE{}", "ø": r"\o{}", "Ø": r"\O{}",
                  "œ": r"\oe{}", "Œ": r"\OE{}", "ł": r"\l{}", "Ł": r"\L{}", "ı": r"\i{}"}
_LATEX_ACCENTS = {"\u0300": "`", "\u0301": "'", "\u0302": "^", "\u0303": "~", "\u0304": "=",
                  "\u0306": "u", "\u0307": ".", "\u0308": '"', "\u030a": "r", "\u030b": "H",
                  "\u030c": "v", "\u0327": "c"}
_MARKDOWN = {"[": "&#91;", "]": "&#93;", **{c: "\\" + c for c in "\\`*_{}<>#+!|$&~^"}}
_DOT = {"\\": "\\\\", '"': '\\"', "&": "&amp;", "<": "&lt;", ">": "&gt;"}
_MERMAID = {'"': "#quot;", "#": "#35;", "&": "#38;", "<": "#lt;", ">": "#gt;", "|": "#124;",
            "`": "#96;", "\\": "#92;", "%": "#37;"}  # "%%{" opens a directive anywhere


def _latex_char(char: str) -> str:
    """A non-ASCII character as pdfLaTeX's default fonts can set it (``é`` -> ``\\'{e}``),
    or ``?`` (an unknown character would stop the compilation)."""
    if char.isascii() or char in _LATEX_LETTERS:
        return _LATEX_LETTERS.get(char, char)
    base, *marks = unicodedata.normalize("NFD", char)
    if base.isascii() and base.isalpha() and len(marks) == 1 and marks[0] in _LATEX_ACCENTS:
        return f"\\{_LATEX_ACCENTS[marks[0]]}{{{base}}}"
    return "?"


def escape_text(text: str) -> str:
    """Plain text: control characters (newlines, terminal escape codes) made visible."""
    return _translate(text, {}, str)


def escape_latex(text: str) -> str:
    """LaTeX text: ``\\ { } $ & # _ % ~ ^`` (and ``< > | [ ]``, which OT1 fonts misprint or
    ``\\\\`` would read as an option) escaped, control characters shown as ``\\n``."""
    return _translate(text, _LATEX, lambda shown: r"\textbackslash{}" + shown[1:], _latex_char)


def escape_markdown(text: str) -> str:
    """Markdown text: punctuation that means something (``|`` in tables, ``<`` for raw HTML,
    ``$`` for math, ``*_`` for emphasis, ``[`` for links) escaped, control characters shown."""
    return _translate(text, _MARKDOWN, lambda shown: "\\" + shown)


def escape_dot(text: str) -> str:
    """The inside of a quoted Graphviz label: ``\\`` and ``"`` escaped (Graphviz would read
    ``\\N`` and ``\\n``), entities neutralised, control characters shown."""
    return _translate(text, _DOT, lambda shown: "\\" + shown)


def escape_mermaid(text: str) -> str:
    """The inside of a quoted Mermaid label: quotes, ``#``, ``&``, ``<``, ``>``, ``|``,
    backticks and ``%`` (Mermaid scans the whole text for ``%%{init: ...}%%`` directives) as
    Mermaid entity codes, control and bidirectional characters shown."""
    return _translate(text, _MERMAID, lambda shown: "#92;" + shown[1:])


# -- how each format writes the view's cells ------------------------------------------------------


def escape_html(text: str) -> markupsafe.Markup:
    """HTML text: bidirectional, zero-width and control characters shown as escape codes (a
    browser would reorder the rest of the line for U+202E), then ``< > & " '`` as entities;
    newlines and tabs are plain whitespace in HTML and stay."""
    text = str(text)
    if not text.isascii() or _special(()).search(text):
        text = "".join(_visible(c) if _is_control(c) and c not in "\n\t\r" else c
                       for c in text)
    return markupsafe.escape(text)
