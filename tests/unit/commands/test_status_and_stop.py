"""``status``, ``stop`` and ``start``'s single-instance check against a fake running agent."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from orban_desktop.headless.status_file import pid_alive
from tests.unit.commands.fake_agent import AGENT_ID, FakeAgent, run_cli


@pytest.fixture
def agent(tmp_path: Path) -> Iterator[FakeAgent]:
    fake = FakeAgent(tmp_path)
    yield fake
    fake.kill()


def test_status_reads_the_running_agents_status_file(tmp_path: Path, agent: FakeAgent) -> None:
    agent.write_files()
    code, lines = run_cli(["status", "--root", str(tmp_path)])
    assert code == 0
    assert lines[0].startswith(f"Orban Agent is running (pid {agent.pid}, up 1h 02m")
    text = "\n".join(lines)
    assert "State:     serving" in text
    assert f"Agent id:  {AGENT_ID}" in text
    assert "GPUs:      2 (1 simulated)" in text
    assert "1 running, 5 done, 1 failed" in text
    assert (
        "Earnings:  today $0.103688, earned $1.688688 (pending $0.103688, confirmed $0.625, "
        "paid $0.96)"
    ) in text
    assert "GPU 0:" not in text  # only with -v


def test_status_verbose_lists_gpus_and_tasks(tmp_path: Path, agent: FakeAgent) -> None:
    agent.write_files()
    code, lines = run_cli(["status", "-v", "--root", str(tmp_path)])
    assert code == 0
    assert (
        "    GPU 0: Simulated RTX 4090 [simulated]  util 45%  61 °C  3.0/24.0 GiB  250 W" in lines
    )
    assert "    GPU 1: Quiet card" in lines  # nothing reported: nothing made up
    assert "    task task-7: running 50% on GPU 0" in lines


def test_status_flags_a_status_file_that_stopped_updating(tmp_path: Path, agent: FakeAgent) -> None:
    agent.stale(600)
    code, lines = run_cli(["status", "--root", str(tmp_path)])
    assert code == 0
    assert "not updated for 10m 00s" in lines[-1]


def test_status_without_an_agent_exits_3(tmp_path: Path) -> None:
    code, lines = run_cli(["status", "--root", str(tmp_path)])
    assert code == 3
    assert lines == ["Orban Agent is not running. Start it with `orban-agent start`."]


def test_a_status_file_left_by_a_dead_agent_means_not_running(tmp_path: Path) -> None:
    fake = FakeAgent(tmp_path)
    fake.write_files()
    fake.kill()
    assert run_cli(["status", "--root", str(tmp_path)])[0] == 3
    code, lines = run_cli(["stop", "--root", str(tmp_path)])
    assert (code, lines) == (0, ["Orban Agent is not running."])
    assert not fake.pid_file.exists() and not fake.status_file.exists()


def test_stop_sends_sigterm_and_waits_for_the_exit(tmp_path: Path, agent: FakeAgent) -> None:
    agent.write_files()
    code, lines = run_cli(["stop", "--root", str(tmp_path)])
    assert code == 0
    assert lines[-1] == "Orban Agent stopped."
    assert not pid_alive(agent.pid)
    assert agent.process.wait(timeout=30) == -15  # it died of SIGTERM
    assert not agent.pid_file.exists() and not agent.status_file.exists()
    assert run_cli(["status", "--root", str(tmp_path)])[0] == 3


def test_stop_leaves_alone_a_process_that_is_not_an_agent(tmp_path: Path, agent: FakeAgent) -> None:
    agent.pid_file.write_text(f"{agent.pid}\n")  # no status file names it; its command is not ours
    code, lines = run_cli(["stop", "--root", str(tmp_path)])
    assert code == 1
    assert "not an Orban agent" in lines[0]
    assert pid_alive(agent.pid)


def test_stop_reports_an_agent_that_does_not_exit(tmp_path: Path) -> None:
    stubborn = FakeAgent(tmp_path, ignore_sigterm=True)
    try:
        stubborn.write_files()
        code, lines = run_cli(["stop", "--timeout", "0.3", "--root", str(tmp_path)])
        assert code == 1
        assert f"kill -9 {stubborn.pid}" in lines[-1]
        assert pid_alive(stubborn.pid)
        assert stubborn.pid_file.exists()
    finally:
        stubborn.kill()


def test_start_refuses_when_an_agent_already_runs(
    tmp_path: Path, agent: FakeAgent, capsys: pytest.CaptureFixture[str]
) -> None:
    agent.write_files()
    assert run_cli(["start", "--root", str(tmp_path)])[0] == 1
    assert f"An agent (pid {agent.pid}) already runs" in capsys.readouterr().err
