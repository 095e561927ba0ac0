"""``orban-agent import [DIR ...]``: bring an upstream agent's identity, settings and earnings.

A user moving from the upstream (Rust) agent keeps their agent id and history. The command first
prepares everything without writing (:func:`prepare_import`): it finds upstream's files, reads
the key with the same checks as our own loader (a key others can read is refused, with the
``chmod 600`` to run), maps the config to ours (agent id kept exactly, platform URL, GPU, network
and availability settings; upstream's own file paths dropped, since the key moves to ours), and
decides: the key is copied (0600) only when we have none or ours is identical, never over a
different one; an existing config is kept unless ``--force``. Then it writes, and imports
``earnings.json`` into the ledger (a second import adds nothing). Nothing here imports Qt.
"""

from __future__ import annotations

import argparse
import enum
from dataclasses import dataclass
from pathlib import Path

from orban_desktop.commands.base import Command, CommandContext
from orban_desktop.commands.upstream_data import UpstreamData, find_upstream_data
from orban_desktop.config import AgentConfig, ResolvedPaths
from orban_desktop.earnings import EarningsLedger, ImportReport
from orban_desktop.errors import KeyFileError
from orban_desktop.headless.status_file import pid_alive, read_pid_file
from orban_desktop.network.auth import Authenticator
from orban_desktop.protocol.keyfile import read_secret_key, write_secret_key


class Step(enum.Enum):
    """What happens to one part (key or config)."""

    WRITE = "write"
    SAME = "already here"
    KEEP_OURS = "kept ours"
    ABSENT = "not found"


@dataclass(frozen=True)
class ImportPlan:
    """Everything :func:`apply_import` will do, decided before anything is written."""

    source: UpstreamData
    config: AgentConfig  # the settings in effect after the import
    config_file: Path
    config_step: Step
    files: ResolvedPaths
    secret: bytes | None
    key_step: Step
    agent_id: str | None


def as_our_config(upstream: AgentConfig) -> AgentConfig:
    """Upstream's settings as ours: its key and data paths dropped (ours are used)."""
    agent = upstream.agent.model_copy(update={"private_key_path": None, "data_dir": None})
    logging = upstream.logging.model_copy(update={"file": None})
    return upstream.model_copy(update={"agent": agent, "logging": logging})


def prepare_import(context: CommandContext, sources: list[Path], *, force: bool) -> ImportPlan:
    """Decide what to import; writes nothing.

    Raises:
        UpstreamDataNotFound: Nothing found to import.
        ConfigError: A config (upstream's or ours) that cannot be read.
        KeyFileError: Upstream's key is unsafe or malformed, or we already have a different key.
    """
    source = find_upstream_data(sources)
    config_file = context.config_file
    imported = as_our_config(source.config) if source.config is not None else None
    if imported is not None and (force or not config_file.exists()):
        config, config_step = imported, Step.WRITE  # ours is not even read: it may be broken
    else:
        config, config_step = context.config, Step.ABSENT
        if imported is not None:
            config_step = Step.SAME if config == imported else Step.KEEP_OURS
    files = config.resolved(context.paths)
    secret, key_step = None, Step.ABSENT
    if source.key_file is not None:
        secret = read_secret_key(source.key_file)
        key_step = Step.WRITE
        if files.key_file.exists() or files.key_file.is_symlink():
            if read_secret_key(files.key_file) != secret:
                ours = Authenticator.from_private_key_file(files.key_file, config.agent.agent_id)
                raise KeyFileError(
                    f"A different identity key is already at {files.key_file} (agent id "
                    f"{ours.agent_id}); it is never replaced, since your agent id and earnings "
                    "are tied to it. To take the upstream identity instead, move that file "
                    "away first and import again.",
                    context={"key_file": str(files.key_file)},
                )
            key_step = Step.SAME
    agent_id = config.agent.agent_id
    if agent_id is None and secret is not None:
        agent_id = Authenticator.from_secret_bytes(secret).agent_id
    return ImportPlan(source, config, config_file, config_step, files, secret, key_step, agent_id)


def apply_import(plan: ImportPlan) -> ImportReport | None:
    """Write the key and the config, then import the earnings; returns the ledger's report.

    Raises:
        KeyFileError: The key cannot be written.
        ConfigError: The config cannot be written.
        StorageError: The earnings file cannot be read or the ledger written.
    """
    if plan.key_step is Step.WRITE and plan.secret is not None:
        write_secret_key(plan.files.key_file, plan.secret)
    if plan.config_step is Step.WRITE:
        plan.config.save(plan.config_file)
    if plan.source.earnings_file is None:
        return None
    plan.files.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    with EarningsLedger(plan.files.ledger_db) as ledger:
        return ledger.import_seed_json(plan.source.earnings_file)


def describe(plan: ImportPlan, report: ImportReport | None) -> list[str]:
    """What the import did, for the user."""
    source = plan.source
    lines = ["Imported from the upstream agent:"]
    key = {Step.WRITE: f"copied to {plan.files.key_file} (readable only by you)",
           Step.SAME: f"already at {plan.files.key_file}", Step.ABSENT: "none found",
           Step.KEEP_OURS: ""}[plan.key_step]  # fmt: skip
    lines.append(
        f"  Identity key: {key}" + (f" (from {source.key_file})" if source.key_file else "")
    )
    config = {Step.WRITE: f"written to {plan.config_file}", Step.ABSENT: "none found",
              Step.SAME: f"already in {plan.config_file}",
              Step.KEEP_OURS: f"NOT imported: {plan.config_file} exists and differs "
                              "(run with --force to replace it)"}[plan.config_step]  # fmt: skip
    lines.append(f"  Settings:     {config}")
    if report is None:
        lines.append("  Earnings:     no earnings.json found")
    else:
        lines.append(
            f"  Earnings:     {report.imported} record(s) imported, {report.skipped_duplicates} "
            f"already here, {report.status_updated} updated (from {source.earnings_file})"
        )
        lines += [f"    note: {mismatch}" for mismatch in report.mismatches]
    if plan.agent_id is not None:
        lines.append(f"Agent id kept: {plan.agent_id}")
    upstream_id = source.config.agent.agent_id if source.config is not None else None
    if upstream_id is not None and upstream_id != plan.agent_id:
        lines.append(f"Warning: the upstream agent id was {upstream_id}; yours stays as it is.")
    return lines


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "sources",
        nargs="*",
        type=Path,
        metavar="DIR",
        help="upstream's data folder(s), or an earnings.json (default: its usual folders)",
    )
    parser.add_argument("--force", action="store_true", help="replace our existing settings file")


def run_import(args: argparse.Namespace, context: CommandContext) -> int:
    plan = prepare_import(context, list(args.sources), force=args.force)
    report = apply_import(plan)
    for line in describe(plan, report):
        context.out(line)
    running = read_pid_file(plan.files.pid_file)
    if running is not None and pid_alive(running) and plan.config_step is Step.WRITE:
        context.out("The agent is running: restart it (`orban-agent stop`, then `start`).")
    return 0


IMPORT = Command(
    name="import",
    help="bring an upstream agent's identity key, settings and earnings.json",
    run=run_import,
    add_arguments=_add_arguments,
)
