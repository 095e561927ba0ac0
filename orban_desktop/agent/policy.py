"""The contribution policy: whether the agent may take work now, and if not, why (pure logic).

:class:`ContributionPolicy` turns the owner's settings (allowed hours, temperature limit, pause
when another program uses the GPU, only when the owner is away) and the current readings into a
set of :class:`PauseReason` codes; an empty set means "contribute".
:meth:`ContributionPolicy.reconfigure` takes new settings while the agent runs. Temperature has
hysteresis, so the agent does not flap between paused and working around the limit: once a GPU
reaches the limit, ``TOO_HOT`` holds until every GPU has cooled to ``limit - cool_down_margin_c``,
and each GPU that reached it stays in ``hot_gpus`` until it has cooled that far itself. The only
state kept is that overheat state. No I/O, no clock (the caller passes the local time and the
owner's presence); imports nothing from Qt.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence

from orban_desktop.events import PauseReason as PauseReason
from orban_desktop.gpu.device import GPUStatus
from orban_desktop.presence.away import Presence


class ContributionPolicy:
    """Decides the pause reasons from settings and readings; keeps per-GPU overheat state.

    Args:
        allows_time: Whether work is allowed at a local wall-clock time
            (``ScheduleSection.allows``).
        temperature_limit_c: A GPU at or above this many degrees Celsius is too hot
            (``GpuSection.temperature_limit_c``).
        pause_on_foreign_process: Pause while another program uses a GPU
            (``ScheduleSection.pause_when_foreign_process``).
        cool_down_margin_c: A too-hot GPU is fine again only at or below
            ``temperature_limit_c - cool_down_margin_c``.

    Raises:
        ValueError: ``cool_down_margin_c`` is negative.
    """

    def __init__(
        self,
        *,
        allows_time: Callable[[datetime.time], bool],
        temperature_limit_c: float,
        pause_on_foreign_process: bool,
        cool_down_margin_c: float = 5.0,
    ) -> None:
        if cool_down_margin_c < 0:
            raise ValueError(f"cool_down_margin_c must not be negative (got {cool_down_margin_c})")
        self._allows_time = allows_time
        self.temperature_limit_c = temperature_limit_c
        self.pause_on_foreign_process = pause_on_foreign_process
        self.cool_down_margin_c = cool_down_margin_c
        self._hot: set[int] = set()
        self._too_hot = False

    def reconfigure(
        self,
        *,
        allows_time: Callable[[datetime.time], bool],
        temperature_limit_c: float,
        pause_on_foreign_process: bool,
    ) -> None:
        """Use new settings from the next :meth:`evaluate` on; the overheat state is kept."""
        self._allows_time = allows_time
        self.temperature_limit_c = temperature_limit_c
        self.pause_on_foreign_process = pause_on_foreign_process

    @property
    def resume_below_c(self) -> float:
        """The temperature a too-hot GPU must cool to (at or below) before it counts as fine."""
        return self.temperature_limit_c - self.cool_down_margin_c

    @property
    def hot_gpus(self) -> frozenset[int]:
        """Indices of the GPUs that are too hot, as of the last :meth:`evaluate`."""
        return frozenset(self._hot)

    def gpu_too_hot(self, index: int) -> bool:
        """Whether GPU ``index`` is too hot (so the runtime can skip just that device)."""
        return index in self._hot

    def _update_temperatures(self, statuses: Sequence[GPUStatus]) -> None:
        hot: set[int] = set()
        for status in statuses:
            temperature = status.temperature_c
            if temperature is None:
                continue  # no reading: never counts as too hot
            was_hot = status.index in self._hot
            if temperature >= self.temperature_limit_c or (
                was_hot and temperature > self.resume_below_c
            ):
                hot.add(status.index)
        self._hot = hot
        readings = [s.temperature_c for s in statuses if s.temperature_c is not None]
        if hot:
            self._too_hot = True
        elif all(t <= self.resume_below_c for t in readings):
            self._too_hot = False

    def evaluate(
        self,
        *,
        now: datetime.time,
        statuses: Sequence[GPUStatus],
        foreign_process_count: int,
        user_paused: bool,
        presence: Presence | None = None,
    ) -> frozenset[PauseReason]:
        """The reasons to pause now; empty when the agent may contribute.

        Args:
            now: Local wall-clock time.
            statuses: The latest reading of every GPU. A GPU missing from it, or without a
                temperature reading, is not too hot.
            foreign_process_count: Programs other than ours using a GPU now.
            user_paused: The owner paused contribution.
            presence: Whether the owner is away, when "Only when I'm away" is on (``None``:
                the setting is off, presence does not matter).

        Returns:
            The reasons that hold. ``TOO_HOT`` starts when a GPU reaches the limit and ends
            when every GPU with a reading is at or below :attr:`resume_below_c`.
        """
        self._update_temperatures(statuses)
        reasons: set[PauseReason] = set()
        if user_paused:
            reasons.add(PauseReason.USER)
        if self.pause_on_foreign_process and foreign_process_count > 0:
            reasons.add(PauseReason.FOREIGN_PROCESS)
        if self._too_hot:
            reasons.add(PauseReason.TOO_HOT)
        if not self._allows_time(now):
            reasons.add(PauseReason.OUTSIDE_HOURS)
        if presence is Presence.AT_COMPUTER:
            reasons.add(PauseReason.OWNER_PRESENT)
        elif presence is Presence.UNKNOWN:
            reasons.add(PauseReason.PRESENCE_UNKNOWN)
        return frozenset(reasons)
