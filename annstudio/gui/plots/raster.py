"""Spike raster of one population: short vertical ticks drawn with
``PlotCurveItem(connect='pairs')`` (see MEASUREMENTS.md: ~10x cheaper than a
scatter plot), for the visible page of time only.

The page is cut into ``SEGMENTS`` time segments, each its own curve: a
segment whose time has fully passed keeps its cached path, so a refresh
rebuilds only the segment being filled (about a tenth of the ticks).  Large
populations are thinned to at most ``max_rows`` neurons (every k-th), and a
rank range can be chosen; changing either, or turning the page, redraws all.
"""
import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QLineEdit, QSpinBox

from ..values import parse_ranks
from .base import LivePlot, page_start, set_page

SEGMENTS = 10


class RasterPlot(LivePlot):
    kind = "raster"

    def __init__(self, monitor, population, size, parent=None):
        super().__init__(f"Spikes: {population}", parent)
        self.monitor, self.size = monitor, size
        self.max_rows = QSpinBox()
        self.max_rows.setRange(10, 100000)
        self.max_rows.setValue(min(size, 500))
        self.max_rows.setToolTip("Thinning: show at most this many neurons (every k-th)")
        self.range_edit = QLineEdit()
        self.range_edit.setPlaceholderText(f"0-{size - 1}")
        self.range_edit.setMaximumWidth(110)
        self.add_control("neurons", self.range_edit)
        self.add_control("max shown", self.max_rows)
        self.finish_controls()
        self.pen = pg.mkPen("#1f3b73", width=1)
        self.curves = []
        for _ in range(SEGMENTS):
            curve = pg.PlotCurveItem(pen=self.pen, connect="pairs", antialias=False, skipFiniteCheck=True)
            self.plot.addItem(curve)
            self.curves.append(curve)
        self.plot.setLabel("left", "neuron")
        self.plot.setYRange(0, size, padding=0.02)
        self.plot.setMouseEnabled(x=False, y=True)
        self.plot.enableAutoRange(False)
        self._seen = None
        self._layout = None                  # (page start, window, selection) the segments belong to
        self._complete = set()               # segments whose ticks are final
        self._counts = [0] * SEGMENTS
        self._yrange = None

    def _selection(self):
        try:
            ranks = parse_ranks(self.range_edit.text())
        except ValueError:
            ranks = None
        lo, hi = (0, self.size) if not ranks else (min(ranks), max(ranks) + 1)
        stride = max(1, int(np.ceil((hi - lo) / self.max_rows.value())))
        return lo, hi, stride

    @property
    def curve(self):
        """The segment drawn last (tests read its data)."""
        filled = [c for c, n in zip(self.curves, self._counts) if n]
        return filled[-1] if filled else self.curves[0]

    def refresh(self, feed, window_ms):
        buf = feed.spikes.get(self.monitor)
        if buf is None:
            return
        selection = self._selection()
        key = (feed.version, selection, window_ms)
        if key == self._seen:
            return
        self._seen = key
        t1 = feed.t
        t0 = page_start(t1, window_ms)
        layout = (t0, window_ms, selection)
        if layout != self._layout:
            self._layout, self._complete = layout, set()
            self._counts = [0] * SEGMENTS
            for curve in self.curves:
                curve.setData([], [])
        span = window_ms / SEGMENTS
        lo, hi, stride = selection
        for k in range(SEGMENTS):
            a, b = t0 + k * span, t0 + (k + 1) * span
            if k in self._complete or a > t1:
                continue
            with feed.lock:
                times, ranks = buf.window(a, b)
            if lo > 0 or hi < self.size or stride > 1:
                keep = (ranks >= lo) & (ranks < hi) & ((ranks - lo) % stride == 0)
                times, ranks = times[keep], ranks[keep]
            n = len(times)
            x = np.repeat(times - t0, 2)
            y = np.empty(2 * n)
            y[0::2] = ranks - 0.4 * stride
            y[1::2] = ranks + 0.4 * stride
            self.curves[k].setData(x, y, connect="pairs", skipFiniteCheck=True)
            self._counts[k] = n
            if b <= t1:
                self._complete.add(k)      # its time has passed: every spike is in
        set_page(self, t1, window_ms)
        if self._yrange != (lo, hi):
            self._yrange = (lo, hi)
            self.plot.setYRange(lo, hi, padding=0.02)
        self.points_drawn = sum(self._counts)
        self.refreshes += 1

    def spike_count(self, feed):
        buf = feed.spikes.get(self.monitor)
        return 0 if buf is None else buf.times.size
