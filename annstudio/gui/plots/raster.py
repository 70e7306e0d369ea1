"""Spike raster of one population, drawn as an image of (neuron rows x time
columns) for the visible page of time.

Drawing ticks or dots costs in proportion to the spikes shown (a 4000-neuron
COBA page holds ~80,000 spikes: ~20 ms a frame as ``PlotCurveItem`` ticks,
~180 ms as a scatter plot); an image costs in proportion to the pixels
repainted (well under a millisecond for a whole plot).  The image has one
column per pixel of the plot's width and one row per shown neuron, or per
pixel of the plot's height when more neurons are shown than it has pixels
(neighbouring neurons then share a row; darker cells hold more spikes).  A
cell is a spike count, drawn through a lookup table: white when empty, blue
for one spike, darker for more.

Refreshes are incremental: each one bins only the spikes that arrived since
the previous one (a table lookup of their rows and one ``np.add.at`` on their
flat cell indices, no Python loop), recolours only the cells they fall in and
repaints only the columns they span.  Turning the page, resizing the plot,
zooming its neuron axis or changing the rank range or the thinning re-bins
the page from the feed (one vectorised pass over the page's spikes, 1-2 ms for
a full COBA page).  By default every neuron is shown; ``max shown`` thins the
raster to every k-th neuron and a rank range can be chosen.
"""
import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QGraphicsObject, QLineEdit, QSpinBox

from ..values import parse_ranks
from .base import EDGE_PX, LivePlot, set_page, visible_span

MAX_SHOWN_DEFAULT = 100_000      # every neuron (binned to the plot's height)
COUNT_DTYPE = np.uint16          # spikes in a cell (small: the cells stay in cache)
ONE = COUNT_DTYPE(1)
SPIKE_COLORS = ("#ffffff", "#4a6fb5", "#1f3b73", "#0b1a3a")   # 0, 1, 2, 3+ spikes in a cell
DARK_SPIKE_COLORS = ("#232629", "#6f93d6", "#a9c2f0", "#ffffff")   # the same on a dark palette


def spike_lut(dark=False):
    """Lookup table cell count -> opaque 0xAARRGGBB pixel (saturates at 3 spikes)."""
    argb = [0xFF000000 | int(c[1:], 16) for c in (DARK_SPIKE_COLORS if dark else SPIKE_COLORS)]
    lut = np.full(256, argb[-1], dtype=np.uint32)
    lut[:len(argb)] = argb
    return lut


class CellImage(QGraphicsObject):
    """An image of (rows x columns) RGB32 pixels shown over a rectangle of the plot,
    its first row at the top (the rectangle's highest y).

    Lighter than ``pg.ImageItem`` for a picture that changes 30 times a second:
    the pixels are a numpy array that the ``QImage`` shares (no conversion, no
    colour table rebuilt per frame), ``update_columns`` repaints only the
    columns that changed, and an image with one cell per pixel is copied to the
    screen as it is (a plain blit, 3-5 times faster than drawing it through
    the plot's flipped, scaled coordinates)."""

    def __init__(self):
        super().__init__()
        self.pixels = np.zeros((1, 1), dtype=np.uint32)
        self.qimage = None
        self._rect = QRectF(0.0, 0.0, 1.0, 1.0)

    def set_shape(self, rows, columns, fill):
        if self.pixels.shape != (rows, columns):
            self.pixels = np.empty((rows, columns), dtype=np.uint32)
            self.qimage = pg.functions.ndarray_to_qimage(self.pixels, QImage.Format.Format_RGB32)
        self.pixels.fill(fill)
        self.update()

    def set_rect(self, rect):
        if rect != self._rect:
            self.prepareGeometryChange()
            self._rect = QRectF(rect)
            self.update()

    def update_columns(self, a, b):
        """Repaint columns ``a .. b-1`` only."""
        rows, columns = self.pixels.shape
        r = self._rect
        w, h = r.width() / columns, r.height() / rows
        # a hair inside the cells: a rectangle ending exactly on a pixel edge is rounded
        # out to the neighbouring pixel, which would be repainted too
        self.update(QRectF(r.left() + (a + 0.05) * w, r.top() + 0.05 * h, (b - a - 0.1) * w, r.height() - 0.1 * h))

    def boundingRect(self):
        return self._rect

    def paint(self, painter, option, widget=None):
        if self.qimage is None:
            return
        rows, columns = self.pixels.shape
        transform = painter.transform()
        if transform.isRotating():                   # not in a plot: let Qt map it
            painter.drawImage(self._rect, self.qimage.mirrored(False, True))
            return
        target = transform.mapRect(self._rect)       # device pixels, top row first
        painter.save()
        painter.resetTransform()
        if abs(target.width() - columns) < 1.0 and abs(target.height() - rows) < 1.0:
            painter.drawImage(QPointF(round(target.left()), round(target.top())), self.qimage)
        else:
            painter.drawImage(target, self.qimage)
        painter.restore()


