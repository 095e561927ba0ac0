"""Proof of work: the golden vector, bit order, determinism across workers, cancellation."""

from __future__ import annotations

import asyncio
import hashlib
import multiprocessing
import threading

import pytest

from orban_desktop.errors import GPUError, ProtocolError
from orban_desktop.gpu.errors import PowCancelled, PowDifficultyTooHigh
from orban_desktop.gpu.pow import (
    MAX_POW_DIFFICULTY,
    leading_zero_bits,
    pow_hash,
    solve_pow,
    solve_pow_async,
    verify_pow,
)
from orban_desktop.gpu.pow_worker import scan
from tests.fixtures import protocol_keys

KEYS = protocol_keys()
NONCE = bytes.fromhex(str(KEYS["pow_nonce_hex"]))
DIFFICULTY = int(str(KEYS["pow_difficulty"]))
SOLUTION = int(str(KEYS["pow_solution_nonce"]))
HASH = bytes.fromhex(str(KEYS["pow_hash_hex"]))


def test_the_golden_vector():
    assert (NONCE.hex(), DIFFICULTY, SOLUTION) == ("036d33da139a78aba1587210667ea8c7", 16, 753)
    assert pow_hash(NONCE, SOLUTION) == HASH
    assert HASH.hex().startswith("000037f3e4cf")
    solution = solve_pow(NONCE, DIFFICULTY, workers=1)
    assert (solution.solution_nonce, solution.hash) == (SOLUTION, HASH)
    assert solution.hashes_tried == SOLUTION + 1


@pytest.mark.parametrize(
    ("digest", "bits"),
    [
        (bytes(32), 256),
        (b"\x80" + bytes(31), 0),  # the most significant bit of byte 0 comes first
        (b"\x01" + bytes(31), 7),
        (b"\x00\x0f" + bytes(30), 12),
        (b"\x00\x00\x37" + bytes(29), 18),  # the vector: 0x0000 37 -> 16 + 2
    ],
)
def test_leading_zero_bits_count_from_the_top_bit_of_the_first_byte(digest: bytes, bits: int):
    assert leading_zero_bits(digest) == bits


def test_the_vector_hash_has_18_zero_bits_and_no_smaller_n_solves_16():
    assert leading_zero_bits(HASH) == 18
    assert all(verify_pow(NONCE, 16, n) is None for n in range(SOLUTION))


def test_verify():
    assert verify_pow(NONCE, 16, SOLUTION) == HASH
    assert verify_pow(NONCE, 18, SOLUTION) == HASH
    assert verify_pow(NONCE, 19, SOLUTION) is None
    assert verify_pow(NONCE, 16, SOLUTION + 1) is None
    assert verify_pow(NONCE, 16, -1) is None
    assert verify_pow(NONCE, 16, 1 << 64) is None


def test_little_endian_nonce_encoding():
    assert scan(NONCE, SOLUTION, SOLUTION + 1, 16) == SOLUTION
    big_endian = NONCE + SOLUTION.to_bytes(8, "big")
    assert leading_zero_bits(hashlib.sha256(big_endian).digest()) < 16


def test_difficulty_zero_is_the_start_itself():
    assert solve_pow(NONCE, 0, workers=1, start=41).solution_nonce == 41


def test_start_skips_earlier_solutions():
    later = solve_pow(NONCE, 8, workers=1, start=SOLUTION + 1)
    assert later.solution_nonce > SOLUTION
    assert verify_pow(NONCE, 8, later.solution_nonce) == later.hash


def test_difficulty_above_the_cap_is_refused():
    with pytest.raises(PowDifficultyTooHigh) as caught:
        solve_pow(NONCE, MAX_POW_DIFFICULTY + 1)
    assert caught.value.context["max_difficulty"] == 32
    with pytest.raises(ProtocolError):
        solve_pow(NONCE, -1)


@pytest.mark.parametrize("chunk_size", [64, 1000])
def test_many_workers_find_the_same_smallest_solution(chunk_size: int):
    solution = solve_pow(NONCE, DIFFICULTY, workers=2, chunk_size=chunk_size)
    assert (solution.solution_nonce, solution.hash, solution.workers) == (SOLUTION, HASH, 2)
    assert solution.hashes_tried >= SOLUTION + 1 - chunk_size


def test_workers_agree_with_one_thread_on_a_harder_challenge():
    alone = solve_pow(b"orban", 12, workers=1)
    together = solve_pow(b"orban", 12, workers=3, chunk_size=256)
    assert together.solution_nonce == alone.solution_nonce


def test_setting_cancel_stops_the_search_in_this_thread():
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(PowCancelled):
        solve_pow(NONCE, MAX_POW_DIFFICULTY, workers=1, cancel=cancel)


def test_setting_cancel_stops_the_worker_processes():
    cancel = threading.Event()
    timer = threading.Timer(0.3, cancel.set)
    timer.start()
    with pytest.raises(PowCancelled):
        solve_pow(NONCE, MAX_POW_DIFFICULTY, workers=2, cancel=cancel)
    timer.join()
    assert multiprocessing.active_children() == []


async def test_cancelling_the_async_task_stops_the_processes():
    task = asyncio.create_task(solve_pow_async(NONCE, MAX_POW_DIFFICULTY, workers=2))
    await asyncio.sleep(0.3)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert multiprocessing.active_children() == []


async def test_async_solves_off_the_loop_and_matches_the_vector():
    solution = await solve_pow_async(NONCE, DIFFICULTY)
    assert solution.solution_nonce == SOLUTION


async def test_async_refuses_too_hard_before_starting():
    with pytest.raises(PowDifficultyTooHigh):
        await solve_pow_async(NONCE, 40)


def test_a_failing_worker_stops_the_search_with_a_gpu_error():
    with pytest.raises(GPUError):  # str nonce: the workers' hashing raises TypeError
        solve_pow("not bytes", 4, workers=2)  # type: ignore[arg-type]
