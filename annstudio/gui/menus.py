"""Menus, shortcuts and the run toolbar of the main window (actions call the
window's methods; nothing here holds state)."""
from functools import partial

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QMenu, QProgressBar

from . import files


def _action(window, menu, text, slot, shortcut=None, name=None):
    action = QAction(text, window)
    if shortcut is not None:
        action.setShortcut(shortcut)
    action.triggered.connect(lambda _checked=False: slot())
    if name:
        action.setObjectName(name)
    menu.addAction(action)
    return action


def build_menus(window):
    bar = window.menuBar()
    a = {}
    file_menu = bar.addMenu("&File")
    a["new"] = _action(window, file_menu, "&New project", window.new_project, QKeySequence.New)
    a["open"] = _action(window, file_menu, "&Open…", window.open_dialog, QKeySequence.Open)
    recent = QMenu("Open &recent", window)
    recent.aboutToShow.connect(partial(_fill_recent, window, recent))
    file_menu.addMenu(recent)
    examples = QMenu("&Examples", window)
    examples.aboutToShow.connect(partial(_fill_examples, window, examples))
    file_menu.addMenu(examples)
    a["start"] = _action(window, file_menu, "Start page", window.show_start_page)
    file_menu.addSeparator()
    a["save"] = _action(window, file_menu, "&Save", window.save, QKeySequence.Save)
    a["save_as"] = _action(window, file_menu, "Save &as…", window.save_as, QKeySequence.SaveAs)
    file_menu.addSeparator()
    a["export_script"] = _action(window, file_menu, "Export Python script…", window.export_script_dialog)
    a["export_report"] = _action(window, file_menu, "Export model report…", window.export_report_dialog)
    a["export_plots"] = _action(window, file_menu, "Export plots…", window.plots._export_dialog)
    file_menu.addSeparator()
    a["quit"] = _action(window, file_menu, "&Quit", window.close, QKeySequence.Quit)

    edit = bar.addMenu("&Edit")
    undo = window.controller.stack.createUndoAction(window, "&Undo")
    undo.setShortcut(QKeySequence.Undo)
    redo = window.controller.stack.createRedoAction(window, "&Redo")
    redo.setShortcut(QKeySequence.Redo)
    edit.addAction(undo)
    edit.addAction(redo)
    a["undo"], a["redo"] = undo, redo
    edit.addSeparator()
    a["copy"] = _action(window, edit, "&Copy", window.canvas.copy_selection)
    a["paste"] = _action(window, edit, "&Paste", window.canvas.paste)
    a["delete"] = _action(window, edit, "&Delete selection", window.scene.delete_selection)

    view = bar.addMenu("&View")
    a["layout"] = _action(window, view, "Automatic &layout", window.scene.apply_auto_layout, "Ctrl+L")
    a["fit"] = _action(window, view, "&Fit network", window.canvas.fit_all, "Ctrl+0")
    a["zoom_in"] = _action(window, view, "Zoom &in", lambda: window.canvas.zoom(1.2), QKeySequence.ZoomIn)
    a["zoom_out"] = _action(window, view, "Zoom &out", lambda: window.canvas.zoom(1 / 1.2), QKeySequence.ZoomOut)
    view.addSeparator()
    for dock in window.docks.values():
        view.addAction(dock.toggleViewAction())

    run = bar.addMenu("&Run")
    a["build"] = _action(window, run, "&Build", window.build, "Ctrl+B")
    a["run"] = _action(window, run, "&Run", window.run_simulation, "Ctrl+R")
    a["pause"] = _action(window, run, "&Pause", window.run.pause, "Ctrl+P")
    a["resume"] = _action(window, run, "Res&ume", window.run.resume, "Ctrl+U")
    a["stop"] = _action(window, run, "&Stop", window.run.stop, "Ctrl+.")
    a["step"] = _action(window, run, "S&tep", window.step, "Ctrl+T")
    return a


def build_run_toolbar(window):
    bar = window.addToolBar("Run")
    bar.setObjectName("run_toolbar")
    for key in ("build", "run", "pause", "resume", "stop", "step"):
        bar.addAction(window.actions[key])
    bar.addSeparator()
    stack = window.controller.stack
    for key, label, slot, signal, ready in (("undo_tool", "Undo", stack.undo, stack.canUndoChanged, stack.canUndo),
                                            ("redo_tool", "Redo", stack.redo, stack.canRedoChanged, stack.canRedo)):
        action = QAction(label, window)             # short labels (the menu shows the full text)
        action.triggered.connect(lambda _checked=False, f=slot: f())
        action.setEnabled(ready())
        signal.connect(action.setEnabled)
        bar.addAction(action)
        window.actions[key] = action
    bar.addAction(window.actions["layout"])
    bar.addSeparator()
    window.progress_bar = QProgressBar()
    window.progress_bar.setRange(0, 200)
    window.progress_bar.setMaximumWidth(220)
    window.progress_bar.setTextVisible(False)
    window.run_status = QLabel("idle")
    window.run_status.setMinimumWidth(150)
    bar.addWidget(window.progress_bar)
    bar.addWidget(window.run_status)
    return bar


def update_run_actions(window):
    state = window.run.state
    a = window.actions
    a["build"].setEnabled(state not in ("building", "running", "paused"))
    a["run"].setEnabled(state not in ("building", "running", "paused"))
    a["pause"].setEnabled(state == "running")
    a["resume"].setEnabled(state == "paused")
    a["stop"].setEnabled(state in ("running", "paused"))
    a["step"].setEnabled(state not in ("building", "running"))


def _fill_recent(window, menu):
    menu.clear()
    for path in files.recent_files():
        menu.addAction(path, partial(window.open_path, path))
    if menu.isEmpty():
        menu.addAction("(none)").setEnabled(False)


def _fill_examples(window, menu):
    menu.clear()
    for path, name, description in files.examples():
        action = menu.addAction(name, partial(window.open_path, str(path)))
        action.setToolTip(description)
    if menu.isEmpty():
        menu.addAction("(no examples found)").setEnabled(False)
