"""``PlotsPanel``: the live plots of a run, refreshed about 30 times a second.

On each build it creates, per population monitor, a raster and a rate plot
(when it records spikes), a trace plot per recorded variable, and an
activity map for 2-D rate-coded populations; weight matrices are added on
request.  The timer only *pulls* from the ``LiveFeed`` (the worker never
touches a widget); plots skip work when nothing new arrived; the refresh rate
adapts to the GUI thread's CPU cost (see ``_tick``).  The time the
GUI thread spends refreshing is accumulated in ``refresh_seconds`` (for the
overhead benchmark).

The time bar (``timebar.TimeBar``) scrolls every plot over the whole recorded run, during and
after it: following the run, or showing a chosen window of time.  Traces keep the neurons a
user chose across runs of the same project; a new project starts with no plots.  Weight
plots (matrix, and for plastic projections the histogram and weights over time) come on
request or when a projection is plastic or monitored; asked after a run, they show the
weights at its end.  Export writes every plot as SVG, PDF and PNG (300 dpi) and its data as CSV.
"""
import os
import time

import numpy as np

from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFileDialog, QGridLayout, QHBoxLayout, QLabel, QPushButton,
                               QScrollArea, QSpinBox, QVBoxLayout, QWidget)

from ...core.library.units import unit_of, weight_unit
from ..run.worker import snapshot_weights
from .export import FORMATS
from .maps import ActivityMap, WeightHistogram, WeightPlot, WeightTimeline
from .raster import RasterPlot
from .timebar import TimeBar
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
        self.window.valueChanged.connect(self._window_changed)
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
        self.timebar = TimeBar()
        self.timebar.moved.connect(self._view_moved)
        layout.addLayout(bar)
        layout.addWidget(self.timebar)
        layout.addWidget(scroll, 1)
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self._tick)
        self._last_tick = None
        self._recent = []                  # (frame CPU, simulation CPU, wall time) of the last ticks
        self._warm = False
        self._frame_start = None
        self._worker_clock = None
        self.built = None
        self.trace_choices = {}            # (monitor, variable) -> ranks the user chose (kept across runs)
        self.view_start = None             # None: follow the run; else the first ms shown

    # ------------------------------------------------------------------ time travel
    def _window_changed(self, _value):
        self.timebar.set_window(float(self.window.value()))
        if not self.timer.isActive():
            self.refresh()

    def _view_moved(self, start):
        """The time bar moved: ``start`` (ms) or None to follow the run."""
        self.view_start = start
        for plot in self.plots:
            plot.view_start = start
            if isinstance(plot, RatePlot):
                plot.summary_now()
        self.refresh()

    def scroll_to(self, start_ms):
        """Show ``window`` ms from ``start_ms`` (None: follow the run), as the time bar does."""
        self.timebar.show_from(start_ms)

    # ------------------------------------------------------------------ set-up
    def clear(self):
        for plot in self.plots:
            if isinstance(plot, TracePlot):
                self.trace_choices[plot.key] = list(plot.columns)
            self.grid.removeWidget(plot)
            plot.deleteLater()
        self.plots = []

    def reset(self):
        """A new project: no plots, no run, no remembered choices."""
        self.timer.stop()
        self.clear()
        self.feed = self.built = None
        self.trace_choices = {}
        self.weights.clear()
        self.timebar.show_from(None)
        self.timebar.set_extent(0.0, force=True)
        self.status.setText("Build and run a project to see its recordings.")

    def set_run(self, built):
        """New plots for a freshly built simulation."""
        self.clear()
        self.feed, self.built = built.feed, built
        self.timebar.show_from(None)
        self.timebar.set_extent(0.0, force=True)
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
                self._place(TracePlot(name, meta["target"], var, self.feed, unit=unit_of(pop.neuron, var),
                                      columns=self.trace_choices.get((name, var))), row, 0)
                if len(meta["geometry"]) == 2 and len(meta["ranks"]) == pop.size:
                    self._place(ActivityMap(name, meta["target"], var, meta["geometry"]), row, 1)
                row += 1
        self.weights.clear()
        self.weights.addItems([p.name for p in spec.projections])
        self.status.setText(f"{len(self.plots)} plots")
        if not self.plots:
            self.status.setText("Nothing is recorded: tick variables under Recording in the inspector.")

    def _place(self, plot, row, col):
        plot.view_start = self.view_start
        self.grid.addWidget(plot, row, col)
        self.grid.setColumnStretch(col, 3 if col == 0 else 2)
        self.plots.append(plot)

    def show_weights(self, projection, plastic=None):
        """Weight matrix of ``projection`` (plus its histogram and weights over time when it is
        plastic); the worker snapshots its weights during runs, and now when no run is going."""
        if not projection or any(isinstance(p, WeightPlot) and p.projection == projection for p in self.plots):
            return
        self.watchRequested.emit(projection)
        unit = ""
        if self.built is not None:
            spec = self.built.project.spec
            proj = next((p for p in spec.projections if p.name == projection), None)
            if proj is not None:
                post = spec.population(proj.post if isinstance(proj.post, str) else proj.post.population)
                unit = weight_unit(post.neuron, proj.target)
                if plastic is None:
                    plastic = is_plastic(proj)
        row = self.grid.rowCount()
        self._place(WeightPlot(projection, unit=unit), row, 0)
        if plastic:
            self._place(WeightHistogram(projection, unit=unit), row, 1)
            self._place(WeightTimeline(projection, unit=unit), row + 1, 0)
        self.status.setText(f"{len(self.plots)} plots")
        self.snapshot_now(projection)

    def snapshot_now(self, projection):
        """Take the weights of a built network that is not running (after a run, before it)."""
        built = self.built
        if built is None or self.timer.isActive():          # during a run the worker takes them
            return
        try:
            snapshot_weights(built.sim, built.feed, projection)
        except Exception:  # noqa: BLE001 - no weights to show is not an error
            return
        self.refresh()

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
        for plot in self.plots:
            if isinstance(plot, RatePlot):
                plot.summary_now()          # the final summary now, not throttled
        if self.feed is not None:
            self.timebar.set_extent(self.feed.t, force=True)
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
        self.timebar.set_extent(self.feed.t)
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
        """Every plot into ``folder`` as ``fmt`` (svg, pdf, png at 300 dpi, csv: the data)."""
        paths = []
        for i, plot in enumerate(self.plots):
            safe = "".join(c if c.isalnum() else "_" for c in plot.title).strip("_")
            paths.append(plot.export(os.path.join(folder, f"{i:02d}_{safe}.{fmt}")))
        return paths

    def _export_dialog(self, folder=None):
        folder = folder or QFileDialog.getExistingDirectory(self, "Export plots (SVG, PDF, PNG 300 dpi, CSV)")
        if folder:
            self.refresh()
            for fmt in FORMATS:
                self.export_all(folder, fmt)
            self.status.setText(f"Exported {len(self.plots)} plots to {folder}")


def is_plastic(projection):
    """True when the projection's synapse changes its weights (equations or spike events writing w)."""
    syn = projection.synapse
    if syn is None:
        return False
    text = " ".join(str(getattr(syn, k, "") or "") for k in ("equations", "pre_spike", "post_spike"))
    return any(token in text.replace(" ", "") for token in ("dw/dt", "w+=", "w-=", "w=", "w*="))
