"""The verbs of ``orban-agent``, one module per concern, registered in :data:`COMMANDS`.

Each :class:`Command` adds its own arguments and runs with a :class:`CommandContext` (the
resolved paths, the loaded settings, an output function), so commands are testable without a
process. Nothing here imports Qt.
"""

from __future__ import annotations

from orban_desktop.commands.base import Command, CommandContext
from orban_desktop.commands.identity import KEYGEN
from orban_desktop.commands.info import VERSION

#: Every verb, by name, in the order ``--help`` lists them.
COMMANDS: dict[str, Command] = {command.name: command for command in (VERSION, KEYGEN)}

__all__ = ["COMMANDS", "Command", "CommandContext"]
