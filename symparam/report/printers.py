"""Printers that write layer equations the way a reader of the seed post would.

SymPy's default forms of element-wise functions are ``Lambda(_d, sigma(_d)).(W*x + b)`` and, in
LaTeX, ``{\\left( d \\mapsto \\sigma(d) \\right)}_{\\circ}(...)``.  These printers, hooked into
SymPy's printer dispatch (never string surgery on the output), write ``sigma(W x + b)``, a
stacked vector ``[h_{t-1}; x_t]`` as a bracketed column, a Hadamard product as ``⊙`` and names
such as ``ctilde_t`` as a tilde over ``c``.  Three printers share these conventions: plain text,
LaTeX and presentation MathML (``symparam.report.mathml``, for HTML pages).

Every printer also takes ``values``, a mapping from dimension symbols to numbers, and prints each
symbol as its value while keeping the formula's shape: ``4*u*(d + u + 1)`` becomes
``4*128*(256 + 128 + 1)``, the worked example of the formulas table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sympy
from sympy.core.function import AppliedUndef
from sympy.printing.latex import LatexPrinter
from sympy.printing.str import StrPrinter

GREEK = {"alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "zeta": "ζ",
         "eta": "η", "theta": "θ", "iota": "ι", "kappa": "κ", "lambda": "λ", "mu": "μ",
         "nu": "ν", "xi": "ξ", "pi": "π", "rho": "ρ", "sigma": "σ", "tau": "τ", "phi": "φ",
         "chi": "χ", "psi": "ψ", "omega": "ω", "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ",
         "Lambda": "Λ", "Sigma": "Σ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω"}
#: name suffix -> (LaTeX accent, MathML accent character); ``ctilde`` is c with a tilde
ACCENTS = {"tilde": ("tilde", "\u02dc"), "hat": ("hat", "\u02c6"), "bar": ("bar", "\u00af"),
           "vec": ("vec", "\u2192"), "dot": ("dot", "\u02d9")}

_BASE = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_SCRIPT = re.compile(r"([_^])(?:\{([^{}]*)\}|([^_^{}]+))")
_SAFE_SCRIPT = re.compile(r"[A-Za-z0-9+\-(),' ]*")
TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9]*|[0-9]+|\S")


@dataclass(frozen=True)
class Name:
    """A symbol name split TeX-style: ``W_f^(1)`` is base ``W``, subscript ``f``, superscript
    ``(1)``; ``h_{t-1}`` is base ``h``, subscript ``t-1``."""

    base: str
    subs: tuple
    sups: tuple


def parse_name(name: str) -> Name | None:
    """The parts of ``name``, or ``None`` when it is not a plain TeX-style name (a custom
    layer may name a weight anything; such names are printed verbatim, escaped)."""
    match = _BASE.match(name)
    if match is None:
        return None
    subs, sups, position = [], [], match.end()
    while position < len(name):
        script = _SCRIPT.match(name, position)
        if script is None:
            return None
        piece = script.group(2) if script.group(2) is not None else script.group(3)
        if not _SAFE_SCRIPT.fullmatch(piece):
            return None
        (subs if script.group(1) == "_" else sups).append(piece)
        position = script.end()
    return Name(match.group(), tuple(subs), tuple(sups))


def split_accent(word: str) -> tuple[str, str | None]:
    """``ctilde`` -> (``c``, ``tilde``): a letter or Greek name followed by an accent name."""
    for accent in ACCENTS:
        stem = word[:-len(accent)]
        if word.endswith(accent) and (len(stem) == 1 or stem in GREEK):
            return stem, accent
    return word, None


def tex_verbatim(text: str) -> str:
    """Any string as upright typewriter math, each special character by its code (a fallback
    for names outside the TeX-style grammar; never reached by catalogue names)."""
    chars = [c if c.isascii() and c.isalnum() else f"{{\\char{ord(c)}}}" if c.isascii() else "?"
             for c in text]
    return r"\text{\texttt{" + "".join(chars) + "}}"


class Conventions:
    """Printer hooks shared by the three printers.

    ``values`` maps symbols to numbers printed in their place; element-wise functions bind their
    ``Lambda`` variable to the argument so ``sigma(d)`` prints as ``sigma(W x + b)``.
    """

    def _setup(self, values):
        self._values = dict(values or {})
        self._bound = {}

    def _print_ElementwiseApplyFunction(self, expr):
        variable, body = expr.function.variables[0], expr.function.expr
        direct = isinstance(body, sympy.Function) and body.args == (variable,)
        self._bound[variable] = (expr.expr, not direct and not _is_atom(expr.expr))
        try:
            return self._print(body)
        finally:
            del self._bound[variable]

    def _print_Dummy(self, expr):
        return self._print_Symbol(expr)

    def _print_MatrixElement(self, expr):
        # a learnt scalar is a 1x1 weight used as a number (``a[0, 0] * x``): print ``a``
        if tuple(expr.parent.shape) == (1, 1):
            return self._print(expr.parent)
        return super()._print_MatrixElement(expr)

    def _stand_in(self, expr):
        """What prints in place of a symbol: a bound function argument or a given value."""
        if expr in self._bound:
            argument, parens = self._bound[expr]
            return self._wrap(argument) if parens else self._print(argument)
        if expr in self._values:
            return self._print(self._values[expr])
        return None

    def _as_ordered_terms(self, expr, order=None):
        """SymPy's order, but starting with a positive term: ``1 - z_t``, not ``-z_t + 1``."""
        terms = list(super()._as_ordered_terms(expr, order=order))
        if terms and terms[0].could_extract_minus_sign():
            positive = [t for t in terms if not t.could_extract_minus_sign()]
            if positive:
                terms.remove(positive[0])
                terms.insert(0, positive[0])
        return terms


