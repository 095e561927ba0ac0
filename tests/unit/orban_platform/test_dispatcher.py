"""Matching requirements to GPUs, and pairing queued tasks with agents that have room."""

from __future__ import annotations

import random

from orban_desktop.protocol.types import TaskRequirements
from orban_platform.dispatcher import AgentSlot, Dispatcher, fits, parse_capability
from orban_platform.jobs import JobFactory
from orban_platform.pricing import terms_for
from orban_platform.records import TaskRecord
from orban_platform.settings import PricingPolicy


def _slot(agent_id: str, gpus: list[tuple[int, str]], capacity: int = 1) -> AgentSlot:
    return AgentSlot(
        agent_id=agent_id,
        gpus=[(vram, parse_capability(cc)) for vram, cc in gpus],
        frameworks=frozenset({"pytorch"}),
        fp16=True,
        terms=terms_for(PricingPolicy(), 0, 0.0),
        capacity=capacity,
    )


def _needs(
    vram: int = 0, cc: str = "", framework: str = "", fp16: bool = False
) -> TaskRequirements:
    return TaskRequirements(
        min_vram_gb=vram, min_compute_capability=cc, framework=framework, fp16=fp16
    )


def test_capability_parsing() -> None:
    assert parse_capability("8.9") == (8, 9) and parse_capability("12") == (12, 0)
    assert parse_capability("") is None and parse_capability("gfx1100") is None


def test_one_gpu_must_meet_memory_and_capability_together() -> None:
    slot = _slot("a", [(24, "6.1"), (8, "8.9")])
    assert fits(_needs(vram=16, cc="6.0"), slot)
    assert not fits(_needs(vram=16, cc="8.0"), slot)  # the big GPU is too old, the new too small
    assert fits(_needs(vram=8, cc="8.0", framework="PyTorch", fp16=True), slot)
    assert not fits(_needs(framework="tensorflow"), slot)
    assert fits(_needs(), _slot("cpu-only", []))
    assert not fits(_needs(vram=1), _slot("cpu-only", []))


def _task(task_id: str, priority: int, created_at: float, vram: int = 0) -> TaskRecord:
    job = JobFactory(random.Random(1), 64).make("job")
    return TaskRecord(
        task_id=task_id,
        job_id="job",
        workload=job.workload,
        spec=job.spec,
        requirements=_needs(vram=vram),
        priority=priority,
        estimated_duration_sec=60,
        model_sha256="m",
        input_sha256="i",
        expected_sha256="e",
        created_at=created_at,
    )


def test_plan_respects_room_exclusions_and_waiting_order() -> None:
    dispatcher = Dispatcher()
    dispatcher.slots = {
        "busy": _slot("busy", [(24, "8.9")]),
        "two": _slot("two", [(24, "8.9"), (24, "8.9")], capacity=2),
        "small": _slot("small", [(4, "8.9")]),
    }
    dispatcher.slots["busy"].active.add("running-task")
    dispatcher.slots["two"].last_assigned_at = 5.0  # waited less than "small"
    queue = [_task("big", 3, 1.0, vram=16), _task("t1", 1, 1.0), _task("t2", 1, 2.0)]
    queue[1].excluded.add("small")
    pairs = [(task.task_id, slot.agent_id) for task, slot in dispatcher.plan(queue, now=10.0)]
    assert pairs == [("t2", "small"), ("big", "two"), ("t1", "two")]
    dispatcher.slots["two"].hold_until = 20.0  # paused: nothing for it until then
    assert [s.agent_id for _, s in dispatcher.plan(queue, now=10.0)] == ["small"]
