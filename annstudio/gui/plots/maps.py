"""Image plots: the activity map of a 2-D population (latest recorded row,
reshaped to the geometry) and the weight matrix of a projection (any shape: the aspect is
kept square only for shapes no more elongated than ``MAX_SQUARE_RATIO``); and, for a watched
projection, its weight histogram and its weights over time (mean, median, 10-90 %).  The
weight plots show the snapshot at the end of the visible time (the panel's time bar)."""
import numpy as np
import pyqtgraph as pg

from .base import LivePlot, axis_label

MAX_SQUARE_RATIO = 4.0


class _ImagePlot(LivePlot):
    def __init__(self, title, parent=None):
        super().__init__(title, parent)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setColorMap(pg.colormap.get("viridis"))
        self.plot.addItem(self.image)
        self.plot.setLabel("bottom", "column")
        self.plot.setLabel("left", "row")
        self.plot.setAspectLocked(True)
        self.plot.invertY(True)
        self.bar = pg.ColorBarItem(colorMap=pg.colormap.get("viridis"), width=12, interactive=False)
        self.bar.setImageItem(self.image, insert_in=self.plot.getPlotItem())
        self.bar.axis.enableAutoSIPrefix(False)          # "w (x0.001)" reads as a wrong value
        for side in ("left", "bottom"):
            self.plot.getAxis(side).integer_ticks = True
        self.finish_controls()
        self._seen = -1

    def show_array(self, array, square=True):
        finite = array[np.isfinite(array)]
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        if hi <= lo:
            hi = lo + 1e-9
        self.image.setImage(np.nan_to_num(array, nan=lo), levels=(lo, hi), autoLevels=False)
        if array.shape != getattr(self, "_shape", None):
            self._shape = array.shape
            rows, columns = array.shape
            ratio = max(rows, columns) / max(min(rows, columns), 1)
            self.plot.setAspectLocked(square and ratio <= MAX_SQUARE_RATIO)
            self.plot.getViewBox().autoRange(padding=0.02)
        self.array = array
        self.bar.setLevels((lo, hi))
        self.points_drawn = array.size
        self.refreshes += 1


class ActivityMap(_ImagePlot):
    kind = "map"

    def __init__(self, monitor, population, variable, geometry, parent=None):
        super().__init__(f"{population}.{variable} (map)", parent)
        self.key = (monitor, variable)
        self.geometry = tuple(int(g) for g in geometry)

    def refresh(self, feed, window_ms):
        if feed.version == self._seen:
            return
        self._seen = feed.version
        with feed.lock:
            trace = feed.traces.get(self.key)
            latest = None if trace is None or trace.latest is None else trace.latest.copy()
        if latest is None or latest.size != int(np.prod(self.geometry)):
            return
        self.show_array(latest.reshape(self.geometry[:2]))


    def data_table(self):
        array = getattr(self, "array", None)
        if array is None:
            return ["row"], []
        return ["row"] + [f"column {j}" for j in range(array.shape[1])], \
            [[i] + [f"{v:.9g}" for v in row] for i, row in enumerate(array)]


def _snapshot(plot, feed, window_ms):
    """The weight snapshot the plot shows: at the end of the visible span (the latest when following)."""
    key = (feed.version, plot.view_start, window_ms)
    if key == plot._seen:
        return None
    plot._seen = key
    t = None if plot.view_start is None else plot.view_start + window_ms
    return feed.weights_at(plot.projection, t)


class WeightPlot(_ImagePlot):
    kind = "weights"

    def __init__(self, projection, parent=None, unit=""):
        super().__init__(f"Weights: {projection} (post × pre)", parent)
        self.projection = projection
        self.plot.setLabel("bottom", "presynaptic neuron (bin)")
        self.plot.setLabel("left", "post neuron (bin)")
        self.bar.axis.setLabel(axis_label("w", unit))

    def refresh(self, feed, window_ms):
        snap = _snapshot(self, feed, window_ms)
        if snap is not None:
            self.show_array(np.asarray(snap["matrix"], dtype=np.float64), square=True)
            self.page_label.setText(f"t = {snap['t']:g} ms")


