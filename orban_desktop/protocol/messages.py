"""One typed model per Orban protocol v1 message, named and typed as in upstream's Rust structs.

A frame is the envelope (``message_id``, ``timestamp``, ``type``) with the payload's fields
flattened beside it. Each class below is one ``type``; its fields are the payload in upstream's
struct order. ``ACK`` and ``TASK_CANCEL`` are our negotiated extensions, never sent to a peer
that did not ask for them. Encoding and decoding live in ``codec.py``. Imports nothing from Qt.
"""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from typing import Annotated, Any, ClassVar

from pydantic import Field, PlainSerializer, PlainValidator

from orban_desktop.protocol.enums import AgentStatus, EarningStatus, MessageType, PayoutStatus
from orban_desktop.protocol.fields import (
    MAX_LIST_LEN,
    U32,
    U64,
    Bool,
    F32Field,
    Id,
    JsonValue,
    KeyId,
    Text,
    Time,
    Token,
)
from orban_desktop.protocol.timestamps import WireTime
from orban_desktop.protocol.types import (
    ActiveTaskInfo,
    AggregatedMetrics,
    Availability,
    Capabilities,
    EarningsDetail,
    ExecutionMetrics,
    GpuSignature,
    HardwareInfo,
    HeartbeatGpuStatus,
    Location,
    PayoutPeriod,
    PayoutSummary,
    Pricing,
    ProofOfWork,
    TaskErrorInfo,
    TaskMetrics,
    TaskPayload,
    TaskRequirements,
    TaskResult,
    TimeRange,
    WireModel,
)


def _case_insensitive(enum: type[EarningStatus] | type[PayoutStatus]) -> Any:
    by_lower = {member.value.lower(): member for member in enum}

    def parse(value: object) -> Any:
        if isinstance(value, enum):
            return value
        if isinstance(value, str) and value.lower() in by_lower:
            return by_lower[value.lower()]
        raise ValueError(f"expected one of {', '.join(m.value for m in enum)}")

    return PlainValidator(parse)


EarningStatusField = Annotated[
    EarningStatus, _case_insensitive(EarningStatus), PlainSerializer(lambda s: s.value)
]
PayoutStatusField = Annotated[
    PayoutStatus, _case_insensitive(PayoutStatus), PlainSerializer(lambda s: s.value)
]


_HEX = re.compile(r"[0-9a-fA-F]*")


class Message(WireModel):
    """The envelope every frame carries; subclasses add the payload fields."""

    TYPE: ClassVar[MessageType]

    message_id: KeyId = Field(default_factory=lambda: str(uuid.uuid4()))
    timestamp: Time = Field(default_factory=WireTime.now)

    @property
    def type(self) -> MessageType:
        return self.TYPE


# ---- authentication ----
class AuthChallenge(Message):
    TYPE = MessageType.AUTH_CHALLENGE
    EXTENSION_FIELDS = frozenset({"extensions"})
    challenge: Token
    extensions: list[Id] | None = Field(default=None, max_length=32)


class AuthResponse(Message):
    TYPE = MessageType.AUTH_RESPONSE
    EXTENSION_FIELDS = frozenset({"extensions"})
    agent_id: Id
    signature: Token
    public_key: Token
    extensions: list[Id] | None = Field(default=None, max_length=32)


class AuthSuccess(Message):
    TYPE = MessageType.AUTH_SUCCESS
    jwt_token: Token
    expires_in: U64


# ---- registration ----
class AgentRegister(Message):
    TYPE = MessageType.AGENT_REGISTER
    agent_id: Id
    hardware: HardwareInfo
    capabilities: Capabilities
    location: Location
    availability: Availability


class RegisterAck(Message):
    TYPE = MessageType.REGISTER_ACK
    agent_id: Id
    status: Id
    pricing: Pricing


# ---- tasks ----
class TaskAssign(Message):
    TYPE = MessageType.TASK_ASSIGN
    task_id: KeyId
    job_id: KeyId
    priority: U32
    estimated_duration_sec: U32
    requirements: TaskRequirements
    payload: TaskPayload
    pricing: Pricing


class TaskAccept(Message):
    TYPE = MessageType.TASK_ACCEPT
    task_id: KeyId
    agent_id: Id
    gpu_allocated: U32
    estimated_completion: Time


