"""Common frame of a live plot: a titled ``PlotWidget`` with a ``refresh(feed)``
method called on the panel's timer, its visible span of time (``visible_span``: the live
page, or the page the panel's time bar scrolled to, on an absolute time axis in ms), axes
in plain numbers (no SI-prefix scaling, short tick labels, the page's first and last times
labelled; a page turn relabels the time axis without laying its ticks out again), colours
from the system palette (a dark palette gives dark plots) and export (``export.py``)."""
import math
import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QRectF, Qt
from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import (QFileDialog, QGraphicsItem, QGraphicsObject, QHBoxLayout, QLabel, QToolButton,
                               QVBoxLayout, QWidget)

from .export import export_plot

pg.setConfigOptions(antialias=False, background="w", foreground="#333333")
EDGE_PX = 3              # margin between the data and the axes


def page_start(t, window_ms):
    """Left edge of the visible page of time: plots sweep page by page (at the
    end of a page its whole page stays shown)."""
    if t >= window_ms and t % window_ms == 0:
        return t - window_ms
    return (t // window_ms) * window_ms


def visible_span(live_plot, t_now, window_ms):
    """(t0, t1): the absolute time a plot shows, in ms.  Following the run (``view_start`` None): the
    page containing ``t_now``, up to ``t_now``; scrolled back: ``window_ms`` from ``view_start``."""
    start = live_plot.view_start
    if start is None:
        return page_start(t_now, window_ms), t_now
    start = max(0.0, min(float(start), t_now))
    return start, min(t_now, start + window_ms)


def set_page(live_plot, start, window_ms):
    """Show absolute time ``start`` .. ``start + window_ms`` (ms); returns ``start``.

    Items are drawn in page coordinates (0 .. window: ``x - start``) and the time axis adds
    ``start`` to its tick labels (``PixelAxis.offset``): turning a page redraws the axis's
    labels only.  Moving the view's range instead made every plot repaint and re-lay out its
    items at every page turn (an event-loop latency p95 of 60-90 ms instead of ~20 ms during
    COBA at full speed)."""
    if live_plot._page != (start, window_ms):
        if live_plot._page is None or live_plot._page[1] != window_ms:
            # a few pixels of margin: data drawn right against an axis makes Qt repaint
            # the axis with every update of the data (it looks 1 px around what changed)
            width = max(live_plot.plot.getViewBox().width(), 100.0)
            live_plot.plot.setXRange(0, window_ms, padding=EDGE_PX / width)
        live_plot.plot.getAxis("bottom").set_offset(start)
        live_plot._page = (start, window_ms)
        live_plot.page_label.setText(f"t = {start:g} – {start + window_ms:g} ms")
    return start


LIGHT = ("#ffffff", "#333333", "#555555")      # background, axes and text, page label
DARK = ("#232629", "#dddddd", "#bbbbbb")


def is_dark(widget):
    """Whether ``widget``'s palette (the system's, or the one the application set) is a dark one."""
    return widget.palette().window().color().lightness() < 128


def plot_colors(widget):
    """(background, foreground, muted text) of a plot following ``widget``'s palette."""
    return DARK if is_dark(widget) else LIGHT


def axis_label(name, unit):
    """``name (unit)``; a name alone when the unit is unknown."""
    return f"{name} ({unit})" if unit else name


class LineItem(QGraphicsObject):
    """A polyline redrawn 30 times a second, lighter than ``pg.PlotCurveItem``.

    Its bounding rectangle is fixed by the caller (the visible page), so new data
    never changes the scene's geometry (which would repaint everything); new
    points repaint only the vertical strip where the line changed, and painting
    a strip builds the path of the points in that strip only.  A hairline pen:
    wider pens are stroked, several times slower.  ``x`` must not decrease."""

    def __init__(self, color):
        super().__init__()
        self.pen = pg.mkPen(color, width=0)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)   # exposedRect
        self.xData = self.yData = None
        self._finite = True
        self._path = None                 # the whole line, built when it is painted whole
        self._rect = QRectF(0.0, 0.0, 1.0, 1.0)

    def set_bounds(self, rect):
        if rect != self._rect:
            self.prepareGeometryChange()
            self._rect = QRectF(rect)
            self.update()

    def set_data(self, x, y, finite=True):
        """New points (``finite=False``: ``y`` holds NaN or infinities, left out of the line)."""
        old_x, old_y = self.xData, self.yData
        self.xData, self.yData, self._finite, self._path = x, y, finite, None
        if old_x is None or not len(old_x) or not len(x) or old_x[0] != x[0]:
            self.update()
            return
        n = min(len(x), len(old_x))
        differ = np.flatnonzero((old_x[:n] != x[:n]) | (old_y[:n] != y[:n]))
        first = int(differ[0]) if len(differ) else n
        if first >= len(x) and first >= len(old_x):
            return
        a = min(x[max(0, first - 1)], old_x[max(0, min(first, len(old_x)) - 1)])
        b = max(x[-1], old_x[-1])
        r = self._rect
        self.update(QRectF(a, r.top(), max(b - a, 0.0), r.height()))

    def _make_path(self, x, y):
        if self._finite:
            return pg.arrayToQPath(x, y, connect="all", finiteCheck=False)
        return pg.arrayToQPath(x, y, connect="finite")

    def boundingRect(self):
        return self._rect

    def paint(self, painter, option, widget=None):
        x, y = self.xData, self.yData
        if x is None or len(x) < 2:
            return
        exposed = option.exposedRect
        a = max(0, int(np.searchsorted(x, exposed.left(), side="left")) - 1)
        b = min(len(x), int(np.searchsorted(x, exposed.right(), side="right")) + 1)
        if b - a < 2:
            return
        if a == 0 and b == len(x):
            if self._path is None:
                self._path = self._make_path(x, y)
            path = self._path
        else:
            path = self._make_path(x[a:b], y[a:b])
        painter.setPen(self.pen)
        painter.drawPath(path)


