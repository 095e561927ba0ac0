"""The model folder's plan, and the folders the runner refuses (exit 4, one line, no output)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from orban_runner.errors import BadModel
from orban_runner.model_folder import read_plan
from runner_helpers import TEXTS, embed_args, run_cli, write_jsonl


def test_the_real_model_plan(real_model: Path) -> None:
    plan = read_plan(real_model)
    assert (plan.model_type, plan.pooling, plan.normalize) == ("bert", "mean", True)
    assert plan.max_seq_length == 256  # sentence_bert_config.json
    assert plan.token_limit == 512  # config.json max_position_embeddings
    assert plan.default_max_length() == 256


def test_a_plain_folder_without_sentence_config_defaults_to_256_tokens_within_its_limit(
    model_folder: Callable[..., Path],
) -> None:
    folder = model_folder("cls")
    (folder / "sentence_bert_config.json").unlink()
    plan = read_plan(folder)
    assert plan.max_seq_length is None and plan.token_limit == 64
    assert plan.default_max_length() == 64  # 256, but the tiny model takes 64 positions


def _edit_json(path: Path, change: Callable[[object], object]) -> None:
    path.write_text(json.dumps(change(json.loads(path.read_text()))))


def _set_type(config: object, model_type: str) -> object:
    assert isinstance(config, dict)
    return {**config, "model_type": model_type}


BROKEN = [
    ("no config.json", lambda f: (f / "config.json").unlink(), "lacks config.json"),
    ("no modules.json", lambda f: (f / "modules.json").unlink(), "lacks modules.json"),
    (
        "no tokenizer",
        lambda f: [(f / n).unlink() for n in ("tokenizer.json", "vocab.txt")],
        "lacks its tokenizer",
    ),
    ("no weights", lambda f: (f / "model.safetensors").unlink(), "lacks its weights"),
    (
        "no pooling config",
        lambda f: (f / "1_Pooling" / "config.json").unlink(),
        "lacks 1_Pooling/config.json",
    ),
    (
        "a gpt2 model",
        lambda f: _edit_json(f / "config.json", lambda c: _set_type(c, "gpt2")),
        "'gpt2' model; the text-embedding pipeline runs encoders only",
    ),
    (
        "an unknown module",
        lambda f: _edit_json(
            f / "modules.json",
            lambda m: [
                *m,
                {"idx": 3, "path": "3_Dense", "type": "sentence_transformers.models.Dense"},
            ],  # type: ignore[misc]
        ),
        "a module this runner does not run: 'sentence_transformers.models.Dense'",
    ),
    (
        "no pooling module",
        lambda f: _edit_json(f / "modules.json", lambda m: m[:1]),  # type: ignore[index]
        "must list Transformer, Pooling and optionally Normalize",
    ),
    (
        "an unsupported pooling mode",
        lambda f: _edit_json(
            f / "1_Pooling" / "config.json",
            lambda c: {"pooling_mode_mean_sqrt_len_tokens": True},
        ),
        "asks for pooling_mode_mean_sqrt_len_tokens",
    ),
    (
        "two pooling modes",
        lambda f: _edit_json(
            f / "1_Pooling" / "config.json",
            lambda c: {"pooling_mode_mean_tokens": True, "pooling_mode_cls_token": True},
        ),
        "exactly one of mean, cls or max",
    ),
    ("a broken config.json", lambda f: (f / "config.json").write_text("{"), "cannot be read"),
]


@pytest.mark.parametrize(("breakage", "fault", "said"), BROKEN, ids=[b[0] for b in BROKEN])
def test_a_folder_the_runner_cannot_follow_is_refused(
    model_folder: Callable[..., Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    breakage: str,
    fault: Callable[[Path], object],
    said: str,
) -> None:
    folder = model_folder("mean", normalize=True)
    fault(folder)
    with pytest.raises(BadModel) as caught:
        read_plan(folder)
    assert said in caught.value.message
    write_jsonl(tmp_path / "in.jsonl", TEXTS)
    code, err = run_cli(capsys, *embed_args(folder, tmp_path))
    assert code == 4
    assert err[-1].startswith("orban-runner: ") and said in err[-1]
    assert not (tmp_path / "out.npz").exists()
    assert not (tmp_path / "out.npz.partial").exists()


def test_a_missing_folder_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_jsonl(tmp_path / "in.jsonl", TEXTS)
    code, err = run_cli(capsys, *embed_args(tmp_path / "nowhere", tmp_path))
    assert code == 4
    assert err == [f"orban-runner: the model folder {tmp_path / 'nowhere'} does not exist"]


def test_weights_that_do_not_load_are_exit_4(
    model_folder: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = model_folder("mean")
    (folder / "model.safetensors").write_bytes(b"not a safetensors file")
    write_jsonl(tmp_path / "in.jsonl", TEXTS)
    code, err = run_cli(capsys, *embed_args(folder, tmp_path))
    assert code == 4
    assert err[-1].startswith("orban-runner: the model folder does not load: ")
    assert not (tmp_path / "out.npz").exists()
