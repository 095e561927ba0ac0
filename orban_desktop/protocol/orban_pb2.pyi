from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Message(_message.Message):
    __slots__ = ("message_id", "timestamp", "timestamp_nanos", "auth_challenge", "auth_response", "auth_success", "agent_register", "register_ack", "task_assign", "task_accept", "task_reject", "task_progress", "task_complete", "task_failed", "heartbeat", "metrics_batch", "earnings_record", "payout_notification", "pow_challenge", "pow_response", "state_sync", "ack", "task_cancel", "error")
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_NANOS_FIELD_NUMBER: _ClassVar[int]
    AUTH_CHALLENGE_FIELD_NUMBER: _ClassVar[int]
    AUTH_RESPONSE_FIELD_NUMBER: _ClassVar[int]
    AUTH_SUCCESS_FIELD_NUMBER: _ClassVar[int]
    AGENT_REGISTER_FIELD_NUMBER: _ClassVar[int]
    REGISTER_ACK_FIELD_NUMBER: _ClassVar[int]
    TASK_ASSIGN_FIELD_NUMBER: _ClassVar[int]
    TASK_ACCEPT_FIELD_NUMBER: _ClassVar[int]
    TASK_REJECT_FIELD_NUMBER: _ClassVar[int]
    TASK_PROGRESS_FIELD_NUMBER: _ClassVar[int]
    TASK_COMPLETE_FIELD_NUMBER: _ClassVar[int]
    TASK_FAILED_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_FIELD_NUMBER: _ClassVar[int]
    METRICS_BATCH_FIELD_NUMBER: _ClassVar[int]
    EARNINGS_RECORD_FIELD_NUMBER: _ClassVar[int]
    PAYOUT_NOTIFICATION_FIELD_NUMBER: _ClassVar[int]
    POW_CHALLENGE_FIELD_NUMBER: _ClassVar[int]
    POW_RESPONSE_FIELD_NUMBER: _ClassVar[int]
    STATE_SYNC_FIELD_NUMBER: _ClassVar[int]
    ACK_FIELD_NUMBER: _ClassVar[int]
    TASK_CANCEL_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    message_id: str
    timestamp: int
    timestamp_nanos: int
    auth_challenge: AuthChallenge
    auth_response: AuthResponse
    auth_success: AuthSuccess
    agent_register: AgentRegister
    register_ack: RegisterAck
    task_assign: TaskAssign
    task_accept: TaskAccept
    task_reject: TaskReject
    task_progress: TaskProgress
    task_complete: TaskComplete
    task_failed: TaskFailed
    heartbeat: Heartbeat
    metrics_batch: MetricsBatch
    earnings_record: EarningsRecord
    payout_notification: PayoutNotification
    pow_challenge: PowChallenge
    pow_response: PowResponse
    state_sync: StateSync
    ack: Ack
    task_cancel: TaskCancel
    error: Error
    def __init__(self, message_id: _Optional[str] = ..., timestamp: _Optional[int] = ..., timestamp_nanos: _Optional[int] = ..., auth_challenge: _Optional[_Union[AuthChallenge, _Mapping]] = ..., auth_response: _Optional[_Union[AuthResponse, _Mapping]] = ..., auth_success: _Optional[_Union[AuthSuccess, _Mapping]] = ..., agent_register: _Optional[_Union[AgentRegister, _Mapping]] = ..., register_ack: _Optional[_Union[RegisterAck, _Mapping]] = ..., task_assign: _Optional[_Union[TaskAssign, _Mapping]] = ..., task_accept: _Optional[_Union[TaskAccept, _Mapping]] = ..., task_reject: _Optional[_Union[TaskReject, _Mapping]] = ..., task_progress: _Optional[_Union[TaskProgress, _Mapping]] = ..., task_complete: _Optional[_Union[TaskComplete, _Mapping]] = ..., task_failed: _Optional[_Union[TaskFailed, _Mapping]] = ..., heartbeat: _Optional[_Union[Heartbeat, _Mapping]] = ..., metrics_batch: _Optional[_Union[MetricsBatch, _Mapping]] = ..., earnings_record: _Optional[_Union[EarningsRecord, _Mapping]] = ..., payout_notification: _Optional[_Union[PayoutNotification, _Mapping]] = ..., pow_challenge: _Optional[_Union[PowChallenge, _Mapping]] = ..., pow_response: _Optional[_Union[PowResponse, _Mapping]] = ..., state_sync: _Optional[_Union[StateSync, _Mapping]] = ..., ack: _Optional[_Union[Ack, _Mapping]] = ..., task_cancel: _Optional[_Union[TaskCancel, _Mapping]] = ..., error: _Optional[_Union[Error, _Mapping]] = ...) -> None: ...

