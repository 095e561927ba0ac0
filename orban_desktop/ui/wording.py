"""The words for the core's codes: connection states, pause reasons, task stages, failures.

The core publishes codes (``"too_hot"``, ``"DOWNLOAD_FAILED"``, ``ConnectionState.OFFLINE``);
this module is where they become translated sentences (Qt context ``"Wording"``). An unknown
code is shown as it is rather than hidden. Imports QtCore for translation only.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from orban_desktop.events import ConnectionState, RealWorkChecked
from orban_desktop.ui.formatting import clock_text
from orban_desktop.ui.state_wording import (
    no_gpu_advice,
    no_gpu_headline,
    split_detail,
    unreachable_text,
)
from orban_desktop.ui.status_model import AgentStatusModel, DisplayState

translate = QCoreApplication.translate


def display_state_text(state: DisplayState) -> str:
    return {
        DisplayState.ACTIVE: translate("Wording", "Active"),
        DisplayState.PAUSED: translate("Wording", "Paused"),
        DisplayState.NO_GPU: translate("Wording", "No GPU that can earn"),
        DisplayState.OFFLINE: translate("Wording", "Offline"),
        DisplayState.ERROR: translate("Wording", "Needs attention"),
    }[state]


def pause_reason_text(code: str) -> str:
    return {
        "user": translate("Wording", "you paused contribution"),
        "too_hot": translate("Wording", "a GPU is too hot"),
        "foreign_process": translate("Wording", "another program is using the GPU"),
        "outside_hours": translate("Wording", "outside your allowed hours"),
        "owner_present": translate("Wording", "you are using the computer (only when you're away)"),
        "presence_unknown": translate(
            "Wording", "cannot tell whether you are away (only when you're away)"
        ),
    }.get(code, code)


def headline(model: AgentStatusModel) -> str:
    """One line that says whether the agent works, and if not, why and what happens next."""
    state = model.state
    if state is ConnectionState.AUTH_REJECTED and model.reason == "relay_suspected":
        return translate("Wording", "Login refused: see below for what to do")
    if state is ConnectionState.AUTH_REJECTED:
        return translate("Wording", "Key rejected: see below for what to do")
    if state is ConnectionState.OFFLINE:
        return _offline_headline(model)
    if state in (ConnectionState.CONNECTING, ConnectionState.AUTHENTICATING):
        return translate("Wording", "Connecting…")
    if state is ConnectionState.STOPPED:
        return translate("Wording", "Stopped")
    if not model.readiness.can_earn:
        return no_gpu_headline(model.readiness)
    if model.pause_reasons:
        reasons = ", ".join(_pause_reason(model, code) for code in sorted(model.pause_reasons))
        return translate("Wording", "Paused: {reasons}").format(reasons=reasons)
    return translate("Wording", "Connected")


def _offline_headline(model: AgentStatusModel) -> str:
    """The reason in words when the core gave one (never the word "connected")."""
    seconds = model.retry_in_s()
    if model.detail:
        reason = unreachable_text(model.platform_url, model.detail)
        if model.reason == "gave_up":
            return translate("Wording", "{reason}. Stopped retrying").format(reason=reason)
        if seconds is not None:
            return translate("Wording", "{reason}. Retrying in {seconds} s").format(
                reason=reason, seconds=seconds
            )
        return reason
    if model.reason == "gave_up":
        return translate("Wording", "Offline: stopped retrying")
    if seconds is not None:
        return translate("Wording", "Offline: retrying in {seconds} s").format(seconds=seconds)
    return translate("Wording", "Offline")


def _pause_reason(model: AgentStatusModel, code: str) -> str:
    if code == "user" and model.paused_until is not None:
        return translate("Wording", "you paused contribution until {time}").format(
            time=clock_text(model.paused_until, model.wall_clock())
        )
    return pause_reason_text(code)


def advice(model: AgentStatusModel) -> str:
    """What the owner can do about the current state (empty when nothing is needed)."""
    if model.state is ConnectionState.AUTH_REJECTED and model.reason == "relay_suspected":
        return translate(
            "Wording",
            "The platform sent a challenge that could be a relay attempt, so nothing was "
            "signed. Check that the platform URL in Settings is the one you meant, then press "
            "Retry now.",
        )
    if model.state is ConnectionState.AUTH_REJECTED:
        text = translate(
            "Wording",
            "The platform refused the key of agent {agent_id}. Check that this agent is "
            "registered with your platform account, or import the key you registered, then "
            "press Retry now.",
        ).format(agent_id=model.agent_id)
        if model.detail:
            text += " " + translate("Wording", "Reason: {reason}").format(reason=model.detail)
        return text
    if model.state is ConnectionState.OFFLINE and model.reason == "gave_up":
        return translate(
            "Wording", "Check your network connection and the platform URL, then press Retry now."
        )
    if model.state is ConnectionState.OFFLINE:
        more = split_detail(model.detail)[1] if model.detail else ""
        text = translate("Wording", "The agent reconnects by itself; running tasks keep going.")
        return f"{more} {text}" if more else text
    if not model.readiness.can_earn:
        return no_gpu_advice(model.readiness)
    if "user" in model.pause_reasons and model.paused_until is not None:
        return translate(
            "Wording",
            "Running tasks finish; no new tasks are taken until {time}, then contribution "
            "resumes by itself.",
        ).format(time=clock_text(model.paused_until, model.wall_clock()))
    if "user" in model.pause_reasons:
        return translate(
            "Wording", "Running tasks finish; no new tasks are taken until you resume."
        )
    return ""


def stage_text(stage: str) -> str:
    return {
        "accepted": translate("Wording", "Starting"),
        "downloading": translate("Wording", "Downloading"),
        "running": translate("Wording", "Running"),
        "uploading": translate("Wording", "Uploading"),
        "completed": translate("Wording", "Completed"),
        "failed": translate("Wording", "Failed"),
    }.get(stage, stage)


def failure_text(code: str | None) -> str:
    """Why a task failed, from its protocol error code (empty for success)."""
    if code is None:
        return ""
    return {
        "TASK_CANCELLED": translate("Wording", "Handed back to the platform"),
        "DOWNLOAD_FAILED": translate("Wording", "Could not download the task's files"),
        "UPLOAD_FAILED": translate("Wording", "Could not upload the result"),
        "TIMEOUT": translate("Wording", "Took longer than allowed"),
        "OOM_ERROR": translate("Wording", "Ran out of memory"),
        "VALIDATION_FAILED": translate("Wording", "The result did not pass verification"),
        "SANDBOX_ERROR": translate("Wording", "The sandbox could not run it"),
        "TASK_EXECUTION_FAILED": translate("Wording", "The task's program failed"),
        "GPU_ERROR": translate("Wording", "The GPU failed"),
    }.get(code, code)


def earning_status_text(status: str) -> str:
    return {
        "Pending": translate("Wording", "Pending"),
        "Confirmed": translate("Wording", "Confirmed"),
        "Paid": translate("Wording", "Paid"),
        "Processing": translate("Wording", "Processing"),
        "Completed": translate("Wording", "Completed"),
        "Failed": translate("Wording", "Failed"),
    }.get(status, status)


def real_work_text(event: RealWorkChecked) -> str:
    """Where real tasks run, or what they need, in one sentence."""
    if event.where == "docker":
        return translate("Wording", "Real tasks run in Docker ({image}).").format(
            image=event.detail
        )
    if event.where == "environment":
        if event.on_gpu:
            return translate("Wording", "Real tasks run on the GPU in the runner environment.")
        return translate(
            "Wording", "Real tasks run on the CPU in the runner environment (no usable GPU)."
        )
    return translate(
        "Wording",
        "Real tasks need Docker or a runner environment: {reason} Until then only small "
        "canary tasks run here.",
    ).format(reason=event.detail)
