"""Compatibility path: the symbolic queries live in ``symparam.analysis.query`` (and the main
ones are re-exported at the top level: ``S.solve_budget``, ``S.sweep``)."""

from symparam.analysis.query import *  # noqa: F401,F403
from symparam.analysis.query import __all__  # noqa: F401