class PixelAxis(pg.AxisItem):
    """An axis whose thickness is a whole number of pixels, in plain numbers.

    pyqtgraph sizes an axis from its text (e.g. 58.1 px), so the view next to it
    starts inside a pixel that both share, and every update of the data at the
    view's edge repainted the axis too.  Model values are never rescaled with an SI
    prefix ("v (x0.001)") and ticks print at most 6 significant digits (no
    ``-70.000000000000028``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.enableAutoSIPrefix(False)
        self.offset = 0.0                # added to the labels (a time axis: the page's start)
        self._specs = None               # (key, axis spec, tick specs, text specs, values, spacing)
        self._offset_only = False        # the picture was dropped for a new offset alone
        self._strings = {}

    integer_ticks = False              # neuron ranks and matrix rows: whole numbers only

    def tickValues(self, minVal, maxVal, size):
        levels = super().tickValues(minVal, maxVal, size)
        if not self.integer_ticks:
            return levels
        out = [(max(spacing, 1.0), [v for v in values if abs(v - round(v)) < 1e-9]) for spacing, values in levels]
        if not any(values for _s, values in out):
            lo, hi = int(np.ceil(minVal)), int(np.floor(maxVal))
            out = [(1.0, [float(v) for v in range(lo, hi + 1)])]
        return out

    def set_offset(self, offset):
        if offset != self.offset:
            self.offset = float(offset)
            self._offset_only = True
            self.picture = None
            self.update()

    def tickStrings(self, values, scale, spacing):
        out = []
        for v in values:
            w = v * scale + self.offset
            out.append("0" if abs(w) < 1e-9 * spacing * scale else f"{w:.6g}")
        self._strings = {text: (v, spacing) for text, v in zip(out, values)}
        return out

    clamp_labels = False               # labels at the ends are moved inside the axis (see LivePlot)

    _measuring = False

    def boundingRect(self):
        if not self.clamp_labels or self._measuring:     # (generateDrawSpecs keeps labels within it)
            return super().boundingRect()
        # the labels are kept inside the axis: its rectangle, not one reaching into its neighbours
        # (a wider one made every page turn repaint the neighbouring axis too)
        saved, self.style["hideOverlappingLabels"] = self.style["hideOverlappingLabels"], True
        try:
            return super().boundingRect()
        finally:
            self.style["hideOverlappingLabels"] = saved

    def _clamped(self, text_specs):
        if not self.clamp_labels:
            return text_specs
        out, width = [], float(self.width())
        for rect, flags, text in text_specs:
            shift = -rect.left() if rect.left() < 0 else min(0.0, width - rect.right())
            out.append((rect.translated(shift, 0.0) if shift else rect, flags, text))
        return out

    def _specs_key(self):
        return (tuple(self.range), self.width(), self.height(), self.orientation, self.scale,
                self.pen().color().rgba(), self.textPen().color().rgba(), self.style["hideOverlappingLabels"],
                self.labelText, self.integer_ticks)

    def generateDrawSpecs(self, p):
        """A page turn changes the time axis's labels only: the ticks stay where they were (the
        items are drawn in page coordinates), so the cached specs are reused with the new strings,
        each re-centred on its tick (no tick values, positions and text measuring again)."""
        key = self._specs_key()
        cached, fast = self._specs, self._offset_only
        self._offset_only = False
        if fast and cached is not None and cached[0] == key and self.orientation in ("bottom", "top"):
            _key, axis_spec, tick_specs, text_specs, values, spacing = cached
            strings = self.tickStrings(values, self.scale, spacing)
            metrics = QFontMetricsF(p.font())
            texts = []
            for (rect, flags, _old), text in zip(text_specs, strings):
                width = metrics.horizontalAdvance(text) + 2.0
                texts.append((QRectF(rect.center().x() - width / 2, rect.y(), width, rect.height()), flags, text))
            return axis_spec, tick_specs, self._clamped(texts)
        self._strings = {}
        self._measuring = True
        try:
            specs = super().generateDrawSpecs(p)
        finally:
            self._measuring = False
        if specs is not None:
            axis_spec, tick_specs, text_specs = specs
            found = [self._strings.get(text) for _r, _f, text in text_specs]
            if all(found) and found:
                self._specs = (key, axis_spec, tick_specs, text_specs, [v for v, _s in found], found[0][1])
            else:
                self._specs = None
            specs = (axis_spec, tick_specs, self._clamped(text_specs))
        return specs

    def _updateWidth(self):
        super()._updateWidth()
        w = math.ceil(self.maximumWidth() - 1e-6)
        self.setMaximumWidth(w)
        self.setMinimumWidth(w)

    def _updateHeight(self):
        super()._updateHeight()
        h = math.ceil(self.maximumHeight() - 1e-6)
        self.setMaximumHeight(h)
        self.setMinimumHeight(h)


class TimedPlotWidget(pg.PlotWidget):
    """A ``PlotWidget`` that accumulates the time (wall and CPU) spent painting it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.paint_seconds = 0.0
        self.paint_cpu_seconds = 0.0
        # nothing is antialiased: repaint exactly the changed rectangles, without the
        # 2-pixel margin that would also repaint the axes next to the data every frame
        self.setOptimizationFlag(self.OptimizationFlag.DontAdjustForAntialiasing, True)
        # the view paints every pixel it exposes (its background brush, then the items):
        # Qt need not fill the widgets' backgrounds underneath first, twice per frame
        self.viewport().setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)

    def paintEvent(self, event):
        start, cpu = time.perf_counter(), time.thread_time()
        super().paintEvent(event)
        self.paint_seconds += time.perf_counter() - start
        self.paint_cpu_seconds += time.thread_time() - cpu


