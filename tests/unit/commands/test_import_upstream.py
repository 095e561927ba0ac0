"""``orban-agent import`` of an upstream user's data folder (``tests/data/upstream-data``)."""

from __future__ import annotations

import os
import shutil
import stat
import tomllib
from pathlib import Path

import pytest

from orban_desktop.config import AgentConfig
from orban_desktop.earnings import EarningsLedger
from orban_desktop.network.auth import Authenticator
from tests.fixtures import DATA
from tests.unit.commands.fake_agent import run_cli

UPSTREAM_HOME = DATA / "upstream-data" / "linux-home"


def upstream_agent_id() -> str:
    config = UPSTREAM_HOME / ".local" / "share" / "agent" / "config.toml"
    agent_id: str = tomllib.loads(config.read_text("utf-8"))["agent_id"]
    return agent_id


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A copy of the upstream user's home folder, its key made owner-only as upstream's is."""
    copy = tmp_path / "home"
    shutil.copytree(UPSTREAM_HOME, copy)
    os.chmod(copy / ".local" / "share" / "agent" / "agent.key", 0o600)
    return copy


@pytest.fixture
def agent_dir(home: Path) -> Path:
    return home / ".local" / "share" / "agent"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "ours"


def ledger_count(root: Path) -> int:
    with EarningsLedger(root / "data" / "earnings.sqlite3") as ledger:
        return ledger.get_data().history_count


def test_import_keeps_the_agent_id_the_key_and_the_history(agent_dir: Path, root: Path) -> None:
    expected_id = upstream_agent_id()
    code, lines = run_cli(["import", str(agent_dir), "--root", str(root)])
    assert code == 0, lines
    assert f"Agent id kept: {expected_id}" in lines
    config = AgentConfig.load(root / "config" / "config.toml")
    assert config.agent.agent_id == expected_id
    assert config.agent.platform_url == "wss://platform.orban.ai"
    assert config.agent.private_key_path is None and config.agent.data_dir is None
    assert (config.gpu.max_concurrent_tasks, config.gpu.allowed_gpu_indices) == (2, [0, 1])
    assert config.network.max_retries == 3
    key = root / "data" / "agent.key"
    assert key.read_bytes() == (agent_dir / "agent.key").read_bytes()
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    identity = Authenticator.from_private_key_file(key, config.agent.agent_id)
    assert identity.agent_id == expected_id
    assert ledger_count(root) == 3
    assert any("3 record(s) imported, 0 already here" in line for line in lines)


def test_a_second_import_adds_nothing(agent_dir: Path, root: Path) -> None:
    assert run_cli(["import", str(agent_dir), "--root", str(root)])[0] == 0
    config_before = (root / "config" / "config.toml").read_bytes()
    code, lines = run_cli(["import", str(agent_dir), "--root", str(root)])
    assert code == 0
    text = "\n".join(lines)
    assert "Identity key: already at" in text
    assert "Settings:     already in" in text
    assert "0 record(s) imported, 3 already here" in text
    assert (root / "config" / "config.toml").read_bytes() == config_before
    assert ledger_count(root) == 3


def test_a_key_others_can_read_is_refused_and_nothing_is_written(
    agent_dir: Path, root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = agent_dir / "agent.key"
    os.chmod(key, 0o644)  # as git checks the fixture out
    code, _ = run_cli(["import", str(agent_dir), "--root", str(root)])
    assert code == 1
    err = capsys.readouterr().err
    assert f"Permissions 0644 for '{key}' are too open" in err
    assert f"chmod 600 '{key}'" in err
    assert not root.exists()


def test_the_checked_out_fixture_key_is_refused_as_is(root: Path) -> None:
    source = UPSTREAM_HOME / ".local" / "share" / "agent"
    if stat.S_IMODE((source / "agent.key").stat().st_mode) & 0o077 == 0:
        pytest.skip("this checkout made the fixture key owner-only")
    assert run_cli(["import", str(source), "--root", str(root)])[0] == 1
    assert not root.exists()


def test_a_different_existing_key_is_never_replaced(
    agent_dir: Path, root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(["keygen", "--root", str(root)])[0] == 0
    ours = (root / "data" / "agent.key").read_bytes()
    code, _ = run_cli(["import", str(agent_dir), "--root", str(root)])
    assert code == 1
    assert "A different identity key is already at" in capsys.readouterr().err
    assert (root / "data" / "agent.key").read_bytes() == ours
    assert not (root / "config" / "config.toml").exists()
    assert not (root / "data" / "earnings.sqlite3").exists()


def test_an_existing_config_is_kept_unless_forced(agent_dir: Path, root: Path) -> None:
    ours = root / "config" / "config.toml"
    ours.parent.mkdir(parents=True)
    ours.write_text('[agent]\nagent_id = "agent-mine"\n')
    code, lines = run_cli(["import", str(agent_dir), "--root", str(root)])
    assert code == 0
    assert any("NOT imported" in line and "--force" in line for line in lines)
    assert AgentConfig.load(ours).agent.agent_id == "agent-mine"
    assert f"Warning: the upstream agent id was {upstream_agent_id()}" in lines[-1]
    code, lines = run_cli(["import", str(agent_dir), "--force", "--root", str(root)])
    assert code == 0
    assert AgentConfig.load(ours).agent.agent_id == upstream_agent_id()


def test_import_finds_upstreams_folders_by_itself(
    home: Path, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    code, lines = run_cli(["import", "--root", str(root)])
    assert code == 0, lines
    assert f"Agent id kept: {upstream_agent_id()}" in lines
    assert ledger_count(root) == 3


def test_an_earnings_file_alone_imports_the_history(home: Path, root: Path) -> None:
    earnings = home / ".local" / "share" / "orban-agent" / "earnings.json"
    code, lines = run_cli(["import", str(earnings), "--root", str(root)])
    assert code == 0
    assert "  Identity key: none found" in lines
    assert ledger_count(root) == 3
    assert not (root / "data" / "agent.key").exists()


def test_nothing_to_import_names_the_folders_searched(
    tmp_path: Path, root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run_cli(["import", str(empty), "--root", str(root)])[0] == 1
    err = capsys.readouterr().err
    assert "Nothing to import" in err and str(empty) in err


def test_an_upstream_folder_made_here_keeps_its_agent_id(tmp_path: Path, root: Path) -> None:
    """Written as upstream's ``Config::save`` and ``keygen`` would, with a fresh key."""
    folder = tmp_path / "share" / "agent"
    folder.mkdir(parents=True)
    identity = Authenticator.generate()
    identity.save(folder / "agent.key")
    (folder / "config.toml").write_text(
        'agent_id = "agent-workstation-7"\n'
        'platform_url = "https://platform.orban.ai"\n'
        f'private_key_path = "{folder / "agent.key"}"\n'
        f'data_dir = "{folder}"\n'
        'log_level = "warn"\n\n'
        "[gpu]\nmax_concurrent_tasks = 1\nreserved_vram_gb = 4.0\n\n"
        "[network]\nheartbeat_interval_secs = 30\nconnection_timeout_secs = 10\nmax_retries = 3\n"
    )
    code, lines = run_cli(["import", str(folder), "--root", str(root)])
    assert code == 0, lines
    assert "Agent id kept: agent-workstation-7" in lines
    assert "  Earnings:     no earnings.json found" in lines
    config = AgentConfig.load(root / "config" / "config.toml")
    assert config.agent.agent_id == "agent-workstation-7"
    assert (config.gpu.reserved_vram_gb, config.logging.level) == (4.0, "warning")
    ours = Authenticator.from_private_key_file(root / "data" / "agent.key", config.agent.agent_id)
    assert ours.public_key == identity.public_key
    assert ours.agent_id == "agent-workstation-7"
