"""The Prometheus endpoint: text format 0.0.4 rendered from a status snapshot, served over HTTP."""

from __future__ import annotations

import re
from dataclasses import replace

import aiohttp

from orban_desktop.headless.prometheus import CONTENT_TYPE, MetricsServer, render_metrics
from orban_desktop.headless.status_file import StatusSnapshot
from tests.unit.commands.fake_agent import sample_snapshot

SAMPLE_LINE = re.compile(r'[a-z_]+(\{([a-z_]+="[^"\\]*",?)+\})? -?[0-9.e+]+')


def samples(text: str) -> dict[str, str]:
    lines = text.splitlines()
    for line in lines:
        assert (
            line.startswith("# HELP ") or line.startswith("# TYPE ") or SAMPLE_LINE.fullmatch(line)
        ), line
    return dict(line.rsplit(" ", 1) for line in lines if not line.startswith("#"))


def test_the_exposition_names_every_series() -> None:
    text = render_metrics(sample_snapshot(42))
    assert text.endswith("\n")
    values = samples(text)
    assert values["orban_agent_up"] == "1"
    assert values['orban_agent_state{state="serving"}'] == "1"
    assert values['orban_agent_state{state="offline"}'] == "0"
    assert values['orban_gpu_utilization_ratio{gpu="0",simulated="true"}'] == "0.45"
    assert values['orban_gpu_temperature_celsius{gpu="0",simulated="true"}'] == "61.0"
    assert values['orban_gpu_memory_used_bytes{gpu="0",simulated="true"}'] == str(3 * 1024**3)
    assert values['orban_gpu_power_watts{gpu="0",simulated="true"}'] == "250.0"
    assert values["orban_tasks_running"] == "1"
    assert values["orban_tasks_completed_total"] == "5"
    assert values["orban_tasks_failed_total"] == "1"
    assert values['orban_earnings_micro_usd_total{status="pending"}'] == "103688"
    assert values['orban_earnings_micro_usd_total{status="paid"}'] == "960000"
    assert "# TYPE orban_tasks_completed_total counter" in text


def test_a_reading_a_gpu_does_not_report_is_left_out() -> None:
    values = samples(render_metrics(sample_snapshot(42)))
    assert not any('gpu="1"' in name for name in values)  # the quiet card reports nothing


def test_a_series_no_gpu_reports_has_no_family() -> None:
    snapshot = sample_snapshot(42)
    snapshot = replace(snapshot, gpus=(replace(snapshot.gpus[0], power_w=None),), earnings=None)
    text = render_metrics(snapshot)
    assert "orban_gpu_power_watts" not in text
    assert "orban_earnings_micro_usd_total" not in text
    assert "orban_gpu_temperature_celsius" in text


def test_label_values_are_escaped() -> None:
    text = render_metrics(replace(sample_snapshot(42), state='odd"state\\'))
    assert 'orban_agent_state{state="odd\\"state\\\\"} 1' in text


async def test_the_server_answers_scrapes_on_loopback() -> None:
    scrapes = 0

    async def source() -> StatusSnapshot:
        nonlocal scrapes
        scrapes += 1
        return sample_snapshot(42)

    server = MetricsServer(source, port=0)
    await server.start()
    try:
        assert server.port != 0
        assert server.url == f"http://127.0.0.1:{server.port}/metrics"
        async with aiohttp.ClientSession() as session, session.get(server.url) as response:
            assert response.status == 200
            assert response.headers["Content-Type"] == CONTENT_TYPE
            body = await response.text()
    finally:
        await server.stop()
    assert body == render_metrics(sample_snapshot(42))
    assert scrapes == 1