class AuthChallenge(_message.Message):
    __slots__ = ("challenge", "timestamp", "extensions")
    CHALLENGE_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    EXTENSIONS_FIELD_NUMBER: _ClassVar[int]
    challenge: str
    timestamp: int
    extensions: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, challenge: _Optional[str] = ..., timestamp: _Optional[int] = ..., extensions: _Optional[_Iterable[str]] = ...) -> None: ...

class AuthResponse(_message.Message):
    __slots__ = ("agent_id", "signature", "public_key", "extensions")
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_KEY_FIELD_NUMBER: _ClassVar[int]
    EXTENSIONS_FIELD_NUMBER: _ClassVar[int]
    agent_id: str
    signature: bytes
    public_key: bytes
    extensions: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, agent_id: _Optional[str] = ..., signature: _Optional[bytes] = ..., public_key: _Optional[bytes] = ..., extensions: _Optional[_Iterable[str]] = ...) -> None: ...

class AuthSuccess(_message.Message):
    __slots__ = ("jwt_token", "expires_in")
    JWT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_IN_FIELD_NUMBER: _ClassVar[int]
    jwt_token: str
    expires_in: int
    def __init__(self, jwt_token: _Optional[str] = ..., expires_in: _Optional[int] = ...) -> None: ...

class AgentRegister(_message.Message):
    __slots__ = ("agent_id", "hardware", "capabilities", "location", "availability")
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    HARDWARE_FIELD_NUMBER: _ClassVar[int]
    CAPABILITIES_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    AVAILABILITY_FIELD_NUMBER: _ClassVar[int]
    agent_id: str
    hardware: Hardware
    capabilities: Capabilities
    location: Location
    availability: Availability
    def __init__(self, agent_id: _Optional[str] = ..., hardware: _Optional[_Union[Hardware, _Mapping]] = ..., capabilities: _Optional[_Union[Capabilities, _Mapping]] = ..., location: _Optional[_Union[Location, _Mapping]] = ..., availability: _Optional[_Union[Availability, _Mapping]] = ...) -> None: ...

class Hardware(_message.Message):
    __slots__ = ("gpus", "cpu", "memory_gb", "storage_available_gb")
    GPUS_FIELD_NUMBER: _ClassVar[int]
    CPU_FIELD_NUMBER: _ClassVar[int]
    MEMORY_GB_FIELD_NUMBER: _ClassVar[int]
    STORAGE_AVAILABLE_GB_FIELD_NUMBER: _ClassVar[int]
    gpus: _containers.RepeatedCompositeFieldContainer[GPUInfo]
    cpu: CPUInfo
    memory_gb: int
    storage_available_gb: int
    def __init__(self, gpus: _Optional[_Iterable[_Union[GPUInfo, _Mapping]]] = ..., cpu: _Optional[_Union[CPUInfo, _Mapping]] = ..., memory_gb: _Optional[int] = ..., storage_available_gb: _Optional[int] = ...) -> None: ...

class GPUInfo(_message.Message):
    __slots__ = ("index", "vendor", "model", "vram_gb", "compute_capability", "cuda_cores", "pcie_bandwidth_gbps")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    VENDOR_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    VRAM_GB_FIELD_NUMBER: _ClassVar[int]
    COMPUTE_CAPABILITY_FIELD_NUMBER: _ClassVar[int]
    CUDA_CORES_FIELD_NUMBER: _ClassVar[int]
    PCIE_BANDWIDTH_GBPS_FIELD_NUMBER: _ClassVar[int]
    index: int
    vendor: str
    model: str
    vram_gb: int
    compute_capability: str
    cuda_cores: int
    pcie_bandwidth_gbps: int
    def __init__(self, index: _Optional[int] = ..., vendor: _Optional[str] = ..., model: _Optional[str] = ..., vram_gb: _Optional[int] = ..., compute_capability: _Optional[str] = ..., cuda_cores: _Optional[int] = ..., pcie_bandwidth_gbps: _Optional[int] = ...) -> None: ...

