"""The ``Layer`` base: a layer states its equations, the engine derives everything else.

A layer never counts.  It declares each weight with ``self.weight(...)`` while writing its
equations over one example's feature vector; ``derive`` then walks the equations, collects the
``Param`` symbols that actually occur, checks them against the declarations and sums
``rows*cols``.  Shapes come from the equations (per-position layers) or from the layer's own
``compute_output_shape`` rule (layers that move along spatial or time axes).  Nothing here knows
a framework: the arguments a catalogue tolerates for compatibility (Keras's initializers) are
its own ``tolerated_arguments``.
"""

from __future__ import annotations

import difflib
import functools
import inspect
import warnings
from dataclasses import replace

import sympy
from sympy.matrices.exceptions import ShapeError

import symparam.engine.cache as _cache
from symparam.core import args
from symparam.core.errors import SymparamError, shorten
from symparam.core.shapes import format_shape, is_shape_list, normalize_shape, product
from symparam.engine.config import call_repr, given_arguments
from symparam.engine.cost import Cost, equations_cost
from symparam.engine.derivation import Built, Derivation, known
from symparam.engine.graph import Node, Tensor, as_tensor_list
from symparam.engine.sizes import argument_sizes
from symparam.engine.weights import (
    INPUT_NAMES,
    SYMBOLS,
    UNKNOWN,
    Buffer,
    Param,
    Weight,
    collect_weights,
    partition,
    tagged,
)

MAX_NAME = 200


