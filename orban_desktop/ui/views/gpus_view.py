"""The GPUs page: live charts of one GPU at a time, its facts and an enable switch per GPU.

The list on the left has a row per GPU with a check box that enables or disables it for tasks
(saved in the settings and applied at once; a task running on a GPU switched off finishes).
The right side shows the chosen GPU's facts (name, memory, compute capability, driver; "not
reported" where the driver does not say) and
:class:`~orban_desktop.ui.widgets.gpu_charts.GpuCharts` over the last 5 minutes or hour, from
the readings the window itself kept (:class:`~orban_desktop.ui.gpu_ring.GpuSampleRing`), never
from the core's history. Samples are coalesced into one redraw a frame
(:class:`~orban_desktop.ui.frame_coalescer.FrameCoalescer`) and nothing is drawn while the page
is hidden or the window minimised; showing it again catches up at once. With no GPU
at all the page shows an empty state instead (why no GPU can earn and what to do), never empty
charts.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from orban_desktop.agent.host import AgentHost
from orban_desktop.events import GpuSampled
from orban_desktop.gpu.device import GPUFacts
from orban_desktop.ui.bridge import EventBridge
from orban_desktop.ui.formatting import gib_text, not_reported
from orban_desktop.ui.frame_coalescer import FrameCoalescer
from orban_desktop.ui.gpu_readiness import GpuReadiness
from orban_desktop.ui.gpu_ring import GpuSampleRing
from orban_desktop.ui.state_wording import no_gpu_advice, no_gpu_headline
from orban_desktop.ui.theme import Theme
from orban_desktop.ui.widgets.gpu_card import gpu_title, simulated_badge
from orban_desktop.ui.widgets.gpu_charts import GpuCharts
from orban_desktop.ui.widgets.labels import card_frame, label

translate = QCoreApplication.translate
WINDOWS_S = (300, 3600)


class GpusView(QWidget):
    """Per-GPU charts, facts and enable switches.

    Args:
        set_enabled: Called with ``(gpu_index, enabled)`` when the owner flips a switch.
    """

    def __init__(
        self,
        host: AgentHost,
        ring: GpuSampleRing,
        bridge: EventBridge,
        theme: Theme,
        set_enabled: Callable[[int, bool], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.host, self.ring = host, ring
        self._set_enabled = set_enabled
        page = QVBoxLayout(self)
        page.setContentsMargins(20, 16, 20, 16)
        self.empty = self._empty_state()
        page.addWidget(self.empty)
        self.content = QWidget()
        page.addWidget(self.content, 1)
        page.addStretch(0)  # keeps the empty state at the top while the charts are hidden
        layout = QHBoxLayout(self.content)
        layout.setContentsMargins(0, 0, 0, 0)
        left = QVBoxLayout()
        left.addWidget(QLabel(translate("GpusView", "GPUs (checked: used for tasks)")))
        self.gpu_list = QListWidget()
        self.gpu_list.setMaximumWidth(260)
        self.gpu_list.setSpacing(2)
        self.gpu_list.currentRowChanged.connect(self._select)
        self.gpu_list.itemChanged.connect(self._switch_changed)
        left.addWidget(self.gpu_list, 1)
        layout.addLayout(left)
        right = QVBoxLayout()
        header = QHBoxLayout()
        self.title = label("", "pageTitle")
        header.addWidget(self.title, 1)
        self.badge = simulated_badge()
        header.addWidget(self.badge)
        self.window_choice = QComboBox()
        self.window_choice.addItem(translate("GpusView", "Last 5 minutes"), WINDOWS_S[0])
        self.window_choice.addItem(translate("GpusView", "Last hour"), WINDOWS_S[1])
        self.window_choice.currentIndexChanged.connect(self.redraw)
        header.addWidget(self.window_choice)
        right.addLayout(header)
        facts_card = card_frame()
        self.facts_form = QFormLayout(facts_card)
        right.addWidget(facts_card)
        self.charts = GpuCharts(theme)
        right.addWidget(self.charts, 1)
        layout.addLayout(right, 1)
        self.facts: list[GPUFacts] = []
        self.frames = FrameCoalescer(self, self.redraw)
        bridge.gpu_sampled.connect(self._on_sample)
        self.reload_gpus()

    def _empty_state(self) -> QWidget:
        card = card_frame()
        column = QVBoxLayout(card)
        column.addWidget(label(no_gpu_headline(GpuReadiness.NONE_FOUND), "pageTitle"))
        column.addWidget(label(no_gpu_advice(GpuReadiness.NONE_FOUND), "advice", wrap=True))
        card.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        card.hide()
        return card

    @property
    def window_s(self) -> int:
        return int(self.window_choice.currentData())

    def reload_gpus(self) -> None:
        """Re-read the detected GPUs (after the agent started or restarted)."""
        if not self.host.running:
            return
        self.facts = self.host.gpu_facts()
        current = max(0, self.gpu_list.currentRow())
        self.gpu_list.blockSignals(True)
        self.gpu_list.clear()
        for facts in self.facts:
            label = gpu_title(facts.index, facts.name)
            if facts.simulated:
                label += "  [" + translate("GpusView", "SIMULATED") + "]"
            item = QListWidgetItem(label)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            enabled = self.host.gpu_enabled(facts.index)
            item.setCheckState(Qt.CheckState.Checked if enabled else Qt.CheckState.Unchecked)
            item.setData(Qt.ItemDataRole.UserRole, facts.index)
            self.gpu_list.addItem(item)
        self.gpu_list.blockSignals(False)
        self.empty.setVisible(not self.facts)
        self.content.setVisible(bool(self.facts))
        if self.facts:
            self.gpu_list.setCurrentRow(min(current, len(self.facts) - 1))
            self._select(self.gpu_list.currentRow())

    def selected(self) -> GPUFacts | None:
        row = self.gpu_list.currentRow()
        return self.facts[row] if 0 <= row < len(self.facts) else None

    def _select(self, _row: int) -> None:
        facts = self.selected()
        if facts is None:
            return
        self.title.setText(gpu_title(facts.index, facts.name))
        self.badge.setVisible(facts.simulated)
        while self.facts_form.rowCount():
            self.facts_form.removeRow(0)
        for caption, value in (
            (translate("GpusView", "Memory"), gib_text(facts.memory_total_bytes)),
            (translate("GpusView", "Compute capability"), facts.compute_capability),
            (translate("GpusView", "Driver"), facts.driver_version),
            (translate("GpusView", "Vendor"), str(facts.vendor)),
            (translate("GpusView", "UUID"), facts.uuid),
            (translate("GpusView", "PCI bus"), facts.pci_bus_id),
        ):
            self.facts_form.addRow(caption, QLabel(value or not_reported()))
        self.redraw()

    def _switch_changed(self, item: QListWidgetItem) -> None:
        index = int(item.data(Qt.ItemDataRole.UserRole))
        self._set_enabled(index, item.checkState() == Qt.CheckState.Checked)

    def _on_sample(self, _event: GpuSampled) -> None:
        self.frames.request()

    def catch_up(self) -> None:
        """Draw what came while the page was off screen (the window was restored)."""
        self.frames.catch_up()

    def redraw(self) -> None:
        facts = self.selected()
        if facts is None:
            return
        now = time.monotonic()
        samples = self.ring.window(facts.index, self.window_s, now)
        self.charts.show_samples(samples, now, self.window_s)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.frames.flush()
