"""``orban-agent version``: what this build is and which protocol it speaks."""

from __future__ import annotations

import argparse
import platform
import sys

from orban_desktop import __version__
from orban_desktop.commands.base import Command, CommandContext
from orban_desktop.protocol.enums import Extension

PROTOCOL = "Orban protocol v1 (agent.orban.v1)"


def run_version(args: argparse.Namespace, context: CommandContext) -> int:
    context.out(f"Orban Agent {__version__}")
    context.out(f"  Protocol:   {PROTOCOL}")
    context.out(f"  Extensions: {', '.join(e.value for e in Extension)} (used only when offered)")
    python = f"{platform.python_implementation()} {platform.python_version()}"
    context.out(f"  Python:     {python} on {sys.platform} ({platform.machine()})")
    return 0


VERSION = Command(name="version", help="show the version and the protocol spoken", run=run_version)
