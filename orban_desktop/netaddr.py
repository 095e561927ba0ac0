"""Host-name checks shared by the settings' URL rules and the task executor's URL policy.

:func:`is_loopback_host` says, without any name lookup, whether a URL's host is this computer.
Both :mod:`orban_desktop.config.sections` (plain ``ws://`` only to loopback) and
:mod:`orban_desktop.compute.urlpolicy` (plain ``http://`` only to loopback) use it, and each
re-exports it. Uses the standard library only; it must not import Qt or any other part of the
project.
"""

from __future__ import annotations

import ipaddress


def is_loopback_host(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ::1); no name lookup."""
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
