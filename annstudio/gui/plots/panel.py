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

import numpy as np

from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFileDialog, QGridLayout, QHBoxLayout, QLabel, QPushButton,
                               QScrollArea, QSpinBox, QVBoxLayout, QWidget)

from .maps import ActivityMap, WeightPlot
from .raster import RasterPlot
from .traces import RatePlot, TracePlot

REFRESH_MS = 33          # every plot redrawn about 30 times a second when the machine allows it
DUTY = 0.08              # GUI CPU of live frames per unit of simulation CPU, at most (10 % in all)
MAX_INTERVAL_MS = 200    # at least 5 frames a second, however loaded the machine
RECENT_TICKS = 8         # ticks the cost estimate looks back on
# posted after a tick's refreshes below the priority of Qt's repaint requests: handled once the
# frame is painted and composed, it closes the measurement of the frame's CPU time
FRAME_END = QEvent.Type(QEvent.registerEventType())
FRAME_END_PRIORITY = Qt.EventPriority.LowEventPriority.value - 1


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
        self.frame_cpu_seconds = 0.0       # CPU of the GUI thread in live frames: refresh, paint, composition
        self.tick_count = 0                # timer ticks that refreshed the plots
        self.frame_count = 0               # ticks where at least one plot had new data to draw
        self.duty = None                   # plotting CPU / simulation CPU over the last ticks
        self.frame_cost = None             # GUI CPU of a frame (s) over the last ticks
        self.sim_rate = None               # simulation CPU per wall second over the last ticks
        self.live = QCheckBox("Live updates")
        self.live.setChecked(True)
        self.live.setToolTip("Turn off for speed: plots update when the run ends")
        self.live.toggled.connect(self._live_toggled)
        self.window = QSpinBox()
        self.window.setRange(10, 1_000_000)
        self.window.setValue(1000)
        self.window.setSuffix(" ms")
        self.window.setToolTip("Visible time window")
        self.window.valueChanged.connect(lambda _value: None if self.timer.isActive() else self.refresh())
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
        self._last_tick = None
        self._recent = []                  # (frame CPU, simulation CPU, wall time) of the last ticks
        self._warm = False
        self._frame_start = None
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
        self._recent, self._warm = [], False
        self.duty = self.frame_cost = self.sim_rate = None
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

    def plotting_cpu_seconds(self):
        """GUI-thread CPU spent on the plots so far: pulling and binning data, painting."""
        return self.refresh_cpu_seconds + sum(p.plot.paint_cpu_seconds for p in self.plots)

    def event(self, event):
        if event.type() == FRAME_END:
            if self._frame_start is not None:
                self.frame_cpu_seconds += time.thread_time() - self._frame_start
                self._frame_start = None
            return True
        return super().event(event)

    def _tick(self):
        """One timer tick updates every plot; Qt paints them afterwards in one pass
        (one composition of the window per frame, not one per plot).

        Plots redraw every ``REFRESH_MS`` (about 30 times a second) unless that
        would make plotting (the plots' refreshes, then Qt painting and
        composing the window, all on the GUI thread) cost more than ``DUTY`` of
        the simulation's own CPU time (the worker thread's CPU clock; the wall
        clock where that clock is not available): then the interval grows, up
        to ``MAX_INTERVAL_MS``, so that live plots never starve the simulation
        (a huge network, many plots, a slow machine), and comes back down as
        soon as the cost allows (see ``_next_interval``).  The frame's CPU is
        measured from the tick to an event posted below the priority of Qt's
        repaint requests (``FRAME_END``): refreshes, painting and composition."""
        if self.feed is None or not self.live.isChecked() or not self.plots:
            return
        now = (self.frame_cpu_seconds, self._simulation_clock(), time.perf_counter())
        if self._last_tick is not None:
            if self._warm:
                self._recent.append(tuple(b - a for a, b in zip(self._last_tick, now)))
                del self._recent[:-RECENT_TICKS]
            self._warm = True            # the first frame of a run paints everything: not counted
        self._last_tick = now            # from tick to tick: a refresh and the painting after it
        self.timer.setInterval(self._next_interval())
        if self._frame_start is not None:      # the last frame's end never came: count up to now
            self.frame_cpu_seconds += time.thread_time() - self._frame_start
        self._frame_start = time.thread_time()
        before = sum(p.refreshes for p in self.plots)
        for index in range(len(self.plots)):
            self._refresh_one(index)
        QCoreApplication.postEvent(self, QEvent(FRAME_END), FRAME_END_PRIORITY)
        self.tick_count += 1
        if sum(p.refreshes for p in self.plots) > before:
            self.frame_count += 1

    def _next_interval(self):
        """The timer interval (ms) at which frames cost ``DUTY`` of the simulation's CPU,
        from the last ticks' (frame CPU, simulation CPU, wall time): the mean CPU of
        a frame (the most expensive one left out, so that one slow frame, such as a
        resize, does not slow the next ones; regular costs such as page turns
        count) over ``DUTY`` times the simulation's CPU per wall second.

        Much of a frame's cost is in proportion to the data it draws (spikes
        binned, columns painted), which a longer interval only gathers into fewer,
        heavier frames: ``DUTY`` must leave room above what the data alone costs,
        or the interval climbs for little gain (the old panel, which budgeted its
        whole GUI thread at 8 %, settled at 8 frames a second on COBA)."""
        frames = self._recent
        if not frames:
            return REFRESH_MS
        cost, sim, wall = (np.array(column, dtype=np.float64) for column in zip(*frames))
        total_wall = wall.sum()
        sim_rate = sim.sum() / total_wall if total_wall > 0 else 0.0
        self.duty = cost.sum() / max(sim.sum(), 1e-9)
        if len(cost) >= 3:
            cost = np.delete(cost, int(np.argmax(cost)))
        self.frame_cost, self.sim_rate = float(cost.mean()), sim_rate
        if self.frame_cost <= 1e-4:             # nothing to draw (paused, no new data): stay ready
            return REFRESH_MS
        if sim_rate <= 1e-3:
            return MAX_INTERVAL_MS
        interval_ms = 1000.0 * self.frame_cost / (DUTY * sim_rate)
        return int(min(MAX_INTERVAL_MS, max(REFRESH_MS, interval_ms)))

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
