"""Compatibility path for ``python -m symparam.docsgen``: the generator is
``symparam.report.docsgen`` (checkout only: it rewrites the checkout's ``docs/``)."""

from symparam.report.docsgen import main

if __name__ == "__main__":
    raise SystemExit(main())
