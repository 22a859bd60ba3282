"""The derivation cache: identical layer configurations on identical shapes derive once.

A model repeats the same layer configuration many times (ResNet's blocks, a transformer's
layers), and deriving means walking SymPy trees, so ``Layer.derive`` looks here first.  The
cache is an explicit, bounded object: ``Layer.derive(shape, cache=...)`` takes another one (or
``None`` for the shared ``DERIVATIONS``), and ``clear()`` empties it, the equations it keeps
beside the derivations included.  Keys are the layer's
``config_key()`` (its class and hyperparameters) and the frozen input shape, so a hit can never
return another configuration's derivation.
"""

from __future__ import annotations

from collections import OrderedDict
from contextlib import contextmanager
from contextvars import ContextVar


class _Bounded:
    """A bounded least-recently-used map, counting its hits and misses."""

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


class DerivationCache(_Bounded):
    """Derivations by ``(config key, shape)``, and beside them (``equations``) the layers'
    equations by configuration and feature sizes, which several shapes share
    (``equations_once``).  Both belong to the cache: a fresh cache, or ``clear()``, derives
    everything anew, equations included."""

    def __init__(self, capacity: int = 4096):
        super().__init__(capacity)
        self.equations = _Bounded(capacity)

    def clear(self) -> None:
        self.entries.clear()
        self.equations.entries.clear()


#: the cache every ``derive`` uses unless given another
DERIVATIONS = DerivationCache()
#: the cache of the derivation running now (``Layer.derive`` sets it): where
#: ``equations_once`` looks
ACTIVE: ContextVar[DerivationCache | None] = ContextVar("symparam_derivation_cache",
                                                        default=None)


@contextmanager
def active(cache: DerivationCache):
    """``cache`` is the one the derivations inside the block write their equations to."""
    token = ACTIVE.set(cache)
    try:
        yield
    finally:
        ACTIVE.reset(token)


def equations_once(layer, features, write) -> list:
    """``write(features)``, a layer's equations on its feature vector, written once per
    configuration and feature sizes.  They never see the rest of the shape, so a BatchNorm on
    112x112 and on 56x56 images, or the walk's layout and the forward's real shape, share them
    (and the weights they declare, declared again on the layer at each use).  The key holds
    the ``equations`` function too: replacing it (a test perturbing a layer) writes anew."""
    declared = getattr(layer, "_declared", None)
    if declared is None:
        return write(features)
    key = (layer.config_key(), type(layer).equations, type(layer).feature_vector,
           freeze(features), layer.input_name)
    store = (ACTIVE.get() or DERIVATIONS).equations
    found = store.get(key)
    if found is None:
        before = set(declared)
        equations = write(features)
        if not isinstance(equations, (list, tuple)):
            return equations  # refused by the caller's check, never cached
        found = (tuple(equations), [w for n, w in declared.items() if n not in before])
        store.put(key, found)
    else:
        for weight in found[1]:
            layer.declare(weight)
    return list(found[0])


def freeze(value):
    """A hashable stand-in for a layer attribute, used in cache keys: nested layers by their
    own ``config_key()``, containers as tuples."""
    if hasattr(value, "config_key") and not isinstance(value, type):
        return value.config_key()
    if isinstance(value, (list, tuple)):
        return tuple(freeze(item) for item in value)
    if isinstance(value, dict):
        return tuple(sorted((key, freeze(item)) for key, item in value.items()))
    return value
