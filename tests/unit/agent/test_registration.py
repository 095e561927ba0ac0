"""AGENT_REGISTER: frameworks told truthfully, FP16/INT8 from numeric compute capabilities."""

from __future__ import annotations

import pytest

from orban_desktop.agent.registration import build_register
from orban_desktop.gpu.hardware import CPUInfo, GPUInfo, HardwareInfo
from orban_desktop.protocol.enums import GPUVendor


def hardware(*capabilities: str | None) -> HardwareInfo:
    gpus = tuple(
        GPUInfo(i, GPUVendor.NVIDIA, f"GPU {i}", 24, cc, None, None)
        for i, cc in enumerate(capabilities)
    )
    return HardwareInfo(gpus, CPUInfo("cpu", 2, 4), 16, 100)


def register(info: HardwareInfo, *, runner: bool = False):  # type: ignore[no-untyped-def]
    return build_register(
        "agent-x", info, hours_per_day=24, reliability_score=0.99, runner_available=runner
    )


@pytest.mark.parametrize(
    ("capability", "fp16", "int8"),
    [
        ("5.2", False, False),
        ("6.0", True, False),
        ("7.5", True, True),
        ("8.9", True, True),
        ("9.0", True, True),
        ("10.0", True, True),
        ("12.0", True, True),
    ],
)
def test_capabilities_compare_as_numbers(capability: str, fp16: bool, int8: bool) -> None:
    caps = register(hardware(capability)).capabilities
    assert (caps.fp16_support, caps.int8_support) == (fp16, int8)


def test_pytorch_is_listed_only_when_the_runner_works() -> None:
    assert register(hardware("8.9")).capabilities.supported_frameworks == ["orban-demo"]
    with_runner = register(hardware("8.9"), runner=True).capabilities
    assert with_runner.supported_frameworks == ["orban-demo", "pytorch"]
