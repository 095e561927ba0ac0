"""How the process sandbox puts its limits and its user on a child without a ``preexec_fn``.

A ``preexec_fn`` (or ``user=``/``group=``) makes :mod:`subprocess` fork the whole agent, page
tables and all, on the event loop with the GIL held: about 8 ms for a 160 MB desktop app, at every
task start. Without them CPython spawns with ``vfork``, under a millisecond. So, where util-linux
is installed (every mainstream Linux desktop), the workload's command is prefixed with ``prlimit``
(sets the rlimits on itself, then execs the rest), coreutils' ``nice`` (lowers the CPU priority)
and, when the agent runs as root, ``setpriv`` (drops to the sandbox user with no supplementary
groups, then execs the workload): the same limits, priority and user as before, set in the child
before the workload's own ``exec``. Without those tools the sandbox falls back to the
``preexec_fn``.

Limits are clamped to the agent's own hard limits when it is not root (an unprivileged process
cannot raise them, and the workload inherits the agent's anyway), so the wrapper cannot fail on a
limit the sandbox asked for. Imports nothing from the agent.
"""

from __future__ import annotations

import os
import resource
import shutil
from collections.abc import Callable
from dataclasses import dataclass

Limits = tuple[tuple[int, int, int], ...]

_PRLIMIT_NAMES = {
    resource.RLIMIT_CPU: "cpu",
    resource.RLIMIT_FSIZE: "fsize",
    resource.RLIMIT_NOFILE: "nofile",
    resource.RLIMIT_CORE: "core",
    resource.RLIMIT_NPROC: "nproc",
    resource.RLIMIT_AS: "as",
    resource.RLIMIT_DATA: "data",
}


@dataclass(frozen=True)
class LimitTools:
    """The util-linux programs found on this host (``None``: not installed)."""

    prlimit: str | None
    setpriv: str | None
    nice: str | None = None

    @classmethod
    def find(cls, path: str | None = None) -> LimitTools:
        """Look the tools up on ``path`` (default: the agent's ``PATH`` plus the system dirs)."""
        search = path or os.pathsep.join(
            [os.environ.get("PATH", ""), "/usr/bin", "/bin", "/usr/sbin", "/sbin"]
        )
        return cls(
            shutil.which("prlimit", path=search),
            shutil.which("setpriv", path=search),
            shutil.which("nice", path=search),
        )

    def can_wrap(self, drop_to: tuple[int, int] | None, nice_by: int = 0) -> bool:
        """Whether a launch (dropping to ``drop_to`` when set, lowering its priority by
        ``nice_by``) can go without ``preexec_fn``."""
        return (
            self.prlimit is not None
            and (drop_to is None or self.setpriv is not None)
            and (nice_by == 0 or self.nice is not None)
        )

    def wrap(
        self, argv: list[str], limits: Limits, drop_to: tuple[int, int] | None, nice_by: int = 0
    ) -> list[str]:
        """``argv`` prefixed with the programs that set ``limits``, lower the priority by
        ``nice_by`` and set the user, in that order.

        ``prlimit`` runs first, still as the agent's user, so that root may set any limit;
        ``setpriv`` last drops to the sandbox user (the kernel checks ``RLIMIT_NPROC`` of the
        new user at its ``exec``).
        """
        if not self.can_wrap(drop_to, nice_by):
            raise ValueError(
                "prlimit (and nice, setpriv to lower the priority, change user) are needed"
            )
        assert self.prlimit is not None
        prefix = [self.prlimit]
        for kind, soft, hard in limits:
            prefix.append(f"--{_PRLIMIT_NAMES[kind]}={_value(soft)}:{_value(hard)}")
        prefix.append("--")
        if nice_by:
            assert self.nice is not None
            prefix += [self.nice, "-n", str(nice_by), "--"]
        if drop_to is not None:
            assert self.setpriv is not None
            uid, gid = drop_to
            prefix += [self.setpriv, f"--reuid={uid}", f"--regid={gid}", "--clear-groups", "--"]
        return prefix + argv


def _value(limit: int) -> str:
    return "unlimited" if limit == resource.RLIM_INFINITY else str(limit)


def clamp_to_own_limits(limits: Limits) -> Limits:
    """``limits`` lowered to this process's hard limits unless it is root (which may raise)."""
    if os.geteuid() == 0:
        return limits
    clamped = []
    for kind, soft, hard in limits:
        own_hard = resource.getrlimit(kind)[1]
        if own_hard != resource.RLIM_INFINITY:
            hard = own_hard if hard == resource.RLIM_INFINITY else min(hard, own_hard)
            soft = hard if soft == resource.RLIM_INFINITY else min(soft, hard)
        clamped.append((kind, soft, hard))
    return tuple(clamped)


def nice_increment(target: int) -> int:
    """How much to add to this process's nice value for a child at ``target`` (never less)."""
    return max(0, target - os.getpriority(os.PRIO_PROCESS, 0))


def apply_in_child(limits: Limits, nice_by: int = 0) -> Callable[[], None]:
    """The fallback ``preexec_fn`` that sets ``limits`` and the priority between fork and exec."""

    def apply() -> None:  # runs in the child between fork and exec: keep it trivial
        for kind, soft, hard in limits:
            resource.setrlimit(kind, (soft, hard))
        if nice_by:
            os.nice(nice_by)

    return apply