class CPUInfo(_message.Message):
    __slots__ = ("model", "cores", "threads")
    MODEL_FIELD_NUMBER: _ClassVar[int]
    CORES_FIELD_NUMBER: _ClassVar[int]
    THREADS_FIELD_NUMBER: _ClassVar[int]
    model: str
    cores: int
    threads: int
    def __init__(self, model: _Optional[str] = ..., cores: _Optional[int] = ..., threads: _Optional[int] = ...) -> None: ...

class Capabilities(_message.Message):
    __slots__ = ("supported_frameworks", "max_batch_size", "fp16_support", "int8_support")
    SUPPORTED_FRAMEWORKS_FIELD_NUMBER: _ClassVar[int]
    MAX_BATCH_SIZE_FIELD_NUMBER: _ClassVar[int]
    FP16_SUPPORT_FIELD_NUMBER: _ClassVar[int]
    INT8_SUPPORT_FIELD_NUMBER: _ClassVar[int]
    supported_frameworks: _containers.RepeatedScalarFieldContainer[str]
    max_batch_size: int
    fp16_support: bool
    int8_support: bool
    def __init__(self, supported_frameworks: _Optional[_Iterable[str]] = ..., max_batch_size: _Optional[int] = ..., fp16_support: bool = ..., int8_support: bool = ...) -> None: ...

class Location(_message.Message):
    __slots__ = ("country", "region", "latency_to_platform_ms")
    COUNTRY_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    LATENCY_TO_PLATFORM_MS_FIELD_NUMBER: _ClassVar[int]
    country: str
    region: str
    latency_to_platform_ms: int
    def __init__(self, country: _Optional[str] = ..., region: _Optional[str] = ..., latency_to_platform_ms: _Optional[int] = ...) -> None: ...

class Availability(_message.Message):
    __slots__ = ("hours_per_day", "reliability_score")
    HOURS_PER_DAY_FIELD_NUMBER: _ClassVar[int]
    RELIABILITY_SCORE_FIELD_NUMBER: _ClassVar[int]
    hours_per_day: int
    reliability_score: float
    def __init__(self, hours_per_day: _Optional[int] = ..., reliability_score: _Optional[float] = ...) -> None: ...

class RegisterAck(_message.Message):
    __slots__ = ("agent_id", "status", "pricing")
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PRICING_FIELD_NUMBER: _ClassVar[int]
    agent_id: str
    status: str
    pricing: Pricing
    def __init__(self, agent_id: _Optional[str] = ..., status: _Optional[str] = ..., pricing: _Optional[_Union[Pricing, _Mapping]] = ...) -> None: ...

class Pricing(_message.Message):
    __slots__ = ("base_rate_usd_per_hour", "gpu_multiplier", "effective_rate", "base_rate_usd_per_hour_decimal", "gpu_multiplier_decimal", "effective_rate_decimal", "estimated_payout", "estimated_payout_decimal")
    BASE_RATE_USD_PER_HOUR_FIELD_NUMBER: _ClassVar[int]
    GPU_MULTIPLIER_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_RATE_FIELD_NUMBER: _ClassVar[int]
    BASE_RATE_USD_PER_HOUR_DECIMAL_FIELD_NUMBER: _ClassVar[int]
    GPU_MULTIPLIER_DECIMAL_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_RATE_DECIMAL_FIELD_NUMBER: _ClassVar[int]
    ESTIMATED_PAYOUT_FIELD_NUMBER: _ClassVar[int]
    ESTIMATED_PAYOUT_DECIMAL_FIELD_NUMBER: _ClassVar[int]
    base_rate_usd_per_hour: float
    gpu_multiplier: float
    effective_rate: float
    base_rate_usd_per_hour_decimal: str
    gpu_multiplier_decimal: str
    effective_rate_decimal: str
    estimated_payout: float
    estimated_payout_decimal: str
    def __init__(self, base_rate_usd_per_hour: _Optional[float] = ..., gpu_multiplier: _Optional[float] = ..., effective_rate: _Optional[float] = ..., base_rate_usd_per_hour_decimal: _Optional[str] = ..., gpu_multiplier_decimal: _Optional[str] = ..., effective_rate_decimal: _Optional[str] = ..., estimated_payout: _Optional[float] = ..., estimated_payout_decimal: _Optional[str] = ...) -> None: ...

