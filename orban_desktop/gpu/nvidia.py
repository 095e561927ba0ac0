"""NVIDIA GPUs through NVML (the ``nvidia-ml-py`` package, imported as ``pynvml``).

``NvidiaBackend`` initialises NVML once, caches device handles, routes every call through one
query helper that maps NVML errors onto the project's tree (not supported -> ``None``, GPU lost
-> ``GPULost``, no driver -> ``NvidiaUnavailable``) and shuts NVML down once. The module it
uses is injected (tests pass a fake), else ``pynvml`` is imported lazily. NVML calls block:
callers run them off the event loop. Imports no Qt.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from orban_desktop.errors import GPUError
from orban_desktop.gpu.errors import GPULost, NvidiaUnavailable
from orban_desktop.gpu.nvidia_device import NvidiaDevice, nvml_text

log = logging.getLogger(__name__)

#: NVML codes that mean "this reading is not available here": the reading becomes None.
NO_VALUE_ERRORS = (
    "NVML_ERROR_NOT_SUPPORTED",
    "NVML_ERROR_FUNCTION_NOT_FOUND",
    "NVML_ERROR_NO_PERMISSION",
    "NVML_ERROR_NOT_FOUND",
)
#: NVML codes that mean the device is gone until a reset or reboot.
LOST_ERRORS = ("NVML_ERROR_GPU_IS_LOST", "NVML_ERROR_RESET_REQUIRED")
#: NVML codes at init that mean there is no usable NVIDIA driver on this machine.
NO_DRIVER_ERRORS = ("NVML_ERROR_LIBRARY_NOT_FOUND", "NVML_ERROR_DRIVER_NOT_LOADED")


class NvidiaBackend:
    """One NVML session. Use as a context manager, or call ``open()`` / ``close()``.

    Args:
        nvml: A module with pynvml's API; None imports ``pynvml`` on ``open()``.
    """

    def __init__(self, nvml: Any | None = None) -> None:
        self._nvml = nvml
        self._lock = threading.Lock()
        self._open = False
        self._handles: list[Any] = []
        self._driver_version: str | None = None
        self._reported_missing: set[str] = set()

    def __enter__(self) -> NvidiaBackend:
        self.open()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def nvml(self) -> Any:
        if self._nvml is None:
            raise GPUError("NVML is not open: call NvidiaBackend.open() first.")
        return self._nvml

    def _codes(self, names: tuple[str, ...]) -> set[int]:
        return {getattr(self.nvml, name) for name in names if hasattr(self.nvml, name)}

    def open(self) -> None:
        """Initialise NVML and cache a handle per GPU (idempotent).

        Raises:
            NvidiaUnavailable: pynvml is not installed, or no NVIDIA driver is loaded.
            GPUError: NVML is installed but fails (e.g. driver/library version mismatch).
        """
        with self._lock:
            if self._open:
                return
            if self._nvml is None:
                try:
                    import pynvml
                except ImportError as exc:
                    raise NvidiaUnavailable(
                        "The nvidia-ml-py package is not installed, so NVIDIA GPUs cannot be "
                        "read: reinstall Orban Agent."
                    ) from exc
                self._nvml = pynvml
            nvml = self._nvml
            try:
                nvml.nvmlInit()
            except nvml.NVMLError as exc:
                if exc.value in self._codes(NO_DRIVER_ERRORS):
                    raise NvidiaUnavailable(
                        f"No NVIDIA driver is loaded ({exc}): install the NVIDIA driver to "
                        "contribute an NVIDIA GPU."
                    ) from exc
                raise GPUError(
                    f"NVML could not start ({exc}). If the NVIDIA driver was just updated, "
                    "restart the computer."
                ) from exc
            try:
                count = int(nvml.nvmlDeviceGetCount())
                self._handles = [nvml.nvmlDeviceGetHandleByIndex(i) for i in range(count)]
                self._driver_version = nvml_text(nvml.nvmlSystemGetDriverVersion())
            except nvml.NVMLError as exc:
                nvml.nvmlShutdown()
                raise self._convert(exc, "listing GPUs") from exc
            self._open = True

    def close(self) -> None:
        """Shut NVML down (idempotent); errors while shutting down are logged, not raised."""
        with self._lock:
            if not self._open:
                return
            self._open = False
            self._handles = []
            try:
                self.nvml.nvmlShutdown()
            except self.nvml.NVMLError as exc:
                log.warning("NVML shutdown failed: %s", exc)

    @property
    def device_count(self) -> int:
        return len(self._handles)

    @property
    def driver_version(self) -> str | None:
        return self._driver_version

    def devices(self, first_index: int = 0) -> list[NvidiaDevice]:
        """One device per NVML index; agent index = ``first_index`` + NVML index. Opens NVML."""
        self.open()
        return [
            NvidiaDevice(self, nvml_index=i, handle=h, index=first_index + i)
            for i, h in enumerate(self._handles)
        ]

    def query(self, function: str, *args: Any, gpu: int | None = None) -> Any | None:
        """Call ``nvml.<function>(*args)``: the one place NVML errors are mapped.

        Returns:
            The result, or None when the driver does not report it (logged once per function).

        Raises:
            GPULost: the GPU fell off the bus or needs a reset.
            GPUError: any other NVML failure.
        """
        nvml = self.nvml
        fn = getattr(nvml, function, None)
        if fn is None:
            self._report_missing(function, "not in this pynvml")
            return None
        try:
            return fn(*args)
        except nvml.NVMLError as exc:
            if exc.value in self._codes(NO_VALUE_ERRORS):
                self._report_missing(function, str(exc))
                return None
            raise self._convert(exc, function, gpu) from exc

    def _report_missing(self, function: str, why: str) -> None:
        if function not in self._reported_missing:
            self._reported_missing.add(function)
            log.info("NVML %s gives no value here (%s); reported as unavailable", function, why)

    def _convert(self, exc: Any, doing: str, gpu: int | None = None) -> GPUError:
        where = "an NVIDIA GPU" if gpu is None else f"NVIDIA GPU {gpu}"
        context = {"nvml_error": int(exc.value), "call": doing, "gpu": gpu}
        if exc.value in self._codes(LOST_ERRORS):
            return GPULost(
                f"{where} is lost ({exc}): the driver can no longer reach it. Check its power "
                "and seating, then restart the computer.",
                context=context,
            )
        return GPUError(f"Reading {where} failed in {doing}: {exc}.", context=context)
