"""Hardware tables: CUDA cores per SM by compute capability, PCIe bandwidth by link, CC order.

Pure functions over numbers and strings, shared by the NVIDIA and AMD readers and by requirement
matching. Imports nothing from the project and nothing from Qt.
"""

from __future__ import annotations

#: FP32 CUDA cores per streaming multiprocessor, by (major, minor) compute capability.
CUDA_CORES_PER_SM: dict[tuple[int, int], int] = {
    (3, 0): 192,  # Kepler
    (3, 2): 192,
    (3, 5): 192,
    (3, 7): 192,
    (5, 0): 128,  # Maxwell
    (5, 2): 128,
    (5, 3): 128,
    (6, 0): 64,  # Pascal GP100
    (6, 1): 128,
    (6, 2): 128,
    (7, 0): 64,  # Volta
    (7, 2): 64,
    (7, 5): 64,  # Turing
    (8, 0): 64,  # Ampere GA100
    (8, 6): 128,  # Ampere GA10x
    (8, 7): 128,
    (8, 9): 128,  # Ada
    (9, 0): 128,  # Hopper
    (10, 0): 128,  # Blackwell datacenter
    (12, 0): 128,  # Blackwell consumer
}

#: Transfer rate of one lane in GT/s, by PCIe generation.
PCIE_GT_PER_S: dict[int, float] = {1: 2.5, 2: 5.0, 3: 8.0, 4: 16.0, 5: 32.0, 6: 64.0}


def cuda_cores(compute_capability: tuple[int, int], sm_count: int) -> int | None:
    """CUDA cores from the architecture table, or None for an architecture not in it."""
    per_sm = CUDA_CORES_PER_SM.get(compute_capability)
    return None if per_sm is None or sm_count <= 0 else per_sm * sm_count


def pcie_bandwidth_gbps(gt_per_s: float, width: int) -> int | None:
    """One-way bandwidth in GB/s (rounded) of a link of ``width`` lanes at ``gt_per_s``.

    Counts line encoding: 8b/10b up to 5 GT/s, 128b/130b up to 32 GT/s, FLIT (242/256) above.
    """
    if gt_per_s <= 0 or width <= 0:
        return None
    if gt_per_s <= 5.0:
        efficiency = 8 / 10
    elif gt_per_s <= 32.0:
        efficiency = 128 / 130
    else:
        efficiency = 242 / 256
    return round(gt_per_s * efficiency * width / 8)


def pcie_bandwidth_for_generation(generation: int, width: int) -> int | None:
    """One-way GB/s of a PCIe link given its generation (1-6) and width; None if unknown."""
    rate = PCIE_GT_PER_S.get(generation)
    return None if rate is None else pcie_bandwidth_gbps(rate, width)


def parse_compute_capability(text: str) -> tuple[int, int] | None:
    """``"8.9"`` -> (8, 9); ``"10.0"`` -> (10, 0); ``"9"`` -> (9, 0); junk -> None."""
    major, _, minor = text.strip().partition(".")
    if not major.isdigit() or (minor and not minor.isdigit()):
        return None
    return int(major), int(minor or 0)


def format_compute_capability(major: int, minor: int) -> str:
    return f"{major}.{minor}"
