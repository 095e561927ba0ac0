"""``orban-agent run``: only ``--headless`` here; the window is ``orban-desktop``."""

from __future__ import annotations

import pytest

from orban_desktop.cli import build_parser
from orban_desktop.commands.run import headless_argv
from tests.unit.commands.fake_agent import run_cli


def test_run_without_headless_points_to_the_desktop_app() -> None:
    code, lines = run_cli(["run"])
    assert code == 2
    assert "orban-desktop" in lines[0] and "run --headless" in lines[0]


def test_every_upstream_verb_and_ours_is_there() -> None:
    verbs = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert {"start", "stop", "status", "earnings", "logs", "version"} <= set(verbs)
    assert {"run", "import", "export-earnings"} <= set(verbs)


def test_start_passes_its_headless_options_to_the_background_agent() -> None:
    args = build_parser().parse_args(
        ["start", "--local-platform", "--simulate-gpus", "2", "--metrics-port", "0"]
    )
    assert headless_argv(args) == [
        "--local-platform", "--simulate-gpus", "2", "--metrics-port", "0",
        "--metrics-host", "127.0.0.1",
    ]  # fmt: skip


@pytest.mark.parametrize(
    "argv", [["run", "--headless", "--simulate-gpus", "17"], ["run", "--metrics-port", "70000"]]
)
def test_out_of_range_options_are_usage_errors(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        build_parser().parse_args(argv)
    assert exc.value.code == 2
