"""A private X server for tests: Xvfb on a free display, found through ``-displayfd``.

:func:`need_tools` skips a test when a tool is missing, or fails it when ``CI`` is set (CI
installs them with ``.ci/ui-deps.sh``); :func:`xvfb` starts the server and yields its
``DISPLAY``, stopping it afterwards.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator

import pytest


def need_tools(*tools: str) -> None:
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if not missing:
        return
    message = f"{', '.join(missing)} not installed (run .ci/ui-deps.sh)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@contextlib.contextmanager
def xvfb(screen: str = "640x480x24") -> Iterator[str]:
    """Start Xvfb; yields its ``DISPLAY`` (``":N"``)."""
    read_end, write_end = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_end), "-screen", "0", screen, "-nolisten", "tcp"],
        pass_fds=(write_end,),
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        number = pipe.readline().strip()
    if not number:
        server.kill()
        pytest.fail("Xvfb did not start")
    try:
        yield f":{number}"
    finally:
        stop_process(server)


def stop_process(process: subprocess.Popen[bytes], timeout_s: float = 10.0) -> None:
    """SIGTERM ``process``, wait up to ``timeout_s``, then SIGKILL it (an X server, a tray host)."""
    process.terminate()
    try:
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
