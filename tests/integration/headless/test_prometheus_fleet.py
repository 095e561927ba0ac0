"""A fleet for real: Debian's ``prometheus`` server scrapes two headless agents and adds them up.

Two ``orban-agent run --headless --local-platform --simulate-gpus N --metrics-port 0`` processes
(one and two simulated GPUs, each with every file under its own folder) run until each has an
earning; a ``prometheus`` binary on loopback (its configuration and TSDB in ``tmp_path``, a
200 ms scrape interval) finds them through a ``file_sd_configs`` targets file, as
``packaging/prometheus/prometheus.yml`` does, and answers PromQL over its HTTP API: the fleet's
GPU count and its total earnings. The agents keep earning (about one task a second each), so the
total is compared in micro-USD with the agents' own figures read straight from their endpoints
just before and after the query, and only a reading in which neither agent moved counts.
Skipped without ``prometheus`` (a failure when ``CI`` is set).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from prometheus_client.parser import text_string_to_metric_families

from orban_desktop.headless.status_file import read_status
from tests.unit.commands.fake_agent import run_cli

pytestmark = pytest.mark.slow
GUARD_S = 120.0  # only against hanging forever
GPUS = (1, 2)
T = TypeVar("T")


def wait_for(
    what: str, check: Callable[[], T | None], processes: list[subprocess.Popen[bytes]]
) -> T:
    """Poll ``check()`` until it returns something truthy; fail when a process dies first."""
    deadline = time.monotonic() + GUARD_S
    while time.monotonic() < deadline:
        for process in processes:
            if process.poll() is not None:
                pytest.fail(f"{process.args!r} exited with {process.returncode} before {what}")
        result = check()
        if result:
            return result
        time.sleep(0.1)
    pytest.fail(f"never: {what}")


def earned_micros(url: str) -> int:
    """The agent's own ``orban_earned_usd_total``, in micro-USD (0 before its first earning)."""
    with urllib.request.urlopen(url, timeout=30) as response:
        text = response.read().decode()
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "orban_earned_usd_total":
                return round(sample.value * 1_000_000)
    return 0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return bool(response.status == 200)
    except OSError:  # not listening yet, or 503 while it starts
        return False


def query(base: str, promql: str) -> list[dict[str, Any]]:
    url = f"{base}/api/v1/query?{urllib.parse.urlencode({'query': promql})}"
    with urllib.request.urlopen(url, timeout=30) as response:
        answer = json.load(response)
    assert answer["status"] == "success", answer
    result: list[dict[str, Any]] = answer["data"]["result"]
    return result


def scalar(base: str, promql: str) -> float | None:
    result = query(base, promql)
    return float(result[0]["value"][1]) if result else None


@pytest.fixture
def agents(tmp_path: Path) -> Iterator[list[tuple[Path, subprocess.Popen[bytes]]]]:
    started: list[tuple[Path, subprocess.Popen[bytes]]] = []
    try:
        for n, gpus in enumerate(GPUS):
            root = tmp_path / f"rig-{n}"
            code, lines = run_cli(["keygen", "--root", str(root)])
            assert code == 0, lines
            argv = [sys.executable, "-m", "orban_desktop.cli", "run", "--headless",
                    "--local-platform", "--simulate-gpus", str(gpus), "--metrics-port", "0",
                    "--root", str(root)]  # fmt: skip
            with (root / "console.txt").open("wb") as console:
                started.append((root, subprocess.Popen(argv, stdout=console, stderr=console)))
        yield started
    finally:
        for _, process in started:
            if process.poll() is None:
                process.terminate()
        for _, process in started:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=30)


@pytest.fixture
def prometheus_binary() -> str:
    binary = shutil.which("prometheus")
    if binary is None:
        message = "prometheus not installed (apt-get install prometheus; .ci/run does)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return binary


def start_prometheus(
    binary: str, tmp_path: Path, urls: list[str]
) -> tuple[subprocess.Popen[bytes], str]:
    targets = [{"targets": [urllib.parse.urlsplit(url).netloc], "labels": {"rig": f"rig-{n}"}}
               for n, url in enumerate(urls)]  # fmt: skip
    (tmp_path / "rigs.json").write_text(json.dumps(targets))
    config = {"global": {"scrape_interval": "200ms", "scrape_timeout": "150ms"},
              "scrape_configs": [{"job_name": "orban-agent",
                                  "file_sd_configs": [{"files": ["rigs.json"]}]}]}  # fmt: skip
    (tmp_path / "prometheus.yml").write_text(json.dumps(config))  # JSON is YAML
    port = free_port()
    argv = [
        binary,
        f"--config.file={tmp_path / 'prometheus.yml'}",
        f"--storage.tsdb.path={tmp_path / 'tsdb'}",
        f"--web.listen-address=127.0.0.1:{port}",
    ]
    with (tmp_path / "prometheus.log").open("wb") as log:
        process = subprocess.Popen(argv, stdout=log, stderr=log)
    return process, f"http://127.0.0.1:{port}"


def test_prometheus_adds_up_the_fleet(
    tmp_path: Path, prometheus_binary: str, agents: list[tuple[Path, subprocess.Popen[bytes]]]
) -> None:
    began = time.monotonic()
    processes = [process for _, process in agents]

    def metrics_urls() -> list[str] | None:
        snapshots = [read_status(root / "state" / "status.json") for root, _ in agents]
        urls = [s.metrics_url if s is not None else None for s in snapshots]
        return None if None in urls else [url for url in urls if url is not None]

    urls = wait_for("the agents serve metrics", metrics_urls, processes)
    wait_for("each agent has an earning", lambda: all(map(earned_micros, urls)), processes)
    prometheus, base = start_prometheus(prometheus_binary, tmp_path, urls)
    try:
        fleet = [*processes, prometheus]
        wait_for("Prometheus is ready", lambda: answers(f"{base}/-/ready"), fleet)
        wait_for("Prometheus sees both rigs",
                 lambda: scalar(base, "count(orban_agent_up)") == len(GPUS), fleet)  # fmt: skip
        assert scalar(base, "count(orban_gpu_info)") == sum(GPUS)
        by_rig = query(base, "count by (rig) (orban_gpu_info)")
        assert {(r["metric"]["rig"], r["value"][1]) for r in by_rig} == {
            ("rig-0", "1"),
            ("rig-1", "2"),
        }

        def settled_total() -> tuple[int, list[int]] | None:
            before = [earned_micros(url) for url in urls]
            total = scalar(base, "sum(orban_earned_usd_total)")
            after = [earned_micros(url) for url in urls]
            if total is None or before != after:
                return None  # an agent earned meanwhile: read again
            return (round(total * 1_000_000), after) if round(total * 1e6) == sum(after) else None

        total, own = wait_for("Prometheus's total matches the agents'", settled_total, fleet)
        assert total == sum(own) and all(own)
    finally:
        prometheus.terminate()
        prometheus.wait(timeout=60)
    assert time.monotonic() - began < GUARD_S
