"""The command line as the agent starts it: ``--version``, ``probe``, a real process, SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from orban_runner import cli
from runner_helpers import TEXTS, embed_args, write_jsonl

RUNNER_SOURCE = Path(__file__).resolve().parents[1]


def runner_env(**extra: str) -> dict[str, str]:
    """The environment of a runner process started from this source tree."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(RUNNER_SOURCE),
    } | extra


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        cli.main(["--version"])
    assert stopped.value.code == 0
    assert capsys.readouterr().out.strip() == "orban-runner 0.1.0"


def test_probe_says_what_this_environment_runs(capsys: pytest.CaptureFixture[str]) -> None:
    import torch
    import transformers

    assert cli.main(["probe"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["runner_version"] == "0.1.0" and answer["framework"] == "pytorch"
    assert answer["torch"] == torch.__version__
    assert answer["transformers"] == transformers.__version__
    assert answer["python"].count(".") == 2
    assert answer["cuda_available"] is torch.cuda.is_available()
    assert len(answer["cuda_devices"]) == (
        torch.cuda.device_count() if answer["cuda_available"] else 0
    )
    for device in answer["cuda_devices"]:
        assert set(device) == {"index", "name", "uuid", "total_memory_bytes", "capability"}
    assert isinstance(answer["mps_available"], bool)


def test_the_runner_is_offline_whatever_it_is_given() -> None:
    assert os.environ["HF_HUB_OFFLINE"] == "1" and os.environ["TRANSFORMERS_OFFLINE"] == "1"


def test_a_runner_process_without_cuda_exits_3_with_one_line(
    model_folder: Callable[..., Path], tmp_path: Path
) -> None:
    write_jsonl(tmp_path / "in.jsonl", TEXTS)
    args = [*embed_args(model_folder(), tmp_path), "--device", "cuda:0"]
    done = subprocess.run(
        [sys.executable, "-m", "orban_runner", *map(str, args)],
        capture_output=True, text=True, timeout=120, check=False,
        env=runner_env(CUDA_VISIBLE_DEVICES="", HF_HUB_OFFLINE="0"),
    )  # fmt: skip
    assert done.returncode == 3
    assert done.stderr.strip().splitlines() == [
        "orban-runner: CUDA was asked for but is not available here (CUDA_VISIBLE_DEVICES='');"
        " the runner never computes on the CPU instead"
    ]
    assert done.stdout == ""
    assert not (tmp_path / "out.npz").exists()


def test_sigterm_stops_the_run_and_leaves_no_result(
    model_folder: Callable[..., Path], tmp_path: Path
) -> None:
    write_jsonl(tmp_path / "in.jsonl", [TEXTS[n % len(TEXTS)] for n in range(50_000)])
    progress = tmp_path / "progress.jsonl"
    args = [*embed_args(model_folder(), tmp_path), "--batch-size", "1", "--progress", progress]
    runner = subprocess.Popen(
        [sys.executable, "-m", "orban_runner", *map(str, args)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=runner_env(),
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and runner.poll() is None:
            if progress.exists() and len(progress.read_text().splitlines()) >= 3:
                break
            time.sleep(0.05)
        assert runner.poll() is None, runner.stderr.read() if runner.stderr else ""
        runner.send_signal(signal.SIGTERM)
        _, stderr = runner.communicate(timeout=60)
    finally:
        if runner.poll() is None:
            runner.kill()
    assert runner.returncode == 1
    assert stderr.strip().splitlines()[-1] == (
        "orban-runner: stopped by signal SIGTERM before the end"
    )
    assert not (tmp_path / "out.npz").exists()
    assert not (tmp_path / "out.npz.partial").exists()
