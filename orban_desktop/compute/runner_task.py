"""The agent's side of a runner task: the launch it decides, the progress it relays, the manifest.

:func:`launch_for` turns a prepared runner task and its GPU into a
:class:`~orban_desktop.compute.sandbox.runner_launch.RunnerLaunch`: an NVIDIA GPU is ``cuda:0``
with its UUID expected (the sandbox shows the runner only that GPU), an AMD card ``cuda:0`` (ROCm)
with its name expected, an Apple GPU ``mps``, and a simulated GPU or none the CPU, said plainly.
:class:`ProgressTail` reads the runner's progress lines while it runs and reports rows done.
:func:`read_manifest` takes the runner's manifest out of the result (a 0-d string array, read
without numpy or pickle: :mod:`.npy_text`) and checks it against what was asked, so the measured
GPU time, rows per second and device that the agent reports are the runner's own. Blocking reads
run in worker threads. Imports the sandbox types and the error tree, and nothing from Qt.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import threading
import zipfile
from collections.abc import Callable
from pathlib import Path

from orban_desktop.compute.npy_text import read_npy_text
from orban_desktop.compute.sandbox.base import GpuAssignment
from orban_desktop.compute.sandbox.runner_launch import RunnerLaunch
from orban_desktop.compute.task import PreparedTask, RunnerReport
from orban_desktop.errors import TaskExecutionFailed

log = logging.getLogger(__name__)
_MANIFEST_MAX_BYTES = 1 << 20


def device_for(gpu: GpuAssignment) -> tuple[str, str | None]:
    """The runner's ``--device`` for ``gpu``, and the GPU it must find (``--expect-gpu``)."""
    if gpu.is_real and gpu.vendor == "nvidia":
        return "cuda:0", gpu.uuid
    if gpu.is_amd:
        return "cuda:0", gpu.name
    if gpu.vendor == "apple":
        return "mps", None
    return "cpu", None


def launch_for(
    prepared: PreparedTask, gpu: GpuAssignment, *, runner_python: str | None, threads: int
) -> RunnerLaunch:
    """The runner launch of a prepared runner task on ``gpu``."""
    job = prepared.spec.runner
    if job is None:
        raise ValueError("not a runner task")
    device, expect = device_for(gpu)
    return RunnerLaunch(
        image=job.image,
        python=runner_python,
        model_sha256=prepared.model_sha256,
        model_name=job.model_name,
        device=device,
        expect_gpu=expect,
        batch_size=job.batch_size,
        precision=job.precision,
        max_length=job.max_length,
        threads=threads,
    )


#: ``on_rows(rows_done, rows, seconds_computing)``, as the runner's batches finish.
RowsCallback = Callable[[int, int, float], None]


class ProgressTail:
    """Follows the runner's progress file; calls ``on_rows`` as batches finish.

    Read once a second: the rows shown move each second, TASK_PROGRESS goes out every 10 s, and
    each read is a trip to a worker thread (twice a second per task cost the hidden app more
    than anything it shows).
    """

    def __init__(self, path: Path, on_rows: RowsCallback, interval_s: float = 1.0) -> None:
        self._path = path
        self._on_rows = on_rows
        self._interval = interval_s
        self._offset = 0
        self._lock = threading.Lock()  # a cancelled read may still run in its thread
        self._latest: tuple[int, int, float] | None = None
        self._reported: tuple[int, int, float] | None = None

    def _read_new(self) -> tuple[int, int, float] | None:
        with self._lock:
            latest = self._read_unlocked()
            if latest is not None:
                self._latest = latest
            return latest

    def _read_unlocked(self) -> tuple[int, int, float] | None:
        try:
            with open(self._path, "rb") as handle:
                handle.seek(self._offset)
                chunk = handle.read(1 << 16)
        except FileNotFoundError:
            return None
        complete = chunk[: chunk.rfind(b"\n") + 1]
        self._offset += len(complete)
        latest = None
        for line in complete.splitlines():
            with contextlib.suppress(ValueError, TypeError, KeyError):
                record = json.loads(line)
                done, total = int(record["rows_done"]), int(record["rows"])
                elapsed = float(record.get("elapsed_s", 0.0))
                if 0 <= done <= total and total > 0 and math.isfinite(elapsed):
                    latest = (done, total, max(0.0, elapsed))
        return latest

    def _report(self) -> None:
        if self._latest is not None and self._latest != self._reported:
            self._reported = self._latest
            self._on_rows(*self._latest)

    async def follow(self) -> None:
        """Read until cancelled (cancel it when the run ends, then call :meth:`finish`)."""
        while True:
            await self.finish()
            await asyncio.sleep(self._interval)

    async def finish(self) -> None:
        """Read what the runner wrote since the last read: its last batches, or a short run."""
        await asyncio.to_thread(self._read_new)
        self._report()


def _number(manifest: dict[str, object], key: str) -> float:
    value = manifest.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"manifest.{key} is not a number")
    if value < 0:
        raise ValueError(f"manifest.{key} is negative")
    return float(value)


def read_manifest(result: Path, launch: RunnerLaunch, rows: int) -> RunnerReport:
    """The manifest of the runner's ``.npz`` result, checked against the launch. Blocking.

    Raises:
        TaskExecutionFailed: No readable manifest, or it describes another run (rows, device).
    """
    try:
        with zipfile.ZipFile(result) as archive:
            info = archive.getinfo("manifest.npy")
            if info.file_size > _MANIFEST_MAX_BYTES:
                raise ValueError("the manifest is too large")
            with archive.open(info) as member:
                manifest = json.loads(read_npy_text(member, _MANIFEST_MAX_BYTES))
        if not isinstance(manifest, dict):
            raise ValueError("the manifest is not an object")
        report = RunnerReport(
            rows=int(_number(manifest, "rows")),
            infer_s=_number(manifest, "infer_s"),
            load_s=_number(manifest, "load_s"),
            rows_per_s=_number(manifest, "rows_per_s"),
            device=str(manifest.get("device", "")),
            device_name=str(manifest.get("device_name", ""))[:200],
            peak_device_memory_bytes=(
                int(_number(manifest, "peak_device_memory_bytes"))
                if manifest.get("peak_device_memory_bytes") is not None
                else None
            ),
        )
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise TaskExecutionFailed(f"The runner's result has no usable manifest: {exc}.") from exc
    if report.rows != rows:
        raise TaskExecutionFailed(f"The runner embedded {report.rows} rows, not the {rows} asked.")
    if report.device.split(":")[0] != launch.device.split(":")[0]:
        raise TaskExecutionFailed(
            f"The runner computed on {report.device!r}, not on {launch.device!r} as asked."
        )
    return report
