"""``python -m symparam``: the same command line as the ``symparam`` script."""

import sys

from symparam.cli import main

sys.exit(main())
