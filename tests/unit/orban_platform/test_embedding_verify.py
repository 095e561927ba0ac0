"""The check of an uploaded embedding result: an honest one passes; zeros, random or shuffled
vectors, another model's, altered rows, copies, wrong ids or counts, NaN, pickles, non-zip
files, wrong dtypes and oversized members are refused with one readable reason."""

from __future__ import annotations

import io
import json
import random
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from orban_platform.embedding.corpus import load_corpus
from orban_platform.embedding.reference import ReferenceEncoder
from orban_platform.embedding.verify import (
    EmbeddingVerdict,
    check_embedding_result,
    detection_probability,
    sample_size,
)
from tests.unit.orban_platform.embedding_helpers import manifest, real_model_dir, write_result

ROWS = 40
SEED = 7
IDS = [f"r{row:03d}" for row in range(ROWS)]
SAMPLED = sorted(random.Random(SEED).sample(range(ROWS), 4))  # what the check will draw


@pytest.fixture(scope="module")
def encoder() -> ReferenceEncoder:
    return ReferenceEncoder(real_model_dir())


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return load_corpus()[100 : 100 + 2 * ROWS : 2]


@pytest.fixture(scope="module")
def honest(encoder: ReferenceEncoder, texts: list[str]) -> npt.NDArray[np.float32]:
    return encoder.encode(texts, max_length=256)


def check(
    path: Path,
    encoder: ReferenceEncoder,
    texts: list[str],
    *,
    canaries: dict[int, npt.NDArray[Any]] | None = None,
    precision: str = "fp32",
    seed: int = SEED,
) -> EmbeddingVerdict:
    return check_embedding_result(
        path,
        ids=IDS,
        texts=texts,
        encoder=encoder,
        precision=precision,
        max_length=256,
        canaries=canaries or {},
        rng=random.Random(seed),
    )


def test_an_honest_result_is_accepted(
    tmp_path: Path, encoder: ReferenceEncoder, texts: list[str], honest: npt.NDArray[np.float32]
) -> None:
    path = write_result(tmp_path / "r.npz", honest, IDS, manifest(infer_s=2.5, device="cuda:0"))
    verdict = check(path, encoder, texts)
    assert verdict.ok and verdict.reason is None, verdict.reason
    assert verdict.sampled_rows == tuple(SAMPLED) and verdict.rows == ROWS
    assert verdict.min_cosine is not None and verdict.min_cosine >= 0.999
    assert (verdict.device, verdict.infer_s) == ("cuda:0", 2.5)
    assert verdict.manifest is not None and verdict.manifest["pipeline"] == "text-embedding"


def test_canaries_are_checked_and_never_sampled(
    tmp_path: Path, encoder: ReferenceEncoder, texts: list[str], honest: npt.NDArray[np.float32]
) -> None:
    canaries = {row: honest[row] for row in (3, 17, 31)}
    verdict = check(
        write_result(tmp_path / "r.npz", honest, IDS), encoder, texts, canaries=canaries
    )
    assert verdict.ok and not set(verdict.sampled_rows) & set(canaries)
    cheat = honest.copy()
    cheat[17] = honest[18]  # a canary row answered wrong is caught whatever the sample
    verdict = check(write_result(tmp_path / "c.npz", cheat, IDS), encoder, texts, canaries=canaries)
    assert not verdict.ok and verdict.reason is not None
    assert verdict.reason.startswith("canary row 17 has cosine")


