"""Building a network as a user would: palette drops, arrows drawn on the
canvas, the inspector, rubber-band selection, delete, copy/paste, layout,
undo/redo."""
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from gui_helpers import click_on_canvas, drag_on_canvas, drop_from_palette

pytestmark = pytest.mark.gui


def _node_center(window, name):
    return window.scene.nodes[name].center()


def _port(window, name):
    node = window.scene.nodes[name]
    return node.mapToScene(node.port_center())


def _build_two(window, qtbot):
    window.new_project()
    assert drop_from_palette(window.palette, window.canvas, "LIF", QPointF(0, 0))
    assert drop_from_palette(window.palette, window.canvas, "LIF", QPointF(400, 60))
    qtbot.wait(10)
    return window.controller.document


def test_palette_drop_adds_populations_and_type(window, qtbot):
    doc = _build_two(window, qtbot)
    assert [p["name"] for p in doc.items("populations")] == ["pop", "pop1"]
    assert doc.population("pop")["neuron"] == "LIF"
    assert "LIF" in doc.data["neurons"]            # the template became a project type
    assert set(window.scene.nodes) == {"pop", "pop1"}
    assert window.scene.nodes["pop"].kind == "spike"
    # the project's own type now heads the palette
    assert window.palette.findItems("LIF", Qt.MatchExactly | Qt.MatchRecursive)[0].parent().text(0) == "Project neurons"


def test_rate_and_spiking_nodes_look_different(window, qtbot):
    window.new_project()
    drop_from_palette(window.palette, window.canvas, "RateNeuron", QPointF(0, 0))
    drop_from_palette(window.palette, window.canvas, "LIF", QPointF(300, 0))
    drop_from_palette(window.palette, window.canvas, "PoissonPopulation", QPointF(0, 250))
    kinds = {name: node.kind for name, node in window.scene.nodes.items()}
    assert sorted(kinds.values()) == ["rate", "source", "spike"]


def test_drag_arrow_between_nodes_and_drop_synapse(window, qtbot):
    doc = _build_two(window, qtbot)
    drag_on_canvas(window.canvas, _port(window, "pop"), _node_center(window, "pop1"))
    assert len(doc.items("projections")) == 1
    proj = doc.items("projections")[0]
    assert (proj["pre"], proj["post"]) == ("pop", "pop1")
    edge = window.scene.edges[proj["name"]]
    assert "exc" in edge.label.text()
    # shift-drag from a node body to itself draws a recurrent arrow
    drag_on_canvas(window.canvas, _node_center(window, "pop1"), _node_center(window, "pop1") + QPointF(5, 5),
                   modifiers=Qt.ShiftModifier)
    assert len(doc.items("projections")) == 2
    # a synapse type dropped on the arrow sets the projection's synapse
    mid = edge.path().pointAtPercent(0.5)
    assert drop_from_palette(window.palette, window.canvas, "Hebbian", mid)
    assert doc.projection(proj["name"])["synapse"] == "Hebbian"
    assert "Hebbian" in window.scene.edges[proj["name"]].label.text()


def test_inspector_edits_population_and_projection(window, qtbot):
    doc = _build_two(window, qtbot)
    click_on_canvas(window.canvas, _node_center(window, "pop"))
    assert window.inspector.current == ("population", "pop")
    page = window.inspector.population
    page.geometry_edit.setFocus()
    page.geometry_edit.selectAll()
    QTest.keyClicks(page.geometry_edit, "20x10")
    QTest.keyClick(page.geometry_edit, Qt.Key_Return)
    assert doc.population("pop")["geometry"] == [20, 10]
    assert "200 neurons" in window.scene.nodes["pop"].subtitle
    # a bad size stays in the field, red, and changes nothing
    page.geometry_edit.selectAll()
    QTest.keyClicks(page.geometry_edit, "-3")
    QTest.keyClick(page.geometry_edit, Qt.Key_Return)
    assert doc.population("pop")["geometry"] == [20, 10]
    assert "background" in page.geometry_edit.styleSheet()
    # rename through the inspector updates the canvas
    page.name_edit.setFocus()
    page.name_edit.selectAll()
    QTest.keyClicks(page.name_edit, "Exc")
    QTest.keyClick(page.name_edit, Qt.Key_Return)
    assert doc.population("Exc") is not None and "Exc" in window.scene.nodes
    # recording: tick "spike"
    qtbot.wait(5)
    monitor = page.monitor
    items = [monitor.variables.item(i) for i in range(monitor.variables.count())]
    spike = next(i for i in items if i.text() == "spike")
    spike.setCheckState(Qt.Checked)
    assert doc.monitors_of("Exc") and doc.monitor(doc.monitors_of("Exc")[0])["variables"] == ["spike"]
    # projection: weights and connector probability
    window.scene.connect_populations("Exc", "pop1")
    proj = doc.items("projections")[0]["name"]
    window.scene.select(proj)
    assert window.inspector.current == ("projection", proj)
    ppage = window.inspector.projection
    ppage.weights.mode.setCurrentText("distribution")
    ppage.weights.mode.activated.emit(ppage.weights.mode.currentIndex())
    high = ppage.weights.fields["max"].edit
    high.setFocus()
    high.selectAll()
    QTest.keyClicks(high, "0.5")
    QTest.keyClick(high, Qt.Key_Return)
    assert doc.projection(proj)["connector"]["weights"] == {"distribution": "Uniform", "args": [0, 0.5]}
    qtbot.wait(5)
    from annstudio.gui.forms import CommitLineEdit
    prob = ppage.findChild(CommitLineEdit, "arg_probability")
    prob.setFocus()
    prob.selectAll()
    QTest.keyClicks(prob, "0.25")
    QTest.keyClick(prob, Qt.Key_Return)
    assert doc.projection(proj)["connector"]["args"]["probability"] == 0.25


