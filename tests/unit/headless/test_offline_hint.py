"""Offline in words: "Cannot reach <url>: connection refused. Retrying in N s", and the local
platform's hint (how to start it) once per outage, not on every retry."""

from __future__ import annotations

import logging
import socket

import pytest

from orban_desktop.agent.offline_reason import OutageLog, offline_detail
from orban_desktop.config import LOCAL_PLATFORM_URL
from orban_desktop.errors import ConnectionFailed


def failed(cause: BaseException) -> ConnectionFailed:
    try:
        raise ConnectionFailed(
            f"Cannot reach the platform ({cause}). The agent keeps retrying."
        ) from cause
    except ConnectionFailed as exc:
        return exc


REFUSED = ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 1)")


@pytest.mark.parametrize(
    ("cause", "words"),
    [
        (REFUSED, "connection refused"),
        (socket.gaierror(-2, "Name or service not known"), "the host name is not known"),
        (TimeoutError(), "no answer (timed out)"),
    ],
)
def test_a_failed_connection_is_said_in_words(cause: BaseException, words: str) -> None:
    detail = offline_detail(failed(cause), "ws://127.0.0.1:1", 7.2)
    assert detail == f"Cannot reach ws://127.0.0.1:1: {words}. Retrying in 7 s."
    assert "connected" not in (detail or "").replace("Cannot", "")


def test_other_errors_keep_their_message_without_the_retry_boilerplate() -> None:
    detail = offline_detail(
        ConnectionFailed("The platform closed the connection (code 1012)."), "ws://x", 3
    )
    assert detail == "The platform closed the connection (code 1012). Retrying in 3 s."
    assert offline_detail(None, "ws://x", 3) is None


def test_the_local_platform_address_says_how_to_start_it() -> None:
    detail = offline_detail(failed(REFUSED), LOCAL_PLATFORM_URL, 2)
    assert detail is not None
    assert detail.startswith(
        f"Cannot reach {LOCAL_PLATFORM_URL}: connection refused. Retrying in 2 s."
    )
    assert "--local-platform" in detail and "orban-agent platform" in detail
    assert "--local-platform" not in (
        offline_detail(failed(REFUSED), "ws://127.0.0.1:9999", 2) or ""
    )


def test_the_hint_and_each_reason_are_logged_once_per_outage(
    caplog: pytest.LogCaptureFixture,
) -> None:
    outage = OutageLog()
    with caplog.at_level(logging.WARNING):
        assert outage.is_new(failed(REFUSED), LOCAL_PLATFORM_URL)
        for _ in range(5):
            assert not outage.is_new(failed(REFUSED), LOCAL_PLATFORM_URL)
    assert caplog.text.count("orban-agent platform") == 1
    outage.reset()  # connected again: the next outage says it again
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        assert outage.is_new(failed(REFUSED), LOCAL_PLATFORM_URL)
    assert caplog.text.count("--local-platform") == 1
