"""Reaching Docker without the SDK where no engine can answer."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from orban_desktop.compute.sandbox import docker_client
from orban_desktop.compute.sandbox.docker_client import docker_from_env, engine_may_answer


def test_an_engine_may_answer_when_its_socket_exists_or_docker_host_is_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DOCKER_HOST", raising=False)
    socket = tmp_path / "docker.sock"
    assert not engine_may_answer(str(socket))
    socket.touch()
    assert engine_may_answer(str(socket))
    monkeypatch.setenv("DOCKER_HOST", "tcp://127.0.0.1:1")
    assert engine_may_answer(str(tmp_path / "absent.sock"))


def test_without_an_engine_the_client_fails_at_once_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DOCKER_HOST", raising=False)
    monkeypatch.setattr(docker_client, "DEFAULT_SOCKET", str(tmp_path / "docker.sock"))
    with pytest.raises(FileNotFoundError, match=r"docker.sock does not exist and DOCKER_HOST"):
        docker_from_env()


def test_the_agent_does_not_import_the_docker_sdk_until_an_engine_may_answer(
    tmp_path: Path,
) -> None:
    """The SDK and requests cost ~18 MB: a desktop without Docker never loads them."""
    code = (
        "import sys\n"
        "from orban_desktop.compute.sandbox import docker_client\n"
        f"docker_client.DEFAULT_SOCKET = {str(tmp_path / 'docker.sock')!r}\n"
        "import orban_desktop.agent.service, orban_desktop.compute.runner_probe\n"
        "from orban_desktop.compute.sandbox.select import SandboxPolicy, SandboxSelector\n"
        "from orban_desktop.compute.runner_probe import probe\n"
        "from orban_desktop.compute.sandbox.docker_client import docker_from_env\n"
        "SandboxSelector(SandboxPolicy())\n"
        "found = probe(SandboxPolicy(), has_nvidia_gpu=False, docker_factory=docker_from_env)\n"
        "print(found.describe())\n"
        "print(sorted(m for m in ('docker', 'requests') if m in sys.modules))\n"
    )
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path(__file__).parents[3])}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    described, modules = done.stdout.strip().splitlines()
    assert "docker.sock does not exist" in described
    assert modules == "[]"
