"""Live GPU views: the Overview's cards and the GPUs page's charts follow the agent's samples."""

from __future__ import annotations

import dataclasses

from pytestqt.qtbot import QtBot

from orban_desktop.events import GpuSampled
from orban_desktop.gpu.device import GPUStatus
from orban_desktop.ui.dashboard import Dashboard
from orban_desktop.ui.gpu_series import GpuSeries
from orban_desktop.ui.main_window import MainWindow
from orban_desktop.ui.theme import DARK
from orban_desktop.ui.views.gpus_view import GpusView
from orban_desktop.ui.views.overview_view import OverviewView
from orban_desktop.ui.widgets.gpu_charts import GpuCharts
from tests.ui.conftest import RunningAgent
from tests.ui.waiting import wait_until


def window_on(qtbot: QtBot, dashboard: Dashboard, page: str) -> MainWindow:
    window = MainWindow(dashboard, close_to_tray=False)
    qtbot.addWidget(window)
    window.show()
    window.show_page(page)
    return window


def points(view: GpusView, key: str = "utilization") -> int:
    x, _y = view.charts.curves[key].getData()
    return 0 if x is None else len(x)


async def test_charts_follow_the_samples_and_say_not_reported(
    qtbot: QtBot, running_agent: RunningAgent
) -> None:
    async with running_agent() as dashboard:
        await check_charts(qtbot, dashboard)


async def check_charts(qtbot: QtBot, dashboard: Dashboard) -> None:
    window = window_on(qtbot, dashboard, "gpus")
    view = window.page("gpus")
    assert isinstance(view, GpusView)
    assert dashboard.host.fast_sampling  # the charts are on screen: 1 Hz
    assert dashboard.host.runtime.sampler.fast
    await wait_until(lambda: points(view) >= 2, "two samples on the chart")
    before = points(view)
    await wait_until(lambda: points(view) > before, "the chart to grow with the next sample")
    assert [f.index for f in view.facts] == [0, 1]
    assert view.badge.isVisible()  # simulated GPUs are labelled

    latest = dashboard.gpu_ring.latest()
    mine = dataclasses.replace(latest[0], utilization_pct=42.0, fan_speed_pct=None)
    event = GpuSampled((mine, *latest[1:]))
    dashboard.host.bus.publish(event)  # the chart's ring is the UI's own: the event is enough
    await wait_until(lambda: view.charts.latest["utilization"] == 42.0, "the next frame")
    assert "42.0 %" in view.charts.plots["utilization"].titleLabel.text
    assert "not reported" in view.charts.plots["fan"].titleLabel.text

    window.show_page("tasks")
    assert not dashboard.host.runtime.sampler.fast  # no chart on screen: slow again


async def test_overview_has_a_labelled_card_per_gpu_with_a_sparkline(
    qtbot: QtBot, running_agent: RunningAgent
) -> None:
    async with running_agent() as dashboard:
        await check_overview(qtbot, dashboard)


async def check_overview(qtbot: QtBot, dashboard: Dashboard) -> None:
    window = window_on(qtbot, dashboard, "overview")
    overview = window.page("overview")
    assert isinstance(overview, OverviewView)
    await wait_until(lambda: len(overview.cards) == 2, "a card per GPU")
    card = overview.cards[0]
    assert card.badge.isVisible() and card.badge.text() == "SIMULATED"
    await wait_until(lambda: len(card.sparkline.values) >= 2, "the sparkline to fill")
    assert card.readings["utilization"].text().endswith("%")
    await wait_until(lambda: overview.headline.text() == "Connected", "the agent to connect")


def test_a_metric_never_reported_says_so_instead_of_zero(qtbot: QtBot) -> None:
    charts = GpuCharts(DARK)
    qtbot.addWidget(charts)
    base = GPUStatus(0, None, "Test GPU", "NVIDIA", False, monotonic_ts=100.0)  # type: ignore[arg-type]
    samples = [
        dataclasses.replace(base, monotonic_ts=100.0 + i, utilization_pct=float(i))
        for i in range(5)
    ]
    series = GpuSeries(10)
    for sample in samples:
        series.add(sample)
    charts.show_samples(series.window(300, 105.0), now=105.0, window_s=300)
    assert charts.missing["power"].isVisible()
    assert not charts.missing["utilization"].isVisible()
    assert charts.plots["power"].titleLabel.text.endswith("not reported")
    _x, y = charts.curves["utilization"].getData()
    assert list(y) == [0.0, 1.0, 2.0, 3.0, 4.0]
