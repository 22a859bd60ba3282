"""The engine: a layer states equations; the engine finds the parameters, sums their sizes,
derives shapes and reads the cost off the same trees.

``equations`` is the vocabulary for writing a layer, ``layer`` the base class, ``derivation``
the frozen value ``derive`` returns, ``substitute`` gives dimensions values in any report,
``cache`` keeps derivations of identical configurations, ``registry`` holds catalogues by name.
"""

from symparam.engine.derivation import Derivation
from symparam.engine.layer import Layer
from symparam.engine.weights import Buffer, Param, Weight

__all__ = ["Buffer", "Derivation", "Layer", "Param", "Weight"]