def _is_atom(expr) -> bool:
    return isinstance(expr, (sympy.MatrixSymbol, sympy.Symbol)) or expr.is_Atom


def split_hadamard(expr):
    """Factors of a Hadamard product, and the bases of those raised to ``-1`` (a division)."""
    numerator, denominator = [], []
    for arg in expr.args:
        if isinstance(arg, sympy.HadamardPower) and arg.exp == -1:
            denominator.append(arg.base)
        else:
            numerator.append(arg)
    return numerator or [sympy.S.One], denominator


class TextPrinter(Conventions, StrPrinter):
    """Plain-text equations: ``f_t = sigma(W_f*[h_{t-1}; x_t] + b_f)``."""

    def __init__(self, settings=None, values=None):
        super().__init__(settings)
        self._setup(values)

    def _wrap(self, expr):
        return f"({self._print(expr)})"

    def _print_Symbol(self, expr):
        found = self._stand_in(expr)
        return found if found is not None else super()._print_Symbol(expr)

    def _print_BlockMatrix(self, expr):
        if expr.blockshape[1] == 1:
            return "[" + "; ".join(self._print(block) for block in expr.blocks) + "]"
        return super()._print_BlockMatrix(expr)

    def _print_HadamardProduct(self, expr):
        numerator, denominator = split_hadamard(expr)
        text = " ⊙ ".join(self.parenthesize(arg, 50) for arg in numerator)
        return text + "".join(f" ⊘ {self.parenthesize(arg, 50)}" for arg in denominator)

    def _print_HadamardPower(self, expr):
        return f"{self.parenthesize(expr.base, 60)}^∘{self._print(expr.exp)}"

    def _print_Transpose(self, expr):
        return f"{self.parenthesize(expr.arg, 60)}^T"

    def _print_OneMatrix(self, expr):
        return "1"

    def _print_Equality(self, expr):
        return f"{self._print(expr.lhs)} = {self._print(expr.rhs)}"


