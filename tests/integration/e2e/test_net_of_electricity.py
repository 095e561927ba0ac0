"""Net of electricity end to end: a real agent runs tasks on a simulated GPU (which reports power),
stores each task's measured energy next to its earning, and the ledger's net is gross minus the
energy at the owner's price, to the micro-unit."""

from __future__ import annotations

import asyncio
from pathlib import Path

from orban_desktop.agent.components import AgentComponents
from orban_desktop.agent.host import AgentHost
from orban_desktop.config import AgentConfig
from orban_desktop.config.paths import AppPaths
from orban_desktop.earnings.net import cost_micros
from orban_desktop.events import EarningRecorded, EventBus, TaskFinished
from orban_desktop.money import Money
from orban_desktop.network.auth import Authenticator
from tests.integration.e2e.harness import agent_config, platform, wait_for


def quick(parts: AgentComponents) -> None:
    parts.progress_interval_s = 0.2
    parts.reconnect_base_delay_s = 0.05


async def test_each_task_energy_is_kept_and_the_net_adds_up(tmp_path: Path) -> None:
    async with platform(tmp_path) as server:
        data = agent_config(server.ws_url).to_toml_data()
        data["energy"] = {"electricity_price_per_kwh": "0.30", "currency": "USD"}
        config = AgentConfig.from_toml_data(data)
        bus = EventBus()
        finished: list[TaskFinished] = []
        earned: list[EarningRecorded] = []
        bus.subscribe(TaskFinished, finished.append)
        bus.subscribe(EarningRecorded, earned.append)
        host = AgentHost(
            paths=AppPaths.under(tmp_path / "agent"), config=config, bus=bus,
            identity=Authenticator.generate(), tune_parts=quick, sample_interval_s=0.2,
        )  # fmt: skip
        await host.start()
        try:
            await wait_for(lambda: bool(earned), timeout=60, what="an earning")
            done = [f for f in finished if f.succeeded]
            assert done and done[0].energy_kwh is not None and done[0].energy_source == "power"
            ledger = host.earnings()
            for _ in range(100):  # the recorder writes on the ledger's thread
                if await ledger.energy_of([f.task_id for f in done]):
                    break
                await asyncio.sleep(0.05)
            else:
                raise AssertionError("no energy stored for a finished task")
            price = Money.parse("0.30")
            summary = await ledger.net_summary(price)
            total = summary.total
            measured = await ledger.energy_of([e.task_id for e in earned])
            assert total.energy_mwh == sum(r.energy_mwh for r in measured.values())
            assert total.cost_micros == cost_micros(total.energy_mwh, price)
            if total.without_energy == 0:
                assert total.net_micros == total.gross_micros - total.cost_micros
        finally:
            await host.stop()
