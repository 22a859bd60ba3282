"""What every report (derivation, summary, table, reconciliation) shares: rendering.

Rendering is imported only when asked for, so building a report never loads Jinja2.
"""

from __future__ import annotations


class Renderable:
    """``render(fmt)`` and the notebook display hooks (``_repr_markdown_`` and friends)."""

    def render(self, fmt: str = "text", **options) -> str:
        from symparam.render import render
        return render(self, fmt, **options)

    def _repr_markdown_(self) -> str:
        return self.render("markdown")

    def _repr_latex_(self) -> str:
        return self.render("latex")

    def _repr_html_(self) -> str:
        return self.render("html", standalone=False)