class Layer:
    """Base of every layer: hyperparameters in ``__init__``, mathematics in ``equations``.

    Subclasses implement ``equations(self, x)`` where ``x`` is the input feature vector (a
    ``MatrixSymbol`` of shape ``(d, 1)``; a list of them for layers with several inputs), declare
    parameters with ``self.weight``, and return a list of ``sympy.Eq`` with the output last.
    Layers that reshape override ``compute_output_shape(self, input_shape)`` (Keras's name);
    ``output_shape`` is the shape of the layer's last call, as on a Keras layer.
    """

    #: the name of the feature vector in the equations (``x_t`` for recurrent layers)
    input_name = "x"
    #: False for symparam's own layers that Keras has no class for (``Repeated``)
    in_keras = True
    #: arguments accepted and ignored for compatibility (the Keras catalogue's registry sets
    #: Keras's initializers and regularizers here); any other unknown argument is refused
    tolerated_arguments: frozenset = frozenset()

    def __init_subclass__(cls, **kwargs):
        """Keep an older ``output_shape(self, input_shape)`` override working as
        ``compute_output_shape``, with a deprecation warning."""
        super().__init_subclass__(**kwargs)
        legacy = vars(cls).get("output_shape")
        if inspect.isfunction(legacy):
            warnings.warn(f"{cls.__qualname__}.output_shape(input_shape) is deprecated: override "
                          "compute_output_shape(input_shape), Keras's name", DeprecationWarning,
                          stacklevel=2)
            cls.compute_output_shape = legacy
            cls.output_shape = Layer.output_shape

    def __new__(cls, *args, **kwargs):
        """Keep the constructor's arguments as given, for ``repr`` (``LSTM(units=u)``)."""
        layer = super().__new__(cls)
        layer._given = (args, kwargs)
        return layer

    def __init__(self, *, name: str | None = None, trainable: bool = True, **ignored):
        if name is not None and (not isinstance(name, str) or not 0 < len(name) <= MAX_NAME):
            raise SymparamError(f"{type(self).__name__}: name must be a non-empty string of at "
                                f"most {MAX_NAME} characters, got {shorten(name)}")
        self.name = name
        self.trainable = args.flag(trainable, field="trainable", owner=args.where(self))
        unknown = sorted(set(ignored) - self.tolerated_arguments)
        if unknown:
            raise SymparamError(self._unknown_argument(unknown[0]))

    @classmethod
    def argument_names(cls) -> list:
        """The keyword arguments the class accepts, gathered along its ``__init__`` chain."""
        return list(_argument_names(cls))

    def _unknown_argument(self, field: str) -> str:
        known = self.argument_names()
        close = difflib.get_close_matches(field, known + sorted(self.tolerated_arguments), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return f"{args.where(self)}: unknown argument {field!r}{hint}"

    # -- argument coercion, naming this layer in every error ---------------------------------
    def as_size(self, field, value, minimum=1):
        expr = args.size(value, field=field, owner=args.where(self), minimum=minimum)
        self._record_size(field, (expr,), minimum)
        return expr

    def as_sizes(self, field, value, rank, minimum=1):
        exprs = args.sizes(value, rank, field=field, owner=args.where(self), minimum=minimum)
        self._record_size(field, exprs, minimum)
        return exprs

    def _record_size(self, field, exprs, minimum) -> None:
        """Remember symbolic size arguments: ``key_dim = d/h`` may occur in no shape (the
        weights are ``h*key_dim`` wide), yet ``subs`` must keep it a positive integer."""
        for expr in exprs:
            if not expr.is_Integer:
                self.__dict__.setdefault("_size_arguments", {}).setdefault(
                    expr, (f"argument {field}", minimum))

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
        shape = self._tensor_shape(name, rows, cols)
        copies = args.size(copies, field=f"copies of {name!r}", owner=args.where(self))
        return self.declare(Weight(name, shape, bool(trainable), copies))

    def buffer(self, name: str, rows, cols=1) -> Buffer:
        """Declare a buffer of shape ``(rows, cols)``: a tensor the layer keeps but does not
        train or count as a parameter (``Derivation.buffers``); return its symbol."""
        shape = self._tensor_shape(name, rows, cols)
        return self.declare(Weight(name, shape, trainable=False, kind="buffer"))

    def _tensor_shape(self, name, rows, cols) -> tuple:
        """A declared tensor's shape: each side a positive size (an int, an expression or safe
        text), checked like any argument; its name a non-empty string."""
        if not isinstance(name, str) or not 0 < len(name) <= MAX_NAME:
            raise SymparamError(f"{args.where(self)}: a weight name must be a non-empty string, "
                                f"got {shorten(name)}")
        owner = args.where(self)
        return (args.size(rows, field=f"rows of {name!r}", owner=owner),
                args.size(cols, field=f"columns of {name!r}", owner=owner))

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

    def compute_output_shape(self, input_shape):
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
        items = sorted((k, _cache.freeze(v)) for k, v in vars(self).items()
                       if k != "name" and not k.startswith("_"))
        return (type(self), tuple(items))

    def derive(self, input_shape, *, cache=None) -> Derivation:
        """Derive parameters, weights, equations and output shape on ``input_shape``.

        ``cache`` is the ``DerivationCache`` to look in first (default: the shared one)."""
        shape = self._normalize_input(input_shape)
        store = _cache.DERIVATIONS if cache is None else cache
        key = (self.config_key(), _cache.freeze(shape))
        found = store.get(key)
        if found is None:
            with _cache.active(store):
                found = self._derive_uncached(shape)
            store.put(key, found)
        return found if found.name == self.name else replace(found, name=self.name)

    def _normalize_input(self, input_shape):
        owner = args.where(self)
        if is_shape_list(input_shape):
            return [normalize_shape(shape, owner=owner) for shape in input_shape]
        return normalize_shape(input_shape, owner=owner)

    def build(self, input_shape) -> Built:
        """Equations, output shape and cost on one input shape, found together: the one
        question the engine asks a layer per shape.  By default the equations come from
        ``equations_for``, the shape from ``compute_output_shape`` (per position unless
        overridden) and the cost from ``cost``; layers made of other layers override ``build``
        to derive their parts once and read all three off them."""
        equations = self._checked(self.equations_for(input_shape))
        self._refuse_unknown_widths(getattr(self, "_declared", {}).values(), input_shape)
        if type(self).compute_output_shape is Layer.compute_output_shape:
            output = known((*input_shape[:-1], equations[-1].lhs.shape[0]))
        else:
            output = known(self.compute_output_shape(input_shape))
        return Built(equations, output, self.cost(input_shape, output, equations))

    def _refuse_unknown_widths(self, weights, shape) -> None:
        """A weight sized by an axis the input leaves unknown cannot be counted: refuse it
        before a shape rule trips over the unknown size."""
        sized = [w.name for w in weights if any(
            UNKNOWN in sympy.sympify(size, strict=True).free_symbols for size in w.shape)]
        if sized:
            raise SymparamError(f"{args.where(self)}: a feature axis of input shape "
                                f"{format_shape(shape)} must be known: it sizes the weight "
                                f"{sized[0]!r}")

    def _derive_uncached(self, shape) -> Derivation:
        built, declared = self._declaring(self.build, shape)
        equations = self._checked(built.equations)
        weights = collect_weights(equations, declared, owner=args.where(self),
                                  trainable=self.trainable)
        self._refuse_unknown_widths(weights.values(), shape)
        cost = built.cost
        if cost is not None and UNKNOWN in cost.macs.free_symbols | cost.elementwise.free_symbols:
            cost = None
        return Derivation.from_weights(
            class_name=self.class_name, input_shape=shape, output_shape=known(built.output_shape),
            equations=list(equations), cost=cost, argument_sizes=argument_sizes(self),
            **partition(weights))

    def equations_for(self, input_shape) -> list:
        """The equations on a whole input shape: by default ``equations`` on its feature
        vector.  Wrappers, which derive an inner layer on a shape, override this instead."""
        return _cache.equations_once(self, self.features(input_shape), self._equations_on)

    def _equations_on(self, features) -> list:
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
        """``equations_for(shape)`` and the tensors it declared, checked."""
        equations, declared = self._declaring(self.equations_for, shape)
        return self._checked(equations), declared

    def _declaring(self, step, shape):
        """``step(shape)`` with ``self.weight`` open for declarations; returns its result and
        what it declared.  Re-entrant: a shape rule may run the equations inside a build."""
        outer = getattr(self, "_declared", None)
        self._declared = {}
        try:
            result = step(shape)
            declared = self._declared
        except SymparamError:
            raise
        except (ShapeError, TypeError, ValueError, AttributeError, IndexError) as error:
            # a user's layer whose matrices do not align, or that takes several inputs and
            # was given one: one error naming the layer, never SymPy's own exception
            inputs = f" on {len(shape)} inputs" if is_shape_list(shape) else ""
            raise SymparamError(f"{args.where(self)}: its equations cannot be built{inputs} "
                                f"({type(error).__name__}: {str(error)[:120]})") from None
        finally:
            if outer is None:
                del self._declared
            else:
                self._declared = outer
        return result, declared

    def _checked(self, equations) -> list:
        if not isinstance(equations, (list, tuple)) or not equations or \
                not all(isinstance(eq, sympy.Eq) and isinstance(eq.lhs, sympy.MatrixExpr)
                        for eq in equations):
            raise SymparamError(f"{args.where(self)}: equations() must return a non-empty "
                                "list of sympy.Eq between matrices")
        return list(equations)

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
        self._last_call = node
        return node.outputs if isinstance(outputs, list) else node.outputs[0]

    @property
    def output_shape(self):
        """The output shape of the layer's last call on tensors (Keras's ``layer.output_shape``);
        a layer never called has none: ``derive(input_shape).output_shape`` gives it for any
        input."""
        node = getattr(self, "_last_call", None)
        if node is None:
            raise SymparamError(f"{args.where(self)}: it has not been called on a tensor, so it "
                                "has no output shape; use derive(input_shape).output_shape")
        shapes = [t.shape for t in node.outputs]
        return shapes if isinstance(node.derivation.output_shape, list) else shapes[0]

    @property
    def class_name(self) -> str:
        """The Keras class name shown in summaries."""
        return type(self).__name__

    def __repr__(self) -> str:
        """The constructor call with the arguments that differ from their defaults, as
        Keras's ``get_config`` would show them: ``LSTM(units=u)``."""
        given, keywords = getattr(self, "_given", ((), {}))
        return call_repr(type(self).__name__, given_arguments(type(self), given, keywords))


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