class LivePlot(QWidget):
    """Subclasses fill ``self.plot`` (a ``PlotWidget``) and implement ``refresh``."""

    kind = "plot"

    def __init__(self, title, parent=None):
        super().__init__(parent)
        self.title = title
        self.plot = TimedPlotWidget(axisItems={side: PixelAxis(side) for side in ("left", "bottom")})
        self.plot.setMinimumHeight(170)
        self.plot.setTitle(title, size="9pt")
        self.plot.showGrid(x=False, y=False)
        self.plot.setLabel("bottom", "time (ms)")
        for side in ("bottom", "left"):
            axis = self.plot.getAxis(side)
            # major ticks only: far fewer tick labels to lay out on every axis change
            # outward ticks: an axis whose ticks reach into the view has a bounding rectangle
            # overlapping the data, and is repainted with every data update
            axis.setStyle(maxTickLevel=0, maxTextLevel=0, tickLength=5)
        # the page's first and last times are labelled too: a label centred on the view's edge (up to
        # this many pixels beyond the axis) is kept and moved inside the axis
        self.plot.getAxis("bottom").setStyle(hideOverlappingLabels=30)
        self.plot.getAxis("bottom").clamp_labels = True          # ... drawn inside the axis
        self.controls = QHBoxLayout()
        self.controls.setContentsMargins(0, 0, 0, 0)
        self.page_label = QLabel("")
        self.page_label.setStyleSheet("color: #555555;")
        # a fixed size: a new page's text then repaints the label alone (a label that may
        # change size asks its parents to lay themselves out again, at every page turn)
        self.page_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        widest = self.page_label.fontMetrics().horizontalAdvance("t = 00000000 – 00000000 ms")
        self.page_label.setFixedSize(widest + 4, self.page_label.sizeHint().height())
        self.page_label.setAutoFillBackground(True)      # opaque: its parents are not repainted under it
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(self.controls)
        layout.addWidget(self.plot, 1)
        self.points_drawn = 0
        self.refreshes = 0
        self._page = None
        self.view_start = None           # None: follow the run; else the first ms shown (time bar)
        self.dark = None
        self.apply_palette()

    def apply_palette(self):
        """Background, axes, title and labels from the widget's palette (a dark system palette gives
        dark plots); called again when the palette changes."""
        dark = is_dark(self)
        if dark == self.dark:
            return False
        self.dark = dark
        background, foreground, muted = plot_colors(self)
        self.plot.setBackground(background)
        for side in ("bottom", "left", "right", "top"):
            axis = self.plot.getPlotItem().getAxis(side)
            axis.setPen(foreground)
            axis.setTextPen(foreground)
        self.plot.setTitle(self.title, size="9pt", color=foreground)
        self.page_label.setStyleSheet(f"color: {muted};")
        return True

    def changeEvent(self, event):                # noqa: N802 - Qt spelling
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self.apply_palette()

    def finish_controls(self):
        """Close the controls row: a stretch, the page label, then the plot's Export button."""
        self.controls.addStretch(1)
        self.controls.addWidget(self.page_label)
        button = QToolButton()
        button.setText("Export…")
        button.setToolTip("Save this plot as SVG, PDF or PNG (300 dpi), or its data as CSV")
        button.clicked.connect(lambda _checked=False: self.export_dialog())
        self.controls.addWidget(button)

    def export_dialog(self, path=None):
        if path is None:
            safe = "".join(c if c.isalnum() else "_" for c in self.title).strip("_")
            path, _ = QFileDialog.getSaveFileName(self, f"Export {self.title}", f"{safe}.svg",
                                                  "SVG (*.svg);;PDF (*.pdf);;PNG, 300 dpi (*.png);;CSV data (*.csv)")
        return self.export(path) if path else None

    def add_control(self, label, widget):
        self.controls.addWidget(QLabel(label))
        self.controls.addWidget(widget)

    def refresh(self, feed, window_ms):
        raise NotImplementedError

    def export(self, path):
        """Write the plot as SVG, PDF, PNG (300 dpi) or CSV (its data), by extension."""
        return export_plot(self, path)

    def data_table(self):
        """(column names, rows) of what the plot shows, for CSV export."""
        return [], []
