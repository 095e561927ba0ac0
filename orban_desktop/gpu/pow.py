"""Proof of work as upstream's ``gpu/pow.rs`` defines it, solved on all CPU cores.

A solution for ``(nonce, difficulty)`` is a u64 ``n`` such that ``sha256(nonce || n as 8 bytes
little-endian)`` has ``difficulty`` leading zero bits, counted from the most significant bit of
the first digest byte. ``solve_pow`` returns the *smallest* such ``n`` at or above ``start``, so
the answer is the same for any number of workers. Workers scan striped chunks; once one finds a
solution in chunk k, all stop after their chunks up to k, and the minimum found is the answer
(every chunk below k has been scanned). ``solve_pow`` blocks: call ``solve_pow_async`` from the
event loop. Imports no Qt and nothing that loads NVML.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import multiprocessing
import os
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Protocol

from orban_desktop.errors import GPUError, ProtocolError
from orban_desktop.gpu.errors import PowCancelled, PowDifficultyTooHigh
from orban_desktop.gpu.pow_worker import U64_LIMIT, chunk_bounds, scan, worker_main

#: The most leading zero bits the agent will search for (2**32 hashes expected: minutes).
MAX_POW_DIFFICULTY = 32
#: With ``workers=None``, easier challenges are solved in the calling thread (process start-up
#: would cost more than the search).
PARALLEL_MIN_DIFFICULTY = 20
DEFAULT_CHUNK_SIZE = 1 << 15
_NO_SOLUTION_YET = 1 << 62
_POLL_S = 0.05


class CancelFlag(Protocol):
    """``threading.Event`` or ``multiprocessing.Event``: anything with ``is_set()``."""

    def is_set(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class PowSolution:
    """The smallest solution found, its digest, the hashes computed (all workers) and time."""

    solution_nonce: int
    hash: bytes
    hashes_tried: int
    elapsed_s: float
    workers: int = 1


def pow_hash(nonce: bytes, solution_nonce: int) -> bytes:
    """``sha256(nonce || solution_nonce as u64 little-endian)``."""
    return hashlib.sha256(nonce + solution_nonce.to_bytes(8, "little")).digest()


def leading_zero_bits(digest: bytes) -> int:
    """Zero bits before the first one bit, from the most significant bit of byte 0."""
    return len(digest) * 8 - int.from_bytes(digest, "big").bit_length()


def verify_pow(nonce: bytes, difficulty: int, solution_nonce: int) -> bytes | None:
    """The digest if ``solution_nonce`` solves the challenge, else None (also for bad input)."""
    if not 0 <= difficulty <= 256 or not 0 <= solution_nonce < U64_LIMIT:
        return None
    digest = pow_hash(nonce, solution_nonce)
    return digest if leading_zero_bits(digest) >= difficulty else None


def check_difficulty(difficulty: int) -> None:
    """Raises: PowDifficultyTooHigh above MAX_POW_DIFFICULTY, ProtocolError when negative."""
    if difficulty < 0:
        raise ProtocolError(f"A PoW difficulty of {difficulty} is not valid: it must be 0 or more.")
    if difficulty > MAX_POW_DIFFICULTY:
        raise PowDifficultyTooHigh(
            f"The platform asked for {difficulty} leading zero bits; this agent solves at most "
            f"{MAX_POW_DIFFICULTY}. The challenge is refused.",
            context={"difficulty": difficulty, "max_difficulty": MAX_POW_DIFFICULTY},
        )


def solve_pow(
    nonce: bytes,
    difficulty: int,
    *,
    workers: int | None = None,
    cancel: CancelFlag | None = None,
    start: int = 0,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> PowSolution:
    """Find the smallest ``n >= start`` solving the challenge. Blocking; never on the loop.

    Args:
        nonce: The challenge bytes (already decoded from hex/base64).
        difficulty: Leading zero bits wanted, 0..MAX_POW_DIFFICULTY.
        workers: Processes to use; None: all cores for hard challenges, else this thread.
            1 searches in the calling thread.
        cancel: Checked between chunks; once set the search stops and raises PowCancelled.
        start: The first candidate nonce.
        chunk_size: Nonces per unit of work (a cancel is noticed within one chunk).

    Raises:
        PowDifficultyTooHigh: ``difficulty`` above the cap.
        PowCancelled: ``cancel`` was set first.
        GPUError: a worker process died, or no solution exists below 2**64.
    """
    check_difficulty(difficulty)
    if not 0 <= start < U64_LIMIT or chunk_size < 1:
        raise ValueError("start must be a u64 and chunk_size positive")
    workers = workers_for(difficulty, workers)
    began = time.perf_counter()
    if workers <= 1:
        n, tried = _solve_here(nonce, difficulty, start, chunk_size, cancel)
    else:
        n, tried = _solve_in_processes(nonce, difficulty, start, chunk_size, workers, cancel)
    return PowSolution(n, pow_hash(nonce, n), tried, time.perf_counter() - began, max(workers, 1))


def workers_for(difficulty: int, workers: int | None = None) -> int:
    """How many processes ``solve_pow`` uses for ``difficulty`` (``workers=None``: its rule)."""
    if workers is not None:
        return max(workers, 1)
    return (os.cpu_count() or 1) if difficulty >= PARALLEL_MIN_DIFFICULTY else 1


def measure_hash_rate(hashes: int = DEFAULT_CHUNK_SIZE) -> float:
    """Hashes per second of one worker on this machine (blocking: a few milliseconds)."""
    began = time.perf_counter()
    scan(b"orban-hash-rate-probe", 0, hashes, 256)  # 256 bits: never found, all scanned
    return hashes / max(time.perf_counter() - began, 1e-9)


def _solve_here(
    nonce: bytes, difficulty: int, start: int, chunk_size: int, cancel: CancelFlag | None
) -> tuple[int, int]:
    tried = 0
    k = 0
    while (bounds := chunk_bounds(start, chunk_size, k)) is not None:
        if cancel is not None and cancel.is_set():
            raise PowCancelled("The proof-of-work search was cancelled.")
        lo, hi = bounds
        n = scan(nonce, lo, hi, difficulty)
        if n is not None:
            return n, tried + n - lo + 1
        tried += hi - lo
        k += 1
    raise GPUError("No proof-of-work solution exists below 2**64 from this start.")


def _solve_in_processes(
    nonce: bytes,
    difficulty: int,
    start: int,
    chunk_size: int,
    workers: int,
    cancel: CancelFlag | None,
) -> tuple[int, int]:
    ctx = multiprocessing.get_context("spawn")
    stop_chunk = ctx.Value("q", _NO_SOLUTION_YET)
    stop_all = ctx.Event()
    results: multiprocessing.Queue[tuple[str, int, int]] = ctx.Queue()
    args = (nonce, difficulty, start, chunk_size)
    procs = [
        ctx.Process(
            target=worker_main,
            args=(*args, w, workers, stop_chunk, stop_all, results),
            name=f"orban-pow-{w}",
            daemon=True,
        )
        for w in range(workers)
    ]
    for proc in procs:
        proc.start()
    found: list[int] = []
    tried = 0
    done = 0
    try:
        while done < workers:
            if cancel is not None and cancel.is_set():
                raise PowCancelled("The proof-of-work search was cancelled.")
            try:
                kind, _worker, value = results.get(timeout=_POLL_S)
            except queue.Empty:
                if not any(p.is_alive() for p in procs) and results.empty():
                    raise GPUError("A proof-of-work worker process died.") from None
                continue
            if kind == "found":
                found.append(value)
            elif kind == "failed":
                raise GPUError("A proof-of-work worker process failed; the search was stopped.")
            else:
                done += 1
                tried += value
    finally:
        stop_all.set()
        for proc in procs:
            proc.join(timeout=0.5)  # nothing to save: a late worker is terminated
            if proc.is_alive():
                proc.terminate()
                proc.join()
        results.close()
        results.join_thread()
    if not found:
        raise GPUError("No proof-of-work solution exists below 2**64 from this start.")
    return min(found), tried


async def solve_pow_async(
    nonce: bytes,
    difficulty: int,
    *,
    workers: int | None = None,
    start: int = 0,
    executor: Executor | None = None,
    use_cuda: bool = False,
) -> PowSolution:
    """``solve_pow`` in a worker thread. Cancelling the awaiting task stops the search (and its
    processes) before the ``CancelledError`` propagates.

    Args:
        use_cuda: Try the CUDA solver (``pow_cuda``) first; the CPU solver with ``workers``
            is the fallback.

    Raises:
        PowDifficultyTooHigh: ``difficulty`` above the cap (before any thread starts).
    """
    check_difficulty(difficulty)
    cancel = threading.Event()
    job: Callable[[], PowSolution]
    if use_cuda:
        from orban_desktop.gpu.pow_cuda import solve_pow_preferring_cuda

        job = functools.partial(
            solve_pow_preferring_cuda,
            nonce,
            difficulty,
            workers=workers,
            cancel=cancel,
            start=start,
        )
    else:
        job = functools.partial(
            solve_pow, nonce, difficulty, workers=workers, cancel=cancel, start=start
        )
    future = asyncio.get_running_loop().run_in_executor(executor, job)
    try:
        return await asyncio.shield(future)
    except asyncio.CancelledError:
        cancel.set()
        with contextlib.suppress(PowCancelled):
            await future
        raise
