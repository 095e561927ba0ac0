"""What the agent does with each frame the platform sends while a session is up.

TASK_ASSIGN is answered at once (accept or reject with upstream's reason code); earnings and
payouts are committed to the ledger *before* they are acknowledged; a POW_CHALLENGE goes to
:class:`~orban_desktop.agent.pow_answer.PowResponder` (solved off the loop, within its deadline);
which tasks run and which finished is read from the shared
:class:`~orban_desktop.agent.task_book.TaskBook`. (ACK and REGISTER_ACK are the client
session's, not the handlers'.) Imports nothing from Qt.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from orban_desktop.agent.earning_check import earning_flag
from orban_desktop.agent.outbox import OutboxItem
from orban_desktop.agent.outbox_async import AsyncResultOutbox
from orban_desktop.agent.pow_answer import PowAnswer, PowResponder
from orban_desktop.agent.task_book import TaskBook
from orban_desktop.agent.tasks import TaskRunner
from orban_desktop.compute import TaskExecutor
from orban_desktop.compute.runner_probe import RunnerAvailability
from orban_desktop.earnings import (
    AsyncEarningsLedger,
    EarningEntry,
    PayoutEntry,
    RecordOutcome,
    describe_flag,
)
from orban_desktop.errors import AuthenticationFailed, ValidationFailed
from orban_desktop.events import EarningRecorded, EventBus, Notice, NoticeCode, PayoutReceived
from orban_desktop.gpu.detector import GPUDetector
from orban_desktop.gpu.device import GPUStatus
from orban_desktop.gpu.requirements import GPURequirements
from orban_desktop.protocol import messages as m
from orban_desktop.protocol import types as t
from orban_desktop.protocol.codec import decode_json
from orban_desktop.protocol.enums import Extension
from orban_desktop.protocol.timestamps import WireTime

logger = logging.getLogger(__name__)


@dataclass
class HandlerContext:
    """What the handlers need from the service (injected; no globals)."""

    agent_id: str
    send: Callable[[m.Message], Awaitable[bool]]
    uses: Callable[[Extension], bool]
    paused: Callable[[], bool]
    max_concurrent_tasks: int | None  # None: one per usable GPU
    latest_statuses: Callable[[], list[GPUStatus]]
    #: Whether runner tasks can run here, and if not why (``None``: not known yet).
    runner_availability: Callable[[], RunnerAvailability | None] = lambda: None


class MessageHandlers:
    """Dispatch one incoming message to its handler."""

    def __init__(
        self,
        ctx: HandlerContext,
        *,
        book: TaskBook,
        runner: TaskRunner,
        executor: TaskExecutor,
        detector: GPUDetector,
        ledger: AsyncEarningsLedger,
        outbox: AsyncResultOutbox,
        bus: EventBus,
        on_earning: Callable[[int], None],
    ) -> None:
        self.ctx = ctx
        self._book = book
        self._runner = runner
        self._executor = executor
        self._detector = detector
        self._ledger = ledger
        self._outbox = outbox
        self._bus = bus
        self._on_earning = on_earning
        self.pow = PowResponder(self._pow_answered, ctx.send)

    async def handle(self, message: m.Message) -> None:
        match message:
            case m.TaskAssign():
                await self.on_task_assign(message)
            case m.TaskCancel():
                self._runner.cancel(message.task_id, f"Cancelled by the platform: {message.reason}")
            case m.EarningsRecord():
                await self.on_earnings(message)
            case m.PayoutNotification():
                await self.on_payout(message)
            case m.PowChallenge():
                await self.pow.offer(message)
            case m.Error():
                await self.on_error(message)
            case _:
                logger.debug("ignoring %s from the platform", message.TYPE.value)

    # ------------------------------------------------------------ tasks
    async def on_task_assign(self, assign: m.TaskAssign) -> None:
        """Accept (TASK_ACCEPT, then run) or refuse (TASK_REJECT with upstream's reason)."""
        task_id = assign.task_id
        if task_id in self._book.running:
            return  # a redelivered assignment of a task we run: already accepted
        stored = self._book.result_of(task_id)  # we already ran it: re-send, never run it twice
        if stored is None:
            stored = await self._outbox.result_for(task_id)  # finished before a restart
        if stored is not None:
            await self._redeliver(stored)
            return
        reason, details = self._refusal()
        if reason is not None:
            return await self._reject(task_id, reason, details)
        try:
            prepared = self._executor.prepare(assign)
        except ValidationFailed as exc:
            return await self._reject(task_id, "invalid_task", exc.message)
        if prepared.spec.runner is not None:
            support = self.ctx.runner_availability()
            if support is None or not support.usable:
                why = support.describe() if support else "The runner is still being checked."
                return await self._reject(task_id, "unsupported_framework", why)
        requirements = GPURequirements.from_wire(assign.requirements)
        recent = self.ctx.latest_statuses()
        if recent:  # the sampler's snapshot: decided on the loop, no thread hop (fast accept)
            check = self._detector.meets_requirements(requirements, recent)
        else:
            check = await asyncio.to_thread(self._detector.meets_requirements, requirements)
        if not check or check.gpu_index is None:
            reason = str(check.reason or "gpu_not_available")
            return await self._reject(task_id, reason, f"No GPU here meets {requirements} now.")
        self._detector.acquire(check.gpu_index)
        started = WireTime.now()
        await self.ctx.send(
            m.TaskAccept(
                task_id=task_id,
                agent_id=self.ctx.agent_id,
                gpu_allocated=check.gpu_index,
                estimated_completion=WireTime(
                    started.ns + assign.estimated_duration_sec * 1_000_000_000
                ),
            )
        )
        active = self._runner.start(assign, prepared, check.gpu_index)
        await self._outbox.task_started(self._runner.journal_entry(active))

    async def _redeliver(self, item: OutboxItem) -> None:
        logger.info("task %s was assigned again; re-sending its result", item.task_id)
        await self.ctx.send(decode_json(item.frame_json))

    async def _reject(self, task_id: str, reason: str, details: str) -> None:
        logger.info("rejecting task %s: %s (%s)", task_id, reason, details)
        await self.ctx.send(m.TaskReject(task_id=task_id, reason=reason, details=details))

    def _refusal(self) -> tuple[str | None, str]:
        if self.ctx.paused():
            return "paused", "The owner paused contribution on this machine."
        running = len(self._book.running)
        usable = sum(1 for f in self._detector.facts() if self._detector.is_enabled(f.index))
        limit = self.ctx.max_concurrent_tasks or max(1, usable)  # None: one per usable GPU
        if running >= limit:
            return "at_capacity", f"Already running {running} task(s)."
        return None, ""

    # ------------------------------------------------------------ money
    async def on_earnings(self, record: m.EarningsRecord) -> None:
        detail = record.earnings
        flag = earning_flag(detail.final_amount_usd, await self._outbox.task_run(record.task_id))
        entry = EarningEntry(
            record_id=record.task_id,
            task_id=record.task_id,
            amount=detail.final_amount_usd,
            gpu_hours=detail.gpu_hours,
            rate_per_hour=detail.rate_usd_per_hour,
            amount_before_bonus=detail.amount_usd,
            bonus_multiplier=detail.bonus_multiplier,
            status=record.status,
            recorded_at=datetime.now(UTC),
            estimated_payout_date=record.estimated_payout_date,
            gpu_index=self._book.gpu_index(record.task_id),
            flag=flag,
        )
        outcome = await self._ledger.record_earnings(entry)  # committed when this returns
        if outcome is RecordOutcome.FLAGGED and flag is not None:
            logger.warning(
                "earning for task %s (%s) kept apart, not counted: %s",
                record.task_id,
                detail.final_amount_usd.text,
                describe_flag(flag),
            )
            self._bus.publish(
                Notice(
                    NoticeCode.EARNING_FLAGGED, {"task_id": record.task_id, "reason": flag.value}
                )
            )
        if outcome is RecordOutcome.STORED:
            self._on_earning(entry.amount.micros)
            logger.info(
                "task %s earned $%s (%s)",
                record.task_id,
                entry.amount.text,
                record.status.value.lower(),
            )
        elif outcome is RecordOutcome.STATUS_UPDATED:
            logger.debug("earning for task %s is now %s", record.task_id, record.status.value)
        if outcome in (RecordOutcome.STORED, RecordOutcome.STATUS_UPDATED):
            self._bus.publish(
                EarningRecorded(
                    record.task_id, entry.amount.micros, entry.amount.text, record.status
                )
            )
        await self._ack(record)

    async def on_payout(self, notice: m.PayoutNotification) -> None:
        summary = notice.summary
        entry = PayoutEntry(
            payout_id=notice.payout_id,
            period_start=notice.period.start,
            period_end=notice.period.end,
            total_tasks=summary.total_tasks,
            total_gpu_hours=summary.total_gpu_hours,
            gross=summary.gross_amount_usd,
            fee=summary.platform_fee_usd,
            net=summary.net_amount_usd,
            payment_method=notice.payment_method,
            payment_address=notice.payment_address,
            status=notice.status,
            recorded_at=datetime.now(UTC),
        )
        if await self._ledger.record_payout(entry) is not RecordOutcome.ALREADY_STORED:
            net = summary.net_amount_usd
            self._bus.publish(PayoutReceived(notice.payout_id, net.micros, net.text, notice.status))
        await self._ack(notice)

    async def _ack(self, message: m.Message) -> None:
        if self.ctx.uses(Extension.ACK):
            await self.ctx.send(m.Ack(acked_message_id=message.message_id))

    # ------------------------------------------------------------ proof of work, errors
    async def _pow_answered(self, answer: PowAnswer) -> None:
        challenge, solution = answer.challenge, answer.solution
        self._runner.proof.challenge_id = challenge.challenge_id
        self._runner.proof.response = solution.hash
        devices = self._detector.devices
        uuid = devices[0].uuid() if devices else None
        await self.ctx.send(
            m.PowResponse(
                challenge_id=challenge.challenge_id,
                response=solution.hash.hex(),
                computation_time_ms=min(answer.elapsed_ms, 0xFFFF_FFFF),
                gpu_signature=t.GpuSignature(device_uuid=uuid or "none", cuda_version=None),
                solution_nonce=solution.solution_nonce,
            )
        )

    async def on_error(self, error: m.Error) -> None:
        logger.warning("platform error %s: %s", error.code, error.message)
        context = error.context if isinstance(error.context, dict) else {}
        task_id = context.get("task_id")
        if error.code == AuthenticationFailed.code:
            raise AuthenticationFailed(error.message)
        if error.code == "UNKNOWN_TASK" and isinstance(task_id, str):
            self._runner.cancel(task_id, "The platform no longer knows this task.")
        elif error.code == ValidationFailed.code and isinstance(task_id, str):
            await self._outbox.mark_delivered(task_id)
        self._bus.publish(
            Notice(NoticeCode.PLATFORM_ERROR, {"code": error.code, "message": error.message})
        )

    def session_ended(self) -> None:
        """The connection is gone: a challenge's answer could only be late now."""
        self.pow.cancel()

    async def close(self) -> None:
        await self.pow.close()
