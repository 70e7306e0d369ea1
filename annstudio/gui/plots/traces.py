"""Traces of one recorded variable for chosen neurons (up to 16), over the
visible time window; and the population firing rate from the spike bins."""
import numpy as np
from PySide6.QtCore import QRectF

from ..forms import CommitLineEdit
from ..values import format_ranks, parse_ranks
from ..run.feed import RATE_BIN_MS
from .base import EDGE_PX, LineItem, LivePlot, page_start, set_page

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


def peak_downsample(x, y, k):
    """Keep the minimum and maximum of every ``k`` samples of ``y`` (samples x traces):
    traces keep their spikes and envelopes at 2 points per bin.  Bins are counted
    from the first sample, so appending samples only changes the last bin."""
    n = len(x)
    if k <= 2 or n <= 2 * k:
        return x, y
    nb = n // k
    m = nb * k
    blocks = y[:m].reshape((nb, k) + y.shape[1:])
    out_y = np.empty((2 * nb + (n - m),) + y.shape[1:], dtype=y.dtype)
    out_y[0:2 * nb:2] = blocks.min(axis=1)
    out_y[1:2 * nb:2] = blocks.max(axis=1)
    out_y[2 * nb:] = y[m:]
    out_x = np.empty(len(out_y))
    out_x[0:2 * nb:2] = x[:m:k]
    out_x[1:2 * nb:2] = x[k // 2:m:k]
    out_x[2 * nb:] = x[m:]
    return out_x, out_y


class TracePlot(LivePlot):
    """Traces of the visible page drawn as hairline ``LineItem``s: each refresh
    repaints only where a trace changed (its newest samples), and a page holding
    more than two samples per pixel is peak-downsampled (min and max per pixel,
    which keeps spikes and envelopes).  The value axis grows with the data and
    shrinks when a new page needs much less (rarely: axis redraws are slow)."""

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
        self.plot.enableAutoRange(False)
        self.curves = []
        self._seen = -1
        self._page_key = None
        self._yrange = None

    def _choose(self, feed, ranks):
        feed.set_trace_columns(self.monitor, self.variable, ranks)
        self._seen = -1

    def _ensure_curves(self, n):
        while len(self.curves) < n:
            curve = LineItem(COLORS[len(self.curves) % len(COLORS)])
            self.plot.addItem(curve)
            self.curves.append(curve)
        for extra in self.curves[n:]:
            extra.set_data(np.zeros(0), np.zeros(0))

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
        columns = values.shape[1] if values.ndim == 2 else 0
        self._ensure_curves(columns)
        page_key = (t0, window_ms, columns)
        new_page = page_key != self._page_key
        self._page_key = page_key
        # samples per pixel, from the sampling period: fixed for the page, so bins are stable
        pixels = max(1.0, self.plot.getViewBox().width())
        period = (times[-1] - times[0]) / (len(times) - 1) if len(times) > 1 else window_ms
        k = int(window_ms / max(period, 1e-12) / pixels) if period > 0 else 1
        x, y = peak_downsample(times - t0, values, k)
        finite = bool(np.isfinite(y).all())
        if y.size:
            ok = y if finite else y[np.isfinite(y)]
            if ok.size:
                self._fit_values(float(ok.min()), float(ok.max()), new_page)
        if self._yrange is not None:
            ylo, yhi = self._yrange
            bounds = QRectF(0.0, ylo, float(window_ms), yhi - ylo)
            for i in range(columns):
                self.curves[i].set_bounds(bounds)
                self.curves[i].set_data(x, y[:, i], finite=finite)
        set_page(self, t1, window_ms)
        self.points_drawn = y.size
        self.refreshes += 1

    def _fit_values(self, lo, hi, new_page):
        """Grow the value axis to the data at once; shrink it only on a new page."""
        if self._yrange is not None:
            ylo, yhi = self._yrange
            inside = lo >= ylo and hi <= yhi
            roomy = (hi - lo) < 0.5 * (yhi - ylo)
            if inside and not (new_page and roomy):
                return
        span = hi - lo if hi > lo else max(abs(hi), 1.0)
        self._yrange = (lo - 0.05 * span, hi + 0.05 * span)
        self.plot.setYRange(*self._yrange, padding=0)


class RatePlot(LivePlot):
    kind = "rate"

    def __init__(self, monitor, population, parent=None):
        super().__init__(f"Population rate: {population}", parent)
        self.monitor = monitor
        self.finish_controls()
        self.curve = LineItem("#d9731a")
        self.plot.addItem(self.curve)
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
        with feed.lock:
            t1 = feed.t
            t0 = page_start(t1, window_ms)
            times, rate = buf.rate_window(t0, t1)        # the visible page only, never the history
        top = float(rate.max()) if len(rate) else 0.0
        # rescale rarely (axis redraws are slow): up at once, down only over a good part of a page
        settled = len(rate) * RATE_BIN_MS >= 0.2 * window_ms
        if top > self._ymax or (settled and top < 0.3 * self._ymax):
            self._ymax = max(1.0, nice_ceiling(top * 1.25))
            # a few pixels below 0: a rate of 0 drawn on the axis would repaint it every frame
            below = EDGE_PX / max(self.plot.getViewBox().height(), 50.0) * self._ymax
            self.plot.setYRange(-below, self._ymax, padding=0)
        self.curve.set_bounds(QRectF(0.0, 0.0, float(window_ms), self._ymax))
        self.curve.set_data(times - t0, rate)
        set_page(self, t1, window_ms)
        self.points_drawn = len(rate)
        self.refreshes += 1

    def mean_rate(self, feed, t0, t1):
        """Mean rate (Hz) over [t0, t1) ms (tests use it to see activity change)."""
        buf = feed.spikes.get(self.monitor)
        with feed.lock:
            times, _ = buf.window(t0, t1)
        return len(times) / max(buf.size, 1) / max((t1 - t0) / 1000.0, 1e-9)
