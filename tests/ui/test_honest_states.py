"""Honest states: offline says why (never "connected"), "no GPU that can earn" is its own state."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from orban_desktop.events import ConnectionState, ConnectionStateChanged
from orban_desktop.gpu.device import GPUFacts
from orban_desktop.protocol.enums import GPUVendor
from orban_desktop.ui.bridge import EventBridge
from orban_desktop.ui.first_run import detect_gpus
from orban_desktop.ui.gpu_readiness import GpuReadiness, gpu_readiness
from orban_desktop.ui.status_model import AgentStatusModel, DisplayState
from orban_desktop.ui.theme import LIGHT
from orban_desktop.ui.tray import Tray
from orban_desktop.ui.views.gpus_view import GpusView
from orban_desktop.ui.views.overview_view import OverviewView
from orban_desktop.ui.widgets.gpu_charts import GpuCharts
from orban_desktop.ui.wording import advice, headline
from tests.ui.conftest import RunningAgent
from tests.ui.waiting import wait_until

REAL = GPUFacts(0, GPUVendor.NVIDIA, "RTX 4090", "GPU-1", 24 * 1024**3)
SIMULATED = GPUFacts(1, GPUVendor.NVIDIA, "Simulated", None, 8 * 1024**3, simulated=True)


def offline_model(detail: str | None, reason: str = "retrying") -> AgentStatusModel:
    model = AgentStatusModel(EventBridge(), agent_id="agent-x", clock=lambda: 100.0)
    model.platform_url = "ws://127.0.0.1:1"
    model.on_connection(
        ConnectionStateChanged(ConnectionState.OFFLINE, reason, retry_in_s=7.0, detail=detail)
    )
    return model


@pytest.mark.parametrize(
    ("detail", "expected"),
    [
        (
            "connection refused",
            "Cannot reach ws://127.0.0.1:1: connection refused. Retrying in 7 s",
        ),
        (
            "Cannot reach ws://127.0.0.1:1/agent/v1/connect: connection refused.",
            "Cannot reach ws://127.0.0.1:1/agent/v1/connect: connection refused. Retrying in 7 s",
        ),
        (  # the core's own sentence: its fixed countdown gives way to the live one
            "Cannot reach ws://127.0.0.1:1: connection refused. Retrying in 3 s.",
            "Cannot reach ws://127.0.0.1:1: connection refused. Retrying in 7 s",
        ),
        (None, "Offline: retrying in 7 s"),
    ],
)
def test_offline_says_the_reason_in_words_and_never_connected(
    detail: str | None, expected: str
) -> None:
    model = offline_model(detail)
    assert headline(model) == expected
    assert "connected" not in (headline(model) + advice(model)).lower()
    assert model.display_state is DisplayState.OFFLINE


def test_what_the_core_adds_goes_to_the_advice() -> None:
    model = offline_model(
        "Cannot reach ws://127.0.0.1:1: connection refused. Retrying in 3 s. Nothing listens at "
        "the local platform's address: run `orban-agent platform`."
    )
    assert headline(model) == "Cannot reach ws://127.0.0.1:1: connection refused. Retrying in 7 s"
    assert advice(model).startswith("Nothing listens at the local platform's address")


def test_giving_up_keeps_the_reason() -> None:
    model = offline_model("connection refused", reason="gave_up")
    assert headline(model) == "Cannot reach ws://127.0.0.1:1: connection refused. Stopped retrying"


@pytest.mark.parametrize(
    ("facts", "enabled", "practice", "readiness"),
    [
        ([], True, True, GpuReadiness.NONE_FOUND),
        ([REAL], False, False, GpuReadiness.ALL_SWITCHED_OFF),
        ([REAL, SIMULATED], True, False, GpuReadiness.READY),
        ([SIMULATED], True, True, GpuReadiness.DEMO),
        ([SIMULATED], True, False, GpuReadiness.SIMULATED_ONLY),
    ],
)
def test_readiness_from_the_gpu_facts(
    facts: list[GPUFacts], enabled: bool, practice: bool, readiness: GpuReadiness
) -> None:
    assert gpu_readiness(facts, lambda _i: enabled, practice=practice) is readiness


def test_no_gpu_is_its_own_state_with_what_to_do() -> None:
    model = AgentStatusModel(EventBridge(), agent_id="agent-x")
    model.on_connection(ConnectionStateChanged(ConnectionState.SERVING))
    model.set_readiness(GpuReadiness.NONE_FOUND)
    assert model.display_state is DisplayState.NO_GPU  # not green
    assert headline(model) == "No GPU that can earn: none found on this computer"
    words = advice(model)
    assert "driver" in words and "nvidia-smi" in words and "--demo" in words
    model.set_readiness(GpuReadiness.DEMO)
    assert model.display_state is DisplayState.ACTIVE


async def test_an_agent_without_a_gpu_says_so_everywhere(
    qtbot: QtBot, running_agent: RunningAgent
) -> None:
    if detect_gpus():
        pytest.skip("this machine has a GPU")
    async with running_agent(gpus=0) as dashboard:
        await wait_until(
            lambda: dashboard.status.state is ConnectionState.SERVING, "the agent to serve"
        )
        assert dashboard.status.readiness is GpuReadiness.NONE_FOUND
        overview = OverviewView(dashboard)
        qtbot.addWidget(overview)
        overview.show()
        assert overview.headline.text().startswith("No GPU that can earn")
        assert "nvidia-smi" in overview.advice.text()
        assert "connected to" not in overview.identity.text()
        tray = Tray(dashboard)
        assert tray.shown_state is DisplayState.NO_GPU
        assert tray.state_action.text().startswith("No GPU that can earn")
        gpus = GpusView(dashboard.host, dashboard.gpu_ring, dashboard.bridge, LIGHT, print)
        qtbot.addWidget(gpus)
        gpus.show()
        assert gpus.empty.isVisible() and not gpus.content.isVisible()  # no empty charts


async def test_an_offline_agent_names_its_platform_without_connected(
    qtbot: QtBot, running_agent: RunningAgent
) -> None:
    async with running_agent() as dashboard:
        overview = OverviewView(dashboard)
        qtbot.addWidget(overview)
        overview.show()
        dashboard.bridge.connection_changed.emit(
            ConnectionStateChanged(ConnectionState.OFFLINE, "retrying", 5.0, "connection refused")
        )
        assert overview.headline.text().startswith("Cannot reach ws://127.0.0.1:")
        assert "connected" not in overview.identity.text()
        assert overview.retry_button.isVisible()


def test_the_charts_mark_now(qtbot: QtBot) -> None:
    charts = GpuCharts(LIGHT)
    qtbot.addWidget(charts)
    assert set(charts.now_lines) == set(charts.plots)
    assert all(line.value() == 0.0 for line in charts.now_lines.values())
    top = charts.now_lines["utilization"]
    assert top.label is not None and top.label.toPlainText() == "now"
