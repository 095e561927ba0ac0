"""GPU-layer snapshots for the agent tests: real ``GPUStatus`` values with chosen readings."""

from __future__ import annotations

from datetime import UTC, datetime

from orban_desktop.gpu.device import GPUStatus
from orban_desktop.protocol.enums import GPUVendor


def snapshot(index: int = 0, *, at: float = 0.0, **readings: object) -> GPUStatus:
    """A snapshot of GPU ``index`` taken at monotonic time ``at``; unlisted readings are None.

    Equal arguments give equal snapshots (the wall-clock stamp is derived from ``at``).
    """
    return GPUStatus(
        index=index,
        uuid=f"GPU-test-{index}",
        name="Test GPU",
        vendor=GPUVendor.NVIDIA,
        simulated=True,
        monotonic_ts=at,
        sampled_at=datetime.fromtimestamp(1_700_000_000 + at, UTC),
        **readings,  # type: ignore[arg-type]
    )
