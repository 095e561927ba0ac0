"""The result file and its manifest, the progress lines, and nothing left behind on failure."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import orban_runner
import pytest
from orban_runner import embed as embed_module
from orban_runner.errors import OutOfMemory, RunnerError
from orban_runner.manifest import MANIFEST_KEYS
from orban_runner.output import write_result
from runner_helpers import TEXTS, embed_args, run_cli, write_jsonl

IDS = [f"row-{n:02d}" for n in range(len(TEXTS))]


def test_the_result_holds_embeddings_ids_and_the_manifest(
    model_folder: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_jsonl(tmp_path / "in.jsonl", TEXTS, IDS)
    extra = ["--model-name", "tiny/bert", "--model-sha256", "ab" * 32, "--threads", "1"]
    code, err = run_cli(capsys, *embed_args(model_folder("max"), tmp_path, *extra))
    assert code == 0, err
    with zipfile.ZipFile(tmp_path / "out.npz") as archive:  # np.savez: stored, not deflated
        assert {i.compress_type for i in archive.infolist()} == {zipfile.ZIP_STORED}
        assert sorted(archive.namelist()) == ["embeddings.npy", "ids.npy", "manifest.npy"]
    with np.load(tmp_path / "out.npz", allow_pickle=False) as result:
        embeddings, ids, manifest_array = result["embeddings"], result["ids"], result["manifest"]
    assert embeddings.dtype == np.float32 and embeddings.shape == (len(TEXTS), 16)
    assert ids.dtype.kind == "U" and ids.shape == (len(TEXTS),) and list(ids) == IDS
    assert manifest_array.shape == () and manifest_array.dtype.kind == "U"
    manifest = json.loads(str(manifest_array))
    assert sorted(manifest) == sorted(MANIFEST_KEYS)
    assert manifest["runner_version"] == orban_runner.__version__ == "0.1.0"
    assert manifest["pipeline"] == "text-embedding" and manifest["framework"] == "pytorch"
    assert (manifest["model_name"], manifest["model_sha256"]) == ("tiny/bert", "ab" * 32)
    assert (manifest["device"], manifest["device_uuid"]) == ("cpu", None)
    assert manifest["device_name"] and manifest["peak_device_memory_bytes"] is None
    assert (manifest["rows"], manifest["dim"], manifest["threads"]) == (len(TEXTS), 16, 1)
    assert (manifest["pooling"], manifest["normalize"], manifest["precision"]) == (
        "max",
        False,
        "fp32",
    )
    assert (manifest["batch_size"], manifest["max_length"]) == (64, 32)
    assert manifest["load_s"] > 0 and manifest["infer_s"] > 0 and manifest["rows_per_s"] > 0
    import torch
    import transformers

    assert manifest["framework_version"] == torch.__version__
    assert manifest["transformers_version"] == transformers.__version__
    assert not (tmp_path / "out.npz.partial").exists()


def test_progress_lines_one_per_batch(
    model_folder: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_jsonl(tmp_path / "in.jsonl", TEXTS)
    extra = ["--batch-size", "3", "--progress", str(tmp_path / "progress.jsonl")]
    code, _ = run_cli(capsys, *embed_args(model_folder(), tmp_path, *extra))
    assert code == 0
    lines = [json.loads(x) for x in (tmp_path / "progress.jsonl").read_text().splitlines()]
    rows = len(TEXTS)
    assert lines[0]["stage"] == "loaded" and lines[0]["elapsed_s"] > 0
    assert {k: lines[0][k] for k in ("rows_done", "rows", "batch", "batches")} == {
        "rows_done": 0, "rows": rows, "batch": 0, "batches": 3,
    }  # fmt: skip
    assert [(x["rows_done"], x["batch"]) for x in lines[1:]] == [(3, 1), (6, 2), (7, 3)]
    assert all(set(x) == {"rows_done", "rows", "batch", "batches", "elapsed_s"} for x in lines[1:])
    elapsed = [x["elapsed_s"] for x in lines[1:]]
    assert elapsed == sorted(elapsed)


def test_a_failure_while_embedding_leaves_no_result(
    model_folder: Callable[..., Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    write_jsonl(tmp_path / "in.jsonl", TEXTS)
    (tmp_path / "out.npz").write_bytes(b"an old result")

    def out_of_memory(*args: object, **kwargs: object) -> None:
        raise OutOfMemory("the GPU ran out of memory at batch size 64; a smaller batch may fit")

    monkeypatch.setattr(embed_module, "embed", out_of_memory)
    code, err = run_cli(capsys, *embed_args(model_folder(), tmp_path))
    assert code == 5
    assert (
        err[-1]
        == "orban-runner: the GPU ran out of memory at batch size 64; a smaller batch may fit"
    )
    assert not (tmp_path / "out.npz").exists()
    assert not (tmp_path / "out.npz.partial").exists()


def test_an_unexpected_error_is_exit_1_with_a_last_line(
    model_folder: Callable[..., Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    write_jsonl(tmp_path / "in.jsonl", TEXTS)

    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("division by zero\nsecond line")

    monkeypatch.setattr(embed_module, "embed", broken)
    code, err = run_cli(capsys, *embed_args(model_folder(), tmp_path))
    assert code == 1
    assert err[-1] == "orban-runner: unexpected ZeroDivisionError: division by zero"
    assert not (tmp_path / "out.npz").exists()


def test_write_result_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "out.npz"
    vectors = np.ones((2, 3), dtype=np.float64)
    write_result(target, vectors, ["a", "b"], {"rows": 2})
    with np.load(target, allow_pickle=False) as result:
        assert result["embeddings"].dtype == np.float32
    target.unlink()

    def full_disk(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "savez", full_disk)
    with pytest.raises(RunnerError, match=r"cannot write the result .*No space left on device"):
        write_result(target, vectors, ["a", "b"], {"rows": 2})
    assert list(tmp_path.iterdir()) == []
