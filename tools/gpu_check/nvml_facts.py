"""GPU check 1: the real GPU's facts and readings through the agent's own NVIDIA backend."""

from __future__ import annotations

import sys

from orban_desktop.gpu.nvidia import NvidiaBackend


def main() -> int:
    with NvidiaBackend() as backend:
        devices = backend.devices()
        if not devices:
            print("FAIL: NVML found no GPU")
            return 1
        print(f"driver {backend.driver_version()}, {len(devices)} GPU(s)")
        for device in devices:
            facts, status = device.facts(), device.status()
            uuid, capability = device.uuid(), facts.compute_capability
            print(f"GPU {facts.index}: {facts.name} uuid={uuid} cc={capability}")
            print(f"  memory total {facts.memory_total_bytes} B, cuda cores {facts.cuda_cores}")
            print(
                f"  now: util {status.utilization_pct} %, temp {status.temperature_c} C, "
                f"power {status.power_w} W, memory used {status.memory_used_bytes} B"
            )
            if facts.memory_total_bytes is None or device.uuid() is None:
                print("FAIL: a real GPU must report its memory and UUID")
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
