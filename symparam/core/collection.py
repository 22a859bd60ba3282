"""The cyclic garbage collector paused for one bounded piece of work.

Reading a live model allocates hundreds of thousands of short-lived objects (SymPy expressions,
``torch.fx`` nodes, meta tensors), almost all freed by reference counting as soon as they are
dropped; the cyclic collector still walks the young ones each time its allocation threshold is
crossed, and in a process holding SymPy's and the derivation caches that cost 10-20% of a read
of a timm model.  ``paused_collection`` suspends it for the read and turns it back on after,
whatever happens, only if it was on: the cycles the read leaves (an fx graph's nodes) are
collected then, so nothing is kept, and a caller that disabled the collector keeps it off.
"""

from __future__ import annotations

import contextlib
import gc


@contextlib.contextmanager
def paused_collection():
    """The block runs with the cyclic garbage collector off (module docstring)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
