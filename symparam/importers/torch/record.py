"""One forward pass of a live module on tensors without data, recorded and merged into the
rows ``from_torch`` found (``ops`` records, ``merge`` merges).

The input shape decides the tensors: ``None`` at the batch axis runs one example (PyTorch's
counter's batch 1); a concrete batch runs that batch and costs are divided by it, so they stay
per example; symbols (``"H"``, ``"T"``) run with PyTorch's symbolic shapes
(``symbolic``).  Token ids or floats: floats are tried first, then ids.
"""

from __future__ import annotations

import contextlib
import logging

import sympy

from symparam.core.dims import dim
from symparam.core.errors import SymparamError
from symparam.core.shapes import is_shape_list
from symparam.importers.torch.merge import Causal, Merged, merge
from symparam.importers.torch.ops import Recorder
from symparam.importers.torch.symbolic import (
    concrete_examples,
    pinned,
    refuse_pinned,
    symbolic_examples,
)


def read_forward(reader, module, input_shape, *, causal=Causal.FULL,
                 root_name="module") -> Merged:
    """Record ``module``'s forward on ``input_shape`` and merge it into ``reader``'s plans;
    a forward that cannot run on tensors without data is reported as uncounted work."""
    shapes = list(input_shape) if is_shape_list(input_shape) else [input_shape]
    first = shapes[0]
    # the batch is the axis marked None; a shape without one names its batch on axis 0,
    # unless the module reading it takes that rank as one example (merge decides)
    axis = first.index(None) if None in first else None
    batch = 1 if axis is not None or not first else first[0]
    runnable = [tuple(1 if s is None else s for s in shape) for shape in shapes]
    symbols = set().union(*(sympy.sympify(s, strict=True).free_symbols
                            for shape in runnable for s in shape))
    attempts = symbolic_examples(module, runnable, symbols) if symbols else \
        concrete_examples(module, runnable)
    failure = None
    for mode, make, translator in attempts:
        try:
            with _quiet(), mode if mode is not None else contextlib.nullcontext():
                examples = make()
            with _quiet():
                recording = Recorder(translator).run(module, examples, mode,
                                                     causal_calls=causal != Causal.FULL)
        except SymparamError:
            raise
        except Exception as error:  # noqa: BLE001 - any failure: try the next input kind
            failure = error
            continue
        # sizes made symbols by ``symbolic=`` rules, to compare shapes at their values
        values = {dim(name) if isinstance(name, str) else name: value
                  for name, value in reader.values.items()}
        if symbols:
            refuse_pinned(pinned(mode, translator))
            hints = mode.shape_env.backed_var_to_val
            values.update({user: int(hints[raw]) for raw, user in translator.symbols.items()})
        try:
            return merge(reader, module, recording, translator, batch=batch, batch_axis=axis,
                         values=values, causal=causal, root_name=root_name)
        except SymparamError:
            raise
        except Exception as error:  # noqa: BLE001 - never lose the rows fx found
            return Merged({f"forward not merged ({error!r})"[:160]: 1})
    reason = f"forward not recorded ({failure!r}"[:150] + ")"
    return Merged({reason: 1})


@contextlib.contextmanager
def _quiet():
    """Fake tensors log every failing operation; a failed attempt here is expected (floats
    where the model wants token ids), so their logger is silenced meanwhile."""
    logger = logging.getLogger("torch._subclasses.fake_tensor")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)
