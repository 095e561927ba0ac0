"""The one error tree of Orban Agent, with a short title and an actionable message per error.

Every failure the agent can explain derives from :class:`OrbanError`. Foreign exceptions
(``OSError``, ``websockets`` errors, NVML errors, ...) are converted at the boundary with
``raise ... from exc`` so callers only ever catch this tree. Each class carries the protocol
error code it maps to (``code``, upstream's spelling where upstream has one) and whether the
agent recovers from it on its own (``recoverable``, as DESIGN.md §5 says). ``message`` is English
and goes to the logs; an error the owner reads on screen also carries a ``reason`` (a stable
snake_case key such as ``"key_missing"``) whose parameters are its ``context``, which the UI words
in the user's language (``orban_desktop/ui/error_text.py``). This module imports nothing from the
project and nothing from Qt.

::

    OrbanError
    ├── ConfigError                 bad or unreadable configuration file
    ├── KeyFileError                identity key missing, unsafe or malformed
    ├── ProtocolError               a frame that is not valid Orban protocol v1
    │   ├── UnknownMessageType      a ``type`` this protocol version does not have
    │   └── MessageTooLarge         a frame over the size limit
    ├── NetworkError
    │   ├── ConnectionFailed        recoverable: reconnect with backoff
    │   └── AuthenticationFailed    not recoverable: stop, tell the user to check the key
    ├── GPUError                    a GPU read or operation failed (e.g. GPU lost)
    │   ├── GPUNotFound             not recoverable: nothing to contribute
    │   └── InsufficientVRAM        not recoverable for this task: reject it
    ├── TaskError
    │   ├── TaskExecutionFailed
    │   ├── DownloadFailed          recoverable: retried 3 times
    │   ├── UploadFailed            recoverable
    │   ├── TaskTimeout             recoverable: report, take new work
    │   ├── OutOfMemory
    │   ├── ValidationFailed        a result or artifact failed verification
    │   └── TaskCancelled
    ├── SandboxError                the sandbox could not be set up or used
    └── StorageError                the local database cannot be used
"""

from __future__ import annotations

from typing import Any, ClassVar


class OrbanError(Exception):
    """Root of every error the agent explains to its user.

    Args:
        message: What went wrong and what to do about it, in one or two sentences.
        title: A short heading (a few words); defaults to the class's title.
        context: Machine-readable details (URLs, sizes, ids) for logs and ERROR frames; the
            parameters of ``reason``.
        reason: A stable key for what went wrong, for the UI to word it in the user's language;
            ``None`` when only the English ``message`` says it.
    """

    title: ClassVar[str] = "Orban Agent error"
    code: ClassVar[str] = "INTERNAL_ERROR"
    recoverable: ClassVar[bool] = False

    def __init__(
        self,
        message: str,
        *,
        title: str | None = None,
        context: dict[str, Any] | None = None,
        reason: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason
        if title is not None:
            self.title = title  # type: ignore[misc]  # instance override of the class default
        self.context: dict[str, Any] = dict(context or {})

    def __str__(self) -> str:
        return f"{self.title}: {self.message}"


class ConfigError(OrbanError):
    title = "Configuration problem"
    code = "INVALID_CONFIG"


class KeyFileError(OrbanError):
    title = "Identity key problem"
    code = "INVALID_KEY"


class ProtocolError(OrbanError):
    """A frame that is not valid Orban protocol v1 (malformed, oversized, wrong types)."""

    title = "Protocol error"
    code = "INVALID_MESSAGE"


class UnknownMessageType(ProtocolError):
    """A well-formed frame whose ``type`` this agent does not know (spec §10.1)."""

    code = "UNKNOWN_MESSAGE_TYPE"


class MessageTooLarge(ProtocolError):
    """A frame over ``MAX_FRAME_BYTES``."""

    code = "MESSAGE_TOO_LARGE"


class NetworkError(OrbanError):
    title = "Network problem"
    code = "CONNECTION_FAILED"


class ConnectionFailed(NetworkError):
    title = "Cannot reach the platform"
    code = "CONNECTION_FAILED"
    recoverable = True


class AuthenticationFailed(NetworkError):
    title = "Key rejected"
    code = "AUTH_FAILED"


class GPUError(OrbanError):
    title = "GPU problem"
    code = "GPU_ERROR"


class GPUNotFound(GPUError):
    title = "No GPU found"
    code = "GPU_NOT_AVAILABLE"


class InsufficientVRAM(GPUError):
    title = "Not enough GPU memory"
    code = "INSUFFICIENT_VRAM"

    def __init__(self, required_gb: float, available_gb: float) -> None:
        super().__init__(
            f"The task needs {required_gb:g} GB of GPU memory; {available_gb:g} GB is free "
            "after the reserved amount.",
            context={"required_gb": required_gb, "available_gb": available_gb},
        )
        self.required_gb = required_gb
        self.available_gb = available_gb


class TaskError(OrbanError):
    title = "Task failed"
    code = "TASK_EXECUTION_FAILED"


class TaskExecutionFailed(TaskError):
    pass


class DownloadFailed(TaskError):
    title = "Download failed"
    code = "DOWNLOAD_FAILED"
    recoverable = True


class UploadFailed(TaskError):
    title = "Upload failed"
    code = "UPLOAD_FAILED"
    recoverable = True


class TaskTimeout(TaskError):
    title = "Task timed out"
    code = "TIMEOUT"
    recoverable = True


class OutOfMemory(TaskError):
    title = "Out of memory"
    code = "OOM_ERROR"


class ValidationFailed(TaskError):
    title = "Verification failed"
    code = "VALIDATION_FAILED"


class TaskCancelled(TaskError):
    title = "Task cancelled"
    code = "TASK_CANCELLED"
    recoverable = True


class SandboxError(OrbanError):
    title = "Sandbox problem"
    code = "SANDBOX_ERROR"


class StorageError(OrbanError):
    title = "Local database problem"
    code = "STORAGE_ERROR"


#: Every concrete error class, by its protocol code, for mapping ERROR / TASK_FAILED frames back.
ERRORS_BY_CODE: dict[str, type[OrbanError]] = {
    cls.code: cls
    for cls in (
        ConfigError,
        KeyFileError,
        ProtocolError,
        ConnectionFailed,
        AuthenticationFailed,
        GPUError,
        GPUNotFound,
        InsufficientVRAM,
        TaskExecutionFailed,
        DownloadFailed,
        UploadFailed,
        TaskTimeout,
        OutOfMemory,
        ValidationFailed,
        TaskCancelled,
        SandboxError,
        StorageError,
    )
}


def error_details(error: BaseException) -> dict[str, Any]:
    """What an event carries of ``error`` so the UI can word it in the user's language."""
    if not isinstance(error, OrbanError):
        return {"message": str(error), "reason": None, "context": {}, "error_class": "OrbanError"}
    names = [cls.__name__ for cls in type(error).__mro__ if issubclass(cls, OrbanError)]
    return {
        "message": error.message,
        "reason": error.reason,
        "context": dict(error.context),
        "error_class": names[0],
        "error_classes": names,
    }
