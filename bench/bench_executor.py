"""Benchmark of the task executor's transfers and sandboxes.

1. Download throughput over loopback: ``compute.transfer.download`` (streaming SHA-256, size
   cap, verify) against a plain aiohttp download of the same file to disk (no hashing) in the
   same run, from the same server (a separate process serving the file with sendfile). Rounds
   alternate in pairs; printed are the medians (and the median of the paired ratios) and the
   best round of each (and their ratio), since other load on a small machine only slows rounds
   down (target: >= 0.8x). Also printed: the CPU seconds this process spent per download (all
   threads; the server is another process), which other load changes far less than the wall
   time, and the load average; and two ceilings of a verified download on this machine:
   SHA-256's own speed over the file in memory on one thread (the hash is one sequential
   stream), and the speed this process's CPU seconds per download allow on all CPUs. ``--sweep``
   repeats the verified download for several write batch sizes and queue depths
   (``TransferSettings.write_batch_bytes`` / ``write_queue_depth``, the buffers in flight being
   their product), which is how their defaults were chosen.
2. Per-task overhead of each sandbox for a trivial workload (``: > "$3"``): the median wall time
   of ``ProcessSandbox.run`` and ``DockerSandbox.run`` (when an engine is running; the busybox
   test image is imported if missing), next to a bare ``/bin/sh -c :`` for reference.

Run: ``.venv/bin/python -m bench.bench_executor [--size-mb 256] [--rounds 7] [--runs 10]
[--only downloads] [--sweep]``.
Imports nothing from Qt.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp
from aiohttp import web

from bench.targets import target_line
from orban_desktop.compute.http import TransferSettings, create_http_session
from orban_desktop.compute.sandbox.base import GpuAssignment, ResourceLimits, Sandbox, SandboxJob
from orban_desktop.compute.sandbox.docker import DockerSandbox, DockerUnavailable
from orban_desktop.compute.sandbox.process import ProcessSandbox
from orban_desktop.compute.transfer import download

MIB = 1024 * 1024


def serve(folder: str) -> None:
    """Child process: serve ``folder`` on a loopback port and print the port."""
    app = web.Application()
    app.router.add_static("/", folder)

    async def main() -> None:
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        print(runner.addresses[0][1], flush=True)
        await asyncio.Event().wait()

    asyncio.run(main())


async def plain_download(session: aiohttp.ClientSession, url: str, dest: Path) -> int:
    """The baseline: stream the body to a file, nothing else."""
    size = 0
    async with session.get(url) as response:
        response.raise_for_status()
        with open(dest, "wb") as handle:
            async for chunk in response.content.iter_any():
                handle.write(chunk)
                size += len(chunk)
    return size


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Rounds:
    """Per-round rates (MiB/s) and CPU seconds of one way of downloading."""

    def __init__(self) -> None:
        self.rates: list[float] = []
        self.cpu_s: list[float] = []

    async def time(self, size_mb: int, download_once: Awaitable[object]) -> None:
        started, cpu = time.perf_counter(), _cpu_s()
        await download_once
        self.cpu_s.append(_cpu_s() - cpu)
        self.rates.append(size_mb / (time.perf_counter() - started))

    def line(self, label: str) -> str:
        rates = f"{statistics.median(self.rates):8.1f} / {max(self.rates):7.1f} MiB/s"
        return f"  {label:26s} {rates}, CPU {statistics.median(self.cpu_s):.2f} s"


def _hash_rates(blob: bytes, rounds: int) -> tuple[str, list[float]]:
    """``blob``'s SHA-256 (hex), and MiB/s of hashing it in memory, one thread, per round: a
    verified download's ceiling."""
    rates, digest = [], ""
    for _ in range(rounds):
        started = time.perf_counter()
        digest = hashlib.sha256(blob).hexdigest()
        rates.append(len(blob) / MIB / (time.perf_counter() - started))
    return digest, rates


SWEEP = ((256 << 10, 16), (512 << 10, 8), (1 << 20, 4), (1 << 20, 8), (2 << 20, 4), (4 << 20, 2))


