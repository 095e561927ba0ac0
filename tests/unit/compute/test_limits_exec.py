"""The limits wrapper of the process sandbox: the argv it builds, the clamping, no preexec_fn."""

from __future__ import annotations

import asyncio
import os
import resource
from pathlib import Path
from typing import Any

import pytest

from orban_desktop.compute.sandbox.limits_exec import LimitTools, clamp_to_own_limits
from orban_desktop.compute.sandbox.process import ProcessSandbox
from tests.integration.compute.sandbox_cases import HAPPY, make_job

LIMITS = ((resource.RLIMIT_CPU, 11, 13), (resource.RLIMIT_AS, 1 << 20, resource.RLIM_INFINITY))


def test_prlimit_sets_the_limits_then_setpriv_drops_the_user() -> None:
    tools = LimitTools("/usr/bin/prlimit", "/usr/bin/setpriv")
    argv = tools.wrap(["/bin/sh", "w.sh"], LIMITS, (65534, 65534))
    assert argv == [
        "/usr/bin/prlimit", "--cpu=11:13", f"--as={1 << 20}:unlimited", "--",
        "/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--",
        "/bin/sh", "w.sh",
    ]  # fmt: skip
    assert tools.wrap(["/bin/sh"], LIMITS, None)[-2:] == ["--", "/bin/sh"]


def test_nice_lowers_the_priority_between_the_limits_and_the_user() -> None:
    tools = LimitTools("/usr/bin/prlimit", "/usr/bin/setpriv", "/usr/bin/nice")
    argv = tools.wrap(["/bin/sh"], LIMITS[:1], (65534, 65534), nice_by=19)
    assert argv[argv.index("/usr/bin/nice") :] == [
        "/usr/bin/nice", "-n", "19", "--",
        "/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--", "/bin/sh",
    ]  # fmt: skip
    assert "/usr/bin/nice" not in tools.wrap(["/bin/sh"], LIMITS, None, nice_by=0)
    assert not LimitTools("/usr/bin/prlimit", None).can_wrap(None, nice_by=1)


def test_without_setpriv_only_launches_that_keep_the_user_are_wrapped() -> None:
    tools = LimitTools("/usr/bin/prlimit", None)
    assert tools.can_wrap(None)
    assert not tools.can_wrap((65534, 65534))
    assert not LimitTools(None, "/usr/bin/setpriv").can_wrap(None)
    with pytest.raises(ValueError, match="prlimit"):
        tools.wrap(["/bin/sh"], LIMITS, (65534, 65534))


def test_an_unprivileged_agent_asks_for_no_more_than_its_own_hard_limits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    own = {resource.RLIMIT_CPU: (5, 7), resource.RLIMIT_AS: (-1, resource.RLIM_INFINITY)}
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    monkeypatch.setattr(resource, "getrlimit", own.__getitem__)
    assert clamp_to_own_limits(((resource.RLIMIT_CPU, 11, 13),)) == ((resource.RLIMIT_CPU, 7, 7),)
    assert clamp_to_own_limits(((resource.RLIMIT_CPU, 3, resource.RLIM_INFINITY),)) == (
        (resource.RLIMIT_CPU, 3, 7),
    )
    assert clamp_to_own_limits(LIMITS[1:]) == LIMITS[1:]  # the agent's own is unlimited
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    assert clamp_to_own_limits(((resource.RLIMIT_CPU, 11, 13),)) == ((resource.RLIMIT_CPU, 11, 13),)


@pytest.mark.skipif(not LimitTools.find().can_wrap((0, 0)), reason="needs util-linux")
async def test_a_wrapped_launch_lets_subprocess_use_vfork(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No preexec_fn and no user/group arguments: CPython then spawns with vfork."""
    seen: list[dict[str, Any]] = []
    real = asyncio.create_subprocess_exec

    async def spy(*argv: str, **kwargs: Any) -> asyncio.subprocess.Process:
        seen.append({"argv": argv, **kwargs})
        return await real(*argv, **kwargs)

    monkeypatch.setattr(asyncio, "create_subprocess_exec", spy)
    ending = await ProcessSandbox().run(make_job(tmp_path, HAPPY))
    assert ending.succeeded, ending.stderr_tail
    (launch,) = seen
    assert not {"preexec_fn", "user", "group", "extra_groups"} & launch.keys()
    assert os.path.basename(launch["argv"][0]) == "prlimit"
    shell_at = launch["argv"].index("/bin/sh")
    assert launch["argv"][shell_at - 1] == "--"  # the workload follows the wrappers unchanged
