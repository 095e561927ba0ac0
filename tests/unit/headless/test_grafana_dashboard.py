"""The shipped Grafana dashboard and Prometheus example ask only for what the agent exports.

Metric names are parsed out of every PromQL expression in ``packaging/grafana/orban-fleet.json``
(strings, label matchers, ranges and ``by (...)`` lists removed; a name followed by ``(`` is a
function) and compared with the families an agent's registry exposes, each with the suffixes its
type gives it in the text format. ``promtool`` (skipped without it; a failure when ``CI`` is set)
checks that every expression parses and that the scrape configuration is valid.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from orban_desktop.headless.metrics_registry import AgentMetrics
from tests.unit.commands.fake_agent import sample_snapshot

ROOT = Path(__file__).resolve().parents[3]
DASHBOARD = ROOT / "packaging" / "grafana" / "orban-fleet.json"
SCRAPE_CONFIG = ROOT / "packaging" / "prometheus" / "prometheus.yml"
#: The text format's names for a family of each type.
SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count"), "info": ("_info",),
            "gauge": ("",), "summary": ("", "_sum", "_count")}  # fmt: skip
KEYWORDS = frozenset({"by", "without", "on", "ignoring", "group_left", "group_right", "bool",
                      "and", "or", "unless", "offset", "inf", "nan"})  # fmt: skip
_REMOVED = (r'"(?:[^"\\]|\\.)*"', r"\{[^}]*\}", r"\[[^\]]*\]",
            r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")  # fmt: skip
_NAME = re.compile(r"(?<![\w:.])[a-zA-Z_:][\w:]*(?![\w:]|\s*\()")


def dashboard() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    return data


def panels(items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for panel in items:
        yield panel
        yield from panels(panel.get("panels", []))


def expressions() -> list[str]:
    return [
        target["expr"]
        for panel in panels(dashboard()["panels"])
        for target in panel.get("targets", [])
    ]


def metric_names(expr: str) -> set[str]:
    """The metric names ``expr`` selects (a PromQL subset: what a dashboard uses)."""
    for pattern in _REMOVED:
        expr = re.sub(pattern, " ", expr)
    tokens = {match.group(0) for match in _NAME.finditer(expr)}
    return {token for token in tokens if token.lower() not in KEYWORDS}


def exported_names() -> set[str]:
    metrics = AgentMetrics()
    metrics.update(sample_snapshot(1))
    return {
        family.name + suffix
        for family in metrics.registry.collect()
        for suffix in SUFFIXES[family.type]
    }


def test_the_name_parser_finds_metrics_and_skips_functions_and_labels() -> None:
    expr = ('histogram_quantile(0.9, sum by (le, stage) (rate(x_bucket{instance=~"$i"}'
            '[$__rate_interval]))) / on (instance) group_left count(y) > bool 2')  # fmt: skip
    assert metric_names(expr) == {"x_bucket", "y"}


def test_every_dashboard_expression_names_only_exported_metrics() -> None:
    exported = exported_names()
    assert {"orban_earned_usd_total", "orban_gpu_info", "orban_reconnects_total",
            "orban_task_stage_duration_seconds_bucket", "orban_agent_info"} <= exported  # fmt: skip
    exprs = expressions()
    assert len(exprs) >= 15
    for expr in exprs:
        names = metric_names(expr)
        assert names, expr
        assert names <= exported, (expr, names - exported)


def test_the_dashboard_covers_the_fleet_and_takes_its_datasource_as_an_input() -> None:
    data = dashboard()
    assert [i["name"] for i in data["__inputs"]] == ["DS_PROMETHEUS"]
    for panel in panels(data["panels"]):
        if panel["type"] != "row":
            assert panel["datasource"]["uid"] == "${DS_PROMETHEUS}", panel["title"]
    used = set().union(*map(metric_names, expressions()))
    for wanted in ("orban_earned_usd_total", "orban_tasks_completed_total",
                   "orban_tasks_failed_total", "orban_gpu_utilization_ratio",
                   "orban_gpu_temperature_celsius", "orban_gpu_power_watts",
                   "orban_reconnects_total"):  # fmt: skip
        assert wanted in used
    assert not any("net" in name for name in used)  # no net metric exists yet
    assert "instance" in {variable["name"] for variable in data["templating"]["list"]}


def _promtool() -> str:
    promtool = shutil.which("promtool")
    if promtool is None:
        message = "promtool not installed (apt-get install prometheus; .ci/run does)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return promtool


def test_promtool_parses_every_expression(tmp_path: Path) -> None:
    promtool = _promtool()
    rules = [
        {"record": f"orban:dashboard_check_{n}",
         "expr": expr.replace("$__rate_interval", "1m").replace("$instance", ".*")}
        for n, expr in enumerate(expressions())
    ]  # fmt: skip
    path = tmp_path / "rules.json"  # JSON is YAML: promtool reads it
    path.write_text(json.dumps({"groups": [{"name": "dashboard", "rules": rules}]}))
    done = subprocess.run([promtool, "check", "rules", str(path)],
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


def test_promtool_accepts_the_example_scrape_configuration() -> None:
    done = subprocess.run([_promtool(), "check", "config", str(SCRAPE_CONFIG)],
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
