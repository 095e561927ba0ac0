"""TaskBook: the one record of running and finished tasks that the runner and handlers share."""

from __future__ import annotations

import pytest

from orban_desktop.agent.outbox import OutboxItem
from orban_desktop.agent.task_book import ActiveTask, TaskBook
from orban_desktop.protocol import messages as m
from orban_desktop.protocol.codec import decode_json
from orban_desktop.protocol.timestamps import WireTime
from tests.fixtures import protocol_frame


def _active(task_id: str, gpu_index: int) -> ActiveTask:
    assign = decode_json(protocol_frame("platform-sends/task-assign.json"))
    assert isinstance(assign, m.TaskAssign)
    return ActiveTask(assign.model_copy(update={"task_id": task_id}), gpu_index, WireTime(0))


def _result(task_id: str) -> OutboxItem:
    return OutboxItem(task_id, f"mid-{task_id}", "TASK_FAILED", "{}", 1.0)


@pytest.mark.parametrize(
    ("steps", "running", "results", "gpus"),
    [
        pytest.param([("start", "a", 1)], ["a"], {"a": None}, {"a": 1}, id="running"),
        pytest.param(
            [("start", "a", 1), ("finish", "a", 0)], [], {"a": "mid-a"}, {"a": 1}, id="finished"
        ),
        pytest.param(
            [("start", "a", 0), ("start", "b", 1), ("finish", "a", 0)],
            ["b"],
            {"a": "mid-a", "b": None},
            {"a": 0, "b": 1},
            id="one of two finished",
        ),
        pytest.param(
            [("finish", "x", 0)], [], {"x": "mid-x"}, {"x": None}, id="finished, never seen running"
        ),
        pytest.param(
            [
                ("start", "a", 0),
                ("finish", "a", 0),
                ("start", "b", 0),
                ("finish", "b", 0),
                ("start", "c", 2),
                ("finish", "c", 0),
            ],
            [],
            {"a": None, "b": "mid-b", "c": "mid-c"},
            {"a": None, "b": 0, "c": 2},
            id="only the latest two finished are kept",
        ),
        pytest.param([], [], {"z": None}, {"z": None}, id="unknown task"),
    ],
)
def test_task_book(
    steps: list[tuple[str, str, int]],
    running: list[str],
    results: dict[str, str | None],
    gpus: dict[str, int | None],
) -> None:
    book = TaskBook(finished_kept=2)
    for verb, task_id, gpu in steps:
        if verb == "start":
            book.started(_active(task_id, gpu))
        else:
            book.finished(task_id, _result(task_id))
    assert list(book.running) == running
    for task_id, message_id in results.items():
        result = book.result_of(task_id)
        assert (result.message_id if result else None) == message_id
    assert {task_id: book.gpu_index(task_id) for task_id in gpus} == gpus
