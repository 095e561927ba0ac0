"""The read-only status document of ``GET /status``: agents (and what work each gets, or why
canaries only), tasks by state, per workload the results assigned, verified and refused and
the rows per second, and earnings per agent.

Built from the core's memory (who is connected, what each holds, heartbeat lag) and the
database (enrolled agents, task counts, sums of earnings), as plain JSON types, amounts as exact
decimal strings. Heartbeat lag is the time from a HEARTBEAT's own ``timestamp`` to its handling,
over the last minute: what the load bench reads. Imports the core's parts; nothing from Qt.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from orban_desktop.money import micros_to_text

if TYPE_CHECKING:
    from orban_platform.dispatcher import AgentSlot
    from orban_platform.hub import PlatformCore


def _percentile(sorted_values: list[float], fraction: float) -> float:
    index = max(0, math.ceil(fraction * len(sorted_values)) - 1)
    return sorted_values[index]


def heartbeat_stats(core: PlatformCore) -> dict[str, Any]:
    """Count and lag percentiles (milliseconds) of the heartbeats of the last minute."""
    lags = sorted(lag for _, lag in core.heartbeat_lags)
    if not lags:
        return {"count": 0}
    return {
        "count": len(lags),
        "lag_ms_p50": round(_percentile(lags, 0.50) * 1000, 3),
        "lag_ms_p99": round(_percentile(lags, 0.99) * 1000, 3),
        "lag_ms_max": round(lags[-1] * 1000, 3),
    }


def _money_fields(entry: dict[str, object]) -> dict[str, object]:
    result: dict[str, object] = {"tasks": entry.get("tasks", 0), "payouts": entry.get("payouts", 0)}
    for status in ("pending", "confirmed", "paid"):
        micros = entry.get(f"{status}_micros", 0)
        result[f"{status}_usd"] = micros_to_text(int(str(micros)))
    return result


def _work_of(core: PlatformCore, slot: AgentSlot | None) -> str:
    """What an agent gets, in words: real jobs (on its GPU or its CPU) or why canaries only."""
    if slot is None:
        return "unknown (not registered since the platform started)"
    why = core.canaries_only_reason(slot)
    if why:
        return why
    where = "its CPU (its GPUs are simulated)" if slot.on_cpu else "its GPU"
    pause = f"; {slot.strikes} refused result(s): one task at a time" if slot.strikes else ""
    return f"real model jobs, run on {where}{pause}"


def platform_status(core: PlatformCore, now: float) -> dict[str, Any]:
    """The whole status document."""
    agents = []
    metrics = core.store.metrics_counts()
    for row in core.store.agents():
        agent_id = str(row["agent_id"])
        session = core.by_agent.get(agent_id)
        slot = core.dispatcher.slots.get(agent_id)
        agents.append(
            {
                **row,
                "connected": session is not None,
                "online": session is not None and session.registered,
                "extensions": sorted(e.value for e in session.extensions) if session else [],
                "capacity": slot.capacity if slot else 0,
                "status": slot.status.value if slot and session else "offline",
                "tasks": sorted(slot.active) if slot else [],
                "metrics_batches": metrics.get(agent_id, 0),
                "work": _work_of(core, slot),
            }
        )
    earnings = core.earnings.table.summary()
    return {
        "platform": {
            "origins": list(core.origins),
            "extensions": sorted(e.value for e in core.settings.extensions),
            "connections": len(core.sessions),
        },
        "agents": agents,
        "tasks": core.store.task_counts(),
        "workloads": {
            "offered": list(core.settings.workloads),
            "real_jobs": core.embedding is not None,
            "why_not": core.embedding_off,
            **core.store.workload_stats(),
        },
        "earnings": {agent_id: _money_fields(entry) for agent_id, entry in earnings.items()},
        "heartbeats": heartbeat_stats(core),
        "time": now,
    }
