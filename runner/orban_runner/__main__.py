"""``python -m orban_runner``: the runner's command line."""

import sys

from orban_runner.cli import main

sys.exit(main())
