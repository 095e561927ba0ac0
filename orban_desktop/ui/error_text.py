"""The core's errors in the user's language: a title per error class, a sentence per reason.

The core raises :class:`~orban_desktop.errors.OrbanError` with an English ``message`` (for the
log) and, where the owner reads it, a ``reason`` key whose parameters are the error's
``context``. :func:`error_title` and :func:`error_message` word them with ``tr()`` (Qt context
``"ErrorText"``), so a zh_TW user reads Chinese; an error without a known reason keeps its
English message under a translated title, so nothing is hidden. :func:`details_text` does the
same for an error that reached the UI as plain data (a ``Notice``'s
:func:`~orban_desktop.errors.error_details`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QCoreApplication

from orban_desktop.errors import OrbanError

translate = QCoreApplication.translate

_TITLES: dict[str, Callable[[], str]] = {
    "OrbanError": lambda: translate("ErrorText", "Orban Agent error"),
    "ConfigError": lambda: translate("ErrorText", "Configuration problem"),
    "KeyFileError": lambda: translate("ErrorText", "Identity key problem"),
    "ProtocolError": lambda: translate("ErrorText", "Protocol error"),
    "NetworkError": lambda: translate("ErrorText", "Network problem"),
    "ConnectionFailed": lambda: translate("ErrorText", "Cannot reach the platform"),
    "AuthenticationFailed": lambda: translate("ErrorText", "Key rejected"),
    "GPUError": lambda: translate("ErrorText", "GPU problem"),
    "GPUNotFound": lambda: translate("ErrorText", "No GPU found"),
    "TaskError": lambda: translate("ErrorText", "Task failed"),
    "SandboxError": lambda: translate("ErrorText", "Sandbox problem"),
    "StorageError": lambda: translate("ErrorText", "Local database problem"),
}

# reason -> its sentence; ``{name}`` fields come from the error's context.
_MESSAGES: dict[str, Callable[[], str]] = {
    "key_missing": lambda: translate(
        "ErrorText",
        "There is no identity key at {path}. Put your backup of the key back there, or create "
        "a new identity with `orban-agent keygen` (earnings then go to a new agent id).",
    ),
    "key_unreadable": lambda: translate(
        "ErrorText", "Cannot read the identity key {path}: {detail}."
    ),
    "key_too_open": lambda: translate(
        "ErrorText",
        "Other users could read or replace your identity key {path} (permissions {mode}). "
        "Run `chmod 600 '{path}'`.",
    ),
    "key_wrong_size": lambda: translate(
        "ErrorText",
        "The identity key {path} must be exactly {expected} raw bytes, but it has {size}. "
        "To use a key in another form, run `orban-agent import`.",
    ),
    "key_exists": lambda: translate(
        "ErrorText",
        "An identity key already exists at {path}; it was not overwritten, because your agent "
        "id and earnings are tied to it. Move it away first to replace it.",
    ),
    "key_is_link": lambda: translate(
        "ErrorText",
        "The identity key {path} is a symbolic link, which is not followed. Point the "
        "settings at the real file instead.",
    ),
    "key_not_a_file": lambda: translate(
        "ErrorText",
        "The identity key {path} is not a regular file. Put the key file there, or create a "
        "new identity with `orban-agent keygen`.",
    ),
    "config_invalid_settings": lambda: translate(
        "ErrorText",
        "{count} invalid setting(s) in {source}:\n{lines}\nFix them, or move the file away to "
        "start again from the defaults.",
    ),
    "config_not_utf8": lambda: translate(
        "ErrorText", "The settings file {path} is not UTF-8 text; save it as UTF-8."
    ),
    "config_not_toml": lambda: translate(
        "ErrorText",
        "The settings file {path} is not valid TOML ({detail}). Fix that line, or move the "
        "file away to start again from the defaults.",
    ),
    "config_unreadable": lambda: translate(
        "ErrorText", "Cannot read the settings file {path}: {detail}."
    ),
    "config_unwritable": lambda: translate(
        "ErrorText",
        "Cannot save the settings to {path}: {detail}. Check the folder's permissions and "
        "free disk space.",
    ),
    "store_too_new": lambda: translate(
        "ErrorText",
        "The {store} was written by a newer Orban Agent (schema {schema_version}; this one "
        "reads up to {supported}). Update Orban Agent to open it.",
    ),
    "store_unusable": lambda: translate(
        "ErrorText", "Cannot use the local database {path}: {detail}."
    ),
    "agent_running_desktop": lambda: translate(
        "ErrorText",
        "The Orban Agent desktop app (pid {pid}) already runs with these files. Quit it (Quit "
        "in its window or tray menu, or `orban-agent stop`) before starting another agent.",
    ),
    "agent_running_headless": lambda: translate(
        "ErrorText",
        "A headless Orban agent (pid {pid}) already runs with these files. See it with "
        "`orban-agent status`; stop it with `orban-agent stop` before starting another.",
    ),
    "agent_running": lambda: translate(
        "ErrorText",
        "An agent (pid {pid}) already runs with these files. See it with `orban-agent status`; "
        "stop it with `orban-agent stop` before starting another.",
    ),
    "agent_starting": lambda: translate(
        "ErrorText",
        "Another agent is starting with these files right now. See it with `orban-agent "
        "status` in a moment.",
    ),
}


def known_reasons() -> frozenset[str]:
    """Every reason this module words (a test checks the core uses no other)."""
    return frozenset(_MESSAGES)


def _title_for(class_names: list[str]) -> str:
    for name in class_names:
        if name in _TITLES:
            return _TITLES[name]()
    return _TITLES["OrbanError"]()


def error_title(error: OrbanError) -> str:
    """The error's heading in the user's language (its nearest class with a title)."""
    return _title_for([cls.__name__ for cls in type(error).__mro__])


def describe_parts(reason: str | None, context: Mapping[str, Any], english: str) -> str:
    """The sentence for ``reason`` with ``context`` filled in; ``english`` when there is none."""
    if reason is None or reason not in _MESSAGES:
        return english
    try:
        return _MESSAGES[reason]().format(**context)
    except (KeyError, IndexError, ValueError):  # a parameter is missing: say it in English
        return english


def error_message(error: OrbanError) -> str:
    """The error's message in the user's language (its English message when not worded here)."""
    return describe_parts(error.reason, error.context, error.message)


def details_text(details: Mapping[str, Any]) -> tuple[str, str]:
    """Title and message of an error sent as :func:`orban_desktop.errors.error_details`."""
    context = details.get("context") or {}
    english = str(details.get("message", ""))
    classes = details.get("error_classes") or [details.get("error_class", "OrbanError")]
    title = _title_for([str(name) for name in classes])
    return title, describe_parts(details.get("reason"), context, english)
