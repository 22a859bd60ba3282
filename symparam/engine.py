"""The engine: layers state equations, the engine finds the parameters and sums their sizes.

A layer never counts.  It declares each weight with ``self.weight(...)`` while writing its
equations over one example's feature vector; ``derive`` then walks the equations, collects the
``Param`` symbols that actually occur, checks them against the declarations and sums
``rows*cols``.  Shapes come from the equations (per-position layers) or from the layer's own
``output_shape`` rule (layers that move along spatial or time axes).
"""

from __future__ import annotations

import difflib
import functools
import inspect
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import sympy

from symparam.report import Renderable
from symparam import args
from symparam.errors import SymparamError, shorten
from symparam.graph import Node, Tensor, as_tensor_list
from symparam.algebra import tidy
from symparam.cost import Cost, dtype_bytes, equations_cost
from symparam.shapes import format_shape, is_shape_list, normalize_shape, product

MAX_NAME = 200
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


@dataclass(frozen=True, eq=False)
class Derivation(Renderable):
    """What ``derive`` finds for one layer (or model) on one input shape.

    ``params`` (all parameters, Keras's ``count_params()``), ``trainable`` and
    ``non_trainable`` are SymPy expressions (Integers once every size is concrete), written with
    common factors pulled out (``4*u*(d + u + 1)``).
    """

    class_name: str
    input_shape: object
    output_shape: object
    weights: Mapping[str, Weight]
    equations: list
    trainable: sympy.Expr
    non_trainable: sympy.Expr
    name: str | None = None
    params: sympy.Expr = None  # filled in by __post_init__ when not given
    cost: Cost | None = None   # per example; None where a size it needs is unknown
    buffers: Mapping[str, Weight] = field(default_factory=dict)  # never counted in params

    def __post_init__(self):
        if self.params is None:  # models: the plain sum of their layers' tidy counts
            object.__setattr__(self, "params", sympy.Add(self.trainable, self.non_trainable))

    @classmethod
    def from_weights(cls, *, weights, **fields) -> "Derivation":
        """Count ``weights``; the totals get common factors pulled out (``4*u*(d + u + 1)``)."""
        trainable, frozen = count(weights)
        tidy_trainable, tidy_frozen = tidy(trainable), tidy(frozen)
        if frozen == 0:  # the total is the other part, already tidied
            params = tidy_trainable
        elif trainable == 0:
            params = tidy_frozen
        else:
            params = tidy(trainable + frozen)
        return cls(weights=weights, trainable=tidy_trainable, non_trainable=tidy_frozen,
                   params=params, **fields)

    @property
    def macs(self):
        """Multiply-accumulates per example (``None`` if a size it needs is unknown)."""
        return None if self.cost is None else self.cost.macs

    def flops(self, convention="macs"):
        """FLOPs per example under ``convention`` (see ``symparam.cost.FlopConvention``)."""
        return None if self.cost is None else self.cost.flops(convention)

    @property
    def activation_elements(self):
        """Numbers in the output tensor(s) of one example."""
        shapes = self.output_shape if isinstance(self.output_shape, list) \
            else [self.output_shape]
        sizes = [product(shape[1:]) for shape in shapes]
        return None if any(s is None for s in sizes) else sympy.Add(*sizes)

    def activation_bytes(self, dtype: str = "float32", batch=1):
        """Bytes of the output tensor(s) for ``batch`` examples (a number or a symbol)."""
        elements = self.activation_elements
        return None if elements is None else elements * dtype_bytes(dtype) * batch

    def weight_bytes(self, dtype: str = "float32"):
        return self.params * dtype_bytes(dtype)

    @property
    def buffer_size(self) -> sympy.Expr:
        """The buffers' total size (PyTorch's ``sum(b.numel() for b in module.buffers())``),
        common factors pulled out like the parameter counts."""
        return tidy(sympy.Add(*(w.size for w in self.buffers.values())))

    def subs(self, **values) -> "Derivation":
        """The same derivation with dimensions replaced by values, e.g. ``subs(u=128, d=256)``."""
        mapping = substitution(values, self.free_symbols)
        swap = lambda expr: expr.xreplace(mapping)  # noqa: E731 - tiny local helper
        sized = lambda weights: {k: replace(w, shape=tuple(swap(s) for s in w.shape),  # noqa: E731
                                            copies=swap(w.copies)) for k, w in weights.items()}
        return replace(
            self,
            input_shape=map_shape(self.input_shape, swap),
            output_shape=map_shape(self.output_shape, swap),
            weights=sized(self.weights), buffers=sized(self.buffers),
            cost=None if self.cost is None else self.cost.xreplace(mapping),
            equations=[replaced(eq, mapping) for eq in self.equations],
            trainable=swap(self.trainable),
            non_trainable=swap(self.non_trainable),
            params=swap(self.params),
        )

    @property
    def free_symbols(self) -> set:
        found = set(self.trainable.free_symbols) | set(self.non_trainable.free_symbols)
        if self.cost is not None:
            found |= self.cost.macs.free_symbols | self.cost.elementwise.free_symbols
        for shape in (self.input_shape, self.output_shape):
            map_shape(shape, lambda expr: found.update(expr.free_symbols) or expr)
        return found

    def __repr__(self) -> str:
        label = f"{self.class_name} {self.name!r}" if self.name else self.class_name
        return (f"<Derivation {label}: params={self.params}, "
                f"output_shape={format_shape(self.output_shape)}>")


