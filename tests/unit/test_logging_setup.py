"""Logging: a rotating owner-only file with key=value extras, the console, and the event bus."""

from __future__ import annotations

import asyncio
import logging
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from orban_desktop.events import EventBus, LogRecorded
from orban_desktop.logging_setup import (
    InstalledLogging,
    OwnerOnlyRotatingFileHandler,
    StructuredFormatter,
    configure_logging,
)

log = logging.getLogger("orban_desktop.test")


@pytest.fixture
def installed(tmp_path: Path) -> Iterator[list[InstalledLogging]]:
    made: list[InstalledLogging] = []
    level = logging.getLogger().level
    yield made
    for item in made:
        item.close()
    logging.getLogger().setLevel(level)


def test_the_file_gets_structured_lines_and_no_secrets(
    tmp_path: Path, installed: list[InstalledLogging]
) -> None:
    log_file = tmp_path / "logs" / "orban-agent.log"
    installed.append(configure_logging("info", log_file, console=False))
    log.info("task done", extra={"task_id": "task-1", "note": 'two words "quoted"'})
    log.info("auth", extra={"jwt": "eyJ.secret", "private_key": "abc", "api_key": "k"})
    log.debug("not at info")
    lines = log_file.read_text().splitlines()
    assert lines[0].endswith('INFO orban_desktop.test: task done task_id=task-1 '
                             'note="two words \\"quoted\\""')  # fmt: skip
    assert "jwt=<redacted> private_key=<redacted> api_key=<redacted>" in lines[1]
    assert "eyJ.secret" not in log_file.read_text()
    assert len(lines) == 2
    assert stat.S_IMODE(log_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(log_file.parent.stat().st_mode) == 0o700


def test_a_traceback_stays_below_the_pairs() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        record = log.makeRecord(
            log.name, logging.ERROR, "f", 1, "failed", (), __import__("sys").exc_info()
        )
    record.task_id = "t"
    text = StructuredFormatter().format(record)
    assert text.splitlines()[0].endswith("failed task_id=t")
    assert "ValueError: boom" in text


def test_rotated_files_are_owner_only_too(tmp_path: Path) -> None:
    handler = OwnerOnlyRotatingFileHandler(tmp_path / "a.log", maxBytes=100, backupCount=2)
    try:
        for i in range(20):
            handler.emit(
                log.makeRecord(log.name, logging.INFO, "f", 1, "x" * 30 + str(i), (), None)
            )
    finally:
        handler.close()
    files = sorted(tmp_path.iterdir())
    assert [f.name for f in files] == ["a.log", "a.log.1", "a.log.2"]
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)


def test_configuring_again_replaces_the_earlier_handlers(
    tmp_path: Path, installed: list[InstalledLogging]
) -> None:
    installed.append(configure_logging("info", tmp_path / "one.log", console=True))
    installed.append(configure_logging("warning", tmp_path / "two.log", console=True))
    log.warning("only in two")
    assert (tmp_path / "one.log").read_text() == ""
    assert "only in two" in (tmp_path / "two.log").read_text()
    ours = [h for h in logging.getLogger().handlers if getattr(h, "_orban_installed", False)]
    assert len(ours) == 2  # the second call's file and console


async def test_records_reach_the_bus_from_the_loop_and_from_threads(
    tmp_path: Path, installed: list[InstalledLogging]
) -> None:
    bus = EventBus()
    seen: list[LogRecorded] = []
    bus.subscribe(LogRecorded, seen.append)
    installed.append(configure_logging(logging.INFO, tmp_path / "a.log", console=False, bus=bus))
    log.info("on the loop")
    worker = threading.Thread(target=log.warning, args=("from a worker",))
    worker.start()
    worker.join()
    for _ in range(10):
        if len(seen) == 2:
            break
        await asyncio.sleep(0)
    assert [(e.message, e.level, e.logger_name) for e in seen] == [
        ("on the loop", logging.INFO, "orban_desktop.test"),
        ("from a worker", logging.WARNING, "orban_desktop.test"),
    ]


async def test_a_failing_subscriber_does_not_loop(
    tmp_path: Path, installed: list[InstalledLogging]
) -> None:
    bus = EventBus()
    calls: list[str] = []

    def broken(event: LogRecorded) -> None:
        calls.append(event.message)
        raise RuntimeError("subscriber bug")

    bus.subscribe(LogRecorded, broken)
    installed.append(configure_logging("info", tmp_path / "a.log", console=False, bus=bus))
    log.info("hello")
    assert calls == ["hello"]  # the bus's own error log is not published again
    assert "subscriber bug" in (tmp_path / "a.log").read_text()
