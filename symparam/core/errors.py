"""The single error type every bad input turns into.

Subclassing ``ValueError`` lets callers who already catch ``ValueError`` keep working, while the
CLI can tell a user's mistake (exit 2, one line) from a bug in symparam (a traceback).
"""


class SymparamError(ValueError):
    """A bad input: a size, a shape, a spec, a name or a file symparam refuses."""


def shorten(value: object, limit: int = 60) -> str:
    """``repr`` of a user value, cut so that an error message stays one readable line."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