def known(shape):
    """``shape`` with every size that involves an unknown width made ``None``."""
    return map_shape(shape, lambda size: None if UNKNOWN in size.free_symbols else size)


def map_shape(shape, func):
    """Apply ``func`` to every known size of a shape or of a list of shapes."""
    if isinstance(shape, list):
        return [map_shape(item, func) for item in shape]
    return tuple(None if item is None else func(item) for item in shape)


def substitution(values: Mapping[str, object], symbols) -> dict:
    """An ``xreplace`` mapping from dimension names to values (ints, expressions or strings)."""
    by_name = {}
    for symbol in symbols:
        by_name.setdefault(symbol.name, []).append(symbol)
    exprs = {name: args.size(value, field=name, owner="subs") for name, value in values.items()}
    exprs = _resolved(exprs)
    return {symbol: exprs[name] for name in exprs for symbol in by_name.get(name, [])}


def _resolved(exprs: dict) -> dict:
    """Values that mention other substituted names (``u="2*d", d=3``) resolved in turn."""
    for _ in range(len(exprs) + 1):
        pending = {name: {s: exprs[s.name] for s in value.free_symbols if s.name in exprs}
                   for name, value in exprs.items()}
        if not any(pending.values()):
            return exprs
        exprs = {name: value.xreplace(pending[name]) for name, value in exprs.items()}
    raise SymparamError("subs: the values refer to each other in a cycle")


class _DerivationCache:
    """Derivations of identical layer configurations on identical shapes, reused (bounded LRU)."""

    def __init__(self, capacity: int = 4096):
        self.capacity = capacity
        self.entries: OrderedDict = OrderedDict()
        self.hits = self.misses = 0

    def get(self, key):
        found = self.entries.get(key)
        if found is not None:
            self.entries.move_to_end(key)
            self.hits += 1
        return found

    def put(self, key, value) -> None:
        self.misses += 1
        self.entries[key] = value
        if len(self.entries) > self.capacity:
            self.entries.popitem(last=False)


DERIVATIONS = _DerivationCache()


def _freeze(value):
    """A hashable stand-in for a layer attribute, used in the derivation cache key."""
    if isinstance(value, Layer):
        return value.config_key()
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(item) for item in value)
    if isinstance(value, dict):
        return tuple(sorted((key, _freeze(item)) for key, item in value.items()))
    return value


