"""The shipped workloads give exactly the outputs ``jobspec.py`` defines, with GNU and busybox."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from orban_desktop.compute.executor import WORKLOADS_DIR

BUSYBOX = next((p for p in ("/bin/busybox", "/usr/bin/busybox") if os.path.exists(p)), None)
TOOLS = ("sh", "awk", "sha256sum", "wc", "cat")


def shells(tmp_path: Path) -> list[tuple[str, list[str], dict[str, str]]]:
    """The host's sh with its own tools, and busybox's sh with only busybox applets."""
    found = [("host", ["/bin/sh"], {"PATH": "/usr/bin:/bin", "LC_ALL": "C"})]
    if BUSYBOX is not None:
        applets = tmp_path / "busybox-bin"
        applets.mkdir()
        for tool in TOOLS:
            (applets / tool).symlink_to(BUSYBOX)
        found.append(("busybox", [BUSYBOX, "sh"], {"PATH": str(applets), "LC_ALL": "C"}))
    elif os.environ.get("CI"):
        pytest.fail("busybox-static is missing (CI is set)")
    return found


def run(
    tmp_path: Path, script: str, model: bytes, data: bytes
) -> dict[str, tuple[int, bytes, str]]:
    (tmp_path / "model").write_bytes(model)
    (tmp_path / "input").write_bytes(data)
    results = {}
    for name, shell, env in shells(tmp_path):
        output = tmp_path / f"out-{name}"
        done = subprocess.run(
            [*shell, str(WORKLOADS_DIR / script), "model", "input", output.name],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        results[name] = (done.returncode, output.read_bytes() if output.exists() else b"",
                         done.stderr)  # fmt: skip
    shutil.rmtree(tmp_path / "busybox-bin", ignore_errors=True)
    return results


@pytest.mark.parametrize(
    ("model", "data"),
    [(b"weights", b"line one\nline two\n"), (b"", b""), (os.urandom(70_000), b"no newline")],
)
def test_checksum_output(tmp_path: Path, model: bytes, data: bytes) -> None:
    lines = [
        hashlib.sha256(model).hexdigest(),
        hashlib.sha256(data).hexdigest(),
        hashlib.sha256(model + data).hexdigest(),
        str(len(data)),
        str(data.count(b"\n")),
    ]
    expected = "".join(line + "\n" for line in lines).encode()
    for name, (code, output, stderr) in run(tmp_path, "checksum.sh", model, data).items():
        assert (code, output) == (0, expected), (name, stderr)