class WeightHistogram(LivePlot):
    kind = "weight_histogram"

    def __init__(self, projection, parent=None, unit=""):
        super().__init__(f"Weight distribution: {projection}", parent)
        self.projection = projection
        self.finish_controls()
        self.bars = pg.BarGraphItem(x0=[], x1=[], height=[], brush="#4a6fb5", pen=None)
        self.plot.addItem(self.bars)
        self.plot.setLabel("bottom", axis_label("w", unit))
        self.plot.setLabel("left", "synapses")
        self._seen = None
        self.counts, self.edges = np.zeros(0), np.zeros(1)

    def refresh(self, feed, window_ms):
        snap = _snapshot(self, feed, window_ms)
        if snap is None:
            return
        self.counts, self.edges = snap["counts"], snap["edges"]
        self.bars.setOpts(x0=self.edges[:-1], x1=self.edges[1:], height=self.counts)
        if len(self.counts):
            self.plot.setXRange(float(self.edges[0]), float(self.edges[-1]), padding=0.02)
            self.plot.setYRange(0.0, max(1.0, float(self.counts.max()) * 1.1), padding=0)
        self.page_label.setText(f"t = {snap['t']:g} ms")
        self.points_drawn = len(self.counts)
        self.refreshes += 1

    def data_table(self):
        return ["w from", "w to", "synapses"], [(f"{a:.9g}", f"{b:.9g}", int(c)) for a, b, c in
                                                zip(self.edges[:-1], self.edges[1:], self.counts)]


class WeightTimeline(LivePlot):
    kind = "weight_timeline"

    def __init__(self, projection, parent=None, unit=""):
        super().__init__(f"Weights over time: {projection}", parent)
        self.projection = projection
        self.finish_controls()
        self.plot.setLabel("left", axis_label("w", unit))
        self.legend = self.plot.addLegend(offset=(-4, 4), labelTextSize="8pt")
        self.band = [self.plot.plot([], [], pen=pg.mkPen("#9fb4d9")) for _ in range(2)]
        self.fill = pg.FillBetweenItem(self.band[0], self.band[1], brush=pg.mkBrush(159, 180, 217, 90))
        self.plot.addItem(self.fill)
        self.mean = self.plot.plot([], [], pen=pg.mkPen("#1f3b73", width=2), name="mean")
        self.median = self.plot.plot([], [], pen=pg.mkPen("#d9731a"), name="median")
        self.legend.addItem(self.band[0], "10-90 %")
        self.cursor = pg.InfiniteLine(angle=90, pen=pg.mkPen("#888888", style=pg.QtCore.Qt.PenStyle.DashLine))
        self.plot.addItem(self.cursor)
        self._seen = None
        self.table = []

    def refresh(self, feed, window_ms):
        key = (feed.version, self.view_start, window_ms)
        if key == self._seen:
            return
        self._seen = key
        with feed.lock:
            history = list(feed.weight_history.get(self.projection, ()))
            t_now = feed.t
        if not history:
            return
        t = np.array([h["t"] for h in history])
        cols = {k: np.array([h[k] for h in history]) for k in ("mean", "median", "p10", "p90")}
        self.mean.setData(t, cols["mean"])
        self.median.setData(t, cols["median"])
        self.band[0].setData(t, cols["p10"])
        self.band[1].setData(t, cols["p90"])
        self.cursor.setValue(t_now if self.view_start is None else self.view_start + window_ms)
        self.plot.setXRange(0.0, max(float(t[-1]), 1.0), padding=0.02)
        self.table = [(f"{a:g}", *(f"{cols[k][i]:.9g}" for k in ("mean", "median", "p10", "p90")))
                      for i, a in enumerate(t)]
        self.points_drawn = len(t)
        self.refreshes += 1

    def data_table(self):
        return ["time (ms)", "mean w", "median w", "10 % w", "90 % w"], self.table
