"""A model read from a live ``torch.nn.Module``: one row per module, buffers counted apart.

``TorchModel`` is a symparam ``Model`` whose rows are the modules ``symparam.importers.torch.walk``
found, in registration order (``print(module)``'s order), each a layer derived on the input
shape that reached it.  Rows carry PyTorch's third count, the buffers, next to parameters;
modules symparam cannot derive are ``Opaque`` rows whose numbers are copied, marked
``derived=False``.  ``Tied`` (``symparam.layers``) and ``Frozen`` wrap a layer whose weights a
live module shares with another module (weight tying) or has frozen (``requires_grad=False``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import sympy
from sympy import Function

from symparam.engine.cost import total
from symparam.engine.derivation import Derivation
from symparam.engine.equations import Eq, stack, vector
from symparam.engine.layer import Layer
from symparam.engine.weights import partition, tagged
from symparam.layers.wrappers import Rewired
from symparam.models.functional import Model
from symparam.models.summary import Row, Summary
from symparam.torch._base import buffers


class Frozen(Rewired):
    """Weights excluded from training (``requires_grad=False``): still parameters, counted
    as non-trainable."""

    def rewire(self, equations, weights):
        for name, weight in weights.items():
            self.declare(replace(weight, trainable=weight.trainable and name not in self.names))
        return equations


class Opaque(Layer):
    """A module symparam cannot derive: its parameter tensors, with the sizes PyTorch reports,
    stacked into ``theta``; the output shape is unknown (``()``)."""

    def __init__(self, module_class: str, sizes=(), **kwargs):
        super().__init__(**kwargs)
        self.module_class = module_class
        self.sizes = tuple((int(n), bool(t)) for n, t in sizes)

    @property
    def class_name(self) -> str:
        return f"{self.module_class} (not derived)"

    def equations_for(self, input_shape):
        if not self.sizes:
            return [Eq(vector("y", 1), vector("x", 1).applyfunc(Function("module")))]
        parts = [self.weight(f"theta_{i}", n, trainable=t)
                 for i, (n, t) in enumerate(self.sizes, start=1)]
        size = sum(n for n, _ in self.sizes)
        return [Eq(vector("theta", size), stack(*parts) if len(parts) > 1 else parts[0])]

    def compute_output_shape(self, input_shape):
        return ()

    def input_layout(self):
        return ()


@dataclass(frozen=True)
class Entry:
    """One module of the tree: its dotted path, the layer standing for it, the shape it was
    derived on and what to say about it."""

    name: str
    layer: Layer
    input_shape: object
    note: str = ""
    #: the row counts the module's parameters with its children's (False: only its own)
    recurse: bool = True
    #: the module's dotted path in the tree (``""`` for the root)
    path: str = ""

    @property
    def derived(self) -> bool:
        return not isinstance(self.layer, Opaque)


@dataclass(frozen=True)
class TorchRow(Row):
    """A summary row with PyTorch's buffers and whether symparam derived the count."""

    buffers: sympy.Expr = sympy.Integer(0)
    derived: bool = True
    note: str = ""


@dataclass(frozen=True, repr=False)  # Summary's own short repr, not a field dump
class TorchSummary(Summary):
    """A ``Summary`` whose rows are ``TorchRow``s, with the total of the buffers."""

    buffers: sympy.Expr = sympy.Integer(0)


class TorchModel(Model):
    """The rows ``from_torch`` found, as a symparam ``Model`` (Sequential-like: no graph of
    symbolic tensors; ``edges`` say which module's output reached which)."""

    default_name = "module"

    def __init__(self, entries, *, name=None, edges=(), input_shape=None, result_shape=(),
                 source=None, reader=None):
        Layer.__init__(self, name=name)
        self.entries = tuple(entries)
        self.edges = tuple(edges)
        self.input_shape = input_shape
        #: the module's output shape(s) as propagated; ``()`` when unknown
        self.result_shape = result_shape
        self._source = source  # the live module, to re-read it on another input shape
        self._reader = reader  # from_torch itself, handed in by the reader that built this

    @property
    def class_name(self) -> str:
        return self.name or self.default_name

    @property
    def layers(self):
        return [entry.layer for entry in self.entries]

    def summary_layers(self):
        return self.layers

    def summary(self) -> TorchSummary:
        rows = []
        for entry in self.entries:
            derivation = entry.layer.derive(entry.input_shape)
            output = derivation.output_shape
            if isinstance(output, list) and len(output) == 1:
                output = output[0]
            rows.append(TorchRow(entry.name, entry.layer.class_name, output, derivation.params,
                                 derivation.trainable, derivation.non_trainable, derivation,
                                 buffers=buffers(derivation), derived=entry.derived,
                                 note=entry.note))
        trainable = sympy.Add(*(row.trainable for row in rows))
        frozen = sympy.Add(*(row.non_trainable for row in rows))
        return TorchSummary(self.name or self.default_name, tuple(rows),
                            sympy.Add(trainable, frozen), trainable, frozen, edges=self.edges,
                            cost=_total_cost(row.derivation for row in rows),
                            buffers=sympy.Add(*(row.buffers for row in rows)),
                            uncounted=getattr(self, "uncounted", ()))

    def derive(self, input_shape=None) -> Derivation:
        """Every row's derivation combined, each row's symbols tagged ``^(i)``; another input
        shape re-reads the live module on it."""
        if input_shape is not None and self._source is not None:
            return self._reader(self._source, input_shape).derive()
        derivations = [entry.layer.derive(entry.input_shape) for entry in self.entries]
        equations, weights = [], {}
        for index, derivation in enumerate(derivations, start=1):
            found, declared = tagged(derivation, f"({index})", keep=())
            equations += found
            weights.update(declared)
        return Derivation(
            class_name=self.class_name, input_shape=self.input_shape or (),
            output_shape=self.result_shape, equations=equations, **partition(weights),
            name=self.name, trainable=sympy.Add(*(d.trainable for d in derivations)),
            non_trainable=sympy.Add(*(d.non_trainable for d in derivations)),
            cost=_total_cost(derivations))

    def __repr__(self) -> str:
        return f"<TorchModel {self.name!r}: {len(self.entries)} rows>"


def _total_cost(derivations):
    """The rows' costs added up, ``None`` when one is unknown."""
    costs = [d.cost for d in derivations]
    return None if not costs or None in costs else total(costs)
