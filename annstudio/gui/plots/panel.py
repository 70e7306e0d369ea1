"""``PlotsPanel``: the live plots of a run, refreshed about 30 times a second.

On each build it creates, per population monitor, a raster and a rate plot
(when it records spikes), a trace plot per recorded variable, and an
activity map for 2-D rate-coded populations; weight matrices are added on
request.  The timer only *pulls* from the ``LiveFeed`` (the worker never
touches a widget); plots skip work when nothing new arrived; the refresh rate
adapts to the GUI thread's CPU cost (see ``_tick``).  The time the
GUI thread spends refreshing is accumulated in ``refresh_seconds`` (for the
overhead benchmark).
"""
import os
import time

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFileDialog, QGridLayout, QHBoxLayout, QLabel, QPushButton,
                               QScrollArea, QSpinBox, QVBoxLayout, QWidget)

from .maps import ActivityMap, WeightPlot
from .raster import RasterPlot
from .traces import RatePlot, TracePlot

REFRESH_MS = 33          # every plot redrawn about 30 times a second when the machine allows it
MIN_INTERVAL_MS = 8
DUTY = 0.08              # GUI-thread CPU per unit of simulation CPU while plotting live
MAX_INTERVAL_MS = 200    # at least 5 frames a second, however loaded the machine


