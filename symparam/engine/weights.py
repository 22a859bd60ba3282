"""The symbols a layer's equations contain and the pure functions that find and count them.

``Param`` and ``Buffer`` are ``MatrixSymbol`` subclasses so that ``atoms(Param, Buffer)`` finds
every declared tensor in an equation; ``Weight`` records what was declared.  The engine checks
one against the other (``collect_weights``) and sums ``rows*cols`` (``count``): nobody writes a
count by hand.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import sympy

from symparam.core.errors import SymparamError

#: the width of a feature vector along an axis the input leaves unknown (``None``): it may size
#: the equations of a layer without weights (an activation, a pooling), never a weight, and
#: it is ``None`` again in every shape (a name no user dimension can have)
UNKNOWN = sympy.Symbol("?", positive=True, integer=True)
#: feature-vector names a wrapper keeps when it renames an inner layer's symbols
INPUT_NAMES = ("x", "x_t")


class Param(sympy.MatrixSymbol):
    """A weight or bias inside a layer's equations; its own class so ``atoms(Param)`` finds it."""


class Buffer(sympy.MatrixSymbol):
    """A tensor a layer keeps and uses but neither trains nor counts as a parameter (PyTorch's
    ``register_buffer``: BatchNorm's running statistics; Keras has none, its moving statistics
    are non-trainable weights).  Declared with ``Layer.buffer``, found with ``atoms(Buffer)``."""


#: what each kind of declared tensor is called in the equations
SYMBOLS = {"parameter": Param, "buffer": Buffer}


@dataclass(frozen=True)
class Weight:
    """A declared tensor: its name, matrix shape, whether training updates it, and its kind
    (a ``"parameter"``, or a ``"buffer"`` that is never counted as one)."""

    name: str
    shape: tuple
    trainable: bool = True
    copies: sympy.Expr = sympy.Integer(1)  # a stack of identical-shaped weights (Repeated)
    kind: str = "parameter"

    @property
    def size(self) -> sympy.Expr:
        return sympy.Mul(self.copies, *self.shape)


def partition(weights: Mapping[str, Weight]) -> dict:
    """``{"weights": parameters, "buffers": buffers}``, as ``Derivation`` takes them."""
    return {"weights": {k: w for k, w in weights.items() if w.kind == "parameter"},
            "buffers": {k: w for k, w in weights.items() if w.kind == "buffer"}}


def count(weights: Mapping[str, Weight]) -> tuple[sympy.Expr, sympy.Expr]:
    """Trainable and non-trainable totals of ``weights``, built with one ``Add`` each."""
    trainable = sympy.Add(*(w.size for w in weights.values() if w.trainable))
    frozen = sympy.Add(*(w.size for w in weights.values() if not w.trainable))
    return trainable, frozen


def collect_weights(equations, declared, *, owner: str, trainable: bool = True) -> dict:
    """The declared weights and buffers, checked against the ``Param`` and ``Buffer`` symbols
    the equations contain."""
    found: dict[str, sympy.MatrixSymbol] = {}
    for eq in equations:
        for param in eq.atoms(Param, Buffer):
            first = found.setdefault(param.name, param)
            if first != param:
                raise SymparamError(f"{owner}: two weights are named {param.name!r}")
    unused = [name for name in declared if name not in found]
    if unused:
        raise SymparamError(f"{owner}: weight {unused[0]!r} is declared but absent from the "
                            "equations")
    undeclared = sorted(set(found) - set(declared))
    if undeclared:
        raise SymparamError(f"{owner}: {undeclared[0]!r} occurs in the equations but was not "
                            "declared with self.weight() or self.buffer()")
    miskinded = [n for n, w in declared.items() if type(found[n]) is not SYMBOLS[w.kind]]
    if miskinded:
        raise SymparamError(f"{owner}: {miskinded[0]!r} is declared as a "
                            f"{declared[miskinded[0]].kind} but used as something else")
    return {name: replace(w, trainable=w.trainable and trainable) for name, w in declared.items()}


def tagged(derivation, tag: str | None, keep=INPUT_NAMES) -> tuple[list, dict]:
    """A derivation's equations and weights (its buffers too) with matrix symbols renamed
    ``name^tag``."""
    every = {**derivation.weights, **derivation.buffers}
    if tag is None:
        return list(derivation.equations), every
    mapping = {}
    for eq in derivation.equations:
        for symbol in eq.atoms(sympy.MatrixSymbol):
            if symbol.name not in keep:
                mapping[symbol] = type(symbol)(f"{symbol.name}^{tag}", *symbol.shape)
    weights = {f"{name}^{tag}": replace(w, name=f"{name}^{tag}") for name, w in every.items()}
    return [replaced(eq, mapping) for eq in derivation.equations], weights


def replaced(equation, mapping):
    """``equation.xreplace(mapping)``, without deciding the equation again.

    Rebuilding an ``Eq`` makes SymPy try to decide it by canonicalising ``lhs - rhs``, which
    took 99% of the time spent renaming a transformer block's symbols (50 ms for 15 equations).
    Renaming symbols or giving sizes values cannot decide an equation its layer left undecided,
    so the sides are replaced and the ``Eq`` is rebuilt unevaluated: the same object as before.
    """
    if isinstance(equation, sympy.Eq):
        return type(equation)(equation.lhs.xreplace(mapping), equation.rhs.xreplace(mapping),
                              evaluate=False)
    return equation.xreplace(mapping)


