"""Enumerations of Orban protocol v1, spelled exactly as the upstream agent's serde enums.

``MessageType`` is SCREAMING_SNAKE_CASE, ``AgentStatus`` lowercase, ``GPUVendor`` as written
(``"NVIDIA"``), ``EarningStatus`` and ``PayoutStatus`` capitalised (``"Pending"``). Imports
nothing from the project and nothing from Qt, so every layer (GPU, ledger, UI) may use them.
"""

from __future__ import annotations

from enum import StrEnum


class MessageType(StrEnum):
    """The ``type`` of a frame: upstream's nineteen plus our negotiated extensions."""

    AUTH_CHALLENGE = "AUTH_CHALLENGE"
    AUTH_RESPONSE = "AUTH_RESPONSE"
    AUTH_SUCCESS = "AUTH_SUCCESS"
    AGENT_REGISTER = "AGENT_REGISTER"
    REGISTER_ACK = "REGISTER_ACK"
    TASK_ASSIGN = "TASK_ASSIGN"
    TASK_ACCEPT = "TASK_ACCEPT"
    TASK_REJECT = "TASK_REJECT"
    TASK_PROGRESS = "TASK_PROGRESS"
    TASK_COMPLETE = "TASK_COMPLETE"
    TASK_FAILED = "TASK_FAILED"
    HEARTBEAT = "HEARTBEAT"
    METRICS_BATCH = "METRICS_BATCH"
    EARNINGS_RECORD = "EARNINGS_RECORD"
    PAYOUT_NOTIFICATION = "PAYOUT_NOTIFICATION"
    POW_CHALLENGE = "POW_CHALLENGE"
    POW_RESPONSE = "POW_RESPONSE"
    ERROR = "ERROR"
    STATE_SYNC = "STATE_SYNC"
    # Extensions (sent only when negotiated; an upstream peer would fail to parse them).
    ACK = "ACK"
    TASK_CANCEL = "TASK_CANCEL"


#: Types an upstream (no-extension) peer knows.
UPSTREAM_MESSAGE_TYPES = frozenset(t for t in MessageType if t not in ("ACK", "TASK_CANCEL"))


class AgentStatus(StrEnum):
    IDLE = "idle"
    WORKING = "working"
    ERROR = "error"
    OFFLINE = "offline"


class GPUVendor(StrEnum):
    NVIDIA = "NVIDIA"
    AMD = "AMD"
    INTEL = "Intel"
    APPLE = "Apple"


class EarningStatus(StrEnum):
    PENDING = "Pending"
    CONFIRMED = "Confirmed"
    PAID = "Paid"


class PayoutStatus(StrEnum):
    PROCESSING = "Processing"
    COMPLETED = "Completed"
    FAILED = "Failed"


class Extension(StrEnum):
    """Our protocol extensions, negotiated in AUTH_CHALLENGE / AUTH_RESPONSE ``extensions``."""

    AUTH_V2 = "auth-v2"
    ACK = "ack"
    TASK_CANCEL = "task-cancel"
    BINARY = "binary"
