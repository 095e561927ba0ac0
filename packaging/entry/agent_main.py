"""Frozen entry point of the ``orban-agent`` binary (the CLI and the headless agent).

PyInstaller runs this file as ``__main__``; it only hands over to
:func:`orban_desktop.cli.main`, which calls ``multiprocessing.freeze_support()`` first so that
PoW worker processes (spawned as this same binary) work. Imports nothing from Qt.
"""

from __future__ import annotations

import sys

from orban_desktop.cli import main

if __name__ == "__main__":
    sys.exit(main())