class TaskAssign(_message.Message):
    __slots__ = ("task_id", "job_id", "priority", "estimated_duration_sec", "requirements", "payload", "pricing")
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    ESTIMATED_DURATION_SEC_FIELD_NUMBER: _ClassVar[int]
    REQUIREMENTS_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    PRICING_FIELD_NUMBER: _ClassVar[int]
    task_id: str
    job_id: str
    priority: int
    estimated_duration_sec: int
    requirements: TaskRequirements
    payload: TaskPayload
    pricing: Pricing
    def __init__(self, task_id: _Optional[str] = ..., job_id: _Optional[str] = ..., priority: _Optional[int] = ..., estimated_duration_sec: _Optional[int] = ..., requirements: _Optional[_Union[TaskRequirements, _Mapping]] = ..., payload: _Optional[_Union[TaskPayload, _Mapping]] = ..., pricing: _Optional[_Union[Pricing, _Mapping]] = ...) -> None: ...

class TaskRequirements(_message.Message):
    __slots__ = ("min_vram_gb", "min_compute_capability", "framework", "fp16")
    MIN_VRAM_GB_FIELD_NUMBER: _ClassVar[int]
    MIN_COMPUTE_CAPABILITY_FIELD_NUMBER: _ClassVar[int]
    FRAMEWORK_FIELD_NUMBER: _ClassVar[int]
    FP16_FIELD_NUMBER: _ClassVar[int]
    min_vram_gb: int
    min_compute_capability: str
    framework: str
    fp16: bool
    def __init__(self, min_vram_gb: _Optional[int] = ..., min_compute_capability: _Optional[str] = ..., framework: _Optional[str] = ..., fp16: bool = ...) -> None: ...

class TaskPayload(_message.Message):
    __slots__ = ("model_url", "model_hash", "input_data_url", "output_url", "config", "config_json")
    class ConfigEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    MODEL_URL_FIELD_NUMBER: _ClassVar[int]
    MODEL_HASH_FIELD_NUMBER: _ClassVar[int]
    INPUT_DATA_URL_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_URL_FIELD_NUMBER: _ClassVar[int]
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    CONFIG_JSON_FIELD_NUMBER: _ClassVar[int]
    model_url: str
    model_hash: str
    input_data_url: str
    output_url: str
    config: _containers.ScalarMap[str, str]
    config_json: str
    def __init__(self, model_url: _Optional[str] = ..., model_hash: _Optional[str] = ..., input_data_url: _Optional[str] = ..., output_url: _Optional[str] = ..., config: _Optional[_Mapping[str, str]] = ..., config_json: _Optional[str] = ...) -> None: ...

class TaskAccept(_message.Message):
    __slots__ = ("task_id", "agent_id", "gpu_allocated", "estimated_completion")
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    GPU_ALLOCATED_FIELD_NUMBER: _ClassVar[int]
    ESTIMATED_COMPLETION_FIELD_NUMBER: _ClassVar[int]
    task_id: str
    agent_id: str
    gpu_allocated: int
    estimated_completion: str
    def __init__(self, task_id: _Optional[str] = ..., agent_id: _Optional[str] = ..., gpu_allocated: _Optional[int] = ..., estimated_completion: _Optional[str] = ...) -> None: ...

class TaskReject(_message.Message):
    __slots__ = ("task_id", "reason", "details")
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    DETAILS_FIELD_NUMBER: _ClassVar[int]
    task_id: str
    reason: str
    details: str
    def __init__(self, task_id: _Optional[str] = ..., reason: _Optional[str] = ..., details: _Optional[str] = ...) -> None: ...

class TaskProgress(_message.Message):
    __slots__ = ("task_id", "progress", "stage", "metrics", "timestamp")
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    STAGE_FIELD_NUMBER: _ClassVar[int]
    METRICS_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    task_id: str
    progress: float
    stage: str
    metrics: TaskMetrics
    timestamp: int
    def __init__(self, task_id: _Optional[str] = ..., progress: _Optional[float] = ..., stage: _Optional[str] = ..., metrics: _Optional[_Union[TaskMetrics, _Mapping]] = ..., timestamp: _Optional[int] = ...) -> None: ...

