"""The words of the core's notices (overheating, platform error, presence unknown, agent stopped).

:func:`notice_text` turns a :class:`~orban_desktop.events.Notice` (a code with parameters) into
a notification's title and message; an unknown code is shown as it is. Qt context ``"Wording"``
(shared with :mod:`orban_desktop.ui.wording`); imports QtCore for translation only.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from orban_desktop.events import Notice
from orban_desktop.ui.error_text import details_text

translate = QCoreApplication.translate


def notice_text(notice: Notice) -> tuple[str, str]:
    """A notice as a notification's ``(title, message)``."""
    params = notice.params
    if notice.code == "gpu_overheated":
        return (
            translate("Wording", "GPU too hot"),
            translate(
                "Wording",
                "GPU {index} reached its temperature limit; new tasks wait until it cools.",
            ).format(index=params.get("gpu_index", "?")),
        )
    if notice.code == "platform_error":
        return (
            translate("Wording", "Platform error"),
            translate("Wording", "The platform reported: {message}").format(
                message=params.get("message", params.get("code", "?"))
            ),
        )
    if notice.code == "presence_unknown":
        return (
            translate("Wording", "Cannot tell whether you are away"),
            translate(
                "Wording",
                '{reason} Work stays paused while "Only when I\'m away" is on; turn it off in '
                "Settings to work at any time.",
            ).format(reason=params.get("reason") or ""),
        )
    if notice.code == "agent_stopped":
        _title, message = details_text(params)
        return (
            translate("Wording", "The agent stopped"),
            translate("Wording", "The agent stopped unexpectedly: {message}").format(
                message=message or "?"
            ),
        )
    return notice.code, ", ".join(f"{key}={value}" for key, value in params.items())
