"""``probe``: what this runner environment can do, as one JSON object (the agent asks at start)."""

from __future__ import annotations

import platform
from typing import Any

from orban_runner import __version__


def describe() -> dict[str, Any]:
    import torch
    import transformers

    devices = []
    cuda = bool(torch.cuda.is_available())
    for index in range(torch.cuda.device_count() if cuda else 0):
        properties = torch.cuda.get_device_properties(index)
        uuid = getattr(properties, "uuid", None)
        devices.append(
            {
                "index": index,
                "name": str(properties.name),
                "uuid": f"GPU-{uuid}" if uuid is not None else None,
                "total_memory_bytes": int(properties.total_memory),
                "capability": f"{properties.major}.{properties.minor}",
            }
        )
    mps = getattr(torch.backends, "mps", None)
    return {
        "runner_version": __version__,
        "python": platform.python_version(),
        "framework": "pytorch",
        "torch": str(torch.__version__),
        "transformers": str(transformers.__version__),
        "cuda_available": cuda,
        "cuda_devices": devices,
        "mps_available": bool(mps is not None and mps.is_available()),
    }
