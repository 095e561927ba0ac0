"""``python -m orban_runner``: the runner's command line (see cli.py and docs/runner.md).

SIGTERM (``docker stop``, the agent cancelling a task) is turned into :class:`Stopped`, so the
run ends the usual way: exit 1, no result file left, one last ``orban-runner: ...`` line.
"""

import signal
import sys
from types import FrameType

from orban_runner.cli import main
from orban_runner.errors import Stopped


def _stop(signum: int, frame: FrameType | None) -> None:
    raise Stopped(f"stopped by signal {signal.Signals(signum).name} before the end")


signal.signal(signal.SIGTERM, _stop)
sys.exit(main())
