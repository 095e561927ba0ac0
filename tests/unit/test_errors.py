"""The error tree: titles, actionable messages, protocol codes and recoverability (DESIGN.md §5)."""

from __future__ import annotations

import pytest

from orban_desktop import errors as e


@pytest.mark.parametrize(
    ("cls", "code", "recoverable"),
    [
        (e.ConnectionFailed, "CONNECTION_FAILED", True),
        (e.DownloadFailed, "DOWNLOAD_FAILED", True),
        (e.TaskTimeout, "TIMEOUT", True),
        (e.GPUNotFound, "GPU_NOT_AVAILABLE", False),
        (e.InsufficientVRAM, "INSUFFICIENT_VRAM", False),
        (e.AuthenticationFailed, "AUTH_FAILED", False),
        (e.OutOfMemory, "OOM_ERROR", False),
        (e.ValidationFailed, "VALIDATION_FAILED", False),
        (e.UploadFailed, "UPLOAD_FAILED", True),
        (e.ProtocolError, "INVALID_MESSAGE", False),
    ],
)
def test_codes_and_recovery_follow_the_seed(
    cls: type[e.OrbanError], code: str, recoverable: bool
) -> None:
    assert cls.code == code
    assert cls.recoverable is recoverable
    assert e.ERRORS_BY_CODE[code] is cls


def test_every_error_derives_from_the_root_and_has_a_title() -> None:
    for cls in e.ERRORS_BY_CODE.values():
        assert issubclass(cls, e.OrbanError)
        assert cls.title and cls.title != e.OrbanError.title


def test_message_title_and_context() -> None:
    err = e.DownloadFailed("The model's sha256 did not match.", context={"url": "https://x"})
    assert str(err) == "Download failed: The model's sha256 did not match."
    assert err.context == {"url": "https://x"}
    custom = e.ConfigError("bad", title="Settings file unreadable")
    assert custom.title == "Settings file unreadable"
    assert e.ConfigError.title == "Configuration problem"


def test_insufficient_vram_says_how_much() -> None:
    err = e.InsufficientVRAM(required_gb=12, available_gb=6.5)
    assert "12 GB" in err.message and "6.5 GB" in err.message
    assert err.context == {"required_gb": 12, "available_gb": 6.5}


def test_foreign_errors_are_chained() -> None:
    try:
        try:
            raise OSError(111, "Connection refused")
        except OSError as exc:
            raise e.ConnectionFailed("Cannot reach ws://127.0.0.1:8740.") from exc
    except e.ConnectionFailed as err:
        assert isinstance(err.__cause__, OSError)