def rotated(vectors: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """The vectors through a random rotation: unit length kept, meaning lost."""
    basis, _ = np.linalg.qr(np.random.default_rng(1).normal(size=(384, 384)))
    turned: npt.NDArray[np.float32] = (vectors @ basis).astype(np.float32)
    return turned


def with_nan(vectors: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    broken = vectors.copy()
    broken[5, 7] = np.nan
    return broken


def unit_random(rows: int) -> npt.NDArray[np.float32]:
    vectors = np.random.default_rng(2).normal(size=(rows, 384))
    unit: npt.NDArray[np.float32] = (
        vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    ).astype(np.float32)
    return unit


@pytest.mark.parametrize(
    ("cheat", "reason"),
    [
        (lambda h, e, t: np.zeros_like(h), "row 0 has length 0.0000"),
        (lambda h, e, t: unit_random(ROWS), "sampled rows differ from the platform's own vectors"),
        (lambda h, e, t: h[::-1].copy(), "sampled rows differ"),
        (lambda h, e, t: np.roll(h, 1, axis=0), "sampled rows differ"),
        (lambda h, e, t: rotated(h), "sampled rows differ"),
        (lambda h, e, t: e.encode(load_corpus()[:ROWS]), "sampled rows differ"),
        (lambda h, e, t: np.repeat(h[:1], ROWS, axis=0), "rows 0 and 1 hold the same vector"),
        (lambda h, e, t: h.astype(np.float64), "embeddings are float64 of shape (40, 384);"),
        (lambda h, e, t: h.astype(np.float16), "embeddings are float16"),
        (lambda h, e, t: h[:-1], "row count 39, expected 40"),
        (lambda h, e, t: h[:, :383], "dimension 383, expected 384"),
        (lambda h, e, t: h[0], "embeddings are float32 of shape (384,)"),
        (lambda h, e, t: with_nan(h), "NaN or infinite"),
        (lambda h, e, t: h * 2, "row 0 has length 2.0000, but this model gives 1"),
    ],
)
def test_cheats_and_broken_vectors_are_refused(
    tmp_path: Path,
    encoder: ReferenceEncoder,
    texts: list[str],
    honest: npt.NDArray[np.float32],
    cheat: Any,
    reason: str,
) -> None:
    vectors = np.asarray(cheat(honest, encoder, texts))
    verdict = check(write_result(tmp_path / "r.npz", vectors, IDS), encoder, texts)
    assert not verdict.ok and verdict.reason is not None and reason in verdict.reason, (
        verdict.reason
    )
    assert verdict.manifest is not None and verdict.device == "cpu"


def test_one_altered_row_is_caught_when_the_sample_holds_it(
    tmp_path: Path, encoder: ReferenceEncoder, texts: list[str], honest: npt.NDArray[np.float32]
) -> None:
    unsampled = next(row for row in range(ROWS) if row not in SAMPLED)
    for row, caught in ((SAMPLED[1], True), (unsampled, False)):
        cheat = honest.copy()
        cheat[row] = unit_random(1)[0]
        verdict = check(write_result(tmp_path / f"{row}.npz", cheat, IDS), encoder, texts)
        assert verdict.ok is not caught
        if caught:
            assert verdict.reason is not None and "1 of 4 sampled rows" in verdict.reason
            assert f"row {row} has cosine" in verdict.reason
            assert verdict.min_cosine is not None and verdict.min_cosine < 0.5
    assert detection_probability(ROWS, 1, 4) == pytest.approx(0.1)


def test_copies_count_only_for_texts_the_model_sees_differently(
    tmp_path: Path, encoder: ReferenceEncoder, texts: list[str], honest: npt.NDArray[np.float32]
) -> None:
    cheat = honest.copy()
    cheat[9] = honest[3]
    verdict = check(write_result(tmp_path / "c.npz", cheat, IDS), encoder, texts)
    assert verdict.reason == "rows 3 and 9 hold the same vector for different texts"
    same_text = [*texts]
    same_text[9] = texts[3].upper()  # the model lower-cases: the same tokens, rightly the same
    assert check(tmp_path / "c.npz", encoder, same_text).ok
    noisy = honest.copy()  # a copy of a sampled row, disguised by noise below any tolerance
    noise = np.random.default_rng(3).normal(scale=2e-5, size=384).astype(np.float32)
    target = next(row for row in range(ROWS) if row not in SAMPLED)
    noisy[target] = honest[SAMPLED[0]] + noise
    verdict = check(write_result(tmp_path / "n.npz", noisy, IDS), encoder, texts)
    assert verdict.reason is not None and "are copies (cosine above 0.99999)" in verdict.reason


def test_fp16_results_get_the_looser_tolerance(
    tmp_path: Path, encoder: ReferenceEncoder, texts: list[str], honest: npt.NDArray[np.float32]
) -> None:
    noise = np.random.default_rng(4).normal(scale=0.004, size=honest.shape)
    blurred = honest + noise
    blurred = (blurred / np.linalg.norm(blurred, axis=1, keepdims=True)).astype(np.float32)
    path = write_result(tmp_path / "b.npz", blurred, IDS)  # cosines about 0.996
    assert check(path, encoder, texts, precision="fp16").ok
    assert not check(path, encoder, texts, precision="fp32").ok


@pytest.mark.parametrize(
    ("ids", "reason"),
    [
        ([*IDS[:-1], "other"], "ids do not match"),
        ([IDS[1], IDS[0], *IDS[2:]], "ids do not match"),
        (np.arange(ROWS), "ids do not match"),
    ],
)
def test_wrong_ids_are_refused(
    tmp_path: Path,
    encoder: ReferenceEncoder,
    texts: list[str],
    honest: npt.NDArray[np.float32],
    ids: Any,
    reason: str,
) -> None:
    path = tmp_path / "r.npz"
    np.savez(
        path, embeddings=honest, ids=np.asarray(ids), manifest=np.array(json.dumps(manifest()))
    )
    verdict = check(path, encoder, texts)
    assert not verdict.ok and verdict.reason is not None and reason in verdict.reason


def zip_of(path: Path, members: dict[str, bytes], method: int = zipfile.ZIP_STORED) -> Path:
    with zipfile.ZipFile(path, "w", compression=method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def npy(array: Any, allow_pickle: bool = False) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=allow_pickle)
    return buffer.getvalue()


def test_files_that_are_not_runner_results_are_refused_cleanly(
    tmp_path: Path, encoder: ReferenceEncoder, texts: list[str], honest: npt.NDArray[np.float32]
) -> None:
    good = {
        "embeddings.npy": npy(honest),
        "ids.npy": npy(np.array(IDS)),
        "manifest.npy": npy(np.array(json.dumps(manifest()))),
    }
    huge = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        huge, {"descr": "<f4", "fortran_order": False, "shape": (4_000_000_000, 384)}
    )
    cases: dict[str, tuple[Path, str]] = {
        "text": (tmp_path / "t.npz", "not a zip archive"),
        "npy": (tmp_path / "a.npy", "not a zip archive"),
        "pickle": (
            zip_of(tmp_path / "p.npz", {**good, "ids.npy": npy(np.array(IDS, dtype=object), True)}),
            "holds Python objects",
        ),
        "no manifest": (
            zip_of(tmp_path / "m.npz", {k: v for k, v in good.items() if k != "manifest.npy"}),
            "not embeddings, ids and manifest",
        ),
        "extra": (
            zip_of(tmp_path / "x.npz", {**good, "evil.npy": b""}),
            "not embeddings, ids and manifest",
        ),
        "garbled manifest": (
            zip_of(tmp_path / "g.npz", {**good, "manifest.npy": npy(np.array("{not json"))}),
            "not a valid .npz result",
        ),
        "list manifest": (
            zip_of(tmp_path / "l.npz", {**good, "manifest.npy": npy(np.array("[1, 2]"))}),
            "the manifest is not a JSON object",
        ),
        "huge shape": (
            zip_of(tmp_path / "h.npz", {**good, "embeddings.npy": huge.getvalue()}),
            "larger than the job allows",
        ),
        "zip bomb": (
            zip_of(
                tmp_path / "z.npz",
                {**good, "embeddings.npy": npy(honest)[:128] + bytes(20_000_000)},
                zipfile.ZIP_DEFLATED,
            ),
            "larger than the job allows",
        ),
        "truncated": (
            zip_of(tmp_path / "u.npz", {**good, "embeddings.npy": npy(honest)[:5000]}),
            "not a valid .npz result",
        ),
    }
    (tmp_path / "t.npz").write_text("hello")
    np.save(tmp_path / "a.npy", honest)
    assert (tmp_path / "z.npz").stat().st_size < 200_000
    for name, (path, reason) in cases.items():
        verdict = check(path, encoder, texts)
        assert not verdict.ok and verdict.reason is not None, name
        assert reason in verdict.reason and verdict.reason.startswith("not a valid .npz"), (
            name,
            verdict.reason,
        )
        assert verdict.manifest is None and verdict.rows == 0 and verdict.sampled_rows == ()


@pytest.mark.parametrize("value", [-1.0, float("nan"), float("inf"), True, "2.5", None])
def test_only_a_finite_non_negative_infer_s_is_taken(
    tmp_path: Path,
    encoder: ReferenceEncoder,
    texts: list[str],
    honest: npt.NDArray[np.float32],
    value: object,
) -> None:
    path = write_result(tmp_path / "r.npz", honest, IDS, manifest(infer_s=value, device=7))
    verdict = check(path, encoder, texts)
    assert verdict.ok and verdict.infer_s is None and verdict.device is None


def test_an_inconsistent_job_is_a_programming_error(
    tmp_path: Path, encoder: ReferenceEncoder, texts: list[str], honest: npt.NDArray[np.float32]
) -> None:
    path = write_result(tmp_path / "r.npz", honest, IDS)
    with pytest.raises(ValueError, match="same rows"):
        check(path, encoder, texts[:-1])
    with pytest.raises(ValueError, match="same rows"):
        check(path, encoder, texts, canaries={ROWS: honest[0]})


def test_the_detection_probability_is_hypergeometric() -> None:
    assert detection_probability(10, 1, 1) == pytest.approx(0.1)
    assert detection_probability(100, 0, 50) == 0.0
    assert detection_probability(100, 60, 41) == 1.0  # fewer right rows than the sample
    expected = 1.0
    for draw in range(82):  # the chance that all 82 draws miss 41 wrong rows of 4096
        expected *= (4096 - 41 - draw) / (4096 - draw)
    assert detection_probability(4096, 41, 82) == pytest.approx(1 - expected)
    assert 0.55 < detection_probability(4096, 41, 82) < 0.57
    assert detection_probability(4096, 410, 82) > 0.9998
    rng = random.Random(5)
    hits = sum(bool(set(rng.sample(range(200), 10)) & {0, 1, 2}) for _ in range(20000))
    assert hits / 20000 == pytest.approx(detection_probability(200, 3, 10), abs=0.01)
    with pytest.raises(ValueError):
        detection_probability(-1, 0, 0)


def test_the_sample_size_is_two_percent_with_a_floor() -> None:
    assert [sample_size(n, 0.02, 4) for n in (4096, 256, 40, 3, 0)] == [82, 6, 4, 3, 0]
