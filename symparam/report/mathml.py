"""Presentation MathML for HTML pages: the conventions of ``symparam.report.printers``
(``sigma(W x + b)``, stacked vectors, ``⊙``, accented names) written as MathML elements, which
browsers render without scripts."""

from __future__ import annotations

import html

from sympy.core.function import AppliedUndef
from sympy.printing.mathml import MathMLPresentationPrinter

from symparam.report.printers import (
    ACCENTS,
    GREEK,
    TOKEN,
    Conventions,
    parse_name,
    split_accent,
    split_hadamard,
)


class MathMLPrinter(Conventions, MathMLPresentationPrinter):
    """Presentation MathML (MathML Core) with the same conventions, for browsers to render.

    SymPy's MathML printer writes text nodes unescaped, so every name is escaped here."""

    def __init__(self, settings=None, values=None):
        super().__init__({"mul_symbol": "dot", **(settings or {})})
        self._setup(values)

    def _element(self, tag: str, text: str | None = None, *children, **attributes):
        node = self.dom.createElement(tag)
        if text is not None:
            node.appendChild(self.dom.createTextNode(html.escape(text, quote=False)))
        for child in children:
            node.appendChild(child)
        for key, value in attributes.items():
            node.setAttribute(key, value)
        return node

    def doprint(self, expr):
        """The markup of ``expr`` with its operators tidied (``tidy``)."""
        node = self._print(expr)
        tidy(node)
        return node.toxml().encode("ascii", "xmlcharrefreplace").decode()

    def _wrap(self, expr):
        return self._element("mrow", None, self._element("mo", "("), self._print(expr),
                             self._element("mo", ")"))

    def _print_Symbol(self, expr, style="plain"):
        found = self._stand_in(expr)
        if found is not None:
            return found
        name = parse_name(expr.name)
        if name is None:
            return self._element("mi", expr.name)
        base = self._word(name.base)
        subs = [self._script(s) for s in name.subs]
        sups = [self._script(s) for s in name.sups]
        if subs and sups:
            return self._element("msubsup", None, base, self._row(subs), self._row(sups))
        if subs or sups:
            return self._element("msub" if subs else "msup", None, base, self._row(subs + sups))
        return base

    def _print_MatrixSymbol(self, expr):
        return self._print_Symbol(expr)

    def _row(self, nodes):
        return nodes[0] if len(nodes) == 1 else self._element("mrow", None, *nodes)

    def _word(self, word: str):
        stem, accent = split_accent(word)
        letter = self._element("mi", GREEK.get(stem, stem))
        if accent is None:
            return letter
        return self._element("mover", None, letter, self._element("mo", ACCENTS[accent][1]),
                             accent="true")

    def _script(self, piece: str):
        nodes = [self._word(t) if t[0].isalpha() else self._element("mn" if t.isdigit() else
                                                                    "mo", t)
                 for t in TOKEN.findall(piece)]
        return self._row(nodes)

    def _print_Function(self, expr):
        if isinstance(expr, AppliedUndef):
            arguments = [self._print(arg) for arg in expr.args]
            separated = [node for i, arg in enumerate(arguments)
                         for node in ([self._element("mo", ",")] if i else []) + [arg]]
            return self._element("mrow", None, self._word(expr.func.__name__),
                                 self._element("mo", "("), *separated, self._element("mo", ")"))
        return super()._print_Function(expr)

    def _print_BlockMatrix(self, expr):
        if expr.blockshape[1] == 1:
            rows = [self._element("mtr", None, self._element("mtd", None, self._print(block)))
                    for block in expr.blocks]
            return self._element("mrow", None, self._element("mo", "["),
                                 self._element("mtable", None, *rows), self._element("mo", "]"))
        return self._print(expr.blocks)

    def _print_HadamardProduct(self, expr):
        numerator, denominator = split_hadamard(expr)

        def product(args):
            nodes = []
            for i, arg in enumerate(args):
                nodes += ([self._element("mo", "⊙")] if i else []) + [self.parenthesize(arg, 50)]
            return self._row(nodes)
        if not denominator:
            return product(numerator)
        return self._element("mfrac", None, product(numerator), product(denominator))

    def _print_OneMatrix(self, expr):
        return self._element("mn", "1")

    def shape(self, shape, *, matrix: bool = False):
        """A tensor shape ``(None, 25, d)``, or a weight's ``u × (d + u)``, as an ``mrow``."""
        nodes = []
        for i, item in enumerate(shape):
            if i:
                nodes.append(self._element("mo", "×" if matrix else ","))
            nodes.append(self._element("mi", "None", mathvariant="normal") if item is None
                         else self.parenthesize(item, 50) if matrix else self._print(item))
        if matrix:
            return self._row(nodes)
        return self._element("mrow", None, self._element("mo", "("), *nodes,
                             self._element("mo", ")"))


#: brackets a browser would otherwise draw as stretchy fences, padded: ``( None, 1024 )``
FENCES = frozenset("()[]{}")


#: content that needs brackets to stretch around it
TALL = ("mtable", "mfrac")


def tidy(node) -> None:
    """Brackets as plain, unpadded characters (``stretchy="false"``: Chromium draws stretchy
    fences with space inside them) unless they enclose something tall (a stacked vector, a
    fraction), and ``-`` as the minus sign ``−``, in place."""
    if node.nodeType == node.ELEMENT_NODE and node.tagName == "mo" and node.firstChild:
        text = node.firstChild.nodeValue
        parent = node.parentNode
        if text in FENCES and not any(parent.getElementsByTagName(tag) for tag in TALL):
            node.setAttribute("stretchy", "false")
        elif text == "-":
            node.firstChild.nodeValue = "\u2212"
    for child in node.childNodes:
        tidy(child)


def mathml(expr, values=None) -> str:
    """``expr`` as presentation MathML, without the enclosing ``<math>`` element."""
    return MathMLPrinter(values=values).doprint(expr)


def mathml_shape(shape, *, matrix: bool = False) -> str:
    """A shape as presentation MathML (without ``<math>``)."""
    node = MathMLPrinter().shape(shape, matrix=matrix)
    tidy(node)
    return node.toxml().encode("ascii", "xmlcharrefreplace").decode()


