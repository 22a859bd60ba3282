"""The custom-layer page and the README's example run as written (doctests)."""

import doctest
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent.parent


@pytest.mark.parametrize("page", ["docs/custom-layers.md", "README.md"])
def test_examples_run_as_written(page):
    result = doctest.testfile(str(ROOT / page), module_relative=False,
                              optionflags=doctest.ELLIPSIS, raise_on_error=False, verbose=False)
    assert result.attempted > 0 and result.failed == 0, result


def test_the_vocabulary_table_names_what_the_module_exports():
    from symparam.engine import equations
    page = (ROOT / "docs" / "custom-layers.md").read_text(encoding="utf-8")
    for name in ("Eq", "vector", "affine", "activate", "stack"):
        assert callable(getattr(equations, name)) and f"`{name}(" in page
