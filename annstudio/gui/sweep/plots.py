"""The sweep dashboard's plots: thumbnails of each run, the summary curve, a run's full plots.

- ``Thumbnail``: one run's small raster (the first spike monitor's spikes; above ``THUMB_ROWS`` neurons,
  every k-th neuron, so that a large population stays readable at that size) or, with no spikes
  recorded, the mean trace of the first recorded variable; a click emits ``clicked(run)``.
- ``ThumbnailGrid``: the small multiples, one row per varied value and one column per seed, filled as
  runs finish (``add(outcome, recordings)``).
- ``SummaryCurve``: a summary column (e.g. ``M.rate``) against the varied value: mean over the seeds
  with error bars (standard deviation over the seeds).
- ``RunView``: a dialog with every recording of one run (rasters and mean traces).
"""
import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QGridLayout, QLabel, QVBoxLayout, QWidget

THUMB_W, THUMB_H = 150, 90
THUMB_ROWS = 80          # neurons a raster thumbnail shows at most (every k-th one beyond)


def _first_spikes(recordings):
    for key in sorted(recordings):
        if key.endswith(".spike.times"):
            return recordings[key], recordings[key[:-len("times")] + "ranks"]
    return None


def _mean_trace(value):
    arr = np.asarray(value, dtype=float) if not isinstance(value, list) else np.zeros(0)
    if arr.ndim >= 2:
        return arr.reshape(arr.shape[0], -1).mean(axis=1)
    return arr


class Thumbnail(pg.PlotWidget):
    clicked = Signal(int)

    def __init__(self, run, title, recordings, dt):
        super().__init__()
        self.run = run
        self.setFixedSize(THUMB_W, THUMB_H)
        self.setMouseEnabled(False, False)
        self.hideButtons()
        self.setMenuEnabled(False)
        for axis in ("left", "bottom"):
            self.hideAxis(axis)
        self.setTitle(title, size="7pt")
        self.setToolTip(f"run {run}: {title} (click for its plots)")
        spikes = _first_spikes(recordings)
        if spikes is not None:
            times, ranks = np.asarray(spikes[0]), np.asarray(spikes[1])
            self.kind = "raster"
            self.every = max(1, -(-(int(ranks.max()) + 1) // THUMB_ROWS)) if ranks.size else 1
            keep = ranks % self.every == 0
            self.item = pg.ScatterPlotItem(times[keep] * dt, ranks[keep] // self.every, size=1.5, pen=None,
                                           brush=pg.mkBrush(30, 30, 30))
        else:
            key = next((k for k in sorted(recordings) if not k.endswith("ranks")), None)
            y = _mean_trace(recordings[key]) if key else np.zeros(0)
            self.kind = "trace"
            self.item = pg.PlotDataItem(np.arange(y.size) * dt, y, pen=pg.mkPen(20, 90, 180))
        self.addItem(self.item)

    def mousePressEvent(self, event):
        if event.button() == Qt.LeftButton:
            self.clicked.emit(self.run)
        super().mousePressEvent(event)


class ThumbnailGrid(QWidget):
    clicked = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.grid = QGridLayout(self)
        self.grid.setSpacing(4)
        self.thumbnails = {}

    def clear(self):
        for thumb in self.thumbnails.values():
            self.grid.removeWidget(thumb)
            thumb.deleteLater()
        self.thumbnails = {}

    def add(self, outcome, recordings, name, dt):
        run = outcome["run"]
        if run in self.thumbnails:
            return self.thumbnails[run]
        value = outcome["values"].get(name, float("nan"))
        thumb = Thumbnail(run, f"{name}={value:g}  seed {outcome['replicate']}", recordings, dt)
        thumb.clicked.connect(self.clicked)
        self.grid.addWidget(thumb, outcome["point"], outcome["replicate"])
        self.thumbnails[run] = thumb
        return thumb


class SummaryCurve(pg.PlotWidget):
    """Mean of ``column`` over seeds against the varied value, with standard-deviation error bars."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setMinimumHeight(160)
        self.showGrid(x=True, y=True, alpha=0.3)
        for axis in ("bottom", "left"):
            self.getAxis(axis).enableAutoSIPrefix(False)         # the values as typed, not "x0.001"
        self.curve = self.plot([], [], pen=pg.mkPen(200, 60, 20, width=2), symbol="o", symbolSize=6)
        self.bars = pg.ErrorBarItem(x=np.zeros(0), y=np.zeros(0), height=np.zeros(0), beam=0.0)
        self.addItem(self.bars)
        self.x = np.zeros(0)
        self.mean = np.zeros(0)
        self.std = np.zeros(0)

    def update_from(self, outcomes, name, column):
        by_value = {}
        for o in outcomes:
            v = o["summary"].get(column)
            if v is not None and np.isfinite(v):
                by_value.setdefault(o["values"].get(name), []).append(v)
        xs = sorted(k for k in by_value if k is not None)
        self.x = np.array(xs, dtype=float)
        self.mean = np.array([np.mean(by_value[x]) for x in xs], dtype=float)
        self.std = np.array([np.std(by_value[x]) for x in xs], dtype=float)
        self.curve.setData(self.x, self.mean)
        beam = 0.3 * float(np.min(np.diff(self.x))) if self.x.size > 1 else 0.0
        self.bars.setData(x=self.x, y=self.mean, height=2 * self.std, beam=beam)
        self.setLabel("bottom", name)
        self.setLabel("left", summary_label(column))


def summary_label(column):
    """A summary column's axis label in words with its unit: 'M.rate' -> 'M: mean rate (Hz)'."""
    monitor, _, what = column.partition(".")
    if what == "rate":
        return f"{monitor}: mean rate (Hz), ± s.d. over seeds"
    if what == "cv_isi":
        return f"{monitor}: CV of ISI, ± s.d. over seeds"
    if what.endswith(".mean"):
        return f"{monitor}: mean of {what[:-len('.mean')]}, ± s.d. over seeds"
    return column


class RunView(QDialog):
    """Every recording of one run: a raster per spike monitor, the mean trace of every other variable."""

    def __init__(self, title, recordings, dt, parent=None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(720, 520)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(title))
        self.plots = {}
        for key in sorted(recordings):
            if key.endswith(".spike.ranks"):
                continue
            plot = pg.PlotWidget()
            plot.setMinimumHeight(140)
            if key.endswith(".spike.times"):
                ranks = recordings[key[:-len("times")] + "ranks"]
                plot.addItem(pg.ScatterPlotItem(np.asarray(recordings[key]) * dt, ranks, size=2, pen=None))
                plot.setLabel("left", key[:-len(".times")] + " (rank)")
            else:
                y = _mean_trace(recordings[key])
                plot.plot(np.arange(y.size) * dt, y)
                plot.setLabel("left", f"{key} (mean)")
            plot.setLabel("bottom", "time (ms)")
            layout.addWidget(plot)
            self.plots[key] = plot
