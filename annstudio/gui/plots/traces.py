"""Traces of one recorded variable for chosen neurons (up to 16), over the
visible time window; and the population firing rate from the spike bins."""
import numpy as np
import pyqtgraph as pg

from ..forms import CommitLineEdit
from ..values import format_ranks, parse_ranks
from .base import LivePlot, page_start, set_page

COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
          "#bcbd22", "#17becf"]


def nice_ceiling(x):
    """The smallest of 1, 2, 5 x 10^k at least ``x``."""
    if x <= 0:
        return 1.0
    exponent = 10 ** np.floor(np.log10(x))
    for m in (1, 2, 5, 10):
        if m * exponent >= x:
            return float(m * exponent)
    return float(10 * exponent)


class TracePlot(LivePlot):
    kind = "trace"

    def __init__(self, monitor, population, variable, feed, parent=None):
        super().__init__(f"{population}.{variable}", parent)
        self.monitor, self.variable = monitor, variable
        self.key = (monitor, variable)
        trace = feed.traces[self.key]
        self.neurons = CommitLineEdit(parse_ranks)
        self.neurons.setMaximumWidth(140)
        self.neurons.set_text_quiet(format_ranks(trace.columns))
        self.neurons.setToolTip("Neurons to trace (up to 16), e.g. 0-3, 10")
        self.neurons.committed.connect(lambda ranks: self._choose(feed, ranks))
        self.add_control("neurons", self.neurons)
        self.finish_controls()
        self.plot.setLabel("left", variable)
        self.plot.getPlotItem().setClipToView(True)
        self.plot.getPlotItem().setDownsampling(auto=True, mode="peak")
        self.curves = []
        self._seen = -1

    def _choose(self, feed, ranks):
        feed.set_trace_columns(self.monitor, self.variable, ranks)
        self._seen = -1

    def _ensure_curves(self, n):
        while len(self.curves) < n:
            color = COLORS[len(self.curves) % len(COLORS)]
            self.curves.append(self.plot.plot(pen=pg.mkPen(color, width=1.2)))
        for extra in self.curves[n:]:
            extra.setData([], [])

    def refresh(self, feed, window_ms):
        if feed.version == self._seen:
            return
        self._seen = feed.version
        with feed.lock:
            trace = feed.traces.get(self.key)
            if trace is None:
                return
            times, values = trace.times.view(), trace.values.view()
        t1 = feed.t
        t0 = page_start(t1, window_ms)
        a = int(np.searchsorted(times, t0))
        times, values = times[a:], values[a:]
        self._ensure_curves(values.shape[1] if values.ndim == 2 else 0)
        for i in range(values.shape[1] if values.ndim == 2 else 0):
            self.curves[i].setData(times - t0, values[:, i])
        set_page(self, t1, window_ms)
        self.points_drawn = values.size
        self.refreshes += 1


class RatePlot(LivePlot):
    kind = "rate"

    def __init__(self, monitor, population, parent=None):
        super().__init__(f"Population rate: {population}", parent)
        self.monitor = monitor
        self.finish_controls()
        self.curve = self.plot.plot(pen=pg.mkPen("#d9731a", width=1.5))
        self.plot.setLabel("left", "rate (Hz)")
        self.plot.enableAutoRange(False)
        self._ymax = 0.0
        self._seen = -1

    def refresh(self, feed, window_ms):
        if feed.version == self._seen:
            return
        self._seen = feed.version
        buf = feed.spikes.get(self.monitor)
        if buf is None:
            return
        t1 = feed.t
        t0 = page_start(t1, window_ms)
        with feed.lock:
            times, rate = buf.rate(t1)
        a = int(np.searchsorted(times, t0))
        self.curve.setData(times[a:] - t0, rate[a:])
        set_page(self, t1, window_ms)
        top = float(rate[a:].max()) if len(rate) > a else 0.0
        if top > self._ymax or top < 0.3 * self._ymax:      # rescale rarely (axis redraws are slow)
            self._ymax = max(1.0, nice_ceiling(top * 1.25))
            self.plot.setYRange(0, self._ymax, padding=0)
        self.points_drawn = len(rate) - a
        self.refreshes += 1

    def mean_rate(self, feed, t0, t1):
        """Mean rate (Hz) over [t0, t1) ms (tests use it to see activity change)."""
        buf = feed.spikes.get(self.monitor)
        with feed.lock:
            times, _ = buf.window(t0, t1)
        return len(times) / max(buf.size, 1) / max((t1 - t0) / 1000.0, 1e-9)
