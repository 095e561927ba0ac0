"""The Docker engine and the test image, for the tests that need real containers.

Without an engine the Docker tests are skipped on a developer machine and FAIL in CI (``CI``
set): ``.ci/run`` installs and starts ``dockerd``. No registry is reachable, so the image
``orban-test/busybox:1`` is built with ``docker import`` from a root file system made here:
the static ``busybox`` plus a link for every applet.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tarfile
from collections.abc import Iterator
from typing import Any, NoReturn

import docker
import pytest
from docker.errors import DockerException, ImageNotFound

TEST_IMAGE = "orban-test/busybox:1"
BUSYBOX_CANDIDATES = ("/bin/busybox", "/usr/bin/busybox")


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set: .ci/run must install docker.io and busybox-static)")
    pytest.skip(reason)


def rootfs_tar(busybox: str) -> bytes:
    """A tar of a root file system: static busybox, a link per applet, /etc/passwd."""
    applets = subprocess.run(
        [busybox, "--list"], check=True, capture_output=True, text=True
    ).stdout.split()
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for folder in ("bin", "tmp", "etc", "proc", "sys", "dev", "workspace", "model", "opt"):
            info = tarfile.TarInfo(folder)
            info.type, info.mode = tarfile.DIRTYPE, 0o1777 if folder == "tmp" else 0o755
            tar.addfile(info)
        tar.add(busybox, arcname="bin/busybox")
        for applet in applets:
            if applet != "busybox":
                link = tarfile.TarInfo(f"bin/{applet}")
                link.type, link.linkname = tarfile.SYMTYPE, "busybox"
                tar.addfile(link)
        passwd = b"root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n"
        info = tarfile.TarInfo("etc/passwd")
        info.size = len(passwd)
        tar.addfile(info, io.BytesIO(passwd))
    return buffer.getvalue()


def build_test_image(client: Any, busybox: str) -> str:
    """Import :data:`TEST_IMAGE` from :func:`rootfs_tar` unless it exists; return its name."""
    try:
        client.images.get(TEST_IMAGE)
    except ImageNotFound:
        repository, tag = TEST_IMAGE.split(":")
        client.api.import_image_from_data(rootfs_tar(busybox), repository, tag=tag)
        client.images.get(TEST_IMAGE)
    return TEST_IMAGE


def find_busybox() -> str | None:
    return next((p for p in BUSYBOX_CANDIDATES if os.path.exists(p)), shutil.which("busybox"))


@pytest.fixture(scope="session")
def docker_client() -> Iterator[Any]:
    try:
        client = docker.from_env()
        client.ping()
    except (DockerException, OSError) as exc:
        _unavailable(f"no Docker engine: {exc}")
    yield client
    client.close()


@pytest.fixture(scope="session")
def test_image(docker_client: Any) -> str:
    busybox = find_busybox()
    if busybox is None:
        _unavailable("busybox is not installed (apt-get install busybox-static)")
    return build_test_image(docker_client, busybox)
