"""Shared helpers for the GPU tests: fixture paths and sysfs trees built from the fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures import DATA

GPU_DATA = DATA / "gpu"
NVIDIA_XML = GPU_DATA / "nvidia"
AMD_DATA = GPU_DATA / "amd"
APPLE_DATA = GPU_DATA / "apple"


def extract_ttar(archive: Path, destination: Path, strip_prefix: str) -> None:
    """Unpack a prometheus ``ttar`` text archive (``Path:``, ``Lines: N``, N lines, ``Mode:``).

    Symlinks are skipped: the readers never follow them. ``strip_prefix`` is removed from paths.
    """
    lines = archive.read_text().splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("Directory: "):
            (destination / line[11:].removeprefix(strip_prefix)).mkdir(parents=True, exist_ok=True)
        elif line.startswith("Path: ") and lines[i + 1].startswith("Lines: "):
            count = int(lines[i + 1][7:])
            target = destination / line[6:].removeprefix(strip_prefix)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text("".join(f"{text}\n" for text in lines[i + 2 : i + 2 + count]))
            i += 1 + count
        i += 1


@pytest.fixture
def drm_root(tmp_path: Path) -> Path:
    """A /sys/class/drm look-alike: card0..2 are the recorded amdgpu trees (RX 580, Vega 56,
    RX 9070 XT), card3 is an Intel card, card0-DP-1 a connector."""
    root = tmp_path / "drm"
    root.mkdir()
    for n, name in enumerate(("rx580", "vega56", "rx9070xt")):
        (root / f"card{n}").symlink_to(AMD_DATA / name, target_is_directory=True)
    intel = root / "card3" / "device"
    intel.mkdir(parents=True)
    (intel / "uevent").write_text("DRIVER=i915\nPCI_ID=8086:3E92\n")
    (root / "card0-DP-1").mkdir()
    return root
