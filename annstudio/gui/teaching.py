"""The studio's teaching layer, installed into the main window by ``install_teaching``.

Adds the single-neuron lab (a workspace tab), the help and lab-sheet docks, the Tools and Help
menus, F1 context help, context menus on the canvas (nodes, arrows, empty space), the hint on an
empty canvas, tab bars that never elide their labels, and window geometry / dock layout restored
between sessions (``QSettings`` in the studio's state folder).  ``run_sheet_action`` carries out a
lab sheet's Try-this buttons through the same commands the views use.
"""
import json

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QLabel, QMenu, QTabBar, QTabWidget

from ..project import commands as C
from ..project.gallery import GALLERY
from . import catalog, files
from .canvas.items import PopulationNode, ProjectionEdge
from .canvas.scene import default_population, default_projection
from .help import HelpPanel, help_topic_for
from .help.panel import tag
from .icons import apply_icons
from .lab import NeuronLabPanel
from .lab.sheets import LabSheetPanel

ACTION_TIPS = {
    "build": "Check the whole project and compile it, without running (Ctrl+B)",
    "run": "Build if needed, then play the protocol; the plots follow the run (Ctrl+R)",
    "pause": "Pause the run at the next chunk boundary (Ctrl+P)", "resume": "Go on with a paused run (Ctrl+U)",
    "stop": "Stop the run; what was recorded stays in the plots (Ctrl+.)",
    "step": "Advance the simulation by one time step dt (Ctrl+T)",
    "undo_tool": "Undo the last change to the project (Ctrl+Z)", "redo_tool": "Redo what was undone",
    "layout": "Arrange the populations automatically (Ctrl+L)",
}
EMPTY_HINT = ("Drag a neuron type from the Palette here to add a population,\n"
              "or open an example: File ▸ Examples.  Press F1 for help.")


def _settings():
    return QSettings(str(files.state_dir() / "window.ini"), QSettings.IniFormat)


def install_teaching(window):
    window.neuron_lab = tag(NeuronLabPanel(window.controller), "Neuron lab")
    window.tabs.addTab(window.neuron_lab, "Neuron lab")
    window.help_panel = tag(HelpPanel(), "Getting started")
    window.lab_sheet = tag(LabSheetPanel(), "Lab sheets")
    window._dock("Lab sheet", window.lab_sheet, Qt.LeftDockWidgetArea, tab_with="Palette")
    window._dock("Help", window.help_panel, Qt.RightDockWidgetArea, tab_with="Inspector")
    window.docks["Palette"].raise_()
    window.docks["Inspector"].raise_()
    for widget, topic in ((window.canvas, "Canvas"), (window.equations, "Equations"),
                          (window.inspector, "Inspector"), (window.settings_panel, "Running"),
                          (window.plots, "Running"), (window.palette, "Canvas")):
        tag(widget, topic)
    window.lab_sheet.actionRequested.connect(lambda action: run_sheet_action(window, action))
    window.controller.replaced.connect(lambda: _document_replaced(window))
    window.controller.changed.connect(lambda _change: _update_hint(window))
    _build_menus(window)
    _install_context_menus(window)
    _install_hint(window)
    apply_icons(window)
    for key, tip in ACTION_TIPS.items():
        if key in window.actions:
            window.actions[key].setToolTip(tip)
    window.tabs.tabBar().setElideMode(Qt.ElideNone)
    window._teaching_filter = _WindowEvents(window)
    window.installEventFilter(window._teaching_filter)
    restore_layout(window)
    QTimer.singleShot(0, window, lambda: unelide_tabs(window))


def _build_menus(window):
    bar = window.menuBar()
    tools = QMenu("&Tools", window)
    bar.addMenu(tools)
    a = window.actions
    a["neuron_lab"] = _add(window, tools, "Single-neuron &lab", lambda: open_neuron_lab(window), "Ctrl+Shift+L")
    a["lab_sheet"] = _add(window, tools, "Lab &sheet", lambda: _raise(window, "Lab sheet"))
    help_menu = bar.addMenu("&Help")
    a["help"] = _add(window, help_menu, "&Help on what has the focus", lambda: context_help(window),
                     QKeySequence.HelpContents)
    a["help"].setShortcutContext(Qt.ApplicationShortcut)
    a["getting_started"] = _add(window, help_menu, "&Getting started", lambda: show_help(window, "Getting started"))
    a["equation_reference"] = _add(window, help_menu, "&Equation reference",
                                   lambda: show_help(window, "Equations"))
    a["shortcuts"] = _add(window, help_menu, "&Keyboard shortcuts", lambda: show_help(window, "Keyboard shortcuts"))
    help_menu.addSeparator()
    a["about"] = _add(window, help_menu, "&About annstudio", lambda: window.statusBar().showMessage(
        "annstudio: build, run and teach neural networks (ANNarchy semantics).", 8000))


def _add(window, menu, text, slot, shortcut=None):
    action = QAction(text, window)
    if shortcut is not None:
        action.setShortcut(shortcut)
    action.triggered.connect(lambda _checked=False: slot())
    menu.addAction(action)
    return action


