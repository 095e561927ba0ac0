"""``orban-agent status [-v]``: what the running agent is doing, read from its status file.

Shows which face runs the agent (the desktop app or headless), the state (and why it is paused
or offline), the agent id, the platform, the GPUs, the running
tasks and today's, pending and total earnings, as the running agent last wrote them to
``status.json``; ``-v`` adds a line per GPU and per task. Exits 3 ("not running", as LSB init
scripts do) when no agent runs with these files. Nothing here imports Qt.
"""

from __future__ import annotations

import argparse

from orban_desktop.commands.base import Command, CommandContext
from orban_desktop.headless.agent_lock import AgentFace, running_agent
from orban_desktop.headless.status_file import (
    GpuReading,
    StatusSnapshot,
    read_status,
    status_file_for,
)
from orban_desktop.money import money_text

NOT_RUNNING = 3
GIB = 1024**3


def _duration(seconds: float) -> str:
    minutes = int(seconds) // 60
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days}d {hours}h {minutes:02d}m"
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m {int(seconds) % 60:02d}s"


def gpu_line(gpu: GpuReading) -> str:
    """``GPU 0: NVIDIA ... [simulated]  util 45%  62 °C  3.2/24.0 GiB  250 W`` (known parts)."""
    parts = [f"GPU {gpu.index}: {gpu.name}" + (" [simulated]" if gpu.simulated else "")]
    if gpu.utilization_pct is not None:
        parts.append(f"util {gpu.utilization_pct:.0f}%")
    if gpu.temperature_c is not None:
        parts.append(f"{gpu.temperature_c:.0f} °C")
    if gpu.memory_used_bytes is not None:
        total = "" if gpu.memory_total_bytes is None else f"/{gpu.memory_total_bytes / GIB:.1f}"
        parts.append(f"{gpu.memory_used_bytes / GIB:.1f}{total} GiB")
    if gpu.power_w is not None:
        parts.append(f"{gpu.power_w:.0f} W")
    return "  ".join(parts)


#: Each face in words, with how to stop it.
FACE_WORDS = {
    AgentFace.DESKTOP.value: "the desktop app (Quit in its window or tray, or `orban-agent stop`)",
    AgentFace.HEADLESS.value: "headless (`orban-agent stop` ends it)",
}


def _face_lines(face: str | None) -> list[str]:
    return [] if face is None else [f"  Runs in:   {FACE_WORDS.get(face, face)}"]


#: Pause reason codes in words (an unknown code is shown as it is).
PAUSE_WORDS = {
    "user": "you paused it",
    "foreign_process": "another program is using the GPU",
    "too_hot": "a GPU is too hot",
    "outside_hours": "outside your allowed hours",
    "owner_present": "you are at the computer (only when you're away)",
    "presence_unknown": "cannot tell whether you are away (only when you're away)",
}


def describe(snapshot: StatusSnapshot, *, verbose: bool = False) -> list[str]:
    """The lines ``status`` prints for ``snapshot``."""
    uptime = _duration(max(0.0, snapshot.updated_at - snapshot.started_at))
    state = snapshot.state
    if snapshot.pause_reasons:
        words = [PAUSE_WORDS.get(code, code) for code in snapshot.pause_reasons]
        state += f" (paused: {'; '.join(words)})"
    simulated = sum(1 for gpu in snapshot.gpus if gpu.simulated)
    gpus = f"{len(snapshot.gpus)}" + (f" ({simulated} simulated)" if simulated else "")
    lines = [
        f"Orban Agent is running (pid {snapshot.pid}, up {uptime})",
        *_face_lines(snapshot.face),
        f"  State:     {state}",
        *([f"  Why:       {snapshot.state_detail}"] if snapshot.state_detail else []),
        f"  Agent id:  {snapshot.agent_id}",
        f"  Platform:  {snapshot.platform_url}",
        f"  GPUs:      {gpus}",
        f"  Tasks:     {len(snapshot.tasks)} running, {snapshot.tasks_completed} done, "
        f"{snapshot.tasks_failed} failed since start",
    ]
    if snapshot.earnings is not None:
        money = snapshot.earnings

        def amount(micros: int) -> str:
            return money_text(micros, money.currency)

        lines.append(
            f"  Earnings:  today {amount(money.today_micros)}, earned "
            f"{amount(money.earned_micros)} (pending {amount(money.pending_micros)}, confirmed "
            f"{amount(money.confirmed_micros)}, paid {amount(money.paid_micros)})"
        )
    if snapshot.real_tasks:
        lines.append(f"  Real work: {snapshot.real_tasks}")
    if snapshot.metrics_url:
        lines.append(f"  Metrics:   {snapshot.metrics_url}")
    if verbose:
        lines += [f"    {gpu_line(gpu)}" for gpu in snapshot.gpus]
        for task in snapshot.tasks:
            where = "" if task.gpu_index is None else f" on GPU {task.gpu_index}"
            lines.append(f"    task {task.task_id}: {task.stage} {task.progress:.0%}{where}")
    if not snapshot.is_current():
        lines.append(
            f"  (not updated for {_duration(snapshot.age_s())}: the agent may be stuck; "
            "see `orban-agent logs`)"
        )
    return lines


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    # dest is not "verbose": the CLI reads that one as "debug logging".
    parser.add_argument(
        "-v", "--verbose", dest="details", action="store_true", help="list GPUs and tasks"
    )


def run_status(args: argparse.Namespace, context: CommandContext) -> int:
    pid_file = context.files.pid_file
    snapshot = read_status(status_file_for(pid_file))
    if snapshot is None:
        starting = running_agent(pid_file)
        if starting is not None:
            face = f", {FACE_WORDS[starting.face.value]}" if starting.face is not None else ""
            context.out(
                f"Orban Agent is starting (pid {starting.pid}{face}); it has not reported its "
                "state yet."
            )
            return 0
        context.out("Orban Agent is not running. Start it with `orban-agent start`.")
        return NOT_RUNNING
    for line in describe(snapshot, verbose=args.details):
        context.out(line)
    return 0


STATUS = Command(
    name="status",
    help="show the running agent's state, GPUs, tasks and earnings",
    run=run_status,
    add_arguments=_add_arguments,
)
