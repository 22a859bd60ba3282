"""docs/notebooks/quickstart.ipynb runs top to bottom in a fresh kernel (nbclient), and its rich
displays are there: a derivation and a summary as LaTeX/HTML, a sweep plot, a LaTeX export."""

from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).parent.parent.parent


def test_quickstart_notebook_executes_with_rich_outputs():
    notebook = nbformat.read(ROOT / "docs" / "notebooks" / "quickstart.ipynb", as_version=4)
    NotebookClient(notebook, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT)}}).execute()
    outputs = [output for cell in notebook.cells if cell.cell_type == "code"
               for output in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    kinds = [set(o.get("data", {})) for o in outputs]
    assert any({"text/latex", "text/html"} <= kind for kind in kinds)  # derivation, summary
    assert any("image/png" in kind for kind in kinds)  # the sweep plot
    printed = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert 'Model: "text-lstm"' in printed and "197,120" in printed
    assert "\\begin{" in printed  # the LaTeX export