def test_rubber_band_delete_undo_redo(window, qtbot):
    doc = _build_two(window, qtbot)
    window.scene.connect_populations("pop", "pop1")
    before = doc.to_dict()
    window.canvas.resetTransform()
    window.canvas.centerOn(QPointF(200, 30))
    qtbot.wait(5)
    drag_on_canvas(window.canvas, QPointF(-150, -150), QPointF(640, 240))
    pops, projs = window.scene.selected_names()
    assert set(pops) == {"pop", "pop1"}
    window.canvas.setFocus()
    QTest.keyClick(window.canvas, Qt.Key_Delete)
    assert doc.items("populations") == [] and doc.items("projections") == []
    assert window.scene.nodes == {} and window.scene.edges == {}
    window.actions["undo"].trigger()
    assert doc.to_dict() == before
    assert set(window.scene.nodes) == {"pop", "pop1"} and len(window.scene.edges) == 1
    window.actions["redo"].trigger()
    assert window.scene.nodes == {}
    window.actions["undo"].trigger()
    # the history view lists every step
    assert window.controller.stack.count() >= 4
    assert window.history.model().rowCount() == window.controller.stack.count() + 1


def test_move_node_is_undoable(window, qtbot):
    doc = _build_two(window, qtbot)
    start = doc.position("pop")
    drag_on_canvas(window.canvas, _node_center(window, "pop") + QPointF(-40, -10),
                   _node_center(window, "pop") + QPointF(60, 90))
    moved = doc.position("pop")
    assert moved != start
    window.actions["undo"].trigger()
    assert doc.position("pop") == start
    node = window.scene.nodes["pop"]
    assert (node.pos().x(), node.pos().y()) == start


def test_copy_paste_and_auto_layout(window, qtbot):
    doc = _build_two(window, qtbot)
    window.scene.connect_populations("pop", "pop1")
    for name in ("pop", "pop1"):
        window.scene.nodes[name].setSelected(True)
    window.canvas.setFocus()
    QTest.keyClick(window.canvas, Qt.Key_C, Qt.ControlModifier)
    QTest.keyClick(window.canvas, Qt.Key_V, Qt.ControlModifier)
    names = [p["name"] for p in doc.items("populations")]
    assert len(names) == 4 and len(doc.items("projections")) == 2
    pasted = doc.items("projections")[1]
    assert {pasted["pre"], pasted["post"]} <= set(names[2:])
    window.actions["layout"].trigger()
    xs = {round(doc.position(n)[0]) for n in names}
    assert len(xs) == 2                      # two columns: inputs, then their targets
    window.actions["undo"].trigger()
    window.actions["undo"].trigger()
    assert len(doc.items("populations")) == 2


def test_bad_input_never_crashes(window, qtbot):
    doc = _build_two(window, qtbot)
    errors = []
    window.controller.error.connect(errors.append)
    # a synapse dropped on empty space is refused with a message
    assert drop_from_palette(window.palette, window.canvas, "Hebbian", QPointF(-900, -900))
    assert errors and doc.items("projections") == []
    # renaming onto a taken name fails cleanly
    from annstudio.project import commands as C
    assert not window.controller.push(C.RenameItem("populations", "pop", "pop1"))
    assert {p["name"] for p in doc.items("populations")} == {"pop", "pop1"}
    # pasting garbage does nothing
    from PySide6.QtWidgets import QApplication
    QApplication.clipboard().setText("not json {")
    window.canvas.paste()
    assert len(doc.items("populations")) == 2
