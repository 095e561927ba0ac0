"""``orban-agent keygen``: create the agent's Ed25519 identity, never replacing an existing one.

The key file is the agent's identity on the platform: its agent id and earnings history are
tied to it, so ``keygen`` refuses to overwrite a key and says how to keep or replace it.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from orban_desktop.commands.base import Command, CommandContext
from orban_desktop.errors import KeyFileError
from orban_desktop.network.auth import Authenticator


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--key-file", type=Path, metavar="FILE", help="where to write the key (default: settings)"
    )


def run_keygen(args: argparse.Namespace, context: CommandContext) -> int:
    path: Path = args.key_file or context.files.key_file
    if path.exists() or path.is_symlink():
        try:
            existing = Authenticator.from_private_key_file(path, context.config.agent.agent_id)
            who = f" (agent id {existing.agent_id})"
        except KeyFileError:
            who = ""
        raise KeyFileError(
            f"A key already exists at {path}{who}. Your agent id and earnings are tied to it, "
            "so it is kept. To start over with a new identity, move that file away first.",
            context={"path": str(path)},
        )
    identity = Authenticator.generate(context.config.agent.agent_id)
    identity.save(path)
    context.out(f"Created a new identity key at {path} (readable only by you).")
    context.out(f"  Agent id:   {identity.agent_id}")
    context.out(f"  Public key: {identity.public_key_b64}")
    context.out("Back this file up: without it the platform cannot tell this agent is you.")
    return 0


KEYGEN = Command(
    name="keygen",
    help="create this agent's identity key (never replaces one)",
    run=run_keygen,
    add_arguments=_add_arguments,
)
