"""``status.json``: what a running agent shows ``orban-agent status`` and its Prometheus endpoint.

The running agent writes a :class:`StatusSnapshot` (atomically, owner-only) into its state folder
beside the pid file every few seconds and on every state change (see
:mod:`orban_desktop.headless.status_writer`); other processes read it with :func:`read_status`,
which treats a file whose process is gone (or a zombie) as "not running". Amounts are integer
micro-units with their exact text from :meth:`~orban_desktop.money.Money.from_micros`.
The pid file beside it (``<pid>`` and, on a second line, the face that runs the agent) is read
by :func:`read_pid_file`; :mod:`~orban_desktop.headless.agent_lock` writes it and keeps a second
agent from starting on the same files. Imports only ``fsutil`` and ``money`` from the project
(no agent, no GPU layer), never Qt.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from orban_desktop.fsutil import atomic_write_bytes
from orban_desktop.money import Money

STATUS_FILE_NAME = "status.json"
#: The writer's regular period; a file older than three periods is shown as not updating.
STATUS_INTERVAL_S = 5.0


@dataclass(frozen=True)
class GpuReading:
    """One GPU's latest reading (``None``: the driver does not report it)."""

    index: int
    name: str
    simulated: bool
    utilization_pct: float | None = None
    temperature_c: float | None = None
    memory_used_bytes: int | None = None
    memory_total_bytes: int | None = None
    power_w: float | None = None


@dataclass(frozen=True)
class TaskReading:
    """A task the agent runs now; ``progress`` is 0..1."""

    task_id: str
    stage: str
    progress: float
    gpu_index: int | None


@dataclass(frozen=True)
class EarningsTotals:
    """The ledger's sums in micro-units: ``earned`` is every status (pending + confirmed +
    paid), so ``today`` is never above it; ``total`` = confirmed + paid, as upstream's tracker."""

    today_micros: int = 0
    earned_micros: int = 0
    pending_micros: int = 0
    confirmed_micros: int = 0
    paid_micros: int = 0
    total_micros: int = 0
    currency: str = "USD"

    @property
    def today(self) -> str:
        return Money.from_micros(self.today_micros).text

    @property
    def pending(self) -> str:
        return Money.from_micros(self.pending_micros).text

    @property
    def total(self) -> str:
        return Money.from_micros(self.total_micros).text


@dataclass(frozen=True)
class StatusSnapshot:
    """One picture of a running agent.

    Attributes:
        pid: The agent's process id.
        started_at: When it started, Unix seconds.
        updated_at: When this snapshot was taken, Unix seconds.
        state: A ``ConnectionState`` value (``"serving"``, ``"offline"``, ...).
        pause_reasons: Pause reason codes (empty: contributing).
        platform_url: The platform it connects to.
        agent_id: Its agent id.
        gpus: The latest reading of each GPU.
        tasks: Tasks running now.
        earnings: The ledger's sums (``None`` before the first read).
        tasks_completed: Tasks finished with a result since start.
        tasks_failed: Tasks failed or handed back since start.
        metrics_url: Where its Prometheus endpoint listens (``None``: off).
        real_tasks: Whether and where real (runner) tasks run, in words (``None``: not known).
        state_detail: Why the agent is in ``state``, in words (a key rejection's reason).
        face: Which face runs it: ``"desktop"`` (the window) or ``"headless"`` (``None``: an
            older agent that did not say).
    """

    pid: int
    started_at: float
    updated_at: float
    state: str
    platform_url: str
    agent_id: str
    pause_reasons: tuple[str, ...] = ()
    gpus: tuple[GpuReading, ...] = ()
    tasks: tuple[TaskReading, ...] = ()
    earnings: EarningsTotals | None = None
    tasks_completed: int = 0
    tasks_failed: int = 0
    metrics_url: str | None = None
    real_tasks: str | None = None
    state_detail: str | None = None
    face: str | None = None

    def age_s(self, now: float | None = None) -> float:
        """Seconds since this snapshot was written."""
        return max(0.0, (time.time() if now is None else now) - self.updated_at)

    def is_current(self, now: float | None = None) -> bool:
        """Whether the writer has updated it within three of its periods."""
        return self.age_s(now) <= 3 * STATUS_INTERVAL_S


_ADAPTER = TypeAdapter(StatusSnapshot)


def status_file_for(pid_file: Path) -> Path:
    """The status file that belongs beside ``pid_file``."""
    return pid_file.with_name(STATUS_FILE_NAME)


def encode_status(snapshot: StatusSnapshot) -> bytes:
    return _ADAPTER.dump_json(snapshot, indent=2) + b"\n"


def decode_status(data: bytes) -> StatusSnapshot:
    """Parse a status file's content. Raises ``ValueError`` when it is not one."""
    try:
        return _ADAPTER.validate_json(data)
    except ValidationError as exc:
        raise ValueError(f"not an agent status file: {exc.error_count()} problem(s)") from exc


def write_status(path: Path, snapshot: StatusSnapshot) -> None:
    """Replace ``path`` atomically with ``snapshot`` (mode 0600). Raises ``OSError``.

    Not fsynced: it is a reading, rewritten every few seconds; after a power cut the agent that
    wrote it is gone too, and a missing or empty file reads as "not running".
    """
    atomic_write_bytes(path, encode_status(snapshot), mode=0o600, durable=False)


def read_status(path: Path) -> StatusSnapshot | None:
    """The snapshot of a running agent, or ``None`` when none runs.

    ``None`` when the file is missing, unreadable or not a status file, or when the process it
    names is no longer alive (a stale file left by a crash).
    """
    try:
        snapshot = decode_status(path.read_bytes())
    except (OSError, ValueError):
        return None
    return snapshot if pid_alive(snapshot.pid) else None


def read_pid_file(path: Path) -> int | None:
    """The pid in a pid file (its first line), or ``None`` when it is missing or holds none."""
    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError):
        return None
    first = text.strip().split("\n", 1)[0].strip()
    return int(first) if first.isdigit() and int(first) > 0 else None


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` exists and has not exited (a zombie counts as exited)."""
    if pid <= 0:
        return False
    if sys.platform == "win32":
        return _windows_pid_alive(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, owned by someone else
        return True
    except OSError:
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:  # no /proc (macOS): signal 0 is the best answer there
        return True
    fields = stat.rpartition(")")[2].split()
    return not fields or fields[0] not in ("Z", "X")


def _windows_pid_alive(pid: int) -> bool:  # pragma: no cover - Windows only
    if sys.platform != "win32":
        return False
    import ctypes

    query_limited_information, still_active = 0x1000, 259
    kernel = ctypes.windll.kernel32
    handle = kernel.OpenProcess(query_limited_information, False, pid)
    if not handle:
        return False
    try:
        code = ctypes.c_ulong()
        return bool(kernel.GetExitCodeProcess(handle, ctypes.byref(code))) and (
            code.value == still_active
        )
    finally:
        kernel.CloseHandle(handle)
