"""What every report (derivation, summary, table, reconciliation, comparison) shares: rendering.

This is the one documented seam through which a value of a lower layer of the package reaches
the report layer: ``render`` is imported only when asked for (so building a report never loads
Jinja2), and the renderer tells reports apart by their ``report_kind`` attribute, so it never
imports the value classes back.
"""

from __future__ import annotations

from typing import ClassVar


class Renderable:
    """``render(fmt)`` and the notebook display hooks (``_repr_markdown_`` and friends)."""

    #: the view and template family that render this report (``"summary"``, ...)
    report_kind: ClassVar[str] = ""

    def render(self, fmt: str = "text", **options) -> str:
        from symparam.report.render import render
        return render(self, fmt, **options)

    def __str__(self) -> str:
        """The text rendering, so ``print(model.summary())`` shows the table as Keras's
        ``summary()`` does; ``repr`` stays one short line."""
        return self.render("text")

    def _repr_markdown_(self) -> str:
        return self.render("markdown")

    def _repr_latex_(self) -> str:
        return self.render("latex")

    def _repr_html_(self) -> str:
        return self.render("html", standalone=False)