class Layer:
    """Base of every layer: hyperparameters in ``__init__``, mathematics in ``equations``.

    Subclasses implement ``equations(self, x)`` where ``x`` is the input feature vector (a
    ``MatrixSymbol`` of shape ``(d, 1)``; a list of them for layers with several inputs), declare
    parameters with ``self.weight``, and return a list of ``sympy.Eq`` with the output last.
    Layers that reshape override ``output_shape(self, input_shape)``.
    """

    #: the name of the feature vector in the equations (``x_t`` for recurrent layers)
    input_name = "x"
    #: False for symparam's own layers that Keras has no class for (``Repeated``)
    in_keras = True

    def __init__(self, *, name: str | None = None, trainable: bool = True, **keras_only):
        if name is not None and (not isinstance(name, str) or not 0 < len(name) <= MAX_NAME):
            raise SymparamError(f"{type(self).__name__}: name must be a non-empty string of at "
                                f"most {MAX_NAME} characters, got {shorten(name)}")
        self.name = name
        self.trainable = args.flag(trainable, field="trainable", owner=args.where(self))
        unknown = sorted(set(keras_only) - args.IGNORED_KERAS_ARGS)
        if unknown:
            raise SymparamError(self._unknown_argument(unknown[0]))

    @classmethod
    def argument_names(cls) -> list:
        """The keyword arguments the class accepts, gathered along its ``__init__`` chain."""
        return list(_argument_names(cls))

    def _unknown_argument(self, field: str) -> str:
        known = self.argument_names()
        close = difflib.get_close_matches(field, known + sorted(args.IGNORED_KERAS_ARGS), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return f"{args.where(self)}: unknown argument {field!r}{hint}"

    # -- argument coercion, naming this layer in every error ---------------------------------
    def as_size(self, field, value, minimum=1):
        return args.size(value, field=field, owner=args.where(self), minimum=minimum)

    def as_sizes(self, field, value, rank, minimum=1):
        return args.sizes(value, rank, field=field, owner=args.where(self), minimum=minimum)

    def as_flag(self, field, value):
        return args.flag(value, field=field, owner=args.where(self))

    def as_choice(self, field, value, allowed):
        return args.choice(value, allowed, field=field, owner=args.where(self))

    def as_axis(self, field, value):
        return args.integer(value, field=field, owner=args.where(self))

    def as_number(self, field, value, low=0.0, high=1.0):
        return args.number(value, field=field, owner=args.where(self), low=low, high=high)

    # -- what a subclass writes ---------------------------------------------------------------
    def weight(self, name: str, rows, cols=1, trainable: bool = True, copies=1) -> Param:
        """Declare a parameter matrix of shape ``(rows, cols)`` and return its symbol.

        ``copies`` declares a stack of that many matrices of this shape (one per repetition of
        a ``Repeated`` block); the equations show one of them."""
        shape = (sympy.sympify(rows, strict=True), sympy.sympify(cols, strict=True))
        return self.declare(Weight(name, shape, bool(trainable),
                                   sympy.sympify(copies, strict=True)))

    def buffer(self, name: str, rows, cols=1) -> Buffer:
        """Declare a buffer of shape ``(rows, cols)``: a tensor the layer keeps but does not
        train or count as a parameter (``Derivation.buffers``); return its symbol."""
        shape = (sympy.sympify(rows, strict=True), sympy.sympify(cols, strict=True))
        return self.declare(Weight(name, shape, trainable=False, kind="buffer"))

    def declare(self, weight: Weight):
        """Declare ``weight`` (a parameter or a buffer) as it is, e.g. one another layer's
        derivation declared, and return its symbol."""
        declared = getattr(self, "_declared", None)
        if declared is None:
            raise SymparamError(f"{args.where(self)}: weight() is only valid inside equations()")
        if weight.name in declared:
            raise SymparamError(f"{args.where(self)}: two weights are named {weight.name!r}")
        declared[weight.name] = weight
        return SYMBOLS[weight.kind](weight.name, *weight.shape)

    def equations(self, x) -> list:
        raise NotImplementedError(f"{type(self).__name__} states no equations")

    def features(self, input_shape):
        """The size of the feature vector the equations act on (default: the last axis)."""
        if is_shape_list(input_shape):
            return [self._last_axis(shape) for shape in input_shape]
        return self._last_axis(input_shape)

    def _last_axis(self, shape):
        if len(shape) < 2:
            raise SymparamError(f"{args.where(self)}: input shape {format_shape(shape)} has no "
                                "feature axis")
        return UNKNOWN if shape[-1] is None else shape[-1]

    def output_shape(self, input_shape):
        """Per-position default: ``(None, *lead, d)`` maps to ``(None, *lead, k)``."""
        equations, _ = self._run_equations(input_shape)
        return known((*input_shape[:-1], equations[-1].lhs.shape[0]))

    def repeats(self, input_shape, output_shape, equations):
        """How many times per example the equations run: by default once per position of the
        output, i.e. its size divided by the width of the last equation's result (a pixel for
        a convolution, a token for a Dense layer on a sequence).  ``None`` if unknown."""
        shape = output_shape[0] if isinstance(output_shape, list) else output_shape
        size = product(shape[1:])
        return None if size is None else size / equations[-1].lhs.shape[0]

    def cost(self, input_shape, output_shape, equations) -> Cost | None:
        """Cost per example: the equations' cost times ``repeats``.  Layers made of other
        layers override this to add up their parts."""
        times = self.repeats(input_shape, output_shape, equations)
        return None if times is None else equations_cost(equations).times(times)

    # -- the engine --------------------------------------------------------------------------
    def config_key(self) -> tuple:
        """Everything that can change a derivation: the class and the hyperparameters."""
        items = sorted((k, _freeze(v)) for k, v in vars(self).items()
                       if k != "name" and not k.startswith("_"))
        return (type(self), tuple(items))

    def derive(self, input_shape) -> Derivation:
        """Derive parameters, weights, equations and output shape on ``input_shape``."""
        shape = self._normalize_input(input_shape)
        key = (self.config_key(), _freeze(shape))
        found = DERIVATIONS.get(key)
        if found is None:
            found = self._derive_uncached(shape)
            DERIVATIONS.put(key, found)
        return found if found.name == self.name else replace(found, name=self.name)

    def _normalize_input(self, input_shape):
        owner = args.where(self)
        if is_shape_list(input_shape):
            return [normalize_shape(shape, owner=owner) for shape in input_shape]
        return normalize_shape(input_shape, owner=owner)

    def _derive_uncached(self, shape) -> Derivation:
        equations, declared = self._run_equations(shape)
        weights = collect_weights(equations, declared, owner=args.where(self),
                                  trainable=self.trainable)
        sized = [w.name for w in weights.values() if any(
            UNKNOWN in sympy.sympify(size, strict=True).free_symbols for size in w.shape)]
        if sized:
            raise SymparamError(f"{args.where(self)}: a feature axis of input shape "
                                f"{format_shape(shape)} must be known: it sizes the weight "
                                f"{sized[0]!r}")
        if type(self).output_shape is Layer.output_shape:
            output = known((*shape[:-1], equations[-1].lhs.shape[0]))
        else:
            output = known(self.output_shape(shape))
        cost = self.cost(shape, output, equations)
        if cost is not None and UNKNOWN in cost.macs.free_symbols | cost.elementwise.free_symbols:
            cost = None
        return Derivation.from_weights(
            class_name=self.class_name, input_shape=shape, output_shape=output,
            equations=list(equations), cost=cost, **partition(weights))

    def equations_for(self, input_shape) -> list:
        """The equations on a whole input shape: by default ``equations`` on its feature
        vector.  Wrappers, which derive an inner layer on a shape, override this instead."""
        features = self.features(input_shape)
        if isinstance(features, list):
            x = [self.feature_vector(f"{self.input_name}_{i + 1}", f)
                 for i, f in enumerate(features)]
        else:
            x = self.feature_vector(self.input_name, features)
        return self.equations(x)

    def feature_vector(self, name: str, size) -> sympy.MatrixSymbol:
        """The symbol of an input feature vector (``OneHot`` for token indices)."""
        return sympy.MatrixSymbol(name, size, 1)

    def _run_equations(self, shape):
        self._declared = {}
        try:
            equations = self.equations_for(shape)
            declared = self._declared
        finally:
            del self._declared
        if not equations or not all(isinstance(eq, sympy.Eq) for eq in equations):
            raise SymparamError(f"{args.where(self)}: equations() must return a non-empty "
                                "list of sympy.Eq")
        return equations, declared

    def reuse(self, derivation: Derivation, tag: str | None = None, keep=INPUT_NAMES) -> list:
        """Bring another derivation's equations into this layer, declaring its weights here.

        With ``tag``, every matrix symbol except those named in ``keep`` is renamed with the
        superscript ``tag`` so that two copies (a forward and a backward RNN) stay distinct.
        """
        equations, weights = tagged(derivation, tag, keep)
        for weight in weights.values():
            self.declare(weight)
        return equations

    def __call__(self, inputs):
        """Apply the layer to symbolic tensors, as in a Keras functional model."""
        tensors, as_list = as_tensor_list(inputs)
        if not tensors:
            raise SymparamError(f"{args.where(self)}: call it on tensors from S.Input(...), "
                                f"not {shorten(inputs)}")
        shapes = [t.shape for t in tensors] if as_list else tensors[0].shape
        try:
            derivation = self.derive(shapes)
        except SymparamError as error:
            sources = ", ".join(_producer(t) for t in tensors)
            raise SymparamError(f"{error} (input from {sources})") from None
        node = Node(self, tensors, derivation=derivation)
        outputs = derivation.output_shape
        shapes_out = outputs if isinstance(outputs, list) else [outputs]
        node.outputs = [Tensor(shape, node, i) for i, shape in enumerate(shapes_out)]
        return node.outputs if isinstance(outputs, list) else node.outputs[0]

    @property
    def class_name(self) -> str:
        """The Keras class name shown in summaries."""
        return type(self).__name__

    def __repr__(self) -> str:
        return f"<{args.where(self)}>"


@functools.cache
def _argument_names(cls: type) -> tuple:
    """``Layer.argument_names``, computed once per class (``inspect.signature`` is slow: it
    took a third of the time of re-reading a Keras config)."""
    names: list = []
    for klass in cls.__mro__:
        if "__init__" in vars(klass) and issubclass(klass, Layer):
            for name, p in inspect.signature(klass.__init__).parameters.items():
                if name not in names and name != "self" and p.kind not in (
                        p.VAR_KEYWORD, p.VAR_POSITIONAL):
                    names.append(name)
    return tuple(names)


def _producer(tensor: Tensor) -> str:
    layer = tensor.node.layer if tensor.node else None
    label = args.where(layer) if layer is not None else "an input"
    return f"{label} with shape {format_shape(tensor.shape)}"


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


def tagged(derivation: Derivation, tag: str | None, keep=INPUT_NAMES) -> tuple[list, dict]:
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


def frozen(derivation: Derivation) -> Derivation:
    """The same derivation with every weight non-trainable (``trainable=False`` on a model)."""
    if derivation.trainable == 0:
        return derivation
    weights = {k: replace(w, trainable=False) for k, w in derivation.weights.items()}
    fields = {f: getattr(derivation, f) for f in ("class_name", "input_shape", "output_shape",
                                                   "equations", "name", "cost", "buffers")}
    return Derivation.from_weights(weights=weights, **fields)
