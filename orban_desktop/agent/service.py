"""AgentService: the agent's life: connect, authenticate, register, serve, reconnect, pause, stop.

States (``events.ConnectionState``): offline -> connecting -> authenticating -> registered ->
serving, plus paused and auth_rejected. This class is the asyncio adapter around two sans-I/O
parts: :class:`~orban_desktop.protocol.client_session.ClientSession` (per connection: what may be
sent when, STATE_SYNC, kept frames, heartbeat/metrics/settle timers) and
:class:`~orban_desktop.network.reconnect.ReconnectStrategy` (whether and when to reconnect). It
feeds them received frames and the clock and carries out what they output: writes frames, stores
deliveries in the outbox, composes heartbeats and metrics batches. Running tasks belong to the
service, not to a connection, so they survive reconnects. Pure asyncio, no Qt: the GUI and the
headless mode both drive this class and listen to its events.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Callable, Coroutine
from typing import Any

from orban_desktop.agent.components import AgentComponents
from orban_desktop.agent.handlers import HandlerContext, MessageHandlers
from orban_desktop.agent.offline_reason import OutageLog, offline_detail
from orban_desktop.agent.outbox import (
    DELIVERED_RETENTION_S,
    TASKS_RUN_RETENTION_S,
    UNDELIVERED_RETENTION_S,
    OutboxItem,
)
from orban_desktop.agent.policy import PauseReason
from orban_desktop.agent.registration import build_register
from orban_desktop.agent.task_book import TaskBook
from orban_desktop.agent.tasks import TaskRunner
from orban_desktop.agent.telemetry import heartbeat_gpu_status
from orban_desktop.compute import TaskExecutor
from orban_desktop.errors import AuthenticationFailed, ConnectionFailed, OrbanError, ProtocolError
from orban_desktop.events import ConnectionState, ConnectionStateChanged, PauseChanged
from orban_desktop.network.client import OrbanClient
from orban_desktop.network.handshake import SessionInfo
from orban_desktop.network.reconnect import ReconnectAction, ReconnectStrategy
from orban_desktop.protocol import client_events as ev
from orban_desktop.protocol import messages as m
from orban_desktop.protocol.client_session import ClientSession
from orban_desktop.protocol.codec import decode_json
from orban_desktop.protocol.enums import AgentStatus, Extension
from orban_desktop.protocol.timestamps import WireTime

logger = logging.getLogger(__name__)

#: How often the outbox is pruned (also once at start).
PRUNE_INTERVAL_S = 3600.0
#: How long the platform may take to answer AGENT_REGISTER.
REGISTER_TIMEOUT_S = 30.0


class AgentService:
    """Owns the connection loop and the running tasks. Start with ``run()``, end with ``stop()``.

    Args:
        parts: What the agent is made of.
        clock: Monotonic seconds, fed to the session and the reconnect policy.
    """

    def __init__(
        self, parts: AgentComponents, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.parts = parts
        config = parts.config
        self.state = ConnectionState.OFFLINE
        #: Why the agent is in ``state``, in words (the platform's reason for a rejection).
        self.state_detail: str | None = None
        self.pause_reasons: frozenset[PauseReason] = frozenset()
        self._user_paused = False
        self._clock = clock
        self._client: OrbanClient | None = None
        self._session: ClientSession | None = None
        self._flushing = asyncio.Lock()
        self._timers_changed = asyncio.Event()
        self._register_timed_out: ev.RegisterTimedOut | None = None
        self._connection_id = ""
        self._sessions = 0
        self._last_heartbeat = WireTime.now()
        self._started = clock()
        self._stopping = asyncio.Event()
        self._wake = asyncio.Event()
        self._session_task: asyncio.Task[None] | None = None
        self._outage = OutageLog()
        self._strategy = ReconnectStrategy(
            max_retries=config.network.max_retries,
            base_delay_secs=parts.reconnect_base_delay_s,
            max_delay_secs=parts.reconnect_max_delay_s,
            min_stable_secs=parts.reconnect_min_stable_s,
            jitter=0.25,
            rng=parts.rng,
        )
        #: The one record of running and finished tasks, shared by the runner and the handlers.
        self.book = TaskBook()
        self.runner = TaskRunner(
            book=self.book,
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
            book=self.book,
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
        session = self._session
        return session is not None and session.uses(extension)

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
        self.parts.bus.publish(PauseChanged(frozenset(reasons)))
        if self.state in (ConnectionState.SERVING, ConnectionState.PAUSED):
            self._set_state(ConnectionState.PAUSED if reasons else ConnectionState.SERVING)

    def retry_now(self) -> None:
        """Skip the current reconnect wait (also clears a key rejection after the user acted)."""
        self._wake.set()

    async def reconnect(self) -> None:
        """Drop the session and open a new one with ``parts.config`` (running tasks go on).

        A connect still in progress finishes with the settings it began with.
        """
        self._strategy.reset()
        if self._client is not None:
            await self._client.close(1000, "settings changed")
        self._wake.set()

    def use_executor(self, executor: TaskExecutor) -> None:
        """Run the next tasks on ``executor`` (call while none runs; the caller closes the old)."""
        self.parts.executor = executor
        self.runner._executor = executor
        self.handlers._executor = executor

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
        """Connect and serve until ``stop()``; reconnects as the reconnect policy decides."""
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
            ended_by: Exception | None = None
            try:
                await self._session_task
            except asyncio.CancelledError:
                if not self._stopping.is_set():
                    raise  # run() itself was cancelled
                break
            except Exception as exc:
                ended_by = exc
                if self._outage.is_new(exc, self.parts.config.agent.platform_url):
                    _log_session_end(exc)
                else:
                    logger.debug("still offline: %s", exc)
            if self._stopping.is_set():
                break
            decision = self._strategy.decide(ended_by)
            if decision.action is ReconnectAction.WAIT_FOR_USER:
                detail = ended_by.message if isinstance(ended_by, OrbanError) else None
                logger.error("%s (the agent stops connecting until you press Retry)", detail)
                self._set_state(ConnectionState.AUTH_REJECTED, decision.reason, detail=detail)
                await self._wait(None)
            elif decision.action is ReconnectAction.GIVE_UP:
                self._set_state(ConnectionState.OFFLINE, decision.reason)
                await self._wait(None)
                self._strategy.reset()
            else:
                url = self.parts.config.agent.platform_url
                self._set_state(
                    ConnectionState.OFFLINE,
                    decision.reason,
                    retry_in_s=decision.delay_s,
                    detail=offline_detail(ended_by, url, decision.delay_s),
                )
                await self._wait(decision.delay_s)

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
        network = parts.config.network
        session = ClientSession(
            parts.identity.agent_id,
            ev.SessionTimers(
                heartbeat_interval_s=network.heartbeat_interval_secs,
                metrics_interval_s=network.metrics_batch_interval_secs,
                register_timeout_s=REGISTER_TIMEOUT_S,
            ),
            last_heartbeat=self._last_heartbeat,
        )
        self._session = session  # frames the agent wants to send from now on are kept
        self._register_timed_out = None
        try:
            self._set_state(ConnectionState.AUTHENTICATING)
            began = self._clock()
            info = await client.connect()
            latency_ms = int((self._clock() - began) * 1000)
            self._client = client
            self._connection_id = uuid.uuid4().hex
            self._strategy.connected(self._clock())
            try:
                await self._serve(client, session, info, latency_ms)
            finally:
                self._strategy.disconnected(self._clock())
        finally:
            self._last_heartbeat = session.last_heartbeat
            self._client = None
            self._session = None
            self.handlers.session_ended()
            await client.close()

    async def _serve(
        self, client: OrbanClient, session: ClientSession, info: SessionInfo, latency_ms: int
    ) -> None:
        parts = self.parts
        undelivered = await parts.outbox.pending()
        session.authenticated(
            info.extensions,
            reconnect=self._sessions > 0,
            running=[
                ev.RunningTaskState(task_id, task.progress, task.started_at)
                for task_id, task in self.book.running.items()
            ],
            undelivered=[_undelivered(item) for item in undelivered],
            wall_now=WireTime.now(),
        )
        self._sessions += 1
        await self._flush()  # STATE_SYNC
        hardware = await asyncio.to_thread(parts.detector.get_hardware_info, parts.data_dir)
        runner = await parts.runner_support.get()
        parts.bus.publish(runner.event())
        availability = parts.config.availability
        register = build_register(
            parts.identity.agent_id,
            hardware,
            hours_per_day=round(availability.hours_per_day),
            reliability_score=availability.reliability_score,
            latency_ms=latency_ms,
            runner_available=runner.usable,
        )
        session.register(register, self._clock())
        await self._flush()
        await _first_failure([self._receive_loop(client, session), self._timer_loop(session)])

    async def _receive_loop(self, client: OrbanClient, session: ClientSession) -> None:
        while True:
            try:
                message = await client.receive()
            except ProtocolError as exc:
                logger.warning("malformed frame from the platform: %s", exc.message)
                await self.send(
                    m.Error(code=exc.code, message=exc.message, context=None, recoverable=True)
                )
                continue
            for_handlers = session.receive(message, self._clock())
            await self._flush()
            if for_handlers is None:
                continue
            try:
                await self.handlers.handle(for_handlers)
            except (AuthenticationFailed, ConnectionFailed):
                raise  # the only ways a frame ends the session (besides cancellation)
            except Exception as exc:
                await self._handler_failed(for_handlers, exc)

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

    async def _timer_loop(self, session: ClientSession) -> None:
        """Tick the session at its next deadline (or sooner, when its timers changed)."""
        while True:
            self._timers_changed.clear()
            deadline = session.next_deadline()
            timeout = None if deadline is None else max(0.0, deadline - self._clock())
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(timeout):
                    await self._timers_changed.wait()
            session.tick(self._clock())
            await self._flush()
            timed_out = self._register_timed_out
            if timed_out is not None:
                raise ConnectionFailed(
                    f"The platform did not answer AGENT_REGISTER within {timed_out.timeout_s:g} s.",
                    context={"timeout": timed_out.timeout_s},
                )

    # ------------------------------------------------------------ frames out
    async def send(self, message: m.Message) -> bool:
        """Send ``message`` on the current connection (kept there until REGISTER_ACK).

        Returns:
            ``False`` when offline or refused (callers that must not lose use the outbox).
        """
        session = self._session
        if session is None:
            return False
        accepted = session.send(message)
        await self._flush()
        return accepted

    async def deliver(self, item: OutboxItem) -> None:
        """Send a stored result (same message id as when it was first written).

        The session holds it until REGISTER_ACK: a platform refuses results before it
        (NOT_REGISTERED), and without ``ack`` such a refused send would wrongly settle.
        """
        await self.send(decode_json(item.frame_json))

    async def _flush(self) -> None:
        """Carry out everything the session has output, in order, one flush at a time."""
        async with self._flushing:
            session, client = self._session, self._client
            while session is not None and client is not None:
                output = session.take_output()
                if not output:
                    break
                for item in output:
                    await self._carry_out(item, session, client)
        self._timers_changed.set()

    async def _carry_out(
        self, item: ev.Output, session: ClientSession, client: OrbanClient
    ) -> None:
        outbox = self.parts.outbox
        match item:
            case m.Message():
                try:
                    await client.send(item)
                except (ConnectionFailed, OrbanError) as exc:
                    logger.debug("could not send %s: %s", item.TYPE.value, exc)
                    return
                session.frame_written(item, self._clock())
                if isinstance(item, m.TaskComplete | m.TaskFailed):
                    await outbox.mark_sent(item.task_id, self._connection_id, time.time())
            case ev.Registered():
                paused = bool(self.pause_reasons)
                self._set_state(ConnectionState.PAUSED if paused else ConnectionState.SERVING)
            case ev.HeartbeatDue():
                session.send(self._heartbeat())
            case ev.MetricsDue():
                agent_id = self.parts.identity.agent_id
                session.send(self.parts.metrics.batch(agent_id, WireTime.now()))
            case ev.ResultSettled():
                await outbox.mark_delivered(item.task_id)
            case ev.ResultAcked():
                task_id = await outbox.mark_acked(item.message_id)
                logger.debug("platform acknowledged %s (task %s)", item.message_id, task_id)
            case ev.RegisterTimedOut():
                self._register_timed_out = item

    def _heartbeat(self) -> m.Heartbeat:
        active = list(self.book.running)
        status = AgentStatus.WORKING if active else AgentStatus.IDLE
        return m.Heartbeat(
            agent_id=self.parts.identity.agent_id,
            status=status,
            current_task_id=active[0] if active else None,
            gpu_status=heartbeat_gpu_status(self.parts.latest_statuses()),
            uptime_sec=int(self._clock() - self._started),
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
        if state in (ConnectionState.REGISTERED, ConnectionState.SERVING):
            self._outage.reset()  # the next outage says its reasons again
        self.parts.bus.publish(ConnectionStateChanged(state, reason, retry_in_s, detail))


def _undelivered(item: OutboxItem) -> ev.UndeliveredResult:
    frame = decode_json(item.frame_json)
    if not isinstance(frame, m.TaskComplete | m.TaskFailed):
        raise ValueError(f"outbox item for {item.task_id} holds {frame.TYPE.value}")
    return ev.UndeliveredResult(frame, WireTime(int(item.created_at * 1_000_000_000)))


def _log_session_end(exc: Exception) -> None:
    if isinstance(exc, AuthenticationFailed):
        return  # the connection loop says it, with what happens next
    if isinstance(exc, ProtocolError):
        logger.warning("the platform broke the protocol: %s", exc.message)
    elif isinstance(exc, ConnectionFailed):
        logger.info("disconnected: %s", exc.message)
    elif isinstance(exc, OSError):
        logger.info("disconnected: %s", exc)
    else:  # a defect of ours: say so, then reconnect rather than die
        logger.error("the session ended on an unexpected error; reconnecting", exc_info=exc)


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