class PlotsPanel(QWidget):
    liveToggled = Signal(bool)
    watchRequested = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.feed = None
        self.plots = []
        self.refresh_seconds = 0.0         # wall time in refreshes (GUI thread)
        self.refresh_cpu_seconds = 0.0     # CPU time of the GUI thread in refreshes
        self.refresh_count = 0
        self.live = QCheckBox("Live updates")
        self.live.setChecked(True)
        self.live.setToolTip("Turn off for speed: plots update when the run ends")
        self.live.toggled.connect(self._live_toggled)
        self.window = QSpinBox()
        self.window.setRange(10, 1_000_000)
        self.window.setValue(1000)
        self.window.setSuffix(" ms")
        self.window.setToolTip("Visible time window")
        self.weights = QComboBox()
        self.weights.setMinimumWidth(120)
        show_weights = QPushButton("Show weights")
        show_weights.clicked.connect(lambda: self.show_weights(self.weights.currentText()))
        export = QPushButton("Export plots…")
        export.clicked.connect(self._export_dialog)
        self.status = QLabel("Build and run a project to see its recordings.")
        bar = QHBoxLayout()
        for w in (self.live, QLabel("window"), self.window, QLabel("projection"), self.weights, show_weights, export):
            bar.addWidget(w)
        bar.addStretch(1)
        bar.addWidget(self.status)
        self.grid_host = QWidget()
        self.grid = QGridLayout(self.grid_host)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.grid_host)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(bar)
        layout.addWidget(scroll, 1)
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self._tick)
        self._next = -1
        self._last_tick = None
        self._worker_clock = None

    # ------------------------------------------------------------------ set-up
    def clear(self):
        for plot in self.plots:
            self.grid.removeWidget(plot)
            plot.deleteLater()
        self.plots = []

    def set_run(self, built):
        """New plots for a freshly built simulation."""
        self.clear()
        self.feed = built.feed
        project = built.project
        spec = project.spec
        row = 0
        for name, meta in self.feed.meta.items():
            pop = spec.population(meta["target"])
            if name in self.feed.spikes:
                self._place(RasterPlot(name, meta["target"], meta["size"]), row, 0)
                self._place(RatePlot(name, meta["target"]), row, 1)
                row += 1
            for var in meta["variables"]:
                if var == "spike":
                    continue
                self._place(TracePlot(name, meta["target"], var, self.feed), row, 0)
                if len(meta["geometry"]) == 2 and len(meta["ranks"]) == pop.size:
                    self._place(ActivityMap(name, meta["target"], var, meta["geometry"]), row, 1)
                row += 1
        self.weights.clear()
        self.weights.addItems([p.name for p in spec.projections])
        self.status.setText(f"{len(self.plots)} plots")
        if not self.plots:
            self.status.setText("Nothing is recorded: tick variables under Recording in the inspector.")

    def _place(self, plot, row, col):
        self.grid.addWidget(plot, row, col)
        self.grid.setColumnStretch(col, 3 if col == 0 else 2)
        self.plots.append(plot)

    def show_weights(self, projection):
        if not projection or any(isinstance(p, WeightPlot) and p.projection == projection for p in self.plots):
            return
        self.watchRequested.emit(projection)
        row = self.grid.rowCount()
        self._place(WeightPlot(projection), row, 0)

    # ------------------------------------------------------------------ refresh
    def start(self, worker_thread_id=None):
        """Start live refreshing; ``worker_thread_id`` (the run thread) budgets the GUI's CPU."""
        self._worker_clock = None
        if worker_thread_id is not None and hasattr(time, "pthread_getcpuclockid"):
            try:
                self._worker_clock = time.pthread_getcpuclockid(worker_thread_id)
            except OSError:
                self._worker_clock = None
        self._last_tick = None
        self.timer.setInterval(REFRESH_MS)
        self.timer.start()

    def stop(self):
        self.timer.stop()
        self.refresh()

    def _live_toggled(self, on):
        self.liveToggled.emit(on)

    def refresh(self):
        """Pull and redraw every plot now (at the end of a run, on demand)."""
        if self.feed is None:
            return
        for index in range(len(self.plots)):
            self._refresh_one(index)

    def _tick(self):
        """One timer tick updates every plot; Qt paints them afterwards in one pass
        (one composition of the window per frame, not one per plot).

        The interval adapts so that everything the GUI thread does (data,
        painting, compositing, the rest of the event loop) costs about ``DUTY``
        of the simulation's own CPU time (the worker thread's CPU clock; the
        wall clock where that clock is not available), never faster than
        ``REFRESH_MS`` (30 frames a second) nor slower than ``MAX_INTERVAL_MS``.
        The frame rate therefore follows the machine: on the shared 2-core test
        machine a 4000-neuron COBA raster gets about 8 frames a second per plot
        for under 10 % overhead; a fast or idle machine gets more."""
        if self.feed is None or not self.live.isChecked() or not self.plots:
            return
        now = (time.thread_time(), self._simulation_clock())
        slot_ms = REFRESH_MS
        interval = self.timer.interval()
        if self._last_tick is not None and now[1] > self._last_tick[1]:
            duty = (now[0] - self._last_tick[0]) / (now[1] - self._last_tick[1])
            interval = interval * min(2.0, max(0.5, duty / DUTY))
        self.timer.setInterval(int(min(MAX_INTERVAL_MS, max(slot_ms, interval))))
        self._last_tick = now
        for index in range(len(self.plots)):
            self._refresh_one(index)

    def _simulation_clock(self):
        if self._worker_clock is not None:
            try:
                return time.clock_gettime(self._worker_clock)
            except OSError:          # the worker thread has ended
                self._worker_clock = None
        return time.perf_counter()

    def _refresh_one(self, index):
        start, cpu = time.perf_counter(), time.thread_time()
        self.plots[index].refresh(self.feed, float(self.window.value()))
        cost = time.perf_counter() - start
        self.refresh_cpu_seconds += time.thread_time() - cpu
        self.refresh_seconds += cost
        self.refresh_count += 1
        return cost

    def paint_seconds(self):
        return sum(p.plot.paint_seconds for p in self.plots)

    def plot_of(self, kind, population=None):
        for plot in self.plots:
            if plot.kind == kind and (population is None or population in plot.title):
                return plot
        return None

    # ------------------------------------------------------------------ export
    def export_all(self, folder, fmt="png"):
        paths = []
        for i, plot in enumerate(self.plots):
            safe = "".join(c if c.isalnum() else "_" for c in plot.title).strip("_")
            paths.append(plot.export(os.path.join(folder, f"{i:02d}_{safe}.{fmt}")))
        return paths

    def _export_dialog(self):
        folder = QFileDialog.getExistingDirectory(self, "Export plots to folder")
        if folder:
            self.export_all(folder, "png")
            self.export_all(folder, "svg")