class TaskReject(Message):
    TYPE = MessageType.TASK_REJECT
    task_id: KeyId
    reason: Id
    details: Text


class TaskProgress(Message):
    TYPE = MessageType.TASK_PROGRESS
    task_id: KeyId
    progress: F32Field
    stage: Id
    metrics: TaskMetrics


class TaskComplete(Message):
    TYPE = MessageType.TASK_COMPLETE
    task_id: KeyId
    result: TaskResult
    proof_of_work: ProofOfWork
    metrics: ExecutionMetrics


class TaskFailed(Message):
    TYPE = MessageType.TASK_FAILED
    task_id: KeyId
    error: TaskErrorInfo
    partial_results: Text | None = None


# ---- monitoring ----
class Heartbeat(Message):
    TYPE = MessageType.HEARTBEAT
    agent_id: Id
    status: AgentStatus
    current_task_id: Id | None = None
    gpu_status: list[HeartbeatGpuStatus] = Field(max_length=MAX_LIST_LEN)
    uptime_sec: U64


class MetricsBatch(Message):
    TYPE = MessageType.METRICS_BATCH
    agent_id: Id
    time_range: TimeRange
    aggregated_metrics: AggregatedMetrics


# ---- earnings ----
class EarningsRecord(Message):
    TYPE = MessageType.EARNINGS_RECORD
    task_id: KeyId
    earnings: EarningsDetail
    status: EarningStatusField
    estimated_payout_date: Id


class PayoutNotification(Message):
    TYPE = MessageType.PAYOUT_NOTIFICATION
    payout_id: KeyId
    period: PayoutPeriod
    summary: PayoutSummary
    payment_method: Id
    payment_address: Text
    status: PayoutStatusField


# ---- proof of work ----
class PowChallenge(Message):
    """``nonce`` is hex (upstream's code) or base64 (its document): see ``nonce_bytes``."""

    TYPE = MessageType.POW_CHALLENGE
    challenge_id: KeyId
    nonce: Id
    difficulty: U32
    deadline: Time

    def nonce_bytes(self) -> bytes:
        """The nonce's bytes: even-length hex first (upstream's code), else strict base64.

        Raises:
            ValueError: Neither hex nor base64.
        """
        if len(self.nonce) % 2 == 0 and _HEX.fullmatch(self.nonce):
            return bytes.fromhex(self.nonce)
        try:
            return base64.b64decode(self.nonce, validate=True)
        except binascii.Error as exc:
            raise ValueError("POW_CHALLENGE nonce is neither hex nor base64") from exc


class PowResponse(Message):
    """``response`` is the hex hash; ``solution_nonce`` (ours) lets a platform verify it."""

    TYPE = MessageType.POW_RESPONSE
    EXTENSION_FIELDS = frozenset({"solution_nonce"})
    challenge_id: KeyId
    response: Id
    computation_time_ms: U32
    gpu_signature: GpuSignature
    solution_nonce: U64 | None = None


# ---- errors and state ----
class Error(Message):
    TYPE = MessageType.ERROR
    code: Id
    message: Text
    context: JsonValue = None
    recoverable: Bool


class StateSync(Message):
    TYPE = MessageType.STATE_SYNC
    agent_id: Id
    last_heartbeat: Time
    active_tasks: list[ActiveTaskInfo] = Field(max_length=MAX_LIST_LEN)


# ---- our negotiated extensions ----
class Ack(Message):
    """Extension ``ack``: the receiver has durably processed ``acked_message_id``."""

    TYPE = MessageType.ACK
    acked_message_id: KeyId


class TaskCancel(Message):
    """Extension ``task-cancel``: the platform withdraws a task it assigned."""

    TYPE = MessageType.TASK_CANCEL
    task_id: KeyId
    reason: Text


MESSAGE_CLASSES: dict[MessageType, type[Message]] = {
    cls.TYPE: cls
    for cls in (
        AuthChallenge,
        AuthResponse,
        AuthSuccess,
        AgentRegister,
        RegisterAck,
        TaskAssign,
        TaskAccept,
        TaskReject,
        TaskProgress,
        TaskComplete,
        TaskFailed,
        Heartbeat,
        MetricsBatch,
        EarningsRecord,
        PayoutNotification,
        PowChallenge,
        PowResponse,
        Error,
        StateSync,
        Ack,
        TaskCancel,
    )
}
