"""The command line run in-process, as the CLI tests call it, and the example files they read."""

from pathlib import Path

from symparam.cli import main

EXAMPLES = Path(__file__).parent.parent / "docs" / "examples"


def run(capsys, *argv):
    """``(exit code, stdout, stderr)`` of ``symparam *argv``."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err
