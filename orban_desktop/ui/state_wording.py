"""The words for the states that need the owner: no GPU that can earn, a platform out of reach.

:func:`no_gpu_headline` and :func:`no_gpu_advice` word a :class:`GpuReadiness` that cannot earn
(what is missing and what to do: install the driver, check ``nvidia-smi``, switch a GPU on or try
the demo); :func:`unreachable_text` words the reason an offline agent gives (the core's
``detail``) with the platform's address, without the word "connected". Used by
:mod:`orban_desktop.ui.wording` (headline, advice) and the GPUs page's empty state. Qt context
``"StateWording"``; imports QtCore for translation only.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QCoreApplication

from orban_desktop.ui.gpu_readiness import GpuReadiness

translate = QCoreApplication.translate
#: The core's own countdown in its detail; the window shows a live one instead.
_RETRY_SENTENCE = re.compile(r"\s*Retrying in \d+ s\.")


def split_detail(detail: str) -> tuple[str, str]:
    """The core's offline ``detail`` as (its first sentence, the sentences after it), without
    the core's "Retrying in N s." (the window counts down itself)."""
    text = _RETRY_SENTENCE.sub("", detail).strip()
    first, _dot, rest = text.partition(". ")
    return first.strip().rstrip("."), rest.strip()


def no_gpu_headline(readiness: GpuReadiness) -> str:
    """One line: why no GPU can earn."""
    if readiness is GpuReadiness.ALL_SWITCHED_OFF:
        return translate("StateWording", "No GPU that can earn: every GPU is switched off")
    if readiness is GpuReadiness.SIMULATED_ONLY:
        return translate(
            "StateWording", "No GPU that can earn: SIMULATED GPUs earn nothing on a real platform"
        )
    return translate("StateWording", "No GPU that can earn: none found on this computer")


def no_gpu_advice(readiness: GpuReadiness) -> str:
    """What the owner can do so that a GPU can earn."""
    if readiness is GpuReadiness.ALL_SWITCHED_OFF:
        return translate(
            "StateWording",
            "The agent takes no tasks while every GPU is switched off. Switch one on on the "
            "GPUs page or in Settings.",
        )
    if readiness is GpuReadiness.SIMULATED_ONLY:
        return translate(
            "StateWording",
            "Simulated GPUs only practise on the local platform. To earn, use a computer with "
            "an NVIDIA, AMD or Apple GPU and turn simulated GPUs off in Settings; to practise, "
            "choose the local platform in Settings.",
        )
    return translate(
        "StateWording",
        "Without a GPU the agent takes no tasks. If this computer has an NVIDIA GPU, install "
        "its driver and check that nvidia-smi lists it, then restart Orban Agent. To try the "
        "app without one, turn on simulated GPUs in Settings or start orban-desktop --demo.",
    )


def unreachable_text(platform_url: str, detail: str) -> str:
    """``"Cannot reach ws://127.0.0.1:1: connection refused"`` from the core's ``detail``.

    A detail that already names the address is used as it is.
    """
    reason = split_detail(detail)[0]
    if platform_url and platform_url in reason:
        return reason
    if not platform_url:
        return translate("StateWording", "Cannot reach the platform: {reason}").format(
            reason=reason
        )
    return translate("StateWording", "Cannot reach {platform}: {reason}").format(
        platform=platform_url, reason=reason
    )
