"""Example inputs for the recorded forward: meta tensors, fake tensors, or fake tensors whose
sizes are symbols.

A concrete input on a module whose parameters live on the meta device is a plain meta tensor
(the fastest way).  Parameters on another device are read through a ``FakeTensorMode``, which
stands for each tensor without copying its data.  A symbolic input (``(None, 3, "H", "W")``)
runs under a ``FakeTensorMode`` with a ``ShapeEnv``: PyTorch's own symbolic shapes, whose sizes
are SymPy expressions, so every recorded shape and cost is a formula in the ShapeEnv's symbols.
``Translator`` renames those symbols to the caller's and rewrites PyTorch's integer functions
(``FloorDiv``, ``CeilDiv``, ``ModularIndexing``...) as SymPy's ``floor``/``ceiling``/``Mod``.

The forward still runs at one *hint* value per symbol (guards such as ``if H % 2`` take the
hint's branch).  The formula holds where the model takes the same branches; a symbol the model
pins to one value (``assert h == 224``) is an error, never a formula silently constant in it.
"""

from __future__ import annotations

import sympy
import torch
import torch.utils._sympy.functions as tf

from symparam.core.errors import SymparamError
from symparam.importers.torch.tree import first_tensor

#: tried in turn for a symbolic size until the forward runs
HINTS = (64, 32, 224, 16)


def _fraction(a, b):
    return a / b


#: PyTorch's integer functions (keyed by class) -> SymPy's
FUNCTIONS = {
    tf.FloorDiv: lambda a, b: sympy.floor(a / b), tf.CleanDiv: _fraction,
    tf.CeilDiv: lambda a, b: sympy.ceiling(a / b), tf.IntTrueDiv: _fraction,
    tf.FloatTrueDiv: _fraction, tf.ModularIndexing: lambda x, d, m: sympy.Mod(
        sympy.floor(x / d), m), tf.PythonMod: sympy.Mod, tf.Mod: sympy.Mod,
    tf.FloorToInt: sympy.floor, tf.CeilToInt: sympy.ceiling, tf.TruncToInt: sympy.floor,
    tf.RoundToInt: sympy.floor, tf.ToFloat: lambda x: x, tf.Identity: lambda x: x,
    tf.PowByNatural: sympy.Pow, tf.Max: sympy.Max, tf.Min: sympy.Min,
}


class Translator:
    """ShapeEnv expressions -> SymPy in the caller's symbols (memoised: a model repeats the
    same few sizes thousands of times)."""

    def __init__(self, symbols: dict | None = None):
        self.symbols = symbols or {}
        self.memo: dict = {}

    def __call__(self, expr):
        if isinstance(expr, int):
            return sympy.Integer(expr)
        found = self.memo.get(expr)
        if found is None:
            found = self.memo[expr] = self._translate(expr)
        return found

    def _translate(self, expr):
        if expr.is_Integer or expr.is_Rational:
            return expr
        if expr.is_Symbol:
            return self.symbols.get(expr, expr)
        args = [self._translate(arg) for arg in expr.args]
        function = FUNCTIONS.get(type(expr))
        if function is not None:
            return function(*args)
        return expr.func(*args)


def _dtype_candidates(ids):
    return (torch.long,) if ids else (torch.float32, torch.long)


def concrete_examples(module, shapes, *, ids=False):
    """``(mode, make)`` pairs: ``make()`` builds the example tensors (inside ``mode``), one
    pair per input dtype worth trying (floats, then token ids)."""
    device = _device(module)
    fake = None if device.type == "meta" else _fake_mode(None)
    for dtype in _dtype_candidates(ids):
        def make(dtype=dtype):
            return [torch.zeros(shape, dtype=dtype, device=device) for shape in shapes]
        yield fake, make, Translator()


def symbolic_examples(module, shapes, symbols, *, ids=False):
    """Like ``concrete_examples`` with ``symbols`` (SymPy symbols in ``shapes``) as ShapeEnv
    sizes, at each hint of ``HINTS`` in turn."""
    from torch.fx.experimental.symbolic_shapes import ShapeEnv
    device = _device(module)
    for axis in (sympy.sympify(s, strict=True) for shape in shapes for s in shape):
        if axis.free_symbols and not axis.is_Symbol:
            raise SymparamError(f"from_torch input_shape: a symbolic size must be one symbol, "
                                f"got {axis}")
    for hint in HINTS:
        for dtype in _dtype_candidates(ids):
            env = ShapeEnv(duck_shape=False)
            mode, translator = _fake_mode(env), Translator()

            def make(dtype=dtype, env=env, translator=translator, hint=hint):
                sizes = _symbolic_sizes(env, translator, symbols, hint)
                return [torch.zeros([sizes.get(s, s) for s in shape], dtype=dtype,
                                    device=device) for shape in shapes]
            yield mode, make, translator


def _symbolic_sizes(env, translator, symbols, hint) -> dict:
    """One ShapeEnv size per caller's symbol (sorted by name: the same run every time)."""
    from torch._dynamo.source import ConstantSource
    from torch.fx.experimental.symbolic_shapes import DimDynamic
    sizes = {}
    for symbol in sorted(symbols, key=str):
        raw = env.create_symbol(hint, source=ConstantSource(f"symparam_{symbol}"),
                                dynamic_dim=DimDynamic.DYNAMIC)
        sizes[symbol] = env.create_symintnode(raw, hint=hint)
        translator.symbols[raw] = symbol
    return sizes


def pinned(mode, translator) -> list:
    """The caller's symbols that the ShapeEnv replaced by a number during the forward."""
    env = mode.shape_env
    found = []
    for raw, wanted in translator.symbols.items():
        value = env.replacements.get(raw)
        if value is not None and not value.free_symbols:
            found.append(f"{wanted}={value}")
    return found


def _fake_mode(shape_env):
    from torch._subclasses.fake_tensor import FakeTensorMode
    return FakeTensorMode(allow_non_fake_inputs=True, shape_env=shape_env)


def _device(module) -> torch.device:
    tensor = first_tensor(module)
    return torch.device("meta") if tensor is None else tensor.device


def refuse_pinned(names) -> None:
    if names:
        raise SymparamError(f"from_torch: the model fixes {', '.join(names)}; read it with "
                            "that value instead of a symbol")
