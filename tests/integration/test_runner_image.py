"""The runner image ``orban/runner:0.1.0`` (``make runner-image``) in a real Docker engine.

Every container runs under the agent's hardening (no network, read-only root, a ``mode=1777``
tmpfs ``/tmp``, no capabilities, ``no-new-privileges``, user 65534, a pids limit, memory =
memory+swap) with only the image's own environment. Checked: the image's labels and settings,
``--version``, ``probe`` (no GPU in these containers), a real ``embed`` of the
all-MiniLM-L6-v2 model folder mounted read-only whose vectors match the committed golden ones,
and a GPU that is not there failing with exit 3 instead of falling back to the CPU. Without an
engine or the image these tests skip, and FAIL in CI (``CI`` set: ``.ci/run`` builds the image).
``ORBAN_RUNNER_IMAGE=NAME:TAG`` tests another image instead (one built from the Dockerfile).
Imports the Docker SDK, numpy and the compute tests' Docker and runner fixtures.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from docker.errors import ImageNotFound
from docker.types import Mount

from tests.integration.compute.docker_fixtures import _unavailable, docker_client  # noqa: F401
from tests.integration.compute.runner_fixtures import RUNNER_IMAGE, model_dir

pytestmark = pytest.mark.slow
PYTHON = "/opt/runner/bin/python"
MODEL_MOUNT = "/models/all-MiniLM-L6-v2"
GOLDEN = Path(__file__).resolve().parents[1] / "data" / "minilm_golden.json"
HARDENING: dict[str, Any] = {
    "network_mode": "none",
    "read_only": True,
    "tmpfs": {"/tmp": "rw,nosuid,nodev,size=256m,mode=1777"},
    "cap_drop": ["ALL"],
    "security_opt": ["no-new-privileges"],
    "user": "65534:65534",
    "pids_limit": 256,
    "mem_limit": 2 << 30,
    "memswap_limit": 2 << 30,
}


@pytest.fixture(scope="module")
def engine(docker_client: Any) -> Any:  # noqa: F811  # the shared session fixture
    """The Docker engine (skip without one; fail when ``CI`` is set)."""
    return docker_client


@pytest.fixture(scope="module")
def image(engine: Any) -> str:
    """:data:`RUNNER_IMAGE` (``make runner-image``), or the image ``$ORBAN_RUNNER_IMAGE`` names
    (e.g. one built from packaging/runner/Dockerfile)."""
    name = os.environ.get("ORBAN_RUNNER_IMAGE") or RUNNER_IMAGE
    try:
        engine.images.get(name)
    except ImageNotFound:
        _unavailable(f"the runner image {name} is not built (make runner-image)")
    return name


def run_hardened(
    client: Any, image: str, command: list[str], mounts: list[Mount] | None = None
) -> tuple[int, str, str]:
    """Run ``command`` in ``image`` under :data:`HARDENING`; its exit code, stdout, stderr."""
    container = client.containers.create(
        image, command, mounts=mounts or [], working_dir="/tmp", **HARDENING
    )
    try:
        container.start()
        status = container.wait(timeout=300)
        stdout = container.logs(stdout=True, stderr=False).decode()
        stderr = container.logs(stdout=False, stderr=True).decode()
        return int(status["StatusCode"]), stdout, stderr
    finally:
        container.remove(force=True)


def golden_entries() -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = json.loads(GOLDEN.read_text(encoding="utf-8"))["entries"]
    return [entry for entry in entries if entry["max_length"] == 256]


def embed_mounts(workspace: Path) -> list[Mount]:
    return [
        Mount(MODEL_MOUNT, str(model_dir()), type="bind", read_only=True),
        Mount("/workspace", str(workspace), type="bind", read_only=False),
    ]


def write_input(workspace: Path, texts: list[str]) -> None:
    workspace.mkdir()
    workspace.chmod(0o777)  # the container's user 65534 writes its result here
    lines = [json.dumps({"id": f"row-{i}", "text": text}) for i, text in enumerate(texts)]
    (workspace / "input.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


def embed_command(device: str) -> list[str]:
    return [
        PYTHON, "-m", "orban_runner", "embed", "--model", MODEL_MOUNT,
        "--input", "/workspace/input.jsonl", "--output", "/workspace/result.npz",
        "--progress", "/workspace/progress.jsonl", "--device", device,
        "--batch-size", "4", "--threads", "2",
    ]  # fmt: skip


def test_image_settings(engine: Any, image: str) -> None:
    config = engine.images.get(image).attrs["Config"]
    assert config["Labels"]["org.opencontainers.image.version"] == "0.1.0"
    assert "HF_HUB_OFFLINE=1" in config["Env"]
    assert "TRANSFORMERS_OFFLINE=1" in config["Env"]
    assert any(entry.startswith("PATH=/opt/runner/bin:") for entry in config["Env"])
    assert config["User"] not in ("", "0", "root")


def test_version_and_probe_hardened(engine: Any, image: str) -> None:
    code, stdout, stderr = run_hardened(engine, image, [PYTHON, "-m", "orban_runner", "--version"])
    assert (code, stdout.strip()) == (0, "orban-runner 0.1.0"), stderr
    code, stdout, stderr = run_hardened(engine, image, [PYTHON, "-m", "orban_runner", "probe"])
    assert code == 0, stderr
    probe = json.loads(stdout)
    assert probe["runner_version"] == "0.1.0"
    assert probe["framework"] == "pytorch"
    assert probe["torch"].startswith("2.13.0")
    assert probe["transformers"].startswith("4.")
    assert probe["cuda_available"] is False  # no GPU is given to these containers
    assert probe["cuda_devices"] == []


def test_real_embed_in_the_image(
    engine: Any,
    image: str,
    tmp_path: Path,
) -> None:
    entries = golden_entries()
    workspace = tmp_path / "workspace"
    write_input(workspace, [entry["text"] for entry in entries])
    code, _, stderr = run_hardened(engine, image, embed_command("cpu"), embed_mounts(workspace))
    assert code == 0, stderr
    assert sorted(os.listdir(workspace)) == ["input.jsonl", "progress.jsonl", "result.npz"]
    with np.load(io.BytesIO((workspace / "result.npz").read_bytes()), allow_pickle=False) as npz:
        embeddings, ids = npz["embeddings"], npz["ids"]
        manifest = json.loads(str(npz["manifest"]))
    assert embeddings.dtype == np.float32
    assert embeddings.shape == (len(entries), 384)
    assert ids.dtype.kind == "U" and ids.tolist() == [f"row-{i}" for i in range(len(entries))]
    assert manifest["device"] == "cpu"
    assert manifest["runner_version"] == "0.1.0"
    assert manifest["pipeline"] == "text-embedding"
    assert (manifest["rows"], manifest["dim"], manifest["max_length"]) == (len(entries), 384, 256)
    golden = np.array([entry["vector"] for entry in entries], dtype=np.float64)
    cosines = np.sum(embeddings * golden, axis=1) / np.linalg.norm(golden, axis=1)
    assert np.all(cosines > 0.99999), cosines
    assert np.max(np.abs(embeddings - golden)) < 1e-4
    progress = [
        json.loads(line) for line in (workspace / "progress.jsonl").read_text().splitlines()
    ]
    assert progress[0]["stage"] == "loaded"
    assert progress[-1]["rows_done"] == len(entries)


def test_missing_gpu_is_exit_3(engine: Any, image: str, tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    write_input(workspace, ["A GPU that is not there is never replaced by the CPU."])
    code, _, stderr = run_hardened(engine, image, embed_command("cuda"), embed_mounts(workspace))
    assert code == 3, stderr
    assert stderr.strip().splitlines()[-1].startswith("orban-runner: ")
    assert not (workspace / "result.npz").exists()
