"""Frozen entry point of the ``orban-desktop`` binary (the desktop window and tray).

PyInstaller runs this file as ``__main__``; it only hands over to
:func:`orban_desktop.app.main`, which calls ``multiprocessing.freeze_support()`` first so that
PoW worker processes (spawned as this same binary) work. Qt is imported by ``app.main``.
"""

from __future__ import annotations

import sys

from orban_desktop.app import main

if __name__ == "__main__":
    sys.exit(main())