def _raise(window, dock):
    window.docks[dock].show()
    window.docks[dock].raise_()


def show_help(window, topic):
    window.help_panel.show_topic(topic)
    _raise(window, "Help")


def context_help(window):
    """F1: the help topic of the focused widget (or of the visible workspace tab)."""
    widget = QApplication.focusWidget()
    if widget is None or widget.window() is not window or widget is window.help_panel.browser:
        widget = window.tabs.currentWidget() if window.central.currentWidget() is window.tabs else None
    show_help(window, help_topic_for(widget))


def open_neuron_lab(window, type_name=None, tab=None):
    window.show_workspace()
    window.tabs.setCurrentWidget(window.neuron_lab)
    lab = window.neuron_lab
    if type_name is None:
        pops, _projs = window.scene.selected_names()
        pop = window.controller.document.population(pops[0]) if pops else None
        type_name = pop.get("neuron") if pop else None
    if tab is not None:
        lab.tabs.setCurrentIndex({"fi": 0, "step": 1, "phase": 2}[tab])
    if type_name and lab.set_type(type_name):
        return True
    if lab.lab is None:
        lab.set_type(lab.type_box.itemText(0))
    return False


def _document_replaced(window):
    doc = window.controller.document
    window.neuron_lab.refresh_types()
    window.lab_sheet.sheet_for_project(doc.path, doc.data.get("name"), GALLERY)
    _update_hint(window)


# ------------------------------------------------------------------ lab-sheet actions
def run_sheet_action(window, action):
    """Carry out one Try-this button; problems are reported in words on the status bar."""
    doc = window.controller.document
    verb, args = action.verb, action.args
    try:
        if verb == "new":
            window.new_project()
        elif verb == "open":
            window.open_path(str(GALLERY / f"{args[0]}.json"))
        elif verb == "add":
            _sheet_add(window, *args)
        elif verb == "connect":
            pre, post, target, weight, probability = args
            item = default_projection(doc, pre, post, target)
            item["name"] = f"{pre}_{post}" if doc.projection(f"{pre}_{post}") is None else item["name"]
            item["connector"]["weights"] = float(weight)
            item["connector"]["args"] = {"probability": float(probability)}
            window.controller.push(C.add_projection(doc, item))
        elif verb == "set":
            section = args[0] + "s"
            if doc.find(section, args[1]) is None:
                raise ValueError(f"there is no {args[0]} named {args[1]!r} (did you do the earlier steps?)")
            window.controller.push(C.SetField(section, args[1], tuple(args[2].split(".")), _value(args[3])))
        elif verb == "record":
            name = doc.unique_name(f"{args[0]}_monitor", "monitors") if hasattr(doc, "unique_name") else args[0]
            monitor = {"name": name, "target": args[0], "kind": "population",
                       "variables": args[1].split(","), "ranks": None, "period": None, "start": True}
            window.controller.push(C.InsertItem("monitors", monitor, text=f"Record {args[1]} of {args[0]}"))
        elif verb == "setting":
            window.controller.push(C.SetSetting(args[0], _value(args[1])))
        elif verb == "run":
            window.show_workspace()
            window.run_simulation()
        elif verb == "lab":
            open_neuron_lab(window, args[0], args[1] if len(args) > 1 else None)
    except (ValueError, KeyError, TypeError) as exc:
        window.show_error(f"Lab sheet: {action.label}: {exc}")
        return False
    return True


def _sheet_add(window, name, type_name, size):
    doc = window.controller.document
    kind = {"PoissonPopulation": "poisson", "SpikeSourceArray": "spike_source_array"}.get(type_name, "standard")
    pop = default_population(doc, neuron=None if kind != "standard" else type_name, kind=kind, size=int(size))
    pop["name"] = name
    if kind == "spike_source_array":
        pop["geometry"] = [int(size)]
    children = []
    if kind == "standard":
        entry = catalog.reference_definition(doc, "neurons", type_name)
        if entry is not None:
            children.append(C.SetType("neurons", type_name, entry, text=f"Add type {type_name}"))
        elif doc.type_def("neurons", type_name) is None:
            raise ValueError(f"no neuron type named {type_name!r}")
    children.append(C.add_population(doc, pop, pos=(len(doc.data["populations"]) * 220.0, 0.0)))
    window.show_workspace()
    window.controller.push(C.Compound(f"Add population {name}", children))


def _value(text):
    try:
        return json.loads(text)
    except ValueError:
        return text


# ------------------------------------------------------------------ canvas
def _install_context_menus(window):
    window.canvas.setContextMenuPolicy(Qt.CustomContextMenu)
    window.canvas.customContextMenuRequested.connect(lambda pos: canvas_menu(window, pos).popup(
        window.canvas.viewport().mapToGlobal(pos)))