class TexPrinter(Conventions, LatexPrinter):
    """LaTeX in the notation of papers: ``\\sigma(W_f [h_{t-1}; x_t] + b_f)``, ``\\odot``,
    ``\\tilde{c}_t``, and ``4 \\cdot u \\cdot (d + u + 1)`` for counts."""

    def __init__(self, settings=None, values=None):
        super().__init__({"mul_symbol": "dot", **(settings or {})})
        self._setup(values)

    def _wrap(self, expr):
        return rf"\left({self._print(expr)}\right)"

    def _print_Symbol(self, expr, style="plain"):
        found = self._stand_in(expr)
        if found is not None:
            return found
        name = parse_name(expr.name)
        if name is None:
            return tex_verbatim(expr.name)
        text = self._tex_word(name.base)
        if name.subs:
            text += "_{" + ",".join(self._tex_script(s) for s in name.subs) + "}"
        if name.sups:
            text += "^{" + ",".join(self._tex_script(s) for s in name.sups) + "}"
        return text

    def _print_MatrixSymbol(self, expr):
        return self._print_Symbol(expr)

    @staticmethod
    def _tex_word(word: str) -> str:
        stem, accent = split_accent(word)
        letter = f"\\{stem}" if stem in GREEK else stem
        if accent:
            return rf"\{ACCENTS[accent][0]}{{{letter}}}"
        return letter if len(stem) == 1 or stem in GREEK else rf"\mathrm{{{stem}}}"

    def _tex_script(self, piece: str) -> str:
        return "".join(self._tex_word(token) if token[0].isalpha() else token
                       for token in TOKEN.findall(piece))

    def _print_Function(self, expr, exp=None):
        if not isinstance(expr, AppliedUndef):
            return super()._print_Function(expr, exp)
        arguments = ", ".join(self._print(arg) for arg in expr.args)
        power = "^{" + exp + "}" if exp else ""
        return rf"{self._tex_function(expr.func.__name__)}{power}\left({arguments}\right)"

    def _tex_function(self, name: str) -> str:
        """``sigma`` -> ``\\sigma``, ``relu`` -> ``\\operatorname{relu}``."""
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name):
            return tex_verbatim(name)
        if len(name) == 1 or split_accent(name)[0] in GREEK:
            return self._tex_word(name)
        return r"\operatorname{" + name.replace("_", r"\_") + "}"

    def _print_BlockMatrix(self, expr):
        if expr.blockshape[1] == 1:
            rows = r" \\ ".join(self._print(block) for block in expr.blocks)
            return rf"\begin{{bmatrix}} {rows} \end{{bmatrix}}"
        return super()._print_BlockMatrix(expr)

    def _print_HadamardProduct(self, expr):
        numerator, denominator = split_hadamard(expr)
        top = r" \odot ".join(self.parenthesize(arg, 50) for arg in numerator)
        if not denominator:
            return top
        bottom = r" \odot ".join(self.parenthesize(arg, 50) for arg in denominator)
        return rf"\frac{{{top}}}{{{bottom}}}"

    def _print_OneMatrix(self, expr):
        return "1"

    def shape(self, shape, *, matrix: bool = False, breakable: bool = False) -> str:
        """A tensor shape ``(\\mathrm{None}, 25, d)``, or a weight's ``u \\times (d + u)``;
        ``breakable`` lets a narrow table column wrap it after each comma."""
        if matrix:
            return r" \times ".join(self.parenthesize(item, 50) for item in shape)
        items = [r"\mathrm{None}" if item is None else self._print(item) for item in shape]
        comma = r",\allowbreak " if breakable else ", "
        return "(" + comma.join(items) + ("," if len(items) == 1 else "") + ")"


def text(expr, values=None) -> str:
    """``expr`` as plain text with the conventions above."""
    return TextPrinter(values=values).doprint(expr)


def latex(expr, values=None) -> str:
    """``expr`` as LaTeX math (without delimiters)."""
    return TexPrinter(values=values).doprint(expr)


def latex_shape(shape, *, matrix: bool = False, breakable: bool = False) -> str:
    """A shape as LaTeX math: ``(\\mathrm{None}, 25, d)`` or ``u \\times (d + u)``."""
    return TexPrinter().shape(shape, matrix=matrix, breakable=breakable)


def text_shape(shape, *, matrix: bool = False) -> str:
    """A shape as text: ``(None, 25, d)`` or ``u × (d + u)``."""
    printer = TextPrinter()
    items = ["None" if item is None else printer.doprint(item) for item in shape]
    if matrix:
        return " × ".join(printer.parenthesize(item, 50) for item in shape)
    return f"({items[0]},)" if len(items) == 1 else "(" + ", ".join(items) + ")"