class TaskMetrics(_message.Message):
    __slots__ = ("gpu_utilization", "memory_used_gb", "throughput_tokens_per_sec")
    GPU_UTILIZATION_FIELD_NUMBER: _ClassVar[int]
    MEMORY_USED_GB_FIELD_NUMBER: _ClassVar[int]
    THROUGHPUT_TOKENS_PER_SEC_FIELD_NUMBER: _ClassVar[int]
    gpu_utilization: float
    memory_used_gb: float
    throughput_tokens_per_sec: float
    def __init__(self, gpu_utilization: _Optional[float] = ..., memory_used_gb: _Optional[float] = ..., throughput_tokens_per_sec: _Optional[float] = ...) -> None: ...

class TaskComplete(_message.Message):
    __slots__ = ("task_id", "result", "proof_of_work", "metrics")
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    PROOF_OF_WORK_FIELD_NUMBER: _ClassVar[int]
    METRICS_FIELD_NUMBER: _ClassVar[int]
    task_id: str
    result: TaskResult
    proof_of_work: ProofOfWork
    metrics: ExecutionMetrics
    def __init__(self, task_id: _Optional[str] = ..., result: _Optional[_Union[TaskResult, _Mapping]] = ..., proof_of_work: _Optional[_Union[ProofOfWork, _Mapping]] = ..., metrics: _Optional[_Union[ExecutionMetrics, _Mapping]] = ...) -> None: ...

class TaskResult(_message.Message):
    __slots__ = ("output_url", "output_hash", "execution_time_sec", "gpu_time_sec")
    OUTPUT_URL_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_HASH_FIELD_NUMBER: _ClassVar[int]
    EXECUTION_TIME_SEC_FIELD_NUMBER: _ClassVar[int]
    GPU_TIME_SEC_FIELD_NUMBER: _ClassVar[int]
    output_url: str
    output_hash: str
    execution_time_sec: int
    gpu_time_sec: int
    def __init__(self, output_url: _Optional[str] = ..., output_hash: _Optional[str] = ..., execution_time_sec: _Optional[int] = ..., gpu_time_sec: _Optional[int] = ...) -> None: ...

class ProofOfWork(_message.Message):
    __slots__ = ("method", "challenge_id", "response", "gpu_signature")
    METHOD_FIELD_NUMBER: _ClassVar[int]
    CHALLENGE_ID_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_FIELD_NUMBER: _ClassVar[int]
    GPU_SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    method: str
    challenge_id: str
    response: bytes
    gpu_signature: str
    def __init__(self, method: _Optional[str] = ..., challenge_id: _Optional[str] = ..., response: _Optional[bytes] = ..., gpu_signature: _Optional[str] = ...) -> None: ...

class ExecutionMetrics(_message.Message):
    __slots__ = ("avg_gpu_utilization", "peak_memory_gb", "energy_kwh")
    AVG_GPU_UTILIZATION_FIELD_NUMBER: _ClassVar[int]
    PEAK_MEMORY_GB_FIELD_NUMBER: _ClassVar[int]
    ENERGY_KWH_FIELD_NUMBER: _ClassVar[int]
    avg_gpu_utilization: float
    peak_memory_gb: float
    energy_kwh: float
    def __init__(self, avg_gpu_utilization: _Optional[float] = ..., peak_memory_gb: _Optional[float] = ..., energy_kwh: _Optional[float] = ...) -> None: ...

class TaskFailed(_message.Message):
    __slots__ = ("task_id", "error", "partial_results")
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    PARTIAL_RESULTS_FIELD_NUMBER: _ClassVar[int]
    task_id: str
    error: ErrorInfo
    partial_results: str
    def __init__(self, task_id: _Optional[str] = ..., error: _Optional[_Union[ErrorInfo, _Mapping]] = ..., partial_results: _Optional[str] = ...) -> None: ...

class ErrorInfo(_message.Message):
    __slots__ = ("code", "message", "details")
    CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    DETAILS_FIELD_NUMBER: _ClassVar[int]
    code: str
    message: str
    details: str
    def __init__(self, code: _Optional[str] = ..., message: _Optional[str] = ..., details: _Optional[str] = ...) -> None: ...

class Heartbeat(_message.Message):
    __slots__ = ("agent_id", "status", "current_task_id", "gpu_status", "uptime_sec", "timestamp")
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CURRENT_TASK_ID_FIELD_NUMBER: _ClassVar[int]
    GPU_STATUS_FIELD_NUMBER: _ClassVar[int]
    UPTIME_SEC_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    agent_id: str
    status: str
    current_task_id: str
    gpu_status: _containers.RepeatedCompositeFieldContainer[GPUStatus]
    uptime_sec: int
    timestamp: int
    def __init__(self, agent_id: _Optional[str] = ..., status: _Optional[str] = ..., current_task_id: _Optional[str] = ..., gpu_status: _Optional[_Iterable[_Union[GPUStatus, _Mapping]]] = ..., uptime_sec: _Optional[int] = ..., timestamp: _Optional[int] = ...) -> None: ...

