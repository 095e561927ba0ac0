from __future__ import annotations

import pytest

from orban_desktop.gpu.arch import (
    cuda_cores,
    parse_compute_capability,
    pcie_bandwidth_for_generation,
    pcie_bandwidth_gbps,
)


@pytest.mark.parametrize(
    ("generation", "width", "gbps"),
    [
        (3, 16, 16),  # 15.75 GB/s
        (4, 16, 32),  # 31.5 GB/s: the 4090 in the golden AGENT_REGISTER frame says 32
        (5, 16, 63),
        (4, 8, 16),
        (1, 16, 4),  # 8b/10b: 2.5 * 0.8 * 16 / 8
        (7, 16, None),  # unknown generation
        (4, 0, None),
    ],
)
def test_pcie_bandwidth_from_generation_and_width(generation: int, width: int, gbps: int | None):
    assert pcie_bandwidth_for_generation(generation, width) == gbps


def test_pcie_bandwidth_from_rate_matches_generation_table():
    assert pcie_bandwidth_gbps(8.0, 16) == pcie_bandwidth_for_generation(3, 16)
    assert pcie_bandwidth_gbps(64.0, 16) == 121  # PCIe 6 FLIT encoding


@pytest.mark.parametrize(
    ("cc", "sms", "cores"),
    [((7, 5), 40, 2560), ((8, 6), 82, 10496), ((9, 0), 132, 16896), ((8, 0), 108, 6912)],
)
def test_cuda_cores_from_architecture_table(cc: tuple[int, int], sms: int, cores: int):
    assert cuda_cores(cc, sms) == cores


def test_unknown_architecture_gives_no_core_count():
    assert cuda_cores((99, 0), 10) is None
    assert cuda_cores((8, 6), 0) is None


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("8.9", (8, 9)),
        ("10.0", (10, 0)),
        ("9", (9, 0)),
        (" 7.5 ", (7, 5)),
        ("", None),
        ("x.1", None),
    ],
)
def test_parse_compute_capability(text: str, parsed: tuple[int, int] | None):
    assert parse_compute_capability(text) == parsed
