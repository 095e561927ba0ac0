"""The ``orban-agent`` command: its verbs, exit codes and messages, run in-process."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from orban_desktop import __version__
from orban_desktop.cli import build_parser, main
from orban_desktop.network.auth import Authenticator


def run(argv: list[str]) -> tuple[int, list[str]]:
    lines: list[str] = []
    return main(argv, out=lines.append), lines


def test_version_names_the_protocol() -> None:
    code, lines = run(["version"])
    assert code == 0
    assert lines[0] == f"Orban Agent {__version__}"
    assert any("agent.orban.v1" in line for line in lines)


def test_upstream_verbs_are_known() -> None:
    verbs = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert {"version", "keygen"} <= set(verbs)


def test_keygen_creates_a_private_key_and_prints_the_agent_id(tmp_path: Path) -> None:
    code, lines = run(["keygen", "--root", str(tmp_path)])
    assert code == 0
    key = tmp_path / "data" / "agent.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE(key.parent.stat().st_mode) == 0o700
    identity = Authenticator.from_private_key_file(key)
    assert any(identity.agent_id in line for line in lines)
    assert key.read_bytes().hex() not in "\n".join(lines)


def test_keygen_never_replaces_a_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["keygen", "--root", str(tmp_path)])[0] == 0
    key = tmp_path / "data" / "agent.key"
    before = key.read_bytes()
    code, _ = run(["keygen", "--root", str(tmp_path)])
    assert code == 1
    assert key.read_bytes() == before
    err = capsys.readouterr().err
    assert "A key already exists" in err and "move that file away" in err


def test_keygen_to_an_explicit_file_uses_the_configured_agent_id(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[agent]\nagent_id = "agent-tw-rig-01"\n')
    key = tmp_path / "keys" / "mine.key"
    code, lines = run(["keygen", "--config", str(config), "--key-file", str(key)])
    assert code == 0
    assert any("agent-tw-rig-01" in line for line in lines)
    assert os.path.getsize(key) == 32


def test_a_bad_config_file_is_reported_with_its_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[gpu]\nmax_concurrent_tasks = 100\n")
    code, _ = run(["keygen", "--config", str(config), "--root", str(tmp_path)])
    assert code == 1
    err = capsys.readouterr().err
    assert "gpu.max_concurrent_tasks" in err and str(config) in err


def test_version_works_with_a_broken_config(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("this is not toml ===")
    assert run(["version", "--config", str(config)])[0] == 0


def test_unknown_verb_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["fly"])
    assert exc.value.code == 2