class GPUStatus(_message.Message):
    __slots__ = ("index", "utilization", "memory_used_gb", "memory_total_gb", "temperature_c", "power_draw_w", "fan_speed_percent")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    UTILIZATION_FIELD_NUMBER: _ClassVar[int]
    MEMORY_USED_GB_FIELD_NUMBER: _ClassVar[int]
    MEMORY_TOTAL_GB_FIELD_NUMBER: _ClassVar[int]
    TEMPERATURE_C_FIELD_NUMBER: _ClassVar[int]
    POWER_DRAW_W_FIELD_NUMBER: _ClassVar[int]
    FAN_SPEED_PERCENT_FIELD_NUMBER: _ClassVar[int]
    index: int
    utilization: float
    memory_used_gb: float
    memory_total_gb: float
    temperature_c: float
    power_draw_w: float
    fan_speed_percent: float
    def __init__(self, index: _Optional[int] = ..., utilization: _Optional[float] = ..., memory_used_gb: _Optional[float] = ..., memory_total_gb: _Optional[float] = ..., temperature_c: _Optional[float] = ..., power_draw_w: _Optional[float] = ..., fan_speed_percent: _Optional[float] = ...) -> None: ...

class MetricsBatch(_message.Message):
    __slots__ = ("agent_id", "time_range", "aggregated_metrics")
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    TIME_RANGE_FIELD_NUMBER: _ClassVar[int]
    AGGREGATED_METRICS_FIELD_NUMBER: _ClassVar[int]
    agent_id: str
    time_range: TimeRange
    aggregated_metrics: AggregatedMetrics
    def __init__(self, agent_id: _Optional[str] = ..., time_range: _Optional[_Union[TimeRange, _Mapping]] = ..., aggregated_metrics: _Optional[_Union[AggregatedMetrics, _Mapping]] = ...) -> None: ...

class TimeRange(_message.Message):
    __slots__ = ("start", "end")
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    start: str
    end: str
    def __init__(self, start: _Optional[str] = ..., end: _Optional[str] = ...) -> None: ...

class AggregatedMetrics(_message.Message):
    __slots__ = ("tasks_completed", "tasks_failed", "total_gpu_hours", "avg_gpu_utilization", "total_energy_kwh", "earnings_usd", "earnings_usd_decimal", "total_gpu_hours_f64")
    TASKS_COMPLETED_FIELD_NUMBER: _ClassVar[int]
    TASKS_FAILED_FIELD_NUMBER: _ClassVar[int]
    TOTAL_GPU_HOURS_FIELD_NUMBER: _ClassVar[int]
    AVG_GPU_UTILIZATION_FIELD_NUMBER: _ClassVar[int]
    TOTAL_ENERGY_KWH_FIELD_NUMBER: _ClassVar[int]
    EARNINGS_USD_FIELD_NUMBER: _ClassVar[int]
    EARNINGS_USD_DECIMAL_FIELD_NUMBER: _ClassVar[int]
    TOTAL_GPU_HOURS_F64_FIELD_NUMBER: _ClassVar[int]
    tasks_completed: int
    tasks_failed: int
    total_gpu_hours: float
    avg_gpu_utilization: float
    total_energy_kwh: float
    earnings_usd: float
    earnings_usd_decimal: str
    total_gpu_hours_f64: float
    def __init__(self, tasks_completed: _Optional[int] = ..., tasks_failed: _Optional[int] = ..., total_gpu_hours: _Optional[float] = ..., avg_gpu_utilization: _Optional[float] = ..., total_energy_kwh: _Optional[float] = ..., earnings_usd: _Optional[float] = ..., earnings_usd_decimal: _Optional[str] = ..., total_gpu_hours_f64: _Optional[float] = ...) -> None: ...

