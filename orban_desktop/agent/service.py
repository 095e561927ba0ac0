"""AgentService: the agent's life: connect, authenticate, register, serve, reconnect, pause, stop.

States (``events.ConnectionState``): offline -> connecting -> authenticating -> registered ->
serving, plus paused and auth_rejected. Every disconnect other than a refused key reconnects
after ``ReconnectStrategy``'s delay; after a reconnect the agent sends STATE_SYNC, re-registers
and re-sends undelivered results from the outbox. Running tasks belong to the service, not to a
connection, so they survive reconnects. Pure asyncio, no Qt: the GUI and the headless mode both
drive this class and listen to its events.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Coroutine
from typing import Any

from orban_desktop.agent.components import AgentComponents
from orban_desktop.agent.handlers import HandlerContext, MessageHandlers
from orban_desktop.agent.outbox import (
    DELIVERED_RETENTION_S,
    TASKS_RUN_RETENTION_S,
    UNDELIVERED_RETENTION_S,
    OutboxItem,
)
from orban_desktop.agent.policy import PauseReason
from orban_desktop.agent.registration import build_register
from orban_desktop.agent.tasks import TaskRunner
from orban_desktop.agent.telemetry import heartbeat_gpu_status
from orban_desktop.errors import AuthenticationFailed, ConnectionFailed, OrbanError, ProtocolError
from orban_desktop.events import ConnectionState, ConnectionStateChanged, PauseChanged
from orban_desktop.network.client import OrbanClient
from orban_desktop.network.reconnect import ReconnectStrategy
from orban_desktop.protocol import messages as m
from orban_desktop.protocol import types as t
from orban_desktop.protocol.codec import decode_json
from orban_desktop.protocol.enums import AgentStatus, Extension
from orban_desktop.protocol.fields import MAX_LIST_LEN
from orban_desktop.protocol.timestamps import WireTime

logger = logging.getLogger(__name__)

#: How often the outbox is pruned (also once at start).
PRUNE_INTERVAL_S = 3600.0


class AgentService:
    """Owns the connection loop and the running tasks. Start with ``run()``, end with ``stop()``."""

    def __init__(self, parts: AgentComponents) -> None:
        self.parts = parts
        config = parts.config
        self.state = ConnectionState.OFFLINE
        #: Why the agent is in ``state``, in words (the platform's reason for a rejection).
        self.state_detail: str | None = None
        self.pause_reasons: frozenset[PauseReason] = frozenset()
        self._user_paused = False
        self._client: OrbanClient | None = None
        self._connection_id = ""
        self._sessions = 0
        self._last_heartbeat = WireTime.now()
        self._started = time.monotonic()
        self._stopping = asyncio.Event()
        self._wake = asyncio.Event()
        self._session_task: asyncio.Task[None] | None = None
        self._registered = False
        self._strategy = ReconnectStrategy(
            max_retries=config.network.max_retries,
            base_delay_secs=parts.reconnect_base_delay_s,
            max_delay_secs=parts.reconnect_max_delay_s,
            min_stable_secs=parts.reconnect_min_stable_s,
            jitter=0.25,
            rng=parts.rng,
        )
        self.runner = TaskRunner(
            executor=parts.executor,
            detector=parts.detector,
            outbox=parts.outbox,
            bus=parts.bus,
            metrics=parts.metrics,
            send=self.send,
            deliver=self.deliver,
            latest_status=parts.latest_status,
            progress_interval_s=parts.progress_interval_s,
        )
        self.handlers = MessageHandlers(
            HandlerContext(
                agent_id=parts.identity.agent_id,
                send=self.send,
                uses=self.uses,
                paused=lambda: bool(self.pause_reasons) or self._stopping.is_set(),
                max_concurrent_tasks=config.gpu.max_concurrent_tasks,
                latest_statuses=parts.latest_statuses,
                runner_availability=lambda: parts.runner_support.latest,
            ),
            runner=self.runner,
            executor=parts.executor,
            detector=parts.detector,
            ledger=parts.ledger,
            outbox=parts.outbox,
            bus=parts.bus,
            on_earning=parts.metrics.earning,
        )

    # ------------------------------------------------------------ public control
    def uses(self, extension: Extension) -> bool:
        return self._client is not None and self._client.uses(extension)

    def pause(self) -> None:
        """Owner pauses: running tasks finish, new ones are refused with ``paused``."""
        self._user_paused = True
        self.update_pause_reasons(self.pause_reasons | {PauseReason.USER})

    def resume(self) -> None:
        self._user_paused = False
        self.update_pause_reasons(self.pause_reasons - {PauseReason.USER})

    @property
    def user_paused(self) -> bool:
        return self._user_paused

    def update_pause_reasons(self, reasons: frozenset[PauseReason]) -> None:
        if reasons == self.pause_reasons:
            return
        self.pause_reasons = reasons
        self.parts.bus.publish(PauseChanged(frozenset(r.value for r in reasons)))
        if self.state in (ConnectionState.SERVING, ConnectionState.PAUSED):
            self._set_state(ConnectionState.PAUSED if reasons else ConnectionState.SERVING)

    def retry_now(self) -> None:
        """Skip the current reconnect wait (also clears a key rejection after the user acted)."""
        self._wake.set()

    async def stop(self) -> None:
        """Hand running tasks back (reported TASK_CANCELLED), close the session, end ``run()``."""
        self._stopping.set()
        self._wake.set()
        await self.runner.cancel_all("The agent is shutting down; the task is handed back.")
        await self.handlers.close()
        if self._client is not None:
            await self._client.close(1000, "agent stopping")
        session = self._session_task
        if session is not None and not session.done():
            session.cancel()  # still connecting or authenticating: nothing to close yet

    # ------------------------------------------------------------ main loop
    async def run(self) -> None:
        """Connect and serve until ``stop()``; reconnects with backoff."""
        await self.parts.recover_after_crash()
        pruning = asyncio.create_task(self._prune_loop())
        try:
            await self._connect_loop()
        finally:
            pruning.cancel()
            await asyncio.gather(pruning, return_exceptions=True)
        await self.runner.cancel_all("The agent is shutting down; the task is handed back.")
        self._set_state(ConnectionState.STOPPED)

    async def _prune_loop(self) -> None:
        """Keep the outbox bounded: delivered results, stale ones and old task memories go."""
        while True:
            try:
                removed = await self.parts.outbox.prune(
                    DELIVERED_RETENTION_S,
                    undelivered_older_than_s=UNDELIVERED_RETENTION_S,
                    tasks_older_than_s=TASKS_RUN_RETENTION_S,
                )
                if removed:
                    logger.info("outbox: pruned %d old result(s)", removed)
            except OrbanError as exc:
                logger.warning("could not prune the result outbox: %s", exc.message)
            await asyncio.sleep(PRUNE_INTERVAL_S)

    async def _connect_loop(self) -> None:
        while not self._stopping.is_set():
            self._session_task = asyncio.create_task(self._one_session())
            try:
                await self._session_task
            except asyncio.CancelledError:
                if not self._stopping.is_set():
                    raise  # run() itself was cancelled
                break
            except AuthenticationFailed as exc:
                logger.error("%s (the agent stops connecting until you press Retry)", exc.message)
                why = "relay_suspected" if exc.context.get("relay_suspected") else "auth_failed"
                self._set_state(ConnectionState.AUTH_REJECTED, why, detail=exc.message)
                await self._wait(None)
                continue
            except ProtocolError as exc:
                logger.warning("the platform broke the protocol: %s", exc.message)
            except ConnectionFailed as exc:
                logger.info("disconnected: %s", exc.message)
            except OSError as exc:
                logger.info("disconnected: %s", exc)
            except Exception:  # a defect of ours: say so, then reconnect rather than die
                logger.exception("the session ended on an unexpected error; reconnecting")
            if self._stopping.is_set():
                break
            delay = self._strategy.next_delay()
            if delay is None:
                self._set_state(ConnectionState.OFFLINE, "gave_up")
                await self._wait(None)
                self._strategy.reset()
                continue
            self._set_state(ConnectionState.OFFLINE, "retrying", retry_in_s=delay)
            await self._wait(delay)

    async def _wait(self, seconds: float | None) -> None:
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._wake.wait()

    async def _one_session(self) -> None:
        parts = self.parts
        self._set_state(ConnectionState.CONNECTING)
        client = OrbanClient(
            parts.config.agent.platform_url,
            parts.identity,
            extensions=parts.extensions,
            open_timeout=parts.config.network.connection_timeout_secs,
        )
        try:
            self._set_state(ConnectionState.AUTHENTICATING)
            began = time.monotonic()
            await client.connect()
            latency_ms = int((time.monotonic() - began) * 1000)
            self._client = client
            self._connection_id = uuid.uuid4().hex
            self._strategy.connected()
            try:
                await self._serve(client, latency_ms)
            finally:
                self._strategy.disconnected()
        finally:
            self._client = None
            self._registered = False
            self.handlers.session_ended()
            await client.close()

    async def _serve(self, client: OrbanClient, latency_ms: int) -> None:
        parts = self.parts
        undelivered = await parts.outbox.pending()
        if self._sessions or self.runner.active or undelivered:
            await client.send(self._state_sync(undelivered))
        self._sessions += 1
        info = await asyncio.to_thread(parts.detector.get_hardware_info, parts.data_dir)
        runner = await parts.runner_support.get()
        parts.bus.publish(runner.event())
        availability = parts.config.availability
        await client.register(
            build_register(
                parts.identity.agent_id,
                info,
                hours_per_day=round(availability.hours_per_day),
                reliability_score=availability.reliability_score,
                latency_ms=latency_ms,
                runner_available=runner.usable,
            )
        )
        self._set_state(ConnectionState.PAUSED if self.pause_reasons else ConnectionState.SERVING)
        self._registered = True
        for item in await parts.outbox.pending():  # incl. results finished while registering
            await self.deliver(item)
        loops = [self._receive_loop(client), self._heartbeat_loop(), self._metrics_loop()]
        if not self.uses(Extension.ACK):
            loops.append(self._settle_loop())
        await _first_failure(loops)

    async def _receive_loop(self, client: OrbanClient) -> None:
        while True:
            try:
                message = await client.receive()
            except ProtocolError as exc:
                logger.warning("malformed frame from the platform: %s", exc.message)
                await self.send(
                    m.Error(code=exc.code, message=exc.message, context=None, recoverable=True)
                )
                continue
            try:
                await self.handlers.handle(message)
            except (AuthenticationFailed, ConnectionFailed):
                raise  # the only ways a frame ends the session (besides cancellation)
            except Exception as exc:
                await self._handler_failed(message, exc)

    async def _handler_failed(self, message: m.Message, exc: Exception) -> None:
        """One frame's handler failed: log it with its traceback, answer ERROR, serve on."""
        logger.error(
            "could not handle %s %s from the platform; the session goes on",
            message.TYPE.value,
            message.message_id,
            exc_info=exc,
        )
        code = exc.code if isinstance(exc, OrbanError) else "INTERNAL_ERROR"
        text = exc.message if isinstance(exc, OrbanError) else f"{type(exc).__name__}: {exc}"
        context = {"message_id": message.message_id, "type": message.TYPE.value}
        await self.send(m.Error(code=code, message=text[:1000], context=context, recoverable=True))

    async def _heartbeat_loop(self) -> None:
        interval = self.parts.config.network.heartbeat_interval_secs
        while True:
            await self.send(self._heartbeat())
            self._last_heartbeat = WireTime.now()
            await asyncio.sleep(interval)

    async def _metrics_loop(self) -> None:
        interval = self.parts.config.network.metrics_batch_interval_secs
        while True:
            await asyncio.sleep(interval)
            await self.send(self.parts.metrics.batch(self.parts.identity.agent_id, WireTime.now()))

    async def _settle_loop(self) -> None:
        """Without ``ack``: a result counts as delivered one heartbeat interval after sending."""
        interval = self.parts.config.network.heartbeat_interval_secs
        while True:
            await asyncio.sleep(max(interval / 4, 0.05))
            await self.parts.outbox.settle_without_ack(self._connection_id, time.time(), interval)

    # ------------------------------------------------------------ frames out
    async def send(self, message: m.Message) -> bool:
        """Send if connected; ``False`` when offline (callers that must not lose use the outbox)."""
        client = self._client
        if client is None:
            return False
        try:
            await client.send(message)
        except (ConnectionFailed, OrbanError) as exc:
            logger.debug("could not send %s: %s", message.TYPE.value, exc)
            return False
        return True

    async def deliver(self, item: OutboxItem) -> None:
        """Send a stored result (same message id as when it was first written).

        Only once the session is registered: a platform refuses results before REGISTER_ACK
        (NOT_REGISTERED), and without ``ack`` such a refused send would wrongly settle.
        """
        if self._registered and await self.send(decode_json(item.frame_json)):
            await self.parts.outbox.mark_sent(item.task_id, self._connection_id, time.time())

    def _heartbeat(self) -> m.Heartbeat:
        active = list(self.runner.active)
        status = AgentStatus.WORKING if active else AgentStatus.IDLE
        return m.Heartbeat(
            agent_id=self.parts.identity.agent_id,
            status=status,
            current_task_id=active[0] if active else None,
            gpu_status=heartbeat_gpu_status(self.parts.latest_statuses()),
            uptime_sec=int(time.monotonic() - self._started),
        )

    def _state_sync(self, undelivered: list[OutboxItem]) -> m.StateSync:
        """Running tasks, and finished ones whose result is not delivered yet (progress 1).

        Listing the finished ones keeps the platform from re-queuing a task whose result is
        about to be re-sent (docs/orban-protocol.md §8).
        """
        active = [
            t.ActiveTaskInfo(task_id=a.assign.task_id, progress=a.progress, started_at=a.started_at)
            for a in self.runner.active.values()
        ]
        listed = {info.task_id for info in active}
        active += [
            t.ActiveTaskInfo(
                task_id=item.task_id,
                progress=1.0,
                started_at=WireTime(int(item.created_at * 1_000_000_000)),
            )
            for item in undelivered
            if item.task_id not in listed
        ]
        return m.StateSync(
            agent_id=self.parts.identity.agent_id,
            last_heartbeat=self._last_heartbeat,
            active_tasks=active[:MAX_LIST_LEN],
        )

    def _set_state(
        self,
        state: ConnectionState,
        reason: str | None = None,
        *,
        retry_in_s: float | None = None,
        detail: str | None = None,
    ) -> None:
        self.state = state
        self.state_detail = detail
        self.parts.bus.publish(ConnectionStateChanged(state, reason, retry_in_s, detail))


async def _first_failure(coroutines: list[Coroutine[Any, Any, None]]) -> None:
    """Run loops together; when one ends or fails, cancel the others and re-raise."""
    tasks = [asyncio.ensure_future(c) for c in coroutines]
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    for task in done:
        if not task.cancelled() and task.exception() is not None:
            raise task.exception()  # type: ignore[misc]
