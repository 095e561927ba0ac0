"""Structured logging for both faces: a rotating file, the console and the event bus.

:func:`configure_logging` installs three handlers on the root logger: a rotating file (5 MB x 5,
created owner-only in a 0700 folder), an optional console handler, and a handler that publishes
each record as a :class:`~orban_desktop.events.LogRecorded` event for the GUI's live log view.
Records print as ``time level logger: message key=value ...``, where the pairs are the ``extra``
fields a caller passed; an extra whose name looks like a secret (key, token, signature, password)
is printed as ``<redacted>``, so a slip never puts a secret in a log file. Control characters
in a message or a value are escaped (:func:`escape_controls`), so text that came from the wire
cannot forge a log line; a traceback keeps its lines. Calling it again
replaces what an earlier call installed. Imports ``events`` only from the project; never Qt.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import logging.handlers
import os
import re
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from orban_desktop.events import EventBus, LogRecorded

MAX_LOG_BYTES = 5 * 1024 * 1024
LOG_BACKUPS = 5
LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING,
          "error": logging.ERROR}  # fmt: skip
#: Names of ``extra`` fields never written out.
_SECRET_NAME = re.compile(r"secret|private|token|jwt|password|signature|(^|_)key$", re.IGNORECASE)
#: Attributes every LogRecord has; anything else on a record came from ``extra``.
_STANDARD_ATTRS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message", "asctime", "taskName"
}  # fmt: skip
_INSTALLED_MARK = "_orban_installed"


#: Characters that could end or rewrite a log line: C0/C1 controls, DEL, Unicode line breaks.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escape_controls(text: str) -> str:
    """``text`` on one line: each control character written as an escape (``\\n``, ``\\x1b``).

    Platform text (an ERROR's message, a task id, a reason) reaches log lines; escaped, a newline
    in it cannot start a forged line such as ``... orban_desktop.earnings: owner approved payout``.
    """
    if not _CONTROL.search(text):
        return text
    return _CONTROL.sub(lambda m: _NAMED.get(m.group()) or _escape(ord(m.group())), text)


def _escape(code: int) -> str:
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def _format_value(value: object) -> str:
    text = escape_controls(str(value))
    if not text or any(char.isspace() or char in '"=' for char in text):
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    return text


class StructuredFormatter(logging.Formatter):
    """``2025-11-27 10:00:00,123 INFO orban.x: message key=value`` with secrets redacted."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def formatMessage(self, record: logging.LogRecord) -> str:
        # The message (with its arguments, which may be platform text) stays on one line; a
        # traceback, added after this by ``format``, keeps its own lines.
        record.message = escape_controls(record.message)
        return super().formatMessage(record)

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        pairs = [
            f"{name}={'<redacted>' if _SECRET_NAME.search(name) else _format_value(value)}"
            for name, value in vars(record).items()
            if name not in _STANDARD_ATTRS and not name.startswith("_")
        ]
        if not pairs:
            return text
        first, newline, rest = text.partition("\n")  # keep a traceback below the pairs
        return f"{first} {' '.join(pairs)}{newline}{rest}"


class OwnerOnlyRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating file handler whose files are created with mode 0600."""

    def _open(self) -> io.TextIOWrapper:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        stream: io.TextIOWrapper = os.fdopen(fd, "a", encoding=self.encoding)
        return stream


class EventBusHandler(logging.Handler):
    """Publishes records as ``LogRecorded`` events on the thread that made the handler.

    A record logged on another thread (the ledger's worker, say) is handed to the event loop that
    was running when the handler was made; with no such loop it is dropped from the bus (it is
    still in the file). A record logged while publishing (a failing subscriber) is not re-published.
    """

    def __init__(self, bus: EventBus, level: int = logging.NOTSET) -> None:
        super().__init__(level)
        self._bus = bus
        self._thread = threading.get_ident()
        try:
            self._loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            self._loop = None
        self._publishing = False

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = escape_controls(record.getMessage())
            event = LogRecorded(record.levelno, record.name, message, record.created)
        except Exception:
            self.handleError(record)
            return
        if threading.get_ident() == self._thread:
            self._publish(event)
        elif self._loop is not None and not self._loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                self._loop.call_soon_threadsafe(self._publish, event)

    def _publish(self, event: LogRecorded) -> None:
        if self._publishing:
            return
        self._publishing = True
        try:
            self._bus.publish(event)
        finally:
            self._publishing = False


@dataclass
class InstalledLogging:
    """What :func:`configure_logging` installed; :meth:`close` takes it off again."""

    handlers: list[logging.Handler]
    log_file: Path

    def close(self) -> None:
        root = logging.getLogger()
        for handler in self.handlers:
            root.removeHandler(handler)
            handler.close()


def configure_logging(
    level: int | str, log_file: Path, *, console: bool, bus: EventBus | None = None
) -> InstalledLogging:
    """Log to ``log_file`` (rotating), optionally to stderr and to ``bus``.

    Args:
        level: A ``logging`` level or a settings name (``"debug"``, ``"info"``, ...).
        log_file: The log file; its folder is created with mode 0700 when missing.
        console: Also write to stderr. A plain stream handler already on the root logger (one
            ``logging.basicConfig`` made) is removed either way.
        bus: Where ``LogRecorded`` events go; ``None``: nowhere.

    Raises:
        OSError: The folder or the file cannot be created.
    """
    numeric = LEVELS[level.lower()] if isinstance(level, str) else level
    log_file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    root = logging.getLogger()
    for handler in list(root.handlers):
        earlier = getattr(handler, _INSTALLED_MARK, False)
        if earlier or type(handler) is logging.StreamHandler:  # basicConfig()'s: lines twice
            root.removeHandler(handler)
            handler.close()
    formatter = StructuredFormatter()
    handlers: list[logging.Handler] = [
        OwnerOnlyRotatingFileHandler(
            log_file, maxBytes=MAX_LOG_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8"
        )
    ]
    if console:
        handlers.append(logging.StreamHandler(sys.stderr))
    if bus is not None:
        handlers.append(EventBusHandler(bus))
    for handler in handlers:
        handler.setFormatter(formatter)
        handler.setLevel(numeric)
        setattr(handler, _INSTALLED_MARK, True)
        root.addHandler(handler)
    root.setLevel(numeric)
    return InstalledLogging(handlers, log_file)