class EarningsRecord(_message.Message):
    __slots__ = ("task_id", "earnings", "status", "estimated_payout_date")
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    EARNINGS_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ESTIMATED_PAYOUT_DATE_FIELD_NUMBER: _ClassVar[int]
    task_id: str
    earnings: EarningsDetail
    status: str
    estimated_payout_date: str
    def __init__(self, task_id: _Optional[str] = ..., earnings: _Optional[_Union[EarningsDetail, _Mapping]] = ..., status: _Optional[str] = ..., estimated_payout_date: _Optional[str] = ...) -> None: ...

class EarningsDetail(_message.Message):
    __slots__ = ("gpu_hours", "rate_usd_per_hour", "amount_usd", "bonus_multiplier", "final_amount_usd", "gpu_hours_f64", "rate_usd_per_hour_decimal", "amount_usd_decimal", "final_amount_usd_decimal")
    GPU_HOURS_FIELD_NUMBER: _ClassVar[int]
    RATE_USD_PER_HOUR_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_USD_FIELD_NUMBER: _ClassVar[int]
    BONUS_MULTIPLIER_FIELD_NUMBER: _ClassVar[int]
    FINAL_AMOUNT_USD_FIELD_NUMBER: _ClassVar[int]
    GPU_HOURS_F64_FIELD_NUMBER: _ClassVar[int]
    RATE_USD_PER_HOUR_DECIMAL_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_USD_DECIMAL_FIELD_NUMBER: _ClassVar[int]
    FINAL_AMOUNT_USD_DECIMAL_FIELD_NUMBER: _ClassVar[int]
    gpu_hours: float
    rate_usd_per_hour: float
    amount_usd: float
    bonus_multiplier: float
    final_amount_usd: float
    gpu_hours_f64: float
    rate_usd_per_hour_decimal: str
    amount_usd_decimal: str
    final_amount_usd_decimal: str
    def __init__(self, gpu_hours: _Optional[float] = ..., rate_usd_per_hour: _Optional[float] = ..., amount_usd: _Optional[float] = ..., bonus_multiplier: _Optional[float] = ..., final_amount_usd: _Optional[float] = ..., gpu_hours_f64: _Optional[float] = ..., rate_usd_per_hour_decimal: _Optional[str] = ..., amount_usd_decimal: _Optional[str] = ..., final_amount_usd_decimal: _Optional[str] = ...) -> None: ...

class PayoutNotification(_message.Message):
    __slots__ = ("payout_id", "period", "summary", "payment_method", "payment_address", "status")
    PAYOUT_ID_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_METHOD_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    payout_id: str
    period: PayoutPeriod
    summary: PayoutSummary
    payment_method: str
    payment_address: str
    status: str
    def __init__(self, payout_id: _Optional[str] = ..., period: _Optional[_Union[PayoutPeriod, _Mapping]] = ..., summary: _Optional[_Union[PayoutSummary, _Mapping]] = ..., payment_method: _Optional[str] = ..., payment_address: _Optional[str] = ..., status: _Optional[str] = ...) -> None: ...

class PayoutPeriod(_message.Message):
    __slots__ = ("start", "end")
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    start: str
    end: str
    def __init__(self, start: _Optional[str] = ..., end: _Optional[str] = ...) -> None: ...

class PayoutSummary(_message.Message):
    __slots__ = ("total_tasks", "total_gpu_hours", "gross_amount_usd", "platform_fee_usd", "net_amount_usd", "total_gpu_hours_f64", "gross_amount_usd_decimal", "platform_fee_usd_decimal", "net_amount_usd_decimal")
    TOTAL_TASKS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_GPU_HOURS_FIELD_NUMBER: _ClassVar[int]
    GROSS_AMOUNT_USD_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_FEE_USD_FIELD_NUMBER: _ClassVar[int]
    NET_AMOUNT_USD_FIELD_NUMBER: _ClassVar[int]
    TOTAL_GPU_HOURS_F64_FIELD_NUMBER: _ClassVar[int]
    GROSS_AMOUNT_USD_DECIMAL_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_FEE_USD_DECIMAL_FIELD_NUMBER: _ClassVar[int]
    NET_AMOUNT_USD_DECIMAL_FIELD_NUMBER: _ClassVar[int]
    total_tasks: int
    total_gpu_hours: float
    gross_amount_usd: float
    platform_fee_usd: float
    net_amount_usd: float
    total_gpu_hours_f64: float
    gross_amount_usd_decimal: str
    platform_fee_usd_decimal: str
    net_amount_usd_decimal: str
    def __init__(self, total_tasks: _Optional[int] = ..., total_gpu_hours: _Optional[float] = ..., gross_amount_usd: _Optional[float] = ..., platform_fee_usd: _Optional[float] = ..., net_amount_usd: _Optional[float] = ..., total_gpu_hours_f64: _Optional[float] = ..., gross_amount_usd_decimal: _Optional[str] = ..., platform_fee_usd_decimal: _Optional[str] = ..., net_amount_usd_decimal: _Optional[str] = ...) -> None: ...

