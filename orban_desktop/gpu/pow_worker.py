"""The proof-of-work inner loop and the worker-process entry point, with minimal imports.

Worker processes are started with the ``spawn`` method and import only this module (plus the
empty package files above it), so it must stay free of NVML, asyncio, Qt and project imports.
The search space is cut into chunks of ``chunk_size`` nonces; chunk ``k`` covers
``[start + k*chunk_size, start + (k+1)*chunk_size)`` and worker ``w`` of ``W`` scans chunks
``w, w+W, w+2W, ...`` in increasing order. See ``pow.py`` for why this yields the smallest n.
"""

from __future__ import annotations

import hashlib
import struct
from multiprocessing.queues import Queue
from multiprocessing.sharedctypes import Synchronized
from multiprocessing.synchronize import Event

U64_LIMIT = 1 << 64
_PACK_U64_LE = struct.Struct("<Q").pack


def target_for(difficulty: int) -> bytes:
    """The 32-byte big-endian bound a digest must be below to start with ``difficulty`` zeros."""
    return (1 << (256 - difficulty)).to_bytes(32, "big")


def scan(nonce: bytes, lo: int, hi: int, difficulty: int) -> int | None:
    """The smallest n in ``[lo, hi)`` whose ``sha256(nonce || n_le64)`` meets ``difficulty``.

    The prefix is hashed once and its state copied per candidate (the "midstate" copy).
    """
    if difficulty <= 0:
        return lo if lo < hi else None
    target = target_for(difficulty)
    copy = hashlib.sha256(nonce).copy
    pack = _PACK_U64_LE
    for n in range(lo, hi):
        h = copy()
        h.update(pack(n))
        if h.digest() < target:
            return n
    return None


def chunk_bounds(start: int, chunk_size: int, k: int) -> tuple[int, int] | None:
    """The nonce range of chunk ``k``, clipped to u64; None past the end of the space."""
    lo = start + k * chunk_size
    if lo >= U64_LIMIT:
        return None
    return lo, min(lo + chunk_size, U64_LIMIT)


def worker_main(
    nonce: bytes,
    difficulty: int,
    start: int,
    chunk_size: int,
    worker_id: int,
    workers: int,
    stop_chunk: Synchronized[int],
    cancel: Event,
    results: Queue[tuple[str, int, int]],
) -> None:
    """Scan this worker's chunks until one holds a solution, a lower chunk did, or cancel.

    Puts ``("found", worker_id, n)`` when it finds one, and always ends with
    ``("done", worker_id, hashes_tried)``, or ``("failed", ...)`` if it stopped on an error
    (its chunks were then not all scanned, so no answer may be trusted).
    """
    hashes = 0
    k = worker_id
    completed = False
    try:
        while not cancel.is_set() and k <= stop_chunk.value:
            bounds = chunk_bounds(start, chunk_size, k)
            if bounds is None:
                break
            lo, hi = bounds
            n = scan(nonce, lo, hi, difficulty)
            if n is None:
                hashes += hi - lo
                k += workers
                continue
            hashes += n - lo + 1
            with stop_chunk.get_lock():
                if k < stop_chunk.value:
                    stop_chunk.value = k
            results.put(("found", worker_id, n))
            break
        completed = True
    finally:
        results.put(("done" if completed else "failed", worker_id, hashes))