class RasterPlot(LivePlot):
    kind = "raster"

    def __init__(self, monitor, population, size, parent=None):
        super().__init__(f"Spikes: {population}", parent)
        self.monitor, self.size = monitor, size
        self.max_rows = QSpinBox()
        self.max_rows.setRange(10, 1_000_000)
        self.max_rows.setValue(min(size, MAX_SHOWN_DEFAULT))
        self.max_rows.setToolTip("Thinning: show at most this many neurons (every k-th)")
        self.range_edit = QLineEdit()
        self.range_edit.setPlaceholderText(f"0-{size - 1}")
        self.range_edit.setMaximumWidth(110)
        self.add_control("neurons", self.range_edit)
        self.add_control("max shown", self.max_rows)
        self.finish_controls()
        self.lut = spike_lut(self.dark)
        self.image = CellImage()
        self.plot.addItem(self.image)
        self.plot.setLabel("left", "neuron (rank)")
        self.plot.getAxis("left").integer_ticks = True
        # one row per neuron: a small population gets a short plot (1 neuron: one row)
        self.plot.setMinimumHeight(int(min(170, 70 + 12 * size)))
        self.setMaximumHeight(16777215 if size > 8 else int(110 + 16 * size))
        self.plot.setMouseEnabled(x=False, y=True)
        self.plot.enableAutoRange(False)
        self.plot.setYRange(-0.5, size - 0.5, padding=0.02)
        self.counts = np.zeros((1, 1), dtype=COUNT_DTYPE)     # spikes per cell of the page, top row first
        self._layout = None        # (page start, window, selection, visible rows, columns, rows)
        self._row_offset = np.zeros(size, dtype=np.intp)
        self._all_shown = True
        self._rows_key = None
        self._selection_key = self._selection_value = None
        self._consumed = 0         # spikes of the feed's buffer already binned into ``counts``
        self._seen = None
        self._yrange = None
        self._feed, self._window_ms = None, None
        self._in_refresh = False
        vb = self.plot.getViewBox()
        vb.sigYRangeChanged.connect(self._view_changed)
        vb.sigResized.connect(self._view_changed)
        self.range_edit.editingFinished.connect(self._view_changed)
        self.max_rows.valueChanged.connect(self._view_changed)

    # ------------------------------------------------------------------ geometry
    def _selection(self):
        """(lo, hi, stride): neurons lo, lo + stride, ... below hi are shown."""
        key = (self.range_edit.text(), self.max_rows.value())
        if key != self._selection_key:
            try:
                ranks = parse_ranks(key[0])
            except ValueError:
                ranks = None
            lo, hi = (0, self.size) if not ranks else (max(0, min(ranks)), min(self.size, max(ranks) + 1))
            lo = min(lo, self.size - 1)
            hi = max(hi, lo + 1)
            stride = max(1, int(np.ceil((hi - lo) / key[1])))
            self._selection_key, self._selection_value = key, (lo, hi, stride)
        return self._selection_value

    def _geometry(self, selection, window_ms):
        """(j0, j1, columns, rows): the shown neurons j0..j1-1 (index among the selection)
        that the neuron axis shows, and the image's size in cells: one per pixel the
        image covers on the screen (fewer rows when fewer neurons are shown)."""
        lo, hi, stride = selection
        shown = -(-(hi - lo) // stride)
        vb = self.plot.getViewBox()
        (x0, x1), (y0, y1) = vb.viewRange()
        j0 = min(shown - 1, max(0, int(np.floor((y0 - lo) / stride + 0.5))))
        j1 = max(j0 + 1, min(shown, int(np.ceil((y1 - lo) / stride + 0.5))))
        width = vb.width() * window_ms / max(x1 - x0, 1e-9) if self._page is not None else vb.width()
        height = vb.height() * (j1 - j0) * stride / max(y1 - y0, 1e-9)
        columns = max(1, int(round(width)))
        rows = max(1, min(j1 - j0, int(round(height))))
        return j0, j1, columns, rows

    # ------------------------------------------------------------------ refresh
    def refresh(self, feed, window_ms):
        self._feed, self._window_ms = feed, window_ms
        if feed.spikes.get(self.monitor) is None:
            return
        self._in_refresh = True          # our own range changes must not re-enter
        try:
            self._refresh(feed, window_ms)
        finally:
            self._in_refresh = False

    def _refresh(self, feed, window_ms):
        buf = feed.spikes[self.monitor]
        selection = self._selection()
        if self._yrange != selection[:2]:
            self._yrange = selection[:2]
            lo, hi, _ = selection
            # a few pixels of margin, so that updates of the image never touch the axes
            pad = max(0.02, EDGE_PX / max(self.plot.getViewBox().height(), 50.0))
            self.plot.setYRange(lo - 0.5, hi - 0.5, padding=pad)
        with feed.lock:
            t_now, n = feed.t, buf.total
        t0, t1 = visible_span(self, t_now, window_ms)
        set_page(self, t0, window_ms)                    # the time axis first: the image fits it
        j0, j1, columns, rows = self._geometry(selection, window_ms)
        layout = (t0, window_ms, selection, j0, j1, columns, rows)
        key = (n, t1, layout)
        if key == self._seen:
            return
        self._seen = key
        with feed.lock:
            if layout != self._layout:
                self._start_page(layout)
                start = buf.index_at(t0)
            else:
                start = self._consumed
            times, ranks = buf.tail(start)
        self._consumed = start + len(times)
        self._bin(times, ranks)
        self.refreshes += 1

    def _start_page(self, layout):
        t0, window_ms, (lo, hi, stride), j0, j1, columns, rows = layout
        self._layout = layout
        if self.counts.shape != (rows, columns):
            self.counts = np.zeros((rows, columns), dtype=COUNT_DTYPE)
        else:
            self.counts.fill(0)
        self.points_drawn = 0
        self.image.set_shape(rows, columns, self.lut[0])
        # neuron lo + j * stride is centred on its rank; the image spans the visible ones
        self.image.set_rect(QRectF(0.0, lo + (j0 - 0.5) * stride, float(window_ms), float((j1 - j0) * stride)))
        # rank -> offset of its row in the flat cells (-1: not shown), so that binning a
        # spike is one lookup whatever the range, thinning, zoom and rows per neuron
        rows_key = layout[2:]
        if rows_key != self._rows_key:
            self._rows_key = rows_key
            j = np.arange(self.size, dtype=np.int64) - lo
            shown = (j >= j0 * stride) & (j < j1 * stride) & (j % stride == 0)
            row = rows - 1 - ((j // stride - j0) * rows) // (j1 - j0)        # the image's top row first
            self._row_offset = np.where(shown, row * columns, -1).astype(np.intp)   # intp: no index casts
            self._all_shown = bool(shown.all())

    def _bin(self, times, ranks):
        """Add the spikes ``(times, ranks)`` (in time order) to the page's cells: a lookup
        of their rows, one ``np.add.at`` on their flat cell indices, then only the cells
        they fall in are recoloured, and only the columns they span repainted."""
        t0, window_ms, (lo, hi, stride), j0, j1, columns, rows = self._layout
        end = t0 + window_ms
        if len(times) and (times[-1] >= end or times.min() < t0):   # (after a reset, times restart)
            keep = (times >= t0) & (times < end)
            times, ranks = times[keep], ranks[keep]
        if not len(times):
            return
        flat = self._row_offset[ranks]
        if not self._all_shown:
            keep = flat >= 0
            times, flat = times[keep], flat[keep]
            if not len(times):
                return
        col = times * (columns / window_ms)
        col -= t0 * (columns / window_ms)
        col = col.astype(np.intp)                         # truncation: t0 <= times < end
        np.minimum(col, columns - 1, out=col)             # (rounding could reach ``columns``)
        flat += col
        cells = self.counts.reshape(-1)
        np.add.at(cells, flat, ONE)                       # a typed 1: numpy's fast path
        shade = cells[flat]
        np.minimum(shade, len(self.lut) - 1, out=shade)
        self.image.pixels.reshape(-1)[flat] = self.lut[shade]
        self.points_drawn += len(flat)
        self.image.update_columns(int(col[0]), int(col[-1]) + 1)     # in time order: the columns touched

    def image_counts(self):
        """The page's spike count per (row, column) cell, row 0 = lowest neuron shown."""
        return self.counts[::-1]

    def pixel(self, row, column):
        """The colour (0xAARRGGBB) of cell (row, column), row 0 = lowest neuron shown."""
        return int(self.image.pixels[self.image.pixels.shape[0] - 1 - row, column])

    def apply_palette(self):
        changed = super().apply_palette()
        if changed and hasattr(self, "image"):
            self.lut = spike_lut(self.dark)          # re-binned with the new colours
            self._layout = None
            self._view_changed()
        return changed

    def _view_changed(self, *_):
        """The plot was resized or its neuron axis zoomed: re-bin at the new resolution."""
        if self._in_refresh or self._feed is None:
            return
        self._seen = None
        self.refresh(self._feed, self._window_ms)

    # ------------------------------------------------------------------ queries
    def cell_of(self, t, rank):
        """(row, column) of the image cell that shows a spike of neuron ``rank`` at ``t`` ms
        (None when the current page or neuron view does not show it)."""
        if self._layout is None:
            return None
        t0, window_ms, (lo, hi, stride), j0, j1, columns, rows = self._layout
        j = rank - lo
        if not (t0 <= t < t0 + window_ms) or j < 0 or rank >= hi or j % stride:
            return None
        j //= stride
        if not j0 <= j < j1:
            return None
        return (j - j0) * rows // (j1 - j0), min(columns - 1, int((t - t0) * (columns / window_ms)))

    def data_table(self):
        """The spikes of the visible span: time (ms), neuron."""
        if self._feed is None or self._layout is None or self.monitor not in self._feed.spikes:
            return ["time (ms)", "neuron"], []
        t0, window_ms = self._layout[:2]
        with self._feed.lock:
            times, ranks = self._feed.spikes[self.monitor].window(t0, t0 + window_ms)
            times, ranks = times.copy(), ranks.copy()
        return ["time (ms)", "neuron"], [(f"{t:g}", int(r)) for t, r in zip(times, ranks)]

    def spike_count(self, feed):
        buf = feed.spikes.get(self.monitor)
        return 0 if buf is None else buf.total
