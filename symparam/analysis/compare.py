"""One architecture under Keras's and PyTorch's conventions, layer by layer.

The architecture is written once, as a symparam spec or model in Keras's names (the seed post's
notation).  Each layer's Keras formula comes from its own derivation; the translation table
``symparam.analysis.conventions`` restates the layer as the ``torch.nn`` module a PyTorch user
would write (same sizes, PyTorch's layout), whose formula comes from *its* equations.  The
symbolic difference (``torch - keras``) is then exactly what the conventions change: ``4*u``
for an LSTM (two bias vectors per gate), ``0`` for a GRU with ``reset_after=True``, ``3*u``
with ``reset_after=False``, ``-2*c`` for BatchNorm, whose moving statistics PyTorch keeps as
buffers (``torch_buffers``) rather than parameters.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import sympy

from symparam.analysis.conventions import NoTwin, note, torch_twin
from symparam.core.algebra import tidy
from symparam.core.errors import SymparamError, shorten
from symparam.core.renderable import Renderable
from symparam.engine.substitute import KEEP, Substitutable, size_fields
from symparam.importers.spec import Spec, load_spec
from symparam.layers.core import InputLayer
from symparam.layers.wrappers import Repeated, TimeDistributed
from symparam.models.functional import Model
from symparam.torch._base import buffers


@dataclass(frozen=True)
class ComparedRow:
    """One Keras layer and its PyTorch counterpart.

    ``keras_formula`` is Keras's ``count_params()`` (non-trainable weights included);
    ``torch_formula`` is PyTorch's ``sum(p.numel())``, buffers apart in ``torch_buffers``;
    ``difference`` is ``torch_formula - keras_formula``.  Without a counterpart
    (``torch_class`` is ``None``) the PyTorch fields are ``None`` and ``note`` says why, except
    for weightless layers, which count 0 in both (a tensor operation in PyTorch's forward).
    """

    name: str
    keras_class: str
    torch_class: str | None
    keras_formula: sympy.Expr
    torch_formula: sympy.Expr | None
    difference: sympy.Expr | None
    keras_non_trainable: sympy.Expr
    torch_buffers: sympy.Expr
    keras_output_shape: object
    torch_output_shape: object
    note: str = ""


@dataclass(frozen=True)
class Comparison(Substitutable, Renderable):
    """Every row and the totals under both conventions (``compare(...)``).

    ``torch_total`` sums the rows that have a PyTorch counterpart, and ``difference`` their
    differences, so it stays meaningful when ``complete`` is false.

    ``dims`` holds the spec's default values (``{"u": 128}``); ``subs(**values)`` evaluates
    every expression and records the values in ``values``; ``evaluated()`` uses ``dims``.
    """

    report_kind = "compare"  # which view and template render it

    name: str
    rows: tuple
    keras_total: sympy.Expr
    torch_total: sympy.Expr
    difference: sympy.Expr
    keras_non_trainable: sympy.Expr
    torch_buffers: sympy.Expr
    dims: dict = field(metadata={KEEP: False})
    values: tuple = field(default=(), metadata={KEEP: False})
    #: the model's sizes (``size_fields``), kept positive integers by ``subs``
    sizes: dict = field(default_factory=dict, repr=False, compare=False, metadata={KEEP: False})

    @property
    def size_fields(self) -> dict:
        """The compared model's sizes, which ``subs`` keeps positive integers."""
        return self.sizes

    @property
    def complete(self) -> bool:
        """True when every row has a PyTorch counterpart (else ``torch_total`` leaves some
        Keras layers out)."""
        return all(row.torch_formula is not None for row in self.rows)

    def subs(self, **values) -> "Comparison":
        """The comparison with dimensions replaced by values, e.g. ``subs(u=128)``; the values
        are recorded in ``values``."""
        done = Substitutable.subs(self, **values)
        return replace(done, values=self.values + tuple(sorted(values.items())))

    def evaluated(self) -> "Comparison":
        """``subs`` at the spec's ``dims``."""
        return self.subs(**self.dims) if self.dims else self

    def __repr__(self) -> str:
        return (f"<Comparison {self.name!r}: Keras {self.keras_total}, PyTorch "
                f"{self.torch_total}, difference {self.difference}>")


def compare(source) -> Comparison:
    """Derive one architecture under Keras's and PyTorch's conventions.

    Args:
        source: a spec file path (YAML or JSON), a parsed spec ``dict``, a ``Spec``, or a
            symparam ``Model`` built from Keras-convention layers.
    """
    if isinstance(source, (str, Path, dict)):
        source = load_spec(source)
    if isinstance(source, Spec):
        model, dims = source.model, dict(source.dims)
    elif isinstance(source, Model):
        model, dims = source, {}
    else:
        raise SymparamError(f"compare: expected a spec path, a spec or a model, got "
                            f"{shorten(source)}")
    rows = tuple(_rows(model))
    paired = [row for row in rows if row.torch_formula is not None]
    return Comparison(
        model.summary().name, rows, sympy.Add(*(row.keras_formula for row in rows)),
        sympy.Add(*(row.torch_formula for row in paired)),
        sympy.factor_terms(sympy.Add(*(row.difference for row in paired))),
        sympy.Add(*(row.keras_non_trainable for row in rows)),
        sympy.Add(*(row.torch_buffers for row in rows)), dims,
        sizes=size_fields(model.summary()))


def _rows(model):
    summary = model.summary()
    for layer, row in zip(model.summary_layers(), summary.rows):
        if isinstance(layer, InputLayer):
            continue
        yield _compared(layer, row)


def _compared(layer, row) -> ComparedRow:
    keras = dict(name=row.name, keras_class=row.class_name, keras_formula=row.params,
                 keras_non_trainable=row.non_trainable, keras_output_shape=row.output_shape)
    wrapped = layer.layer if isinstance(layer, (TimeDistributed, Repeated)) else None
    if isinstance(layer, Model) or isinstance(wrapped, Model):
        return _nested(keras, wrapped or layer, layer)
    try:
        twin, shape = torch_twin(layer, row.derivation.input_shape)
        found = twin.derive(shape)
    except SymparamError as error:
        reason = str(error) if isinstance(error, NoTwin) else f"not translated: {error}"
        weightless = row.params == 0
        return ComparedRow(**keras, torch_class=None,
                           torch_formula=sympy.Integer(0) if weightless else None,
                           difference=sympy.Integer(0) if weightless else None,
                           torch_buffers=sympy.Integer(0), torch_output_shape=None,
                           note="no PyTorch module (a tensor operation in forward)"
                           if weightless else reason)
    output = found.output_shape
    return ComparedRow(**keras, torch_class=twin.class_name, torch_formula=found.params,
                       difference=_difference(found.params, row.params),
                       torch_buffers=buffers(found),
                       torch_output_shape=output[0] if isinstance(output, list) and
                       len(output) == 1 else output, note=note(layer))


def _nested(keras: dict, model: Model, layer) -> ComparedRow:
    """A nested model as one row: the sums of its own comparison, ``times`` over for a
    ``Repeated`` stack of it (PyTorch's ``nn.ModuleList`` of the block's twins)."""
    inner = compare(model)
    times = layer.times if isinstance(layer, Repeated) else 1
    scaled = lambda expr: None if not inner.complete else tidy(  # noqa: E731
        sympy.expand(expr * times))
    stacked = isinstance(layer, Repeated)
    return ComparedRow(**keras, torch_class=("ModuleList" if stacked else "Module")
                       if inner.complete else None,
                       torch_formula=scaled(inner.torch_total),
                       difference=None if not inner.complete else sympy.factor_terms(
                           sympy.expand(inner.difference * times)),
                       torch_buffers=inner.torch_buffers * times, torch_output_shape=None,
                       note=f"{layer.times} copies of a nested model" if stacked
                       else "a nested model: the sum of its layers")


def _difference(torch_count, keras_count) -> sympy.Expr:
    """``torch - keras``, expanded so common terms cancel, then tidied (``4*u``)."""
    return sympy.factor_terms(sympy.expand(torch_count - keras_count))
