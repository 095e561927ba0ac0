"""One agent per set of files, whichever face (the desktop window or headless) runs it.

:class:`AgentLock` is what a running agent holds: its pid file, locked with ``flock`` where the
system has it (two agents starting at the same moment cannot both win) and naming this process
and its face (``"<pid>\\n<face>\\n"``). :func:`check_not_running` is the check alone, for
``orban-agent start`` before it spawns the background agent. Both raise :class:`AlreadyRunning`,
whose message says which face runs (and its pid) and how to stop it. :meth:`AgentLock.release`
removes the pid file and ``status.json`` while they are still ours. Every call here does
blocking file I/O: on an event loop, call it through ``asyncio.to_thread``. It lives in
``headless`` beside the status file it guards, and the desktop app uses it too (both faces share
this one piece of code). Imports ``errors`` and ``status_file``, never Qt.
"""

from __future__ import annotations

import contextlib
import os
import sys
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from orban_desktop.errors import OrbanError
from orban_desktop.headless.status_file import (
    pid_alive,
    read_pid_file,
    read_status,
    status_file_for,
)


class AgentFace(StrEnum):
    """Which program runs the agent."""

    DESKTOP = "desktop"
    HEADLESS = "headless"


@dataclass(frozen=True)
class RunningAgent:
    """Another live agent on the same files (``face`` ``None``: an older agent that did not say)."""

    pid: int
    face: AgentFace | None


class AlreadyRunning(OrbanError):
    """Another agent with the same files is running (its pid file names a live process)."""

    title = "Agent already running"


#: How each face is named and stopped, with ``{pid}``.
_REFUSALS: dict[AgentFace | None, tuple[str, str]] = {
    AgentFace.DESKTOP: (
        "agent_running_desktop",
        "The Orban Agent desktop app (pid {pid}) already runs with these files. Quit it (Quit "
        "in its window or tray menu, or `orban-agent stop`) before starting another agent.",
    ),
    AgentFace.HEADLESS: (
        "agent_running_headless",
        "A headless Orban agent (pid {pid}) already runs with these files. See it with "
        "`orban-agent status`; stop it with `orban-agent stop` before starting another.",
    ),
    None: (
        "agent_running",
        "An agent (pid {pid}) already runs with these files. See it with `orban-agent status`; "
        "stop it with `orban-agent stop` before starting another.",
    ),
}


def _face(text: str) -> AgentFace | None:
    with contextlib.suppress(ValueError):
        return AgentFace(text.strip())
    return None


def running_agent(pid_file: Path) -> RunningAgent | None:
    """The other live agent ``pid_file`` names (its face from the pid file, else status.json)."""
    pid = read_pid_file(pid_file)
    if pid is None or pid == os.getpid() or not pid_alive(pid):
        return None
    try:
        lines = pid_file.read_text(encoding="ascii").split()
    except (OSError, UnicodeDecodeError):
        lines = []
    face = _face(lines[1]) if len(lines) > 1 else None
    if face is None:
        snapshot = read_status(status_file_for(pid_file))
        if snapshot is not None and snapshot.pid == pid and snapshot.face:
            face = _face(snapshot.face)
    return RunningAgent(pid, face)


def already_running(other: RunningAgent | None, pid_file: Path) -> AlreadyRunning:
    """The refusal that names ``other`` (``None``: one holds the lock, its pid not yet written)."""
    if other is None:
        return AlreadyRunning(
            "Another agent is starting with these files right now. See it with `orban-agent "
            "status` in a moment.",
            context={"pid_file": str(pid_file)},
            reason="agent_starting",
        )
    reason, text = _REFUSALS[other.face]
    context = {"pid": other.pid, "face": other.face, "pid_file": str(pid_file)}
    return AlreadyRunning(text.format(pid=other.pid), context=context, reason=reason)


def check_not_running(pid_file: Path) -> None:
    """Raises :class:`AlreadyRunning` when ``pid_file`` names another live process."""
    other = running_agent(pid_file)
    if other is not None:
        raise already_running(other, pid_file)


if sys.platform == "win32":  # pragma: no cover - no flock there: the pid check alone

    def _try_lock(fd: int) -> bool:
        return True

    def _unlock(fd: int) -> None:
        return None

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


def _same_file(fd: int, path: Path) -> bool:
    """Whether ``path`` still names the open file ``fd`` (its owner may have removed it)."""
    try:
        return os.path.samestat(os.fstat(fd), path.stat())
    except OSError:
        return False


class AgentLock:
    """This process's claim on the files beside ``pid_file``, for one face.

    Args:
        pid_file: The agent's pid file (``AppPaths.pid_file``); ``status.json`` lies beside it.
        face: Which face this process is.
    """

    def __init__(self, pid_file: Path, face: AgentFace) -> None:
        self.pid_file = pid_file
        self.face = face
        self._fd: int | None = None

    @property
    def status_file(self) -> Path:
        return status_file_for(self.pid_file)

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> None:
        """Lock the pid file and write this process's pid and face into it.

        Raises:
            AlreadyRunning: Another agent holds the lock, or its pid file names a live process.
            OrbanError: The pid file cannot be created or written.
        """
        if self._fd is not None:
            return
        try:
            self.pid_file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            for _attempt in range(5):
                fd = os.open(self.pid_file, os.O_RDWR | os.O_CREAT, 0o644)
                if self._claim(fd):
                    self._fd = fd
                    return
        except OSError as exc:
            raise OrbanError(
                f"Cannot write the pid file {self.pid_file}: {exc.strerror or exc}. Check that "
                "its folder is yours and writable.",
                title="Cannot write the pid file",
                context={"path": str(self.pid_file)},
            ) from exc
        raise already_running(running_agent(self.pid_file), self.pid_file)

    def _claim(self, fd: int) -> bool:
        """Lock ``fd`` and write it (``False``: the file was replaced meanwhile, try again)."""
        try:
            if not _try_lock(fd):
                raise already_running(running_agent(self.pid_file), self.pid_file)
            if not _same_file(fd, self.pid_file):
                os.close(fd)
                return False
            other = running_agent(self.pid_file)  # one that holds no lock (an older agent)
            if other is not None:
                raise already_running(other, self.pid_file)
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, f"{os.getpid()}\n{self.face.value}\n".encode("ascii"))
            return True
        except BaseException:
            os.close(fd)  # closing also drops the lock
            raise

    def release(self) -> None:
        """Remove the pid file and status file (when still ours) and drop the lock."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            if read_pid_file(self.pid_file) == os.getpid():
                for path in (self.status_file, self.pid_file):
                    with contextlib.suppress(OSError):
                        path.unlink(missing_ok=True)
        finally:
            with contextlib.suppress(OSError):
                _unlock(fd)
            os.close(fd)
