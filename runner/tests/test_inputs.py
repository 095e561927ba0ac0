"""Bad input and bad options: exit 2, one readable ``orban-runner: ...`` line, no output file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from orban_runner.errors import BadInput
from orban_runner.inputs import InputLimits, read_rows
from runner_helpers import embed_args, run_cli

GOOD = '{"id": "a", "text": "the gpu"}\n'

BAD_INPUT = [
    ("empty", "", "holds no rows"),
    ("blank lines only", "\n \n", "holds no rows"),
    ("malformed line", GOOD + '{"id": "b", "text": \n', "input line 2 is not valid JSON"),
    ("not an object", GOOD + '["b", "the dog"]\n', "input line 2 is not an object"),
    ("no id", '{"text": "the gpu"}\n', "input line 1: the id must be a string of 1 to 200"),
    ("number id", '{"id": 7, "text": "the gpu"}\n', "the id must be a string"),
    ("long id", '{"id": "' + "x" * 201 + '", "text": "a"}\n', "the id must be a string"),
    ("empty text", '{"id": "a", "text": "  "}\n', "input line 1 (a): the text must be a non-empty"),
    ("no text", '{"id": "a"}\n', "the text must be a non-empty string"),
    ("duplicate id", GOOD + GOOD, "input line 2: the id 'a' appears twice"),
    ("text over the limit", '{"id": "a", "text": "' + "dog " * 30 + '"}\n', "limit of 100"),
    ("too many rows", "".join(f'{{"id": "{i}", "text": "a"}}\n' for i in range(6)), "than 5 rows"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "content", "said"), BAD_INPUT, ids=[c[0] for c in BAD_INPUT])
def test_bad_input_is_exit_2_with_one_line_and_no_output(
    model_folder: Callable[..., Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    case: str,
    content: str,
    said: str,
) -> None:
    (tmp_path / "in.jsonl").write_text(content, encoding="utf-8")
    limits = ["--max-text-chars", "100", "--max-rows", "5"]
    code, err = run_cli(capsys, *embed_args(model_folder(), tmp_path, *limits))
    assert code == 2
    assert len(err) == 1 and err[0].startswith("orban-runner: ") and said in err[0], err
    assert not (tmp_path / "out.npz").exists()
    assert not (tmp_path / "out.npz.partial").exists()


def test_bad_bytes_and_a_missing_file(tmp_path: Path) -> None:
    (tmp_path / "in.jsonl").write_bytes(b'{"id": "a", "text": "\xff"}\n')
    with pytest.raises(BadInput, match="input line 1 is not UTF-8 text"):
        read_rows(tmp_path / "in.jsonl", InputLimits())
    with pytest.raises(BadInput, match="cannot read the input"):
        read_rows(tmp_path / "missing.jsonl", InputLimits())


def test_rows_keep_input_order_and_ignore_other_keys(tmp_path: Path) -> None:
    (tmp_path / "in.jsonl").write_text(
        '\ufeff{"id": "z", "text": "last", "lang": "en"}\n\n{"id": "a", "text": "first"}\n'
    )
    rows = read_rows(tmp_path / "in.jsonl", InputLimits(max_rows=2))
    assert (rows.ids, rows.texts, len(rows)) == (["z", "a"], ["last", "first"], 2)


BAD_OPTIONS = [
    (["--batch-size", "0"], "argument --batch-size: must be 1 to 4096 (got 0)"),
    (["--batch-size", "many"], "argument --batch-size: 'many' is not a whole number"),
    (["--max-length", "9000"], "must be 1 to 8192"),
    (["--max-length", "100"], "--max-length 100 is more than the model takes (64)"),
    (["--precision", "int8"], "argument --precision: invalid choice: 'int8'"),
    (["--precision", "fp16"], "fp16 runs on a GPU only; use fp32 or bf16 on the CPU"),
    (["--device", "gpu"], "--device must be cpu, cuda, cuda:N or mps (got 'gpu')"),
    (["--bogus"], "unrecognized arguments: --bogus"),
]


@pytest.mark.parametrize(
    ("extra", "said"), BAD_OPTIONS, ids=[o[0][0] + o[0][-1] for o in BAD_OPTIONS]
)
def test_bad_options_are_exit_2(
    model_folder: Callable[..., Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    extra: list[str],
    said: str,
) -> None:
    (tmp_path / "in.jsonl").write_text(GOOD)
    code, err = run_cli(capsys, *embed_args(model_folder(), tmp_path, *extra))
    assert code == 2
    assert err[-1].startswith("orban-runner: ") and said in err[-1], err
    assert not (tmp_path / "out.npz").exists()


def test_an_output_in_a_missing_folder_is_refused_before_the_work(
    model_folder: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "in.jsonl").write_text(GOOD)
    args = embed_args(model_folder(), tmp_path)
    args[args.index("--output") + 1] = tmp_path / "nowhere" / "out.npz"
    code, err = run_cli(capsys, *args)
    assert code == 2
    assert err == [f"orban-runner: the output's folder {tmp_path / 'nowhere'} does not exist"]
