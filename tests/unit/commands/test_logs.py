"""``orban-agent logs``: the tail of the log file, and following it across a rotation."""

from __future__ import annotations

import os
from pathlib import Path

from orban_desktop.commands.logs import BLOCK, follow, tail_lines
from tests.unit.commands.fake_agent import run_cli


def write_log(root: Path, count: int) -> Path:
    log = root / "logs" / "orban-agent.log"
    log.parent.mkdir(parents=True)
    log.write_text("".join(f"line {i}\n" for i in range(count)))
    return log


def test_logs_n_prints_the_last_lines(tmp_path: Path) -> None:
    write_log(tmp_path, 100)
    code, lines = run_cli(["logs", "-n", "3", "--root", str(tmp_path)])
    assert (code, lines) == (0, ["line 97", "line 98", "line 99"])


def test_logs_default_is_fifty_lines(tmp_path: Path) -> None:
    write_log(tmp_path, 100)
    code, lines = run_cli(["logs", "--root", str(tmp_path)])
    assert code == 0 and len(lines) == 50 and lines[0] == "line 50"


def test_logs_without_a_log_file(tmp_path: Path) -> None:
    code, lines = run_cli(["logs", "--root", str(tmp_path)])
    assert code == 1
    assert "No log yet" in lines[0]


def test_tail_reads_across_blocks_and_keeps_a_last_line_without_newline(tmp_path: Path) -> None:
    log = tmp_path / "big.log"
    long_line = "x" * (BLOCK + 10)
    log.write_text(f"first\n{long_line}\nsecond\nlast without newline")
    assert tail_lines(log, 3) == [long_line, "second", "last without newline"]
    assert tail_lines(log, 10) == ["first", long_line, "second", "last without newline"]
    assert tail_lines(log, 0) == []


def test_follow_prints_new_whole_lines_and_survives_rotation(tmp_path: Path) -> None:
    log = write_log(tmp_path, 2)
    printed: list[str] = []
    steps = iter(
        [
            lambda: log.open("a").write("new 1\npartial"),
            lambda: log.open("a").write(" line\n"),
            lambda: (os.replace(log, log.with_suffix(".log.1")), log.write_text("rotated 1\n")),
            lambda: log.write_text(""),  # truncated
            lambda: log.write_text("after truncation\n"),
        ]
    )
    done = False

    def next_step(_seconds: float) -> None:
        nonlocal done
        step = next(steps, None)
        if step is None:
            done = True
        else:
            step()

    follow(log, printed.append, stop=lambda: done, sleep=next_step)
    assert printed == ["new 1", "partial line", "rotated 1", "after truncation"]