class PowChallenge(_message.Message):
    __slots__ = ("challenge_id", "nonce", "difficulty", "deadline")
    CHALLENGE_ID_FIELD_NUMBER: _ClassVar[int]
    NONCE_FIELD_NUMBER: _ClassVar[int]
    DIFFICULTY_FIELD_NUMBER: _ClassVar[int]
    DEADLINE_FIELD_NUMBER: _ClassVar[int]
    challenge_id: str
    nonce: bytes
    difficulty: int
    deadline: str
    def __init__(self, challenge_id: _Optional[str] = ..., nonce: _Optional[bytes] = ..., difficulty: _Optional[int] = ..., deadline: _Optional[str] = ...) -> None: ...

class PowResponse(_message.Message):
    __slots__ = ("challenge_id", "response", "computation_time_ms", "gpu_signature", "solution_nonce")
    CHALLENGE_ID_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_FIELD_NUMBER: _ClassVar[int]
    COMPUTATION_TIME_MS_FIELD_NUMBER: _ClassVar[int]
    GPU_SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    SOLUTION_NONCE_FIELD_NUMBER: _ClassVar[int]
    challenge_id: str
    response: bytes
    computation_time_ms: int
    gpu_signature: GPUSignature
    solution_nonce: int
    def __init__(self, challenge_id: _Optional[str] = ..., response: _Optional[bytes] = ..., computation_time_ms: _Optional[int] = ..., gpu_signature: _Optional[_Union[GPUSignature, _Mapping]] = ..., solution_nonce: _Optional[int] = ...) -> None: ...

class GPUSignature(_message.Message):
    __slots__ = ("device_uuid", "cuda_version")
    DEVICE_UUID_FIELD_NUMBER: _ClassVar[int]
    CUDA_VERSION_FIELD_NUMBER: _ClassVar[int]
    device_uuid: str
    cuda_version: str
    def __init__(self, device_uuid: _Optional[str] = ..., cuda_version: _Optional[str] = ...) -> None: ...

class Error(_message.Message):
    __slots__ = ("code", "message", "context", "recoverable", "context_json")
    class ContextEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    CONTEXT_FIELD_NUMBER: _ClassVar[int]
    RECOVERABLE_FIELD_NUMBER: _ClassVar[int]
    CONTEXT_JSON_FIELD_NUMBER: _ClassVar[int]
    code: str
    message: str
    context: _containers.ScalarMap[str, str]
    recoverable: bool
    context_json: str
    def __init__(self, code: _Optional[str] = ..., message: _Optional[str] = ..., context: _Optional[_Mapping[str, str]] = ..., recoverable: bool = ..., context_json: _Optional[str] = ...) -> None: ...

class StateSync(_message.Message):
    __slots__ = ("agent_id", "last_heartbeat", "active_tasks")
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    LAST_HEARTBEAT_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_TASKS_FIELD_NUMBER: _ClassVar[int]
    agent_id: str
    last_heartbeat: str
    active_tasks: _containers.RepeatedCompositeFieldContainer[ActiveTaskInfo]
    def __init__(self, agent_id: _Optional[str] = ..., last_heartbeat: _Optional[str] = ..., active_tasks: _Optional[_Iterable[_Union[ActiveTaskInfo, _Mapping]]] = ...) -> None: ...

class ActiveTaskInfo(_message.Message):
    __slots__ = ("task_id", "progress", "started_at")
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    task_id: str
    progress: float
    started_at: str
    def __init__(self, task_id: _Optional[str] = ..., progress: _Optional[float] = ..., started_at: _Optional[str] = ...) -> None: ...

class Ack(_message.Message):
    __slots__ = ("acked_message_id",)
    ACKED_MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    acked_message_id: str
    def __init__(self, acked_message_id: _Optional[str] = ...) -> None: ...

class TaskCancel(_message.Message):
    __slots__ = ("task_id", "reason")
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    task_id: str
    reason: str
    def __init__(self, task_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...
