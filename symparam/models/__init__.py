"""Models: ``Input``, functional ``Model`` graphs, ``Sequential`` stacks and their ``Summary``.

A model is itself a layer, so it can be called on tensors, nested, and wrapped in
``TimeDistributed``.
"""

from symparam.models.functional import Input, Model
from symparam.models.sequential import Sequential
from symparam.models.summary import Row, Summary

__all__ = ["Input", "Model", "Row", "Sequential", "Summary"]
