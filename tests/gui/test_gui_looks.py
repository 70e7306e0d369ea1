"""Looks: no side-dock tab title is cut (History was shown as "Hi"), and the first and last times
of a plot page are labelled on the time axis."""
import copy

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QTabBar

from annstudio.project.document import ProjectDocument
from gui_helpers import spiking_project

pytestmark = pytest.mark.gui


def test_side_dock_tabs_show_their_whole_titles(window, qtbot):
    window.resize(1600, 1000)
    qtbot.wait(50)
    bars = [b for b in window.findChildren(QTabBar) if b.parent() is window and b.isVisible()]
    titles = {b.tabText(i) for b in bars for i in range(b.count())}
    assert {"Inspector", "Settings", "Live parameters", "History"} <= titles
    for bar in bars:
        docks = [window.docks.get(bar.tabText(i)) for i in range(bar.count())]
        if not any(d is not None and window.dockWidgetArea(d) == Qt.RightDockWidgetArea for d in docks):
            continue
        for i in range(bar.count()):
            rect = bar.tabRect(i)
            assert rect.width() >= bar.fontMetrics().horizontalAdvance(bar.tabText(i)), bar.tabText(i)
            assert rect.right() <= bar.width(), f"{bar.tabText(i)!r} is cut at {bar.width()} px"


def _labels(axis):
    image = QImage(axis.width() + 80, axis.height() + 20, QImage.Format_ARGB32)
    painter = QPainter(image)
    try:
        _axis, _ticks, texts = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    return [text for _rect, _flags, text in texts]


def test_the_first_time_of_a_page_is_labelled(window, qtbot):
    data = spiking_project(size=20, duration=1500.0, dt=0.5)
    data["settings"]["paradigm"] = "numpy"
    window.resize(1600, 1000)
    window.controller.set_document(ProjectDocument(copy.deepcopy(data)))
    window.show_workspace()
    window.docks["Plots"].raise_()
    window.actions["run"].trigger()
    qtbot.waitUntil(lambda: window.run.state in ("finished", "failed"), timeout=90_000)
    assert window.run.state == "finished"
    qtbot.wait(50)
    for plot in window.plots.plots:
        if plot.kind not in ("raster", "rate"):
            continue
        start, width = plot._page
        labels = _labels(plot.plot.getAxis("bottom"))
        assert f"{start:g}" in labels, (plot.kind, start, labels)
        assert f"{start + width:g}" in labels, (plot.kind, labels)


def test_a_page_turn_relabels_the_time_axis_without_recomputing_its_ticks(qtbot):
    from annstudio.gui.plots.base import LivePlot, set_page

    class Plain(LivePlot):
        def refresh(self, feed, window_ms):
            pass

    plot = Plain("t")
    qtbot.addWidget(plot)
    plot.resize(700, 260)
    plot.show()
    qtbot.waitExposed(plot)
    axis = plot.plot.getAxis("bottom")
    set_page(plot, 0.0, 1000.0)
    first = _labels(axis)
    assert first[0] == "0" and "1000" in first
    computed = []
    original = type(axis).tickValues
    axis.tickValues = lambda *a: computed.append(a) or original(axis, *a)
    for page in range(1, 12):
        set_page(plot, page * 1000.0, 1000.0)
        labels = _labels(axis)
        assert labels == [f"{float(t) + page * 1000.0:g}" for t in first], labels
    assert computed == []                          # the ticks were not computed again
    # every label lies inside the axis (the first one is not cut nor dropped)
    image = QImage(axis.width() + 80, axis.height() + 20, QImage.Format_ARGB32)
    painter = QPainter(image)
    texts = axis.generateDrawSpecs(painter)[2]
    painter.end()
    assert all(0 <= rect.left() and rect.right() <= axis.width() for rect, _f, _t in texts)


@pytest.mark.parametrize("gap", [20.0, 45.0, 120.0])
def test_an_arrow_label_between_close_nodes_does_not_cover_them(window, qtbot, gap):
    from PySide6.QtCore import QPointF

    from annstudio.gui.canvas.items import NODE_W
    from annstudio.project import commands as C
    window.new_project()
    scene = window.scene
    for name, x in (("LIF", 0.0), ("LIF", 400.0)):
        scene.drop_type("neurons", name, QPointF(x, 0.0))
    window.controller.push(C.SetPosition("pop", (0.0, 0.0)))
    window.controller.push(C.SetPosition("pop1", (NODE_W + gap, 0.0)))
    scene.connect_populations("pop", "pop1")
    qtbot.wait(20)
    edge = next(iter(scene.edges.values()))
    label = edge.label.sceneBoundingRect()
    for name in ("pop", "pop1"):
        assert not label.intersects(scene.nodes[name].sceneBoundingRect()), (gap, name)


def test_a_lab_sheet_reads_in_its_dock(window, qtbot):
    from PySide6.QtGui import QTextFormat
    window.resize(1500, 950)
    window.actions["lab_sheet"].trigger()
    dock = window.docks["Lab sheet"]
    qtbot.waitUntil(lambda: dock.width() >= 380, timeout=3000)   # room for the text on first showing
    assert window.minimumSizeHint().width() <= 1366          # without widening the window for good
    block = window.lab_sheet.browser.document().begin()
    sizes = []
    while block.isValid():
        if block.blockFormat().headingLevel():
            sizes.append(block.begin().fragment().charFormat().intProperty(QTextFormat.Property.FontSizeAdjustment))
        block = block.next()
    assert sizes and max(sizes) <= 1                         # not Markdown's poster-sized +3
