"""Traces of one recorded variable for chosen neurons (up to 16, one legend entry each), over
the visible span of time; and the population firing rate from the spike bins (axis from 0),
with the population's activity summary (mean rate, CV of the inter-spike intervals)."""
import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QLabel

from ..forms import CommitLineEdit
from ..values import format_ranks, parse_ranks
from ..run.feed import RATE_BIN_MS
from .base import EDGE_PX, LineItem, LivePlot, axis_label, plot_colors, set_page, visible_span

SUMMARY_INTERVAL_S = 2.0
SUMMARY_MAX_SPIKES = 10_000
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

    def __init__(self, monitor, population, variable, feed, parent=None, unit="", columns=None):
        super().__init__(f"{population}.{variable}", parent)
        self.monitor, self.variable, self.population = monitor, variable, population
        self.unit = unit
        self.key = (monitor, variable)
        trace = feed.traces[self.key]
        self.feed = feed
        self.neurons = CommitLineEdit(parse_ranks)
        self.neurons.setMaximumWidth(140)
        self.neurons.setToolTip("Which neurons to draw (up to 16), e.g. 0-3, 10; "
                                "applies to the whole recording, during and after a run")
        self.neurons.committed.connect(self.choose)
        self.add_control("neurons", self.neurons)
        self.finish_controls()
        self.plot.setLabel("left", axis_label(variable, unit))
        self.plot.enableAutoRange(False)
        self.legend = self.plot.addLegend(offset=(-4, 4), labelTextSize="8pt", labelTextColor=plot_colors(self)[1])
        self.curves = []
        self._seen = None
        self._page_key = None
        self._yrange = None
        self.choose(columns if columns else trace.columns, quiet=True)

    def choose(self, ranks, quiet=False):
        """Draw neurons ``ranks`` (shown in the neurons field; kept across runs by the panel)."""
        with self.feed.lock:
            trace = self.feed.traces.get(self.key)
            self.columns = trace.select(ranks) if trace is not None else []
        self.neurons.set_text_quiet(format_ranks(self.columns))
        for curve in self.curves:
            self.plot.removeItem(curve)
        self.legend.clear()
        self.curves = []
        for rank in self.columns:
            curve = LineItem(COLORS[len(self.curves) % len(COLORS)])
            self.plot.addItem(curve)
            self.legend.addItem(pg.PlotDataItem(pen=curve.pen), f"{self.population}[{rank}]")
            self.curves.append(curve)
        self._seen = self._page_key = None
        if not quiet:
            self.refresh(self.feed, self._window_ms or 1000.0)

    _window_ms = None

    def refresh(self, feed, window_ms):
        self._window_ms = window_ms
        key = (feed.version, window_ms, self.view_start)
        if key == self._seen:
            return
        self._seen = key
        with feed.lock:
            trace = feed.traces.get(self.key)
            if trace is None:
                return
            times, all_values = trace.times.view(), trace.values.view()
            index = trace.indices(self.columns)
            t_now = feed.t
        t0, t1 = visible_span(self, t_now, window_ms)
        a, b = (int(i) for i in np.searchsorted(times, [t0, t0 + window_ms]))
        times = times[a:b]
        values = all_values[a:b][:, index] if all_values.ndim == 2 else np.zeros((len(times), 0))
        columns = values.shape[1]
        self._last = (times, values)
        page_key = (t0, window_ms, columns)
        new_page = page_key != self._page_key
        self._page_key = page_key
        # samples per pixel, from the sampling period: fixed for the page, so bins are stable
        pixels = max(1.0, self.plot.getViewBox().width())
        period = (times[-1] - times[0]) / (len(times) - 1) if len(times) > 1 else window_ms
        k = int(window_ms / max(period, 1e-12) / pixels) if period > 0 else 1
        x, y = peak_downsample(times - t0, values, k)          # page coordinates (see base.set_page)
        finite = bool(np.isfinite(y).all())
        if y.size:
            ok = y if finite else y[np.isfinite(y)]
            if ok.size:
                self._fit_values(float(ok.min()), float(ok.max()), new_page)
        if self._yrange is not None:
            ylo, yhi = self._yrange
            bounds = QRectF(0.0, ylo, float(window_ms), yhi - ylo)
            for i in range(min(columns, len(self.curves))):
                self.curves[i].set_bounds(bounds)
                self.curves[i].set_data(x, y[:, i], finite=finite)
        set_page(self, t0, window_ms)
        self.points_drawn = y.size
        self.refreshes += 1

    def apply_palette(self):
        changed = super().apply_palette()
        if changed and getattr(self, "legend", None) is not None:
            self.legend.setLabelTextColor(plot_colors(self)[1])
        return changed

    def data_table(self):
        times, values = getattr(self, "_last", (np.zeros(0), np.zeros((0, 0))))
        unit = f" ({self.unit})" if self.unit else ""
        header = ["time (ms)"] + [f"{self.population}[{r}].{self.variable}{unit}" for r in self.columns]
        return header, [[f"{t:g}"] + [f"{v:.9g}" for v in row] for t, row in zip(times, values)]

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
        self.plot.setLabel("left", "population rate (Hz)")
        self.plot.enableAutoRange(False)
        self.summary = QLabel("")
        self.summary.setToolTip("Over the visible time: mean firing rate per neuron, and the coefficient of "
                                "variation of the inter-spike intervals (0: regular, about 1: Poisson-like)")
        self.controls.insertWidget(0, self.summary)
        self._ymax = 1.0
        self._set_range()          # from 0 before any spike (a silent population showed -1 .. 1)
        self._seen = None
        self._summary_key = None
        self._summary_wall = 0.0
        self._last = (np.zeros(0), np.zeros(0))

    def refresh(self, feed, window_ms):
        key = (feed.version, window_ms, self.view_start)
        if key == self._seen:
            return
        self._seen = key
        buf = feed.spikes.get(self.monitor)
        if buf is None:
            return
        with feed.lock:
            t0, t1 = visible_span(self, feed.t, window_ms)
            times, rate = buf.rate_window(t0, t1)        # the visible page only, never the history
        self._last = (times, rate)
        self._update_summary(feed, buf, t0, t1)
        top = float(rate.max()) if len(rate) else 0.0
        # rescale rarely (axis redraws are slow): up at once, down only over a good part of a page
        settled = len(rate) * RATE_BIN_MS >= 0.2 * window_ms
        if top > self._ymax or (settled and top < 0.3 * self._ymax):
            self._ymax = max(1.0, nice_ceiling(top * 1.25))
            # a few pixels below 0: a rate of 0 drawn on the axis would repaint it every frame
            self._set_range()
        self.curve.set_bounds(QRectF(0.0, 0.0, float(window_ms), self._ymax))
        self.curve.set_data(times - t0, rate)                  # page coordinates (see base.set_page)
        set_page(self, t0, window_ms)
        self.points_drawn = len(rate)
        self.refreshes += 1

    def summary_now(self):
        """Recompute the summary at the next refresh, not throttled (end of a run, time bar moved)."""
        self._summary_wall = 0.0
        self._summary_key = self._seen = None

    def _set_range(self):
        # a few pixels below 0 (no tick there): a rate of 0 drawn on the axis would repaint it every frame
        below = EDGE_PX / max(self.plot.getViewBox().height(), 50.0) * self._ymax
        self.plot.setYRange(-below, self._ymax, padding=0)

    def _update_summary(self, feed, buf, t0, t1):
        """Mean rate and CV of ISI over the visible span: at most every ``SUMMARY_INTERVAL_S`` of
        wall time (the CV from every k-th neuron when the span holds more than
        ``SUMMARY_MAX_SPIKES`` spikes); the panel asks for it at once (``_summary_wall = 0``)
        at the end of a run and when the time bar moves."""
        key = (t0, t1)
        now = time.perf_counter()
        if key == self._summary_key or t1 <= t0 or now - self._summary_wall < SUMMARY_INTERVAL_S:
            return
        self._summary_key, self._summary_wall = key, now
        with feed.lock:
            times, ranks = buf.window(t0, t1)
        count = len(times)
        if count > SUMMARY_MAX_SPIKES:
            keep = (ranks % int(np.ceil(count / SUMMARY_MAX_SPIKES))) == 0
            times, ranks = times[keep], ranks[keep]
        _mean, cv = activity_summary(times, ranks, buf.size, t1 - t0)
        mean = count / max(buf.size, 1) / max((t1 - t0) / 1000.0, 1e-12)
        self.summary.setText(f"mean {mean:.3g} Hz · CV ISI " + ("–" if cv is None else f"{cv:.2f}"))
        self.mean_hz, self.cv_isi = mean, cv

    mean_hz, cv_isi = 0.0, None

    def data_table(self):
        times, rate = self._last
        return ["time (ms)", "population rate (Hz)"], [(f"{t:g}", f"{r:.6g}") for t, r in zip(times, rate)]

    def mean_rate(self, feed, t0, t1):
        """Mean rate (Hz) over [t0, t1) ms (tests use it to see activity change)."""
        buf = feed.spikes.get(self.monitor)
        with feed.lock:
            times, _ = buf.window(t0, t1)
        return len(times) / max(buf.size, 1) / max((t1 - t0) / 1000.0, 1e-9)


def activity_summary(times, ranks, size, span_ms):
    """(mean rate in Hz per neuron, mean CV of the inter-spike intervals of the neurons with at
    least 3 spikes, or None) of spikes ``(times, ranks)`` over ``span_ms``."""
    mean = len(times) / max(size, 1) / max(span_ms / 1000.0, 1e-12)
    if len(times) < 3:
        return mean, None
    order = np.lexsort((times, ranks))
    t, r = times[order], np.asarray(ranks)[order].astype(np.int64)
    same = r[1:] == r[:-1]
    isi, owner = np.diff(t)[same], r[1:][same]
    if not len(isi):
        return mean, None
    n = np.bincount(owner)
    s1 = np.bincount(owner, weights=isi)
    s2 = np.bincount(owner, weights=isi * isi)
    ok = n >= 2
    if not ok.any():
        return mean, None
    m = s1[ok] / n[ok]
    var = np.maximum(s2[ok] / n[ok] - m * m, 0.0)
    cv = np.sqrt(var) / np.maximum(m, 1e-12)
    return mean, float(cv.mean())
