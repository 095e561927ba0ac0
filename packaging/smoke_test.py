"""Smoke test of a built bundle: does the frozen app run on its own, take a task and get paid?

Run ``.venv/bin/python packaging/smoke_test.py dist/orban-agent`` (``make bundle-smoke``) after
``make bundle``. Every program it starts is one of the bundle's own binaries, with a clean
environment (``PATH=/usr/bin:/bin``, ``HOME`` a fresh temporary folder, no ``PYTHONPATH``) and a
working directory outside the repository, so nothing from the build machine's Python helps:

1. the bundle's size on disk, and how long ``orban-agent --version`` takes to start;
2. ``orban-agent keygen``, then ``orban-agent run --headless --local-platform --simulate-gpus 1``
   until the bundled ``orban-agent status -v`` shows it serving, a task done and an earning, and
   the bundled ``orban-agent earnings`` shows a non-zero amount; no file of a Python
   installation outside the bundle may be mapped into it; then SIGTERM, and it must exit 0 and
   remove its pid file;
3. ``orban-desktop --demo --simulate-gpus 1`` with ``QT_QPA_PLATFORM=offscreen``: it must come
   up (its "first window painted" log line, or still running after the wait) and exit 0 on
   SIGTERM (``--skip-gui`` leaves this out).

Prints what it saw and exits 1 on the first failure (with the end of the program's output).
Uses the standard library only, and imports nothing from the app.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path

POLL_S = 0.25
FINE_POLL_S = 0.02
TAIL_LINES = 30
PAINTED = re.compile(r"first window painted ([0-9.]+) s after launch")
CONNECTED = "authenticated as agent-"
TASKS_DONE = re.compile(r"Tasks:\s+\d+ running, (\d+) done")
#: An amount as ``money_text`` writes it: ``$0.021875`` or ``EUR 0.02``.
MONEY = r"(\$|[A-Z]{3} )([\d,]+(?:\.\d+)?)"
#: ``Earnings:  today $0.004588, earned …``, as ``status -v`` prints it.
EARNED_TODAY = re.compile(r"Earnings:\s+today " + MONEY)
#: ``Today:     $0.021875``, as ``earnings`` prints it.
LEDGER_TODAY = re.compile(r"Today:\s+" + MONEY)


class SmokeFailure(Exception):
    """A check failed; the message says which and what was seen."""


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """An ``env -i`` style environment: nothing but PATH, HOME and ``extra``."""
    return {"PATH": "/usr/bin:/bin", "HOME": str(home), **extra}


def tail(path: Path, lines: int = TAIL_LINES) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no output)"
    return "\n".join("    " + line[:300] for line in text.splitlines()[-lines:])


def folder_size(folder: Path) -> tuple[int, int]:
    """Bytes and files under ``folder`` (symlinks counted as links, not followed)."""
    total = files = 0
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            total += path.stat().st_size
            files += 1
    return total, files


def mebibytes(size: int) -> str:
    return f"{size / 2**20:.1f} MiB"


class Bundle:
    """The bundle's binaries, run with a clean environment from a folder outside the repo."""

    def __init__(self, folder: Path, work: Path) -> None:
        self.folder = folder
        self.work = work
        self.agent = folder / "orban-agent"
        self.desktop = folder / "orban-desktop"
        for binary in (self.agent, self.desktop):
            if not os.access(binary, os.X_OK):
                raise SmokeFailure(f"{binary} is missing or not executable; run `make bundle`")

    def run(self, *args: str, timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
        """Run ``orban-agent ARGS`` to the end; returns its status and output."""
        return subprocess.run(
            [str(self.agent), *args],
            cwd=self.work,
            env=clean_env(self.work),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def start(
        self, binary: Path, args: Sequence[str], log: Path, **env: str
    ) -> subprocess.Popen[str]:
        with open(log, "w", encoding="utf-8") as output:
            return subprocess.Popen(
                [str(binary), *args],
                cwd=self.work,
                env=clean_env(self.work, **env),
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                text=True,
            )


def file_state(path: Path) -> str | None:
    """The ``state`` in a running agent's ``status.json``, or ``None`` while there is none."""
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    state = data.get("state") if isinstance(data, dict) else None
    return state if isinstance(state, str) else None


def foreign_python_files(pid: int, bundle: Path) -> list[str]:
    """Files of a Python installation outside the bundle mapped into process ``pid``."""
    try:
        maps = Path(f"/proc/{pid}/maps").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    inside = str(bundle.resolve()) + os.sep
    fields = (line.split(maxsplit=5) for line in maps.splitlines())
    mapped = {parts[5] for parts in fields if len(parts) == 6}
    return sorted(
        path
        for path in mapped
        if path.startswith("/")
        and not path.startswith(inside)
        and re.search(r"site-packages|dist-packages|/python3(\.\d+)?/|libpython", path)
    )


def stop(process: subprocess.Popen[str], name: str, log: Path, wait_s: float) -> float:
    """SIGTERM ``process``; it must exit 0 within ``wait_s``. Returns the seconds it took."""
    began = time.monotonic()
    process.send_signal(signal.SIGTERM)
    try:
        code = process.wait(timeout=wait_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise SmokeFailure(
            f"{name} did not exit within {wait_s:g} s of SIGTERM:\n{tail(log)}"
        ) from None
    if code != 0:
        raise SmokeFailure(f"{name} exited with status {code} after SIGTERM:\n{tail(log)}")
    return time.monotonic() - began


def check_start_time(bundle: Bundle) -> None:
    times = []
    for _ in range(3):
        began = time.monotonic()
        done = bundle.run("--version")
        times.append(time.monotonic() - began)
        if done.returncode != 0 or not done.stdout.startswith("orban-agent "):
            raise SmokeFailure(
                f"`orban-agent --version` failed ({done.returncode}):\n{done.stderr}"
            )
    print(f"version: {done.stdout.strip()}")
    print(
        f"start:   `orban-agent --version` {times[0]:.2f} s (first), {min(times):.2f} s (best of 3)"
    )


@contextlib.contextmanager
def killed_on_failure(process: subprocess.Popen[str]) -> Iterator[None]:
    """Kill ``process`` if the block raises, so a failed check leaves nothing running."""
    try:
        yield
    except BaseException:
        if process.poll() is None:
            process.kill()
            process.wait()
        raise


def wait_until_serving(process: subprocess.Popen[str], status_file: Path, timeout_s: float) -> None:
    """Until the agent's status file says ``serving`` (finer than polling the bundled
    ``status``, which takes half a second to start), or it exits, or the time runs out."""
    deadline = time.monotonic() + timeout_s
    while file_state(status_file) != "serving":
        if process.poll() is not None or time.monotonic() > deadline:
            return
        time.sleep(FINE_POLL_S)


def wait_for_earning(
    bundle: Bundle, process: subprocess.Popen[str], root: Path, log: Path, timeout_s: float
) -> tuple[str, float | None]:
    """Poll the bundled ``status -v`` until it shows a finished task and an earning.

    Returns:
        The last ``status -v`` output, and when it first showed ``serving`` (monotonic).
    """
    deadline = time.monotonic() + timeout_s
    serving_seen = None
    while True:
        if process.poll() is not None:
            raise SmokeFailure(f"the agent exited ({process.returncode}) early:\n{tail(log)}")
        status = bundle.run("status", "-v", "--root", str(root)).stdout
        if serving_seen is None and re.search(r"State:\s+serving", status):
            serving_seen = time.monotonic()
        tasks, earned = TASKS_DONE.search(status), EARNED_TODAY.search(status)
        if (
            tasks
            and int(tasks.group(1)) >= 1
            and earned
            and Decimal(earned.group(2).replace(",", "")) > 0
        ):
            return status, serving_seen
        if time.monotonic() > deadline:
            raise SmokeFailure(
                f"no finished task and earning after {timeout_s:g} s; last status:\n"
                f"{status}\nagent output:\n{tail(log)}"
            )
        time.sleep(POLL_S)


def check_headless(bundle: Bundle, timeout_s: float) -> None:
    root = bundle.work / "agent"
    log = bundle.work / "agent.log"
    keygen = bundle.run("keygen", "--root", str(root))  # the agent never makes a key itself
    if keygen.returncode != 0:
        raise SmokeFailure(f"keygen failed:\n{keygen.stdout}{keygen.stderr}")
    args = ["run", "--headless", "--local-platform", "--simulate-gpus", "1", "--root", str(root)]
    began = time.monotonic()
    process = bundle.start(bundle.agent, args, log)
    with killed_on_failure(process):
        status_file = root / "state" / "status.json"
        wait_until_serving(process, status_file, timeout_s)
        serving_s = time.monotonic() - began if file_state(status_file) == "serving" else None
        status, status_serving = wait_for_earning(bundle, process, root, log, timeout_s)
        earned_s = time.monotonic() - began
        foreign = foreign_python_files(process.pid, bundle.folder)
        ledger = bundle.run("earnings", "--root", str(root))
    stopped_in = stop(process, "the headless agent", log, wait_s=60)
    if serving_s is not None:
        print(f"agent:   serving {serving_s:.2f} s after launch (its status.json)")
    if status_serving is not None:
        print(f"agent:   the bundled `status -v` showed it serving {status_serving - began:.2f} s "
              "after launch")  # fmt: skip
    print(f"agent:   a task done and an earning recorded {earned_s:.2f} s after launch")
    print("status:  " + "\n         ".join(line.strip() for line in status.splitlines()))
    today = LEDGER_TODAY.search(ledger.stdout)
    if ledger.returncode != 0 or today is None or Decimal(today.group(2).replace(",", "")) <= 0:
        raise SmokeFailure(f"`orban-agent earnings` shows no earning:\n{ledger.stdout}")
    print(f"ledger:  `orban-agent earnings`: today {today.group(1).strip()}{today.group(2)}")
    if foreign:
        raise SmokeFailure("the agent loaded Python files from outside the bundle:\n  " +
                           "\n  ".join(foreign))  # fmt: skip
    print("isolation: no file of another Python installation mapped into the agent")
    leftovers = sorted(str(path) for path in root.rglob("*.pid"))
    if leftovers:
        raise SmokeFailure(f"the agent left its pid file behind: {', '.join(leftovers)}")
    print(f"stop:    SIGTERM -> exit 0 in {stopped_in:.2f} s, pid file removed")


def check_desktop(bundle: Bundle, timeout_s: float) -> None:
    log = bundle.work / "desktop.log"
    args = ["--demo", "--simulate-gpus", "1", "--root", str(bundle.work / "desktop")]
    began = time.monotonic()
    process = bundle.start(bundle.desktop, args, log, QT_QPA_PLATFORM="offscreen")
    painted = connected = None
    with killed_on_failure(process):
        while painted is None and time.monotonic() - began < timeout_s:
            if process.poll() is not None:
                raise SmokeFailure(
                    f"orban-desktop exited ({process.returncode}) at start:\n{tail(log)}"
                )
            painted = PAINTED.search(log.read_text(encoding="utf-8", errors="replace"))
            time.sleep(POLL_S)
        up_s = time.monotonic() - began
        # Let its agent reach the embedded platform, so the stop below is the usual one.
        while connected is None and time.monotonic() - began < timeout_s:
            if process.poll() is not None:
                raise SmokeFailure(f"orban-desktop exited ({process.returncode}):\n{tail(log)}")
            if CONNECTED in log.read_text(encoding="utf-8", errors="replace"):
                connected = time.monotonic() - began
            time.sleep(POLL_S)
        foreign = foreign_python_files(process.pid, bundle.folder)
    stopped_in = stop(process, "orban-desktop", log, wait_s=30)
    if painted:
        print(f"desktop: first window painted {painted.group(1)} s after launch (offscreen)")
    else:
        print(f"desktop: still running after {up_s:.0f} s (no 'first window painted' line)")
    if connected is not None:
        print(
            f"desktop: its agent authenticated with the embedded platform after {connected:.2f} s"
        )
    else:
        print("desktop: its agent did not report authenticating (no 'authenticated as' line)")
    if foreign:
        raise SmokeFailure("orban-desktop loaded Python files from outside the bundle:\n  " +
                           "\n  ".join(foreign))  # fmt: skip
    print(f"stop:    SIGTERM -> exit 0 in {stopped_in:.2f} s")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("bundle", type=Path, help="the bundle folder, e.g. dist/orban-agent")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per check")
    parser.add_argument("--skip-gui", action="store_true", help="leave out orban-desktop")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    folder = args.bundle.resolve()
    work = Path(tempfile.mkdtemp(prefix="orban-smoke-"))
    work.chmod(0o755)  # as root, the process sandbox runs workloads as nobody below it
    try:
        bundle = Bundle(folder, work)
        size, files = folder_size(folder)
        print(f"bundle:  {folder} ({mebibytes(size)}, {files} files)")
        for tarball in sorted(folder.parent.glob(f"{folder.name}-*.tar.gz")):
            print(f"tarball: {tarball.name} ({mebibytes(tarball.stat().st_size)})")
        check_start_time(bundle)
        check_headless(bundle, args.timeout)
        if args.skip_gui:
            print("desktop: skipped (--skip-gui)")
        else:
            check_desktop(bundle, args.timeout)
    except (SmokeFailure, subprocess.TimeoutExpired) as exc:
        print(f"FAIL: {exc}", file=sys.stderr)
        return 1
    finally:
        if args.keep:
            print(f"kept:    {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
