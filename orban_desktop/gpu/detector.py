"""``GPUDetector``: finds every GPU (NVIDIA, AMD, Apple, or simulated ones), reads their status
off the event loop, matches task requirements, hands GPUs to tasks and spots foreign processes.

Configuration comes through the constructor (the config module is not imported). A vendor whose
library or driver is missing simply contributes no GPU; other detection failures are kept in
``problems`` and logged, and the remaining vendors are still used. With ``simulate_gpus=N``
only N simulated GPUs exist. Imports no Qt.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from collections.abc import Callable, Collection, Iterator, Sequence
from concurrent.futures import Executor
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

from orban_desktop.errors import GPUError, GPUNotFound, OrbanError
from orban_desktop.gpu.device import (
    GIB,
    GPUDevice,
    GPUFacts,
    GPUFault,
    GPUProcess,
    GPUStatus,
    LoadAware,
)
from orban_desktop.gpu.errors import GPULost
from orban_desktop.gpu.hardware import DEFAULT_CPUINFO, HardwareInfo, collect_hardware_info
from orban_desktop.gpu.requirements import Candidate, GPURequirements, RequirementCheck, choose_gpu
from orban_desktop.gpu.simulated import SimulatedGPU

log = logging.getLogger(__name__)

#: Display servers and compositors: always on a desktop's GPU, never a reason to pause.
DEFAULT_IGNORED_PROCESS_NAMES = frozenset(
    {"Xorg", "Xwayland", "gnome-shell", "kwin_x11", "kwin_wayland", "plasmashell", "dwm.exe"}
)


class GPUBackend(Protocol):
    """A vendor reader: lists its devices (numbered from ``first_index``) and releases itself."""

    def devices(self, first_index: int = 0) -> Sequence[GPUDevice]: ...
    def close(self) -> None: ...


def default_backends() -> list[GPUBackend]:
    from orban_desktop.gpu.amd import AmdSysfsBackend
    from orban_desktop.gpu.apple import AppleIoregBackend
    from orban_desktop.gpu.nvidia import NvidiaBackend

    return [NvidiaBackend(), AmdSysfsBackend(), AppleIoregBackend()]


class GPUDetector:
    """All GPUs of this machine and the agent's use of them.

    Args:
        backends: Vendor readers; None uses NVIDIA (NVML), AMD (sysfs) and Apple (ioreg).
        simulate_gpus: When > 0, only this many simulated GPUs (backends are not touched).
        reserved_vram_gb: GiB of each GPU's free memory never offered to tasks.
        temperature_limit_c: A GPU at or above this is skipped by selection (None: no limit).
        allowed_indices: If given, only these GPUs are offered.
        disabled_indices: GPUs never offered.
        own_pids: Our process ids (agent and task processes) for foreign-process detection.
        foreign_min_memory_bytes: A foreign process must hold this much GPU memory to count
            (one whose usage is unknown always counts).
        clock: Time source of simulated GPUs.
    """

    def __init__(
        self,
        *,
        backends: Sequence[GPUBackend] | None = None,
        simulate_gpus: int = 0,
        reserved_vram_gb: float = 0.0,
        temperature_limit_c: float | None = 85.0,
        allowed_indices: Collection[int] | None = None,
        disabled_indices: Collection[int] = (),
        own_pids: Callable[[], Collection[int]] = lambda: {os.getpid()},
        ignored_process_names: Collection[str] = DEFAULT_IGNORED_PROCESS_NAMES,
        foreign_min_memory_bytes: int = 128 * 1024 * 1024,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._backends = list(backends) if backends is not None else None
        self._simulate = simulate_gpus
        self.reserved_bytes = round(reserved_vram_gb * GIB)
        self.temperature_limit_c = temperature_limit_c
        self._allowed = None if allowed_indices is None else frozenset(allowed_indices)
        self._disabled = frozenset(disabled_indices)
        self._own_pids = own_pids
        self._ignored_names = frozenset(ignored_process_names)
        self._foreign_min_memory = foreign_min_memory_bytes
        self._clock = clock
        self._lock = threading.RLock()
        self._busy: set[int] = set()
        self._devices: list[GPUDevice] = []
        self._facts: dict[int, GPUFacts] = {}
        self.problems: list[OrbanError] = []

    @property
    def devices(self) -> list[GPUDevice]:
        return list(self._devices)

    def configure(
        self,
        *,
        reserved_vram_gb: float,
        temperature_limit_c: float | None,
        allowed_indices: Collection[int] | None,
        disabled_indices: Collection[int],
    ) -> None:
        """Use new owner settings from the next selection on (a GPU in use keeps its task)."""
        with self._lock:
            self.reserved_bytes = round(reserved_vram_gb * GIB)
            self.temperature_limit_c = temperature_limit_c
            self._allowed = None if allowed_indices is None else frozenset(allowed_indices)
            self._disabled = frozenset(disabled_indices)

    def is_enabled(self, index: int) -> bool:
        allowed = self._allowed is None or index in self._allowed
        return allowed and index not in self._disabled

    def detect_all(self) -> list[GPUDevice]:
        """Find every GPU (blocking: NVML and sysfs reads). Safe to call again to re-detect."""
        self.close()
        self.problems = []
        found: list[GPUDevice] = []
        if self._simulate > 0:
            found = [SimulatedGPU(i, clock=self._clock) for i in range(self._simulate)]
        else:
            if self._backends is None:
                self._backends = default_backends()
            for backend in self._backends:
                found.extend(self._from_backend(backend, len(found)))
        facts: dict[int, GPUFacts] = {}
        for device in found:
            try:
                facts[device.index] = device.facts()
            except GPUError as exc:
                log.warning("GPU %d skipped: %s", device.index, exc)
                self.problems.append(exc)
        self._devices = [d for d in found if d.index in facts]
        self._facts = facts
        return self.devices

    def _from_backend(self, backend: GPUBackend, first_index: int) -> Sequence[GPUDevice]:
        try:
            return backend.devices(first_index)
        except GPUNotFound as exc:
            log.debug("No GPUs from %s: %s", type(backend).__name__, exc)
        except OrbanError as exc:
            log.warning("GPU detection by %s failed: %s", type(backend).__name__, exc)
            self.problems.append(exc)
        return []

    def facts(self) -> list[GPUFacts]:
        return [self._facts[d.index] for d in self._devices]

    def get_hardware_info(self, data_dir: Path, *, cpuinfo: Path = DEFAULT_CPUINFO) -> HardwareInfo:
        """Upstream's HardwareInfo with the enabled GPUs only (the ones offered)."""
        offered = [f for f in self.facts() if self.is_enabled(f.index)]
        return collect_hardware_info(offered, data_dir, cpuinfo=cpuinfo)

    def _read(self, device: GPUDevice) -> GPUStatus:
        try:
            return device.status()
        except GPUError as exc:
            log.warning("GPU %d cannot be read: %s", device.index, exc)
            fault = GPUFault.LOST if isinstance(exc, GPULost) else GPUFault.ERROR
            return GPUStatus.of(self._facts[device.index], fault=fault)

    def get_all_status(self) -> list[GPUStatus]:
        """One snapshot per GPU (blocking). A GPU that fails to read gets ``fault`` set."""
        return [self._read(device) for device in self._devices]

    async def get_all_status_async(self, executor: Executor | None = None) -> list[GPUStatus]:
        """``get_all_status`` in a worker thread, so NVML never blocks the event loop."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(executor, self.get_all_status)

    def _candidates(self, statuses: Sequence[GPUStatus] | None = None) -> list[Candidate]:
        with self._lock:
            busy = set(self._busy)
        return [
            Candidate(
                facts=self._facts[s.index],
                status=s,
                busy=s.index in busy,
                enabled=self.is_enabled(s.index),
            )
            for s in (self.get_all_status() if statuses is None else statuses)
            if s.index in self._facts
        ]

    def meets_requirements(
        self, requirements: GPURequirements, statuses: Sequence[GPUStatus] | None = None
    ) -> RequirementCheck:
        """Whether a GPU can take the task now; if not, the upstream reason code.

        Args:
            requirements: What the task needs.
            statuses: Recent snapshots to decide on (non-blocking); ``None`` reads every GPU
                now (blocking: call it from a thread).
        """
        return choose_gpu(
            self._candidates(statuses),
            requirements,
            reserved_bytes=self.reserved_bytes,
            temperature_limit_c=self.temperature_limit_c,
        )

    def select_best_gpu(self, requirements: GPURequirements) -> GPUDevice | None:
        """The fitting GPU with the most free memory after the reserve; lowest index on ties.

        Another task may take it before ``acquire``: use ``acquire_best`` to do both at once.
        """
        check = self.meets_requirements(requirements)
        return None if check.gpu_index is None else self.device(check.gpu_index)

    def acquire_best(self, requirements: GPURequirements) -> RequirementCheck:
        """Select the best GPU and hold it in one step; the check says which, or why none."""
        with self._lock:
            check = self.meets_requirements(requirements)
            if check.gpu_index is not None:
                self._busy.add(check.gpu_index)
        if check.gpu_index is not None:
            self._tell_load(check.gpu_index, True)
        return check

    def _tell_load(self, index: int, busy: bool) -> None:
        device = next((d for d in self._devices if d.index == index), None)
        if isinstance(device, LoadAware):
            device.set_busy(busy)

    def device(self, index: int) -> GPUDevice:
        for device in self._devices:
            if device.index == index:
                return device
        raise GPUNotFound(f"There is no GPU {index} on this machine.")

    def acquire(self, index: int) -> GPUDevice:
        """Mark a GPU held by a task. Raises: GPUError if unknown or already held."""
        device = self.device(index)
        with self._lock:
            if index in self._busy:
                raise GPUError(f"GPU {index} is already running a task.")
            self._busy.add(index)
        self._tell_load(index, True)
        return device

    def release(self, index: int) -> None:
        """Mark a GPU free again (no error if it was not held)."""
        with self._lock:
            held = index in self._busy
            self._busy.discard(index)
        if held:
            self._tell_load(index, False)

    @contextmanager
    def hold(self, index: int) -> Iterator[GPUDevice]:
        """``with detector.hold(i) as gpu:`` acquires GPU i and always releases it."""
        device = self.acquire(index)
        try:
            yield device
        finally:
            self.release(index)

    def busy_indices(self) -> frozenset[int]:
        with self._lock:
            return frozenset(self._busy)

    def foreign_processes(self) -> list[GPUProcess]:
        """Processes on the offered GPUs that are not ours (a game): the agent pauses while any
        exist. Display servers and processes below the memory threshold do not count."""
        ours = set(self._own_pids())
        foreign = []
        for device in (d for d in self._devices if self.is_enabled(d.index)):
            try:
                processes = device.processes()
            except GPUError as exc:
                log.warning("GPU %d processes cannot be listed: %s", device.index, exc)
                continue
            for proc in processes:
                name = os.path.basename(proc.name or "")
                used = proc.used_memory_bytes
                small = used is not None and used < self._foreign_min_memory
                if proc.pid not in ours and name not in self._ignored_names and not small:
                    foreign.append(proc)
        return foreign

    def close(self) -> None:
        """Release vendor libraries (NVML shutdown); devices must be detected again after."""
        for backend in self._backends or []:
            backend.close()
        self._devices = []
