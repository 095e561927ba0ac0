"""On a CUDA GPU (skipped without one): the real model on the expected GPU, fp32 and fp16.

The agent starts the runner with ``--device cuda:0 --expect-gpu <UUID>``; the manifest must name
that GPU, fp16 must agree with fp32 within a cosine of 0.999, and another UUID must be refused.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from orban_runner.devices import cuda_uuid
from runner_helpers import run_cli, write_jsonl
from test_real_model import SENTENCES

pytestmark = pytest.mark.gpu


def _run(
    real_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], *extra: str
) -> tuple[int, list[str]]:
    write_jsonl(tmp_path / "in.jsonl", SENTENCES)
    (tmp_path / "out.npz").unlink(missing_ok=True)
    args: list[str | Path] = ["embed", "--model", real_model, "--input", tmp_path / "in.jsonl"]
    return run_cli(capsys, *args, "--output", tmp_path / "out.npz", "--device", "cuda:0", *extra)


def _load(path: Path) -> tuple[np.ndarray, dict[str, object]]:
    with np.load(path, allow_pickle=False) as result:
        return result["embeddings"], json.loads(str(result["manifest"]))


def test_the_real_model_on_the_expected_gpu_in_fp32_and_fp16(
    real_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import torch

    uuid = cuda_uuid(torch.cuda.get_device_properties(0))
    expect = uuid or str(torch.cuda.get_device_properties(0).name)
    code, err = _run(real_model, tmp_path, capsys, "--expect-gpu", expect)
    assert code == 0, err
    full, manifest = _load(tmp_path / "out.npz")
    assert manifest["device"] == "cuda:0" and manifest["device_uuid"] == uuid
    assert manifest["device_name"] == torch.cuda.get_device_properties(0).name
    peak = manifest["peak_device_memory_bytes"]
    assert isinstance(peak, int) and peak > 0
    code, err = _run(real_model, tmp_path, capsys, "--expect-gpu", expect, "--precision", "fp16")
    assert code == 0, err
    half, manifest = _load(tmp_path / "out.npz")
    assert manifest["precision"] == "fp16" and half.dtype == np.float32
    assert (full * half).sum(axis=1).min() >= 0.999


def test_another_gpu_uuid_is_refused(
    real_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = "GPU-00000000-0000-0000-0000-000000000000"
    code, err = _run(real_model, tmp_path, capsys, "--expect-gpu", other)
    assert code == 3
    assert err[-1].startswith("orban-runner: the visible GPU is ")
    assert not (tmp_path / "out.npz").exists()
