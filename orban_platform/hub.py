"""The platform core: sessions by agent id, login, registration, liveness, PoW and timers.

:class:`PlatformCore` is what every :class:`~orban_platform.session.ServerSession`
talks to (it is their :class:`SessionHost`) and how the services reach agents (it is their
:class:`~orban_platform.mail.Mail`). Login checks the single-use challenge, the
signature (v1, or auth-v2 against the platform's own origins) and the key enrolled for the agent
id (trust on first use); one agent id has one session, and a newer login closes the older with
4003. An agent silent for ``heartbeat_misses`` intervals is offline: its tasks go back to the
queue and its session is closed with 4005. Sans-I/O like the sessions: the clock comes in as
``now``; the server calls :meth:`PlatformCore.tick`. Imports nothing from Qt.
"""

from __future__ import annotations

import collections
import logging
import random
import uuid
from typing import Any

from orban_desktop.errors import AuthenticationFailed
from orban_desktop.protocol.challenge import AuthScheme, ChallengeAnswer
from orban_desktop.protocol.enums import Extension
from orban_desktop.protocol.messages import (
    Ack,
    AgentRegister,
    AuthResponse,
    AuthSuccess,
    Heartbeat,
    Message,
    MetricsBatch,
    PowResponse,
    RegisterAck,
    StateSync,
    TaskAccept,
    TaskComplete,
    TaskFailed,
    TaskProgress,
    TaskReject,
)
from orban_platform.auth import (
    ChallengeSource,
    ChallengeStore,
    Redeemed,
    TokenIssuer,
    enroll_or_match,
    load_or_create_signing_key,
    verify_login,
)
from orban_platform.dispatcher import AgentSlot, Dispatcher
from orban_platform.earnings import EarningsService
from orban_platform.embedding_jobs import (
    AgentProfile,
    EmbeddingJobFactory,
    EmbeddingSource,
)
from orban_platform.jobs import ArtifactStore, DemoJob, JobFactory
from orban_platform.pow import PowBook, PowVerdict
from orban_platform.pricing import terms_for
from orban_platform.results import ResultDesk
from orban_platform.session import Delivery, ServerSession
from orban_platform.settings import (
    WORKLOAD_CANARY,
    WORKLOAD_TEXT_EMBEDDING,
    PlatformSettings,
)
from orban_platform.store import PlatformStore
from orban_platform.tasks import TaskService

logger = logging.getLogger(__name__)

_POW_TEXT = {
    PowVerdict.WRONG: "the solution does not give the reported hash with enough zero bits",
    PowVerdict.LATE: "the answer came after the deadline",
    PowVerdict.EXPIRED: "the answer came after the deadline",
    PowVerdict.UNVERIFIABLE: "no solution_nonce: the work cannot be checked without it",
    PowVerdict.UNKNOWN: "no open challenge with this challenge_id",
}
#: Heartbeat lag samples kept for ``/status`` (seconds of history).
LAG_WINDOW_S = 60.0


