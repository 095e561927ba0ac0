"""Checking an EARNINGS_RECORD against the agent's own work before it counts.

A record for a task this agent never took (:class:`~orban_desktop.agent.outbox.TaskRun` is
``None``), one with a negative amount, or one far above what the task's pricing could pay is
flagged (:class:`~orban_desktop.earnings.EarningFlag`): the ledger keeps it apart, listed but in
no total, so nothing the platform said is lost and the totals stay the owner's own. "Far above"
is more than :data:`FAR_FACTOR` times the task's priced estimate: ``effective_rate`` per hour
times the longer of its estimated duration and a minute. Imports nothing from Qt.
"""

from __future__ import annotations

from orban_desktop.agent.outbox_records import TaskRun
from orban_desktop.earnings import EarningFlag
from orban_desktop.money import Money
from orban_desktop.protocol import messages as m

#: How many times the priced estimate a record may reach before it is "far outside" it.
FAR_FACTOR = 10
_MIN_PRICED_S = 60


def priced_ceiling_micros(assign: m.TaskAssign) -> int | None:
    """The most a record for ``assign`` may plausibly pay, in micro-units (``None``: unpriced)."""
    rate = assign.pricing.effective_rate.micros
    if rate <= 0:
        return None
    seconds = max(assign.estimated_duration_sec, _MIN_PRICED_S)
    return rate * seconds * FAR_FACTOR // 3600


def earning_flag(amount: Money, task: TaskRun | None) -> EarningFlag | None:
    """Why a record for ``task`` paying ``amount`` must not count (``None``: it counts)."""
    if task is None:
        return EarningFlag.NOT_OUR_TASK
    if amount.micros < 0:
        return EarningFlag.NEGATIVE
    ceiling = task.priced_ceiling_micros
    if ceiling is not None and amount.micros > ceiling:
        return EarningFlag.OUT_OF_RANGE
    return None
