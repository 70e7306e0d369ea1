"""Help: the Help menu, F1 context help, the generated equation reference, tooltips, context
menus and the empty-canvas hint, as a user meets them."""
import pytest
from PySide6.QtCore import Qt

from annstudio.core.equations.blocks import KNOWN_FLAGS, METHODS
from annstudio.core.equations.expressions import FUNCTIONS, RANDOM_DISTRIBUTIONS
from annstudio.core.model.types import Neuron
from annstudio.gui.help import reference

pytestmark = pytest.mark.gui


def test_reference_covers_the_whole_whitelist_and_nothing_else():
    assert reference.missing_docs() == []
    assert reference.stale_docs() == []
    text = reference.reference_html()
    for name in list(FUNCTIONS) + list(RANDOM_DISTRIBUTIONS) + list(METHODS) + sorted(KNOWN_FLAGS):
        assert f"<code>{name}</code>" in text


def test_every_reference_example_is_accepted_by_the_engine():
    examples = reference.examples()
    assert len(examples) > 60
    for section, name, example in examples:
        Neuron(**reference.example_neuron(section, name, example)).analysis()    # raises if refused


def test_help_menu_shows_the_equation_reference(window):
    menus = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert "Help" in menus and "Tools" in menus
    window.actions["equation_reference"].trigger()
    assert window.docks["Help"].isVisible()
    html = window.help_panel.browser.toPlainText()
    assert "Equation reference" in html and "tanh" in html and "exponential" in html


def test_f1_opens_the_topic_of_the_focused_widget(window, qtbot):
    window.new_project()
    window.tabs.setCurrentWidget(window.equations)
    window.equations.setFocus()
    qtbot.waitUntil(lambda: window.equations.isVisible())
    window.actions["help"].trigger()
    assert window.help_panel.current_topic == "Equations"
    window.docks["Inspector"].raise_()
    window.inspector.setFocus()
    qtbot.keyClick(window.inspector, Qt.Key_F1)
    assert window.help_panel.current_topic == "Inspector"


def test_empty_canvas_hint_disappears_with_the_first_population(window, qtbot, project_file):
    window.new_project()
    qtbot.waitUntil(lambda: window.empty_hint.isVisible())
    assert "Palette" in window.empty_hint.text()
    window.open_path(str(project_file))
    assert not window.empty_hint.isVisible()


def test_context_menus_on_node_edge_and_canvas(window, project_file):
    window.open_path(str(project_file))
    scene, canvas = window.scene, window.canvas
    from annstudio.gui.teaching import canvas_menu
    node = scene.nodes["exc"]
    pos = canvas.mapFromScene(node.sceneBoundingRect().center())
    texts = [a.text() for a in canvas_menu(window, pos).actions()]
    assert "F-I curve of LIF" in texts and "Edit equations of LIF" in texts
    menu = canvas_menu(window, pos)
    next(a for a in menu.actions() if a.text() == "F-I curve of LIF").trigger()
    assert window.tabs.currentWidget() is window.neuron_lab
    assert window.neuron_lab.type_box.currentText() == "LIF"
    edge = scene.edges["rec"]
    epos = canvas.mapFromScene(edge.path().pointAtPercent(0.5))
    texts = [a.text() for a in canvas_menu(window, epos).actions()]
    assert "Show weights" in texts and "Delete projection" in texts
    far = canvas.mapFromScene(node.sceneBoundingRect().center().x() + 1500, 1200)
    texts = [a.text() for a in canvas_menu(window, far).actions()]
    assert "Add population" in texts and "Automatic layout" in texts


def test_palette_entries_say_what_they_are_with_units_and_have_icons(window):
    window.new_project()
    items = {window.palette.topLevelItem(i).child(j).text(0): window.palette.topLevelItem(i).child(j)
             for i in range(window.palette.topLevelItemCount())
             for j in range(window.palette.topLevelItem(i).childCount())}
    tip = items["IF_curr_exp"].toolTip(0)
    assert "mV" in tip and tip != "IF_curr_exp"
    assert "Hz" in items["PoissonPopulation"].toolTip(0)
    assert not items["IF_curr_exp"].icon(0).isNull() and not items["PoissonPopulation"].icon(0).isNull()
    assert items["IF_curr_exp"].icon(0).cacheKey() != items["LeakyIntegrator"].icon(0).cacheKey()
    assert not window.actions["run"].icon().isNull()
    assert "compile" in window.actions["build"].toolTip()


def test_window_geometry_and_docks_come_back_next_session(qtbot):
    from annstudio.gui.main_window import MainWindow
    first = MainWindow()
    qtbot.addWidget(first)
    first.show()
    qtbot.waitExposed(first)
    from annstudio.gui.teaching import _settings
    first.docks["History"].hide()
    first.docks["Help"].setFloating(True)
    first.controller.stack.setClean()
    first.close()
    # the offscreen screen (800 x 800) clamps restored sizes: the saved geometry is checked as saved
    assert bytes(_settings().value("geometry")) == bytes(first.saveGeometry())
    second = MainWindow()
    qtbot.addWidget(second)
    second.show()
    qtbot.waitExposed(second)
    assert not second.docks["History"].isVisible()
    assert second.docks["Help"].isFloating()
    second.controller.stack.setClean()


def test_no_tab_label_is_cut_and_no_stale_tab_bar_shows(window, qtbot):
    from PySide6.QtWidgets import QTabBar
    qtbot.wait(20)
    bars = [b for b in window.findChildren(QTabBar) if b.isVisible()]
    assert bars and all(b.elideMode() == Qt.ElideNone for b in bars)
    labels = [tuple(b.tabText(i) for i in range(b.count())) for b in bars if b.parentWidget() is window]
    assert len(labels) == len(set(labels))                  # each group of docks has one tab bar on screen
    assert any("Inspector" in group and "Settings" in group for group in labels)


def test_lab_plots_follow_a_dark_palette(qtbot):
    from PySide6.QtGui import QColor, QPalette

    from annstudio.gui.lab import NeuronLabPanel
    dark = QPalette()
    dark.setColor(QPalette.Window, QColor("#2b2b2b"))
    dark.setColor(QPalette.WindowText, QColor("#eeeeee"))
    panel = NeuronLabPanel()
    qtbot.addWidget(panel)
    panel.setPalette(dark)
    assert panel._colors()[0] == "#232629"
    light = NeuronLabPanel()
    qtbot.addWidget(light)
    assert light._colors()[0] == "#ffffff"