class PlatformCore:
    """Everything the platform knows and does, without sockets.

    Args:
        settings: The platform's settings.
        store: Its open database.
        challenge_source: Makes challenge bytes (tests inject the golden one).
        rng: Random source for job generation and PoW timing (seeded from settings if absent).
    """

    def __init__(
        self,
        settings: PlatformSettings,
        store: PlatformStore,
        *,
        challenge_source: ChallengeSource | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.rng = rng or random.Random(settings.job_seed)
        self.challenges = ChallengeStore(settings.challenge_ttl_s, challenge_source)
        self._signing_key = load_or_create_signing_key(settings.data_dir / "platform.key")
        self.tokens = TokenIssuer(self._signing_key, "", settings.jwt_ttl_s)
        self.origins: tuple[str, ...] = settings.public_origins
        self.dispatcher = Dispatcher()
        self.artifacts = ArtifactStore(settings.data_dir / "artifacts")
        self.factory = JobFactory(random.Random(self.rng.random()), settings.checksum_max_bytes)
        self._job_rng = random.Random(self.rng.random())
        #: Real model jobs, once :meth:`enable_embedding` has their source (``None`` until then).
        self.embedding: EmbeddingJobFactory | None = None
        #: Why real model jobs are off (``None``: on, or not asked for).
        self.embedding_off: str | None = (
            None
            if WORKLOAD_TEXT_EMBEDDING in settings.workloads
            else "canaries only: this platform sends no real model jobs (--workloads)"
        )
        self.earnings = EarningsService(store, settings, self)
        self.tasks = TaskService(store, self.dispatcher, self.earnings, self, settings)
        self.results = ResultDesk(self.tasks, store, self.dispatcher, self.earnings, self, settings)
        self.sessions: dict[str, ServerSession] = {}
        self.by_agent: dict[str, ServerSession] = {}
        self.last_seen: dict[str, float] = {}
        self.heartbeat_lags: collections.deque[tuple[float, float]] = collections.deque()

    def start(self, now: float, origins: tuple[str, ...]) -> None:
        """Reload state from the database; ``origins`` are this platform's own (auth-v2)."""
        self.origins = tuple(dict.fromkeys((*origins, *self.settings.public_origins)))
        self.tokens = TokenIssuer(self._signing_key, self.origins[0], self.settings.jwt_ttl_s)
        self.tasks.load(now)
        for agent_id, slot in self.dispatcher.slots.items():
            self.last_seen[agent_id] = slot.last_heartbeat
        self.earnings.start(now)

    # ---- connections ----
    def open_session(self, binary: bool, now: float) -> ServerSession:
        """A new connection: its session, with AUTH_CHALLENGE already queued."""
        session = ServerSession(uuid.uuid4().hex, self, binary, now)
        self.sessions[session.connection_id] = session
        session.start(now)
        return session

    def connection_lost(self, session: ServerSession, now: float) -> None:
        """The WebSocket closed (either side): the agent's tasks keep running until silence."""
        session.closed = True
        self.sessions.pop(session.connection_id, None)
        self.challenges.forget(session.connection_id)
        if session.agent_id and self.by_agent.get(session.agent_id) is session:
            del self.by_agent[session.agent_id]
            slot = self.dispatcher.slots.get(session.agent_id)
            if slot is not None:
                slot.online = False
            self.store.touch_agent(session.agent_id, now)

    # ---- SessionHost ----
    def issue_challenge(self, session: ServerSession, now: float) -> bytes:
        return self.challenges.issue(session.connection_id, now)

    def login(self, session: ServerSession, message: AuthResponse, now: float) -> None:
        outcome, challenge = self.challenges.redeem(session.connection_id, now)
        if outcome is not Redeemed.OK:
            text = "the challenge was already used" if outcome is Redeemed.USED else "expired"
            session.error("CHALLENGE_EXPIRED", f"{text}; reconnect for a fresh challenge", True)
            session.close(4002, "challenge expired")
            return
        offered = set(session.offered)
        taken = frozenset(Extension(e) for e in message.extensions or () if e in offered)
        if session.binary:
            taken |= {Extension.BINARY}
        answer = ChallengeAnswer(message.agent_id, message.signature, message.public_key)
        scheme = AuthScheme.V2 if Extension.AUTH_V2 in taken else AuthScheme.V1
        try:
            verify_login(challenge, answer, scheme, self.origins)
            enroll_or_match(self.store, message.agent_id, message.public_key, now)
        except AuthenticationFailed as exc:
            session.error("AUTH_FAILED", exc.message, False)
            session.close(4001, "authentication failed")
            return
        previous = self.by_agent.get(message.agent_id)
        if previous is not None and previous is not session:
            previous.close(4003, "replaced by a newer session of this agent id")
        session.mark_authenticated(message.agent_id, taken)
        self.by_agent[message.agent_id] = session
        self.last_seen[message.agent_id] = now
        session.host_state["pow"] = PowBook(
            self.settings.pow_difficulty,
            self.settings.pow_deadline_s,
            self.settings.pow_mean_interval_s,
            self.rng,
        )
        token = self.tokens.issue(message.agent_id, sorted(taken), now)
        session.send(AuthSuccess(jwt_token=token, expires_in=self.tokens.ttl_s))

    def handle(self, session: ServerSession, message: Message, now: float) -> None:
        agent_id = session.agent_id
        assert agent_id is not None
        claimed = getattr(message, "agent_id", agent_id)
        if claimed != agent_id:
            session.reject_frame(
                "INVALID_MESSAGE", f"agent_id {claimed!r} is not the one logged in", now
            )
            return
        tasks = self.tasks
        if isinstance(message, AgentRegister):
            self._register(session, message, now)
        elif isinstance(message, StateSync):
            tasks.on_state_sync(agent_id, message, now)
        elif isinstance(message, Heartbeat):
            self._heartbeat(agent_id, message, now)
        elif isinstance(message, TaskAccept):
            tasks.on_accept(agent_id, message, now)
        elif isinstance(message, TaskReject):
            tasks.on_reject(agent_id, message, now)
        elif isinstance(message, TaskProgress):
            tasks.on_progress(agent_id, message, now)
        elif isinstance(message, TaskComplete):
            self.results.on_complete(agent_id, message, now)
        elif isinstance(message, TaskFailed):
            self.results.on_failed(agent_id, message, now)
        elif isinstance(message, MetricsBatch):
            self.store.add_metrics(agent_id, message.model_dump_json(), now)
        elif isinstance(message, PowResponse):
            self._pow_answer(session, message, now)
        tasks.dispatch(now)

    def canaries_only_reason(self, slot: AgentSlot) -> str | None:
        """Why ``slot`` gets canaries only (its own lack of a runner, or this platform's);
        ``None`` when it gets real model jobs."""
        return slot.why_canaries_only or self.embedding_off

    def enable_embedding(self, source: EmbeddingSource | None, why_not: str | None) -> None:
        """Turn real model jobs on with ``source``, or say why they stay off."""
        if source is None:
            self.embedding_off = f"canaries only: {why_not}"
            logger.warning("the local platform sends canaries only: %s", why_not)
            return
        self.embedding = EmbeddingJobFactory(source, random.Random(self.rng.random()))
        self.embedding_off = None

    def make_job(self, job_id: str, slot: AgentSlot | None) -> DemoJob | None:
        """A job for ``slot`` (``None``: any agent): real work for an agent with a runner, else
        a canary; ``None`` when the workloads on offer leave nothing it can take. Blocking."""
        workloads = self.settings.workloads
        canaries = WORKLOAD_CANARY in workloads
        real = self.embedding is not None and slot is not None and slot.has_runner
        if real and (not canaries or self._job_rng.random() < self.settings.embedding_share):
            assert self.embedding is not None and slot is not None
            profile = AgentProfile(slot.on_cpu, slot.best_vram_gb, slot.fp16)
            return self.embedding.make(job_id, profile)
        return self.factory.make(job_id) if canaries else None

    def delivered(self, session: ServerSession, delivery: Delivery) -> None:
        self.earnings.delivered(delivery)

    def _register(self, session: ServerSession, message: AgentRegister, now: float) -> None:
        gpus = sorted(message.hardware.gpus, key=lambda gpu: gpu.vram_gb, reverse=True)
        best_vram, best_model = (gpus[0].vram_gb, gpus[0].model) if gpus else (0, "")
        reliability = message.availability.reliability_score
        terms = terms_for(self.settings.pricing, best_vram, reliability, best_model)
        slot = AgentSlot.from_register(message, terms, now)
        old = self.dispatcher.slots.get(message.agent_id)
        if old is not None:
            slot.active = old.active
            slot.last_assigned_at = old.last_assigned_at
            slot.strikes = old.strikes
        why = self.canaries_only_reason(slot)
        if why and (old is None or self.canaries_only_reason(old) != why):
            logger.info("agent %s gets %s", message.agent_id, why)
        self.dispatcher.slots[message.agent_id] = slot
        first = not session.registered
        session.mark_registered()
        self.last_seen[message.agent_id] = now
        self.store.save_registration(message.agent_id, message.model_dump_json(), now)
        session.send(RegisterAck(agent_id=message.agent_id, status="active", pricing=terms.pricing))
        if first:
            self.earnings.redeliver(message.agent_id, now)
            book: PowBook = session.host_state["pow"]
            if self.settings.pow_on_register:
                session.send(book.challenge(now))
            book.schedule_random(now)
        self.tasks.dirty = True

    def _heartbeat(self, agent_id: str, message: Heartbeat, now: float) -> None:
        self.last_seen[agent_id] = now
        slot = self.dispatcher.slots.get(agent_id)
        if slot is not None:
            slot.status, slot.last_heartbeat = message.status, now
        self.heartbeat_lags.append((now, now - message.timestamp.ns / 1e9))
        while self.heartbeat_lags and self.heartbeat_lags[0][0] < now - LAG_WINDOW_S:
            self.heartbeat_lags.popleft()

    def _pow_answer(self, session: ServerSession, message: PowResponse, now: float) -> None:
        book: PowBook = session.host_state["pow"]
        verdict = book.judge(message, now)
        assert session.agent_id is not None
        if verdict is not PowVerdict.EXPIRED:  # an expired one was counted when it expired
            self.store.count_pow(session.agent_id, verdict is PowVerdict.PASSED)
        if verdict is not PowVerdict.PASSED:
            session.error(
                "POW_FAILED", _POW_TEXT[verdict], True, {"challenge_id": message.challenge_id}
            )

    # ---- Mail ----
    def _registered(self, agent_id: str) -> ServerSession | None:
        session = self.by_agent.get(agent_id)
        return session if session is not None and session.registered else None

    def send(self, agent_id: str, message: Message) -> bool:
        session = self._registered(agent_id)
        return session is not None and session.send(message) is not None

    def deliver(self, agent_id: str, message: Message, delivery: Delivery, now: float) -> bool:
        session = self._registered(agent_id)
        if session is None:
            return False
        session.send_tracked(message, delivery, now)
        return True

    def error(
        self,
        agent_id: str,
        code: str,
        text: str,
        recoverable: bool,
        context: dict[str, Any] | None = None,
    ) -> None:
        session = self.by_agent.get(agent_id)
        if session is not None:
            session.error(code, text, recoverable, context)

    def ack(self, agent_id: str, message_id: str) -> None:
        session = self.by_agent.get(agent_id)
        if session is not None and session.uses(Extension.ACK):
            session.send(Ack(acked_message_id=message_id))

    def uses(self, agent_id: str, extension: Extension) -> bool:
        session = self.by_agent.get(agent_id)
        return session is not None and session.uses(extension)

    def extended(self, agent_id: str) -> bool:
        session = self.by_agent.get(agent_id)
        return session is not None and bool(session.extensions)

    # ---- timers ----
    def tick(self, now: float) -> None:
        """Run every timer due at ``now``."""
        for session in list(self.sessions.values()):
            session.tick(now)
            if session.registered and not session.closed:
                self._pow_timers(session, now)
        self.challenges.sweep(now)
        timeout = self.settings.heartbeat_timeout_s
        for agent_id, seen in list(self.last_seen.items()):
            if now - seen > timeout:
                self._went_silent(agent_id, now)
        self.tasks.tick(now)
        self.earnings.tick(now)

    def _pow_timers(self, session: ServerSession, now: float) -> None:
        book: PowBook = session.host_state["pow"]
        assert session.agent_id is not None
        for challenge_id in book.expire(now):
            self.store.count_pow(session.agent_id, False)
            session.error(
                "POW_FAILED", "no answer before the deadline", True, {"challenge_id": challenge_id}
            )
        if book.next_random_at is not None and now >= book.next_random_at:
            session.send(book.challenge(now))
            book.schedule_random(now)

    def _went_silent(self, agent_id: str, now: float) -> None:
        del self.last_seen[agent_id]
        requeued = self.tasks.requeue_agent(agent_id, now)
        logger.info("agent %s is offline; re-queued %s", agent_id, requeued or "nothing")
        session = self.by_agent.get(agent_id)
        if session is not None:
            session.close(4005, "heartbeat missing")
            self.connection_lost(session, now)
        self.dispatcher.slots.pop(agent_id, None)
