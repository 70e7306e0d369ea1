"""Common frame of a live plot: a titled ``PlotWidget`` with a ``refresh(feed)``
method called on the panel's timer, and PNG/SVG export."""
import time

import pyqtgraph as pg
from pyqtgraph.exporters import ImageExporter
from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

pg.setConfigOptions(antialias=False, background="w", foreground="#333333")


def page_start(t, window_ms):
    """Left edge of the visible page of time: plots sweep page by page (at the
    end of a page its whole page stays shown)."""
    if t >= window_ms and t % window_ms == 0:
        return t - window_ms
    return (t // window_ms) * window_ms


def set_page(live_plot, t, window_ms):
    """Show the page containing ``t``; returns its start.

    The time axis is relative to the page (0 .. window) and the page's absolute
    range is shown in a Qt label above the plot: turning a page then changes no
    text inside the pyqtgraph scene, whereas new tick labels or a new title make
    it lay the plot out again (~15 ms a time on a loaded machine, the largest
    single cost of live plotting)."""
    start = page_start(t, window_ms)
    if live_plot._page != (start, window_ms):
        if live_plot._page is None or live_plot._page[1] != window_ms:
            live_plot.plot.setXRange(0, window_ms, padding=0)
        live_plot._page = (start, window_ms)
        live_plot.page_label.setText(f"t = {start:g} – {start + window_ms:g} ms")
    return start


class TimedPlotWidget(pg.PlotWidget):
    """A ``PlotWidget`` that accumulates the time spent painting it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.paint_seconds = 0.0

    def paintEvent(self, event):
        start = time.perf_counter()
        super().paintEvent(event)
        self.paint_seconds += time.perf_counter() - start


class LivePlot(QWidget):
    """Subclasses fill ``self.plot`` (a ``PlotWidget``) and implement ``refresh``."""

    kind = "plot"

    def __init__(self, title, parent=None):
        super().__init__(parent)
        self.title = title
        self.plot = TimedPlotWidget()
        self.plot.setMinimumHeight(170)
        self.plot.setTitle(title, size="9pt")
        self.plot.showGrid(x=False, y=False)
        self.plot.setLabel("bottom", "time in page (ms)")
        for side in ("bottom", "left"):
            # major ticks only: far fewer tick labels to lay out on every axis change
            self.plot.getAxis(side).setStyle(maxTickLevel=0, maxTextLevel=0)
        self.controls = QHBoxLayout()
        self.controls.setContentsMargins(0, 0, 0, 0)
        self.page_label = QLabel("")
        self.page_label.setStyleSheet("color: #555555;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(self.controls)
        layout.addWidget(self.plot, 1)
        self.points_drawn = 0
        self.refreshes = 0
        self._page = None

    def finish_controls(self):
        """Close the controls row: a stretch, then the page label on the right."""
        self.controls.addStretch(1)
        self.controls.addWidget(self.page_label)

    def add_control(self, label, widget):
        self.controls.addWidget(QLabel(label))
        self.controls.addWidget(widget)

    def refresh(self, feed, window_ms):
        raise NotImplementedError

    def export(self, path):
        """Write the plot as PNG or SVG (by extension).

        SVG goes through ``QSvgGenerator`` rather than pyqtgraph's SVG exporter,
        which fails on curves drawn with ``connect='pairs'``."""
        path = str(path)
        if path.lower().endswith(".svg"):
            size = self.plot.size()
            generator = QSvgGenerator()
            generator.setFileName(path)
            generator.setSize(QSize(size.width(), size.height()))
            generator.setViewBox(QRect(0, 0, size.width(), size.height()))
            generator.setTitle(self.title)
            painter = QPainter(generator)
            self.plot.render(painter)
            painter.end()
        else:
            exporter = ImageExporter(self.plot.getPlotItem())
            exporter.parameters()["width"] = max(800, self.plot.width())
            exporter.export(path)
        return path
