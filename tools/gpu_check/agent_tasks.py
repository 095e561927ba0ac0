"""GPU check 4: a headless agent on the real GPU completes verified embedding tasks.

Starts the local platform (real model jobs only) and our agent on this machine's real GPUs,
with the process sandbox and the given runner environment (``--runner-python``, e.g. this
machine's python3 with orban_runner installed), and waits until the platform has verified
``--tasks`` results that ran on CUDA. Prints each task's device, rows/s and pay.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

from orban_desktop.agent.components import build_components
from orban_desktop.agent.runtime import AgentRuntime
from orban_desktop.config import AgentConfig
from orban_desktop.config.paths import AppPaths
from orban_platform.server import LocalPlatform
from orban_platform.settings import PlatformSettings


async def run(root: Path, tasks: int, runner_python: str, timeout_s: float) -> int:
    settings = PlatformSettings(
        data_dir=root / "platform", ws_port=0, http_port=0, workloads=("text-embedding",),
        queue_target=1, heartbeat_interval_s=10.0, confirm_delay_s=5.0, pow_difficulty=12,
    )  # fmt: skip
    async with LocalPlatform(settings) as platform:
        config = AgentConfig.from_toml_data(
            {
                "agent": {"platform_url": platform.ws_url},
                "network": {"heartbeat_interval_secs": 5},
                "sandbox": {"preference": "process", "runner_python": runner_python},
            }
        )
        parts = await build_components(config, config.resolved(AppPaths.under(root / "agent")))
        runtime = AgentRuntime(parts)
        agent = asyncio.create_task(runtime.run())
        started = time.monotonic()
        try:
            while time.monotonic() - started < timeout_s:
                stats = platform.status()["workloads"].get("text-embedding", {})
                if stats.get("verified", 0) >= tasks:
                    break
                await asyncio.sleep(1)
        finally:
            await runtime.stop()
            await asyncio.wait_for(agent, 60)
        status = platform.status()
    stats = status["workloads"].get("text-embedding", {})
    print(f"platform: {stats}")
    for entry in status["agents"]:
        earned = status["earnings"].get(entry["agent_id"])
        print(f"agent {entry['agent_id']}: {entry['work']}; earned {earned}")
        if "its GPU" not in str(entry["work"]):
            print("FAIL: the agent did not get real jobs for its GPU")
            return 1
    if stats.get("verified", 0) < tasks or stats.get("rejected", 0):
        print(f"FAIL: {stats.get('verified', 0)} of {tasks} embedding tasks verified")
        return 1
    return 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("root", type=Path)
    parser.add_argument("--tasks", type=int, default=3)
    parser.add_argument("--runner-python", required=True)
    parser.add_argument("--timeout", type=float, default=300.0)
    args = parser.parse_args()
    return asyncio.run(run(args.root, args.tasks, args.runner_python, args.timeout))


if __name__ == "__main__":
    sys.exit(main())
