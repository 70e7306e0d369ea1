"""The main plots follow the system's palette: a dark palette gives dark plot backgrounds, light
axes and a raster drawn light on dark; switching back while the window is open follows too."""
import copy

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from annstudio.project.document import ProjectDocument
from gui_helpers import spiking_project

pytestmark = pytest.mark.gui


def _dark_palette():
    palette = QPalette()
    for role, color in ((QPalette.Window, "#2b2b2b"), (QPalette.WindowText, "#e0e0e0"), (QPalette.Base, "#1e1e1e"),
                        (QPalette.Text, "#e0e0e0"), (QPalette.Button, "#353535"), (QPalette.ButtonText, "#e0e0e0")):
        palette.setColor(role, QColor(color))
    return palette


@pytest.fixture
def dark_app(qapp):
    before = QPalette(qapp.palette())
    qapp.setPalette(_dark_palette())
    yield qapp
    qapp.setPalette(before)


def _lightness(color):
    return QColor(color).lightness()


def test_main_plots_follow_a_dark_palette(dark_app, window, qtbot):
    data = spiking_project(size=20, duration=200.0, dt=0.5)
    data["settings"]["paradigm"] = "numpy"
    window.controller.set_document(ProjectDocument(copy.deepcopy(data)))
    window.show_workspace()
    window.docks["Plots"].raise_()
    window.actions["run"].trigger()
    qtbot.waitUntil(lambda: window.run.state in ("finished", "failed"), timeout=90_000)
    assert window.run.state == "finished", window.log.toPlainText()[-2000:]
    qtbot.wait(50)
    plots = window.plots.plots
    assert {p.kind for p in plots} >= {"raster", "rate"}
    for plot in plots:
        assert _lightness(plot.plot.backgroundBrush().color()) < 80, plot.kind
        axis = plot.plot.getAxis("left")
        assert _lightness(axis.textPen().color()) > 180, plot.kind
        assert _lightness(axis.labelStyle["color"]) > 180
    raster = window.plots.plot_of("raster")
    pixels = raster.image.pixels
    empty = QColor.fromRgba(int(raster.lut[0]))
    assert int(raster.lut[0]) in set(pixels.reshape(-1).tolist())
    assert _lightness(empty) < 80                                 # no spike: the dark background
    spiking = [int(v) for v in set(pixels.reshape(-1).tolist()) if v != raster.lut[0]]
    assert spiking and all(_lightness(QColor.fromRgba(v)) > _lightness(empty) + 60 for v in spiking)
    # back to a light palette: the plots follow without a new run
    dark_app.setPalette(QPalette(QColor("#efefef")))
    qtbot.waitUntil(lambda: _lightness(window.plots.plots[0].plot.backgroundBrush().color()) > 200, timeout=3000)
    assert _lightness(window.plots.plot_of("rate").plot.getAxis("left").textPen().color()) < 100


def test_the_canvas_follows_the_palette_and_keeps_labels_readable(dark_app, window, qtbot):
    """Under a dark palette the canvas is dark with a visible grid, arrow labels are lighter than their
    arrows (readable on dark); back on a light palette it is white again with darker labels."""
    window.controller.set_document(ProjectDocument(copy.deepcopy(spiking_project(size=20))))
    window.show_workspace()
    view = window.canvas
    edge = next(iter(view.scene().edges.values()))
    assert _lightness(view.backgroundBrush().color()) < 80
    assert _lightness(view._grid) > _lightness(view.backgroundBrush().color()) + 15
    assert _lightness(edge.label.brush().color()) > _lightness(edge.color)
    image = view.grab().toImage()
    corner = image.pixelColor(5, 5)
    assert corner.lightness() < 80                              # what the user sees: a dark canvas
    dark_app.setPalette(QPalette(QColor("#efefef")))
    qtbot.waitUntil(lambda: _lightness(view.backgroundBrush().color()) > 240, timeout=3000)
    assert _lightness(edge.label.brush().color()) < _lightness(edge.color)
