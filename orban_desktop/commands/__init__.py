"""The verbs of ``orban-agent``, one module per concern, registered in :data:`COMMANDS`.

Each :class:`Command` adds its own arguments and runs with a :class:`CommandContext` (the
resolved paths, the loaded settings, an output function), so commands are testable without a
process. Nothing here imports Qt.
"""

from __future__ import annotations

from orban_desktop.commands.base import Command, CommandContext
from orban_desktop.commands.check_data import CHECK_DATA
from orban_desktop.commands.daemon import START, STOP
from orban_desktop.commands.earnings import EARNINGS, EXPORT_EARNINGS
from orban_desktop.commands.identity import KEYGEN
from orban_desktop.commands.import_upstream import IMPORT
from orban_desktop.commands.info import VERSION
from orban_desktop.commands.logs import LOGS
from orban_desktop.commands.platform import PLATFORM
from orban_desktop.commands.run import RUN
from orban_desktop.commands.status import STATUS

#: Every verb, by name, in the order ``--help`` lists them.
COMMANDS: dict[str, Command] = {
    command.name: command
    for command in (
        START, STOP, STATUS, EARNINGS, LOGS, VERSION,  # upstream's verbs
        RUN, KEYGEN, IMPORT, EXPORT_EARNINGS, PLATFORM, CHECK_DATA,
    )
}  # fmt: skip

__all__ = ["COMMANDS", "Command", "CommandContext"]
