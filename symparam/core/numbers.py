"""Numbers with a size suffix (``1k``, ``1M``, ``2.5k``, ``175B``), read the same way wherever
a value is taken: ``--set``, a spec's ``dims``, a layer argument, a budget.

Only a whole text of digits, an optional decimal part and one suffix is read here, by a regular
expression; everything else goes to the whitelist parser (``symparam.core.dims.parse``), so
the rules of DESIGN.md section 6 still hold (no evaluation, bounded size).
"""

from __future__ import annotations

import re

import sympy

from symparam.core.errors import SymparamError, shorten

#: suffix -> factor; ``B`` (billion) and ``G`` mean the same, as in "GPT-3 175B"
SUFFIXES = {"k": 10**3, "m": 10**6, "g": 10**9, "b": 10**9, "t": 10**12}
_NUMBER = re.compile(r"\s*(\d{1,15}(?:\.\d{1,6})?)\s*([kKmMgGbBtT])\s*")


def suffixed(text: str) -> sympy.Integer | None:
    """``"1M"`` -> ``1000000``; ``None`` if ``text`` is not a number with a suffix.

    >>> suffixed("2.5k"), suffixed("175B"), suffixed("u")
    (2500, 175000000000, None)
    """
    match = _NUMBER.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        return None
    mantissa, suffix = match.groups()
    value = sympy.Rational(mantissa) * SUFFIXES[suffix.lower()]
    if not value.is_Integer:
        raise SymparamError(f"{shorten(text)} is not a whole number")
    return sympy.Integer(value)