async def bench_downloads(work: Path, size_mb: int, rounds: int, sweep: bool) -> None:
    data_dir = work / "served"
    data_dir.mkdir()
    blob = os.urandom(size_mb * MIB)
    digest, hash_rates = _hash_rates(blob, rounds)
    (data_dir / "model.bin").write_bytes(blob)
    del blob
    server = subprocess.Popen(
        [sys.executable, "-m", "bench.bench_executor", "--serve", str(data_dir)],
        stdout=subprocess.PIPE,
        text=True,
    )
    default = TransferSettings()
    ways = [(default.write_batch_bytes, default.write_queue_depth)]
    ways += [way for way in SWEEP if way != ways[0]] if sweep else []
    plain_rounds, verified = Rounds(), {way: Rounds() for way in ways}
    try:
        assert server.stdout is not None
        url = f"http://127.0.0.1:{server.stdout.readline().strip()}/model.bin"
        async with (
            aiohttp.ClientSession(auto_decompress=False) as plain,
            create_http_session() as ours,
        ):
            for _ in range(rounds):  # paired rounds: the machine's load changes over time
                await plain_rounds.time(size_mb, plain_download(plain, url, work / "plain.bin"))
                (work / "plain.bin").unlink()
                for (batch, depth), rounds_of_way in verified.items():
                    settings = TransferSettings(write_batch_bytes=batch, write_queue_depth=depth)
                    done = download(ours, url, work / "verified.bin", max_bytes=size_mb * MIB,
                                    exact_size=size_mb * MIB, expected_sha256=digest,
                                    settings=settings)  # fmt: skip
                    await rounds_of_way.time(size_mb, done)
                    (work / "verified.bin").unlink()
    finally:
        server.terminate()
        server.wait()
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"download of {size_mb} MiB over loopback, {rounds} paired rounds (median / best),"
          f" load average {load}:")  # fmt: skip
    print(plain_rounds.line("plain aiohttp to disk"))
    for (batch, depth), rounds_of_way in verified.items():
        label = f"verified, {batch >> 10} KiB x {depth}"
        ratios = [v / p for v, p in zip(rounds_of_way.rates, plain_rounds.rates, strict=True)]
        best = max(rounds_of_way.rates) / max(plain_rounds.rates)
        spread = f"paired rounds {min(ratios):.2f} to {max(ratios):.2f}"
        print(f"{rounds_of_way.line(label)}  ratio {statistics.median(ratios):.2f} / {best:.2f}x"
              f"  ({spread})")  # fmt: skip
    default_rounds = next(iter(verified.values()))  # the first way: the default buffers
    ratios = [v / p for v, p in zip(default_rounds.rates, plain_rounds.rates, strict=True)]
    # Two ceilings of a verified download here: SHA-256 is one sequential stream (one core), and
    # this process cannot use more than every CPU (the server, another process, shares them).
    hashed, plain_rate = statistics.median(hash_rates), statistics.median(plain_rounds.rates)
    cores = os.cpu_count() or 1
    by_cpu = size_mb / (statistics.median(default_rounds.cpu_s) / cores)
    ceiling = min(1.0, hashed / plain_rate, by_cpu / plain_rate)
    print(f"  ceilings: SHA-256 alone {hashed:.0f} MiB/s (one thread, in memory); this process's"
          f" CPU per verified download on {cores} CPUs {by_cpu:.0f} MiB/s;"
          f" so at most {ceiling:.2f}x of plain here")  # fmt: skip
    print("bench_executor targets (issue 21):")
    print(target_line("download+verify / plain, median of pairs", statistics.median(ratios), "x",
                      0.8, below=False))  # fmt: skip


def trivial_job(root: Path, index: int) -> SandboxJob:
    folder = root / f"job-{index}"
    (folder / "workspace" / "out").mkdir(parents=True)
    (folder / "private").mkdir()
    (folder / "workspace" / "input").write_bytes(b"input\n")
    (root / "model").write_bytes(b"model\n")
    (root / "trivial.sh").write_text(': > "$3"\n')
    limits = ResourceLimits(memory_bytes=256 * MIB, cpu_cores=1, pids=64, max_output_bytes=MIB)
    return SandboxJob(f"bench-{index}", root / "trivial.sh", root / "model",
                      folder / "workspace", folder / "private", 30, limits,
                      GpuAssignment(0, "SIM-0"))  # fmt: skip


async def median_ms(runs: int, once: Callable[[int], Awaitable[None]]) -> float:
    await once(-1)  # warm-up
    times = []
    for index in range(runs):
        started = time.perf_counter()
        await once(index)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


async def bench_sandboxes(work: Path, runs: int) -> None:
    async def bare(_index: int) -> None:
        process = await asyncio.create_subprocess_exec("/bin/sh", "-c", ":")
        await process.wait()

    def through(sandbox: Sandbox, name: str) -> Callable[[int], Awaitable[None]]:
        async def once(index: int) -> None:
            ending = await sandbox.run(trivial_job(work / name, index + 1))
            assert ending.succeeded, ending.stderr_tail

        return once

    print(f"per-task overhead of a trivial workload, median of {runs} runs:")
    print(f"  bare /bin/sh -c :          {await median_ms(runs, bare):8.1f} ms")
    process_ms = await median_ms(runs, through(ProcessSandbox(), "process"))
    print(f"  process sandbox            {process_ms:8.1f} ms")
    docker_sandbox = await connect_docker()
    if docker_sandbox is None:
        return
    try:
        docker_ms = await median_ms(runs, through(docker_sandbox, "docker"))
        print(f"  docker sandbox             {docker_ms:8.1f} ms")
    finally:
        await docker_sandbox.close()


async def connect_docker() -> DockerSandbox | None:
    try:
        import docker

        from tests.integration.compute.docker_fixtures import build_test_image, find_busybox

        busybox = find_busybox()
        if busybox is None:
            print("  docker sandbox             skipped: busybox-static is not installed")
            return None
        client = docker.from_env()
        image = await asyncio.to_thread(build_test_image, client, busybox)
        return await DockerSandbox.connect(image, client_factory=lambda: client)
    except (DockerUnavailable, docker.errors.DockerException) as exc:
        print(f"  docker sandbox             skipped: {exc}")
        return None


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="orban-bench-") as folder:
        await bench_downloads(Path(folder), args.size_mb, args.rounds, args.sweep)
        if args.only is None:
            await bench_sandboxes(Path(folder), args.runs)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size-mb", type=int, default=256)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--only", choices=["downloads"], help="run only that section")
    parser.add_argument("--sweep", action="store_true", help="try several write buffer sizes")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.serve:
        serve(arguments.serve)
    else:
        asyncio.run(main(arguments))