def canvas_menu(window, pos):
    """The context menu for view position ``pos``: a population, an arrow or the empty canvas."""
    scene, doc = window.scene, window.controller.document
    scene_pos = window.canvas.mapToScene(pos)
    node, edge = scene.node_at(scene_pos), scene.edge_at(scene_pos)
    menu = QMenu(window.canvas)
    if isinstance(node, PopulationNode):
        scene.select(node.name)
        pop = doc.population(node.name) or {}
        neuron = pop.get("neuron")
        menu.setTitle(node.name)
        if neuron and doc.type_def("neurons", neuron) is not None:
            menu.addAction("Edit equations of " + neuron, lambda: window._node_activated(node.name))
        if neuron:
            menu.addAction("F-I curve of " + neuron, lambda: open_neuron_lab(window, neuron, "fi"))
            menu.addAction("Phase plane of " + neuron, lambda: open_neuron_lab(window, neuron, "phase"))
        menu.addAction("Record spikes", lambda: run_sheet_action(window, _Record(node.name, "spike")))
        menu.addSeparator()
        menu.addAction("Delete population", scene.delete_selection)
    elif isinstance(edge, ProjectionEdge):
        scene.select(edge.name)
        menu.setTitle(edge.name)
        menu.addAction("Show weights", lambda: window.plots.show_weights(edge.name))
        menu.addSeparator()
        menu.addAction("Delete projection", scene.delete_selection)
    else:
        add = menu.addMenu("Add population")
        for name in ["PoissonPopulation", "SpikeSourceArray"] + catalog.type_names(doc, "neurons")[:12]:
            add.addAction(name, lambda n=name: scene.drop_type("neurons", n, scene_pos))
        menu.addAction("Automatic layout", scene.apply_auto_layout)
        menu.addAction("Fit network", window.canvas.fit_all)
        menu.addAction("Help on the canvas", lambda: show_help(window, "Canvas"))
    return menu


class _Record:
    def __init__(self, population, variable):
        self.verb, self.args, self.label = "record", (population, variable), f"record {variable} of {population}"


def _install_hint(window):
    hint = QLabel(EMPTY_HINT, window.canvas.viewport())
    hint.setObjectName("empty_canvas_hint")
    hint.setAlignment(Qt.AlignCenter)
    hint.setStyleSheet("color: palette(mid); font-size: 14px; background: transparent;")
    hint.setAttribute(Qt.WA_TransparentForMouseEvents)
    window.empty_hint = hint            # kept sized to the viewport by _WindowEvents
    _update_hint(window)


def _update_hint(window):
    hint = getattr(window, "empty_hint", None)
    if hint is None:
        return
    hint.setGeometry(window.canvas.viewport().rect())
    hint.setVisible(not window.controller.document.data["populations"])


# ------------------------------------------------------------------ layout, tabs
class _WindowEvents(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.pending = False
        window.canvas.viewport().installEventFilter(self)

    def _tidy_tabs(self):
        self.pending = False
        unelide_tabs(self.window)

    def eventFilter(self, obj, event):                        # noqa: N802 - Qt spelling
        if obj is self.window and event.type() == QEvent.Close:
            save_layout(self.window)
        elif obj is self.window and event.type() in (QEvent.Show, QEvent.Resize) and not self.pending:
            self.pending = True                     # once per burst of events, never per frame
            QTimer.singleShot(0, self, self._tidy_tabs)
        elif obj is not self.window and event.type() == QEvent.Resize:
            _update_hint(self.window)
        return False


def unelide_tabs(window):
    """Full tab labels everywhere (dock tab bars are created by Qt as docks get tabbed), and no stale
    dock tab bar left on screen (Qt 6 leaves a second, unplaced bar when a second group of docks is
    tabified before the window is shown, and another after ``restoreState``)."""
    for bar in window.findChildren(QTabBar):
        if bar.elideMode() != Qt.ElideNone:
            bar.setElideMode(Qt.ElideNone)
            bar.setUsesScrollButtons(True)
    for tabs in window.findChildren(QTabWidget):
        tabs.setElideMode(Qt.ElideNone)
    docks = {d.windowTitle(): d for d in window.docks.values()}
    for bar in window.findChildren(QTabBar):
        if bar.parentWidget() is not window or not bar.isVisible() or bar.count() == 0:
            continue
        dock = docks.get(bar.tabText(bar.currentIndex()))
        if dock is None or not dock.isVisible() or dock.isFloating():
            continue
        g, b = dock.geometry(), bar.geometry()
        placed = (abs(b.top() - g.bottom()) <= 12 or abs(b.bottom() - g.top()) <= 12) and \
            b.left() < g.right() and g.left() < b.right()
        if not placed:
            bar.hide()


def save_layout(window):
    s = _settings()
    s.setValue("geometry", window.saveGeometry())
    s.setValue("state", window.saveState())
    s.sync()


def restore_layout(window):
    s = _settings()
    geometry, state = s.value("geometry"), s.value("state")
    if geometry is not None:
        window.restoreGeometry(geometry)
    if state is not None:
        window.restoreState(state)
