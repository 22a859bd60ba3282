"""Text tables that fit a width: column widths chosen, long cells wrapped onto more lines.

Pure functions over already written (escaped) cell text, so ``render.box`` stays the one place
that knows formats.  Symbolic formulas make naive tables hundreds of columns wide; here the
widest columns give way first, down to a floor, and their cells wrap at spaces (a formula breaks
after ``+``), so a summary reads in a terminal, as Keras's ``summary()`` does (it wraps too).
"""

from __future__ import annotations

import shutil
import sys
import textwrap

#: the width of a table when the output is not a terminal (a file, a pipe, a test)
DEFAULT_WIDTH = 100
#: no column is narrowed below this (or its natural width, if smaller)
MIN_COLUMN = 10


def default_width() -> int:
    """The terminal's width when standard output is one, else ``DEFAULT_WIDTH``."""
    try:
        if sys.stdout is not None and sys.stdout.isatty():
            return max(40, shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns)
    except (AttributeError, ValueError, OSError):
        pass
    return DEFAULT_WIDTH


def column_widths(natural: list[int], width: int | None, floors: list[int] | None = None,
                  keep=()) -> list[int]:
    """Widths for columns whose widest cells are ``natural``, so that the box-drawn row
    (``│ a │ b │``: three characters per column and one) fits in ``width`` if it can.

    Each column keeps at least its floor (its longest word, so names do not break); beyond
    that the widest columns (formulas, long shapes) are cut to one common width, and narrow
    columns keep their natural width.  Columns in ``keep`` (a formula) stay whole while the
    others can give way."""
    if width is None:
        return list(natural)
    floors = [min(n, f) for n, f in zip(natural, floors or [MIN_COLUMN] * len(natural))]
    budget = width - 3 * len(natural) - 1
    if sum(floors) > budget:  # too narrow to keep words whole: cut the widest words first
        floors = _squeezed(floors, budget)
    if keep:
        whole = [n if i in keep else f for i, (n, f) in enumerate(zip(natural, floors))]
        if sum(whole) + 3 * len(natural) + 1 <= width:
            floors = whole

    def at(level):  # every column as wide as ``level``, within its floor and natural width
        return [max(f, min(n, level)) for n, f in zip(natural, floors)]

    level = max(natural, default=0)
    while level > 0 and sum(at(level)) > budget:
        level -= 1
    widths = at(level)
    spare = budget - sum(widths)  # rounding: the columns still cut get one more, widest first
    for i in sorted(range(len(widths)), key=lambda i: natural[i] - widths[i], reverse=True):
        if spare <= 0 or widths[i] >= natural[i]:
            break
        widths[i] += 1
        spare -= 1
    return widths


def _squeezed(floors: list[int], budget: int, least: int = 3) -> list[int]:
    """Floors cut to fit ``budget``, one character at a time from the widest: the first
    column (the row's name) gives way last, so a layer's name stays whole while a shape or
    an argument list wraps inside its words."""
    floors = list(floors)
    excess = sum(floors) - budget
    for protect in (True, False):
        while excess > 0:
            open_ = [i for i, f in enumerate(floors) if f > least and not (protect and i == 0)]
            if not open_:
                break
            widest = max(open_, key=lambda i: floors[i])
            floors[widest] -= 1
            excess -= 1
    return floors


def longest_word(cells: list[str], cap: int | None = 24) -> int:
    """The longest space-free run in ``cells`` (at most ``cap``): a column's floor."""
    longest = max((len(word) for cell in cells for word in cell.split()), default=1)
    return longest if cap is None else min(cap, longest)


def wrap(cell: str, width: int) -> list[str]:
    """A cell's lines at ``width``: broken at spaces, a word longer than the column cut."""
    if len(cell) <= width:
        return [cell]
    return textwrap.wrap(cell, width, break_on_hyphens=False) or [""]


def fold(text: str, width: int | None, indent: str = " ") -> str:
    """A line of running text (``where u = 128, ...``) folded at spaces to ``width``."""
    body = text.rstrip("\n")
    if width is None or len(body) <= width:
        return text
    return "\n".join(textwrap.wrap(body.strip(), width, initial_indent=indent,
                                   subsequent_indent=indent + "  ",
                                   break_on_hyphens=False)) + text[len(body):]


def lay_out(header: list[str], rows: list[list[str]], align: list[bool],
            width: int | None, keep=()) -> dict:
    """Column ``widths``, the ``header`` and each row as lists of padded physical lines."""
    columns = list(zip(header, *rows))
    natural = [max(len(cell) for cell in column) for column in columns]
    # the first column names the row (a layer's class or name): kept whole up to 32 characters
    floors = [longest_word(column, cap=32 if i == 0 else 24) for i, column in enumerate(columns)]
    widths = column_widths(natural, width, floors, keep)

    def lines(cells):
        wrapped = [wrap(cell, w) for cell, w in zip(cells, widths)]
        height = max(len(parts) for parts in wrapped)
        padded = []
        for i in range(height):
            padded.append([(parts[i] if i < len(parts) else "").rjust(w) if right
                           else (parts[i] if i < len(parts) else "").ljust(w)
                           for parts, w, right in zip(wrapped, widths, align)])
        return padded

    return {"widths": widths, "header": lines(header), "rows": [lines(row) for row in rows]}
