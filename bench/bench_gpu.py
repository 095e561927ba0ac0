"""GPU-layer figures: PoW hashes/s (one core, all cores) beside raw hashlib.sha256 throughput
measured in the same run, and the cost of one ``get_all_status()`` over 8 simulated GPUs.

Run: ``.venv/bin/python -m bench.bench_gpu`` (about 6 s on 2 cores). Prints figures only; no
pass/fail. Imports no Qt.
"""

from __future__ import annotations

import asyncio
import hashlib
import multiprocessing
import os
import time
from collections.abc import Callable

from orban_desktop.gpu.detector import GPUDetector
from orban_desktop.gpu.pow import solve_pow
from orban_desktop.gpu.pow_worker import scan

NONCE = bytes.fromhex("036d33da139a78aba1587210667ea8c7")  # the golden vector's challenge
RAW_BUFFER = bytes(64 * 1024 * 1024)
BLOCK = 64


def raw_blocks_per_s(_: int = 0) -> float:
    """SHA-256 compression blocks per second over a large buffer: the per-core ceiling."""
    began = time.perf_counter()
    hashlib.sha256(RAW_BUFFER).digest()
    return len(RAW_BUFFER) / BLOCK / (time.perf_counter() - began)


def one_shot_digests_per_s(count: int = 500_000) -> float:
    """``sha256(32-byte message).digest()`` calls per second (one block each, no midstate)."""
    message = NONCE + bytes(16)
    sha = hashlib.sha256
    began = time.perf_counter()
    for _ in range(count):
        sha(message).digest()
    return count / (time.perf_counter() - began)


def pow_per_core(_: int = 0, count: int = 1 << 21) -> float:
    """The PoW inner loop in this process; difficulty 32 so it scans the whole range."""
    began = time.perf_counter()
    found = scan(NONCE, 1 << 40, (1 << 40) + count, 32)
    elapsed = time.perf_counter() - began
    assert found is None, "an improbable solution cut the scan short"
    return count / elapsed


def on_all_cores(measure: Callable[[int], float], cores: int) -> float:
    """Sum of ``measure`` run at once in ``cores`` started processes (start-up not counted)."""
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(cores) as pool:
        pool.map(measure, range(cores))  # warm-up: every process started and imported
        return sum(pool.map(measure, range(cores)))


def status_cost_us(detector: GPUDetector, rounds: int = 2000) -> float:
    detector.get_all_status()
    began = time.perf_counter()
    for _ in range(rounds):
        detector.get_all_status()
    return (time.perf_counter() - began) / rounds * 1e6


async def async_status_cost_us(detector: GPUDetector, rounds: int = 500) -> float:
    await detector.get_all_status_async()
    began = time.perf_counter()
    for _ in range(rounds):
        await detector.get_all_status_async()
    return (time.perf_counter() - began) / rounds * 1e6


def line(label: str, figure: str) -> None:
    print(f"{label:<48}{figure}")


def main() -> None:
    cores = os.cpu_count() or 1
    print(f"cores: {cores}")
    raw = max(raw_blocks_per_s() for _ in range(3))
    line("raw hashlib.sha256 over 64 MiB, 1 core:", f"{raw / 1e6:7.2f} M blocks/s (the limit)")
    raw_all = on_all_cores(raw_blocks_per_s, cores)
    line(f"raw hashlib.sha256 over 64 MiB, {cores} cores:", f"{raw_all / 1e6:7.2f} M blocks/s")
    line(
        "hashlib.sha256(32 B).digest() calls, 1 core:", f"{one_shot_digests_per_s() / 1e6:7.2f} M/s"
    )
    per_core = max(pow_per_core() for _ in range(2))
    line(
        "PoW midstate loop, 1 core:",
        f"{per_core / 1e6:7.2f} M hashes/s ({per_core / raw:.0%} of raw)",
    )
    pow_all = on_all_cores(pow_per_core, cores)
    share = pow_all / raw_all
    line(
        f"PoW midstate loop, {cores} cores:",
        f"{pow_all / 1e6:7.2f} M hashes/s ({share:.0%} of raw)",
    )
    s = solve_pow(NONCE, 22, workers=cores)
    rate = s.hashes_tried / s.elapsed_s
    line(f"solve_pow difficulty 22, {cores} processes:", f"{rate / 1e6:7.2f} M hashes/s end to end")
    print(f"    n={s.solution_nonce}: {s.hashes_tried} hashes in {s.elapsed_s:.2f} s with start-up")
    s = solve_pow(NONCE, 16, workers=cores)
    line(f"solve_pow difficulty 16, {cores} processes:", f"{s.elapsed_s * 1e3:7.1f} ms (start-up)")
    s = solve_pow(NONCE, 16, workers=1)
    line(
        "solve_pow difficulty 16, this thread:",
        f"{s.elapsed_s * 1e3:7.1f} ms (n={s.solution_nonce})",
    )
    detector = GPUDetector(simulate_gpus=8)
    detector.detect_all()
    line("get_all_status(), 8 simulated GPUs:", f"{status_cost_us(detector):7.1f} us/call")
    cost = asyncio.run(async_status_cost_us(detector))
    line("get_all_status_async(), 8 simulated GPUs:", f"{cost:7.1f} us/call (with thread hop)")


if __name__ == "__main__":
    main()
