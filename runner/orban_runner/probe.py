"""``probe``: what this runner environment can do, as one JSON object (the agent asks at start).

The agent runs ``python -m orban_runner probe`` in a runner environment (or image) to learn
whether it works at all (torch and transformers import, a tensor computes) and which devices
torch sees: CUDA devices with their name, ``GPU-...`` UUID, memory and compute capability, and
whether Apple's MPS is there. A failure exits non-zero with the usual last stderr line. Imports
torch and transformers when called, the devices module for UUIDs.
"""

from __future__ import annotations

import platform
from typing import Any

from orban_runner import __version__
from orban_runner.devices import cuda_uuid
from orban_runner.errors import RunnerError, first_line


def _cuda_devices(torch: Any) -> list[dict[str, Any]]:
    devices = []
    for index in range(int(torch.cuda.device_count())):
        properties = torch.cuda.get_device_properties(index)
        devices.append(
            {
                "index": index,
                "name": str(properties.name),
                "uuid": cuda_uuid(properties),
                "total_memory_bytes": int(properties.total_memory),
                "capability": f"{properties.major}.{properties.minor}",
            }
        )
    return devices


def describe() -> dict[str, Any]:
    """The probe's answer (see docs/runner.md).

    Raises:
        RunnerError: torch or transformers does not import, or a tensor does not compute.
    """
    try:
        import torch
        import transformers
        from transformers import AutoModel, AutoTokenizer  # noqa: F401  # the pipeline's imports

        if int(torch.ones(2, 2).matmul(torch.ones(2, 2)).sum().item()) != 8:
            raise RunnerError("torch computes a wrong answer on the CPU")
    except ImportError as exc:
        raise RunnerError(f"this environment cannot run the pipeline: {first_line(exc)}") from exc
    cuda = bool(torch.cuda.is_available())
    mps = getattr(torch.backends, "mps", None)
    return {
        "runner_version": __version__,
        "python": platform.python_version(),
        "framework": "pytorch",
        "torch": str(torch.__version__),
        "transformers": str(transformers.__version__),
        "cuda_available": cuda,
        "cuda_devices": _cuda_devices(torch) if cuda else [],
        "cuda_version": torch.version.cuda,
        "hip_version": getattr(torch.version, "hip", None),
        "mps_available": bool(mps is not None and mps.is_available()),
    }
