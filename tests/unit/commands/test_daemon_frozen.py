"""``start`` in a frozen bundle runs the bundle's ``orban-agent`` binary, not ``python -m``.

The bundle is stood in by a folder holding a real executable ``orban-agent`` script that records
its arguments and exits, with ``sys.frozen`` set and ``sys.executable`` pointing into it, as
PyInstaller's bootloader leaves them.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from orban_desktop.commands.daemon import agent_command
from tests.unit.commands.fake_agent import run_cli


def test_from_source_the_interpreter_runs_the_cli_module() -> None:
    argv = agent_command(frozen=False, executable="/usr/bin/python3")
    assert argv == ["/usr/bin/python3", "-m", "orban_desktop.cli"]


@pytest.mark.parametrize("launcher", ["orban-agent", "orban-desktop"])
def test_in_a_bundle_the_sibling_agent_binary_runs(launcher: str) -> None:
    argv = agent_command(frozen=True, executable=f"/opt/orban-agent/{launcher}")
    assert argv == ["/opt/orban-agent/orban-agent"]


def test_a_windows_bundle_runs_the_exe() -> None:
    argv = agent_command(
        frozen=True, executable=r"C:\Program Files\Orban Agent\orban-desktop.exe", windows=True
    )
    assert Path(argv[0]).name == "orban-agent.exe"
    assert len(argv) == 1


def test_start_in_a_frozen_bundle_spawns_the_bundled_binary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    recorded = tmp_path / "argv.txt"
    fake_binary = bundle / "orban-agent"
    fake_binary.write_text(f'#!/bin/sh\nprintf "%s\\n" "$0" "$@" > "{recorded}"\nexit 7\n')
    fake_binary.chmod(0o755)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(bundle / "orban-desktop"))
    root = tmp_path / "root"

    code, lines = run_cli(
        ["start", "--local-platform", "--simulate-gpus", "1", "--wait", "30", "--root", str(root)]
    )

    assert code == 1
    assert lines[0] == "The agent exited at start (status 7). Its last output:"
    argv = recorded.read_text().splitlines()
    assert argv[0] == str(fake_binary)
    assert argv[1:4] == ["run", "--headless", "--detached"]
    assert "-m" not in argv
    assert argv[argv.index("--simulate-gpus") + 1] == "1"
    assert "--local-platform" in argv
    assert argv[argv.index("--root") + 1] == str(root)
