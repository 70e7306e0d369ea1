"""Image plots: the activity map of a 2-D population (latest recorded row,
reshaped to the geometry) and the weight matrix of a projection."""
import numpy as np
import pyqtgraph as pg

from .base import LivePlot


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
        self._seen = -1

    def show_array(self, array):
        finite = array[np.isfinite(array)]
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        if hi <= lo:
            hi = lo + 1e-9
        self.image.setImage(np.nan_to_num(array, nan=lo), levels=(lo, hi), autoLevels=False)
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


class WeightPlot(_ImagePlot):
    kind = "weights"

    def __init__(self, projection, parent=None):
        super().__init__(f"Weights: {projection} (post × pre)", parent)
        self.projection = projection
        self.plot.setLabel("bottom", "presynaptic neuron (binned)")
        self.plot.setLabel("left", "postsynaptic neuron (binned)")

    def refresh(self, feed, window_ms):
        if feed.version == self._seen:
            return
        self._seen = feed.version
        with feed.lock:
            matrix = feed.weights.get(self.projection)
        if matrix is not None:
            self.show_array(np.asarray(matrix, dtype=np.float64))
