"""``MainWindow``: puts the studio together.

Central area: the start page (examples, recent files) or the workspace tabs
(Network canvas, Equations).  Docks: palette, inspector, settings &
protocol, history, live parameters, plots, log.  Menus and the run toolbar
are built by ``menus``.  This module owns the file workflow (new, open,
save, save as, dirty prompts, autosave and recovery), exports, and the
wiring between the document controller, the run controller and the plots.
"""
import json
import time
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (QDockWidget, QFileDialog, QMainWindow, QMessageBox, QStackedWidget, QTabBar,
                               QTabWidget, QUndoView)

from ..core.errors import AnnstudioError
from ..project.document import ProjectDocument
from . import compat  # noqa: F401  pylint: disable=unused-import  (binding work-arounds)
from . import files
from .canvas import CanvasView, NetworkScene
from .controller import DocumentController
from .equations import EquationEditor
from .gallery import StartPage
from .inspector import Inspector
from .live_params import LiveParameters
from .log_dock import LogView
from .menus import build_menus, build_run_toolbar, update_run_actions
from .palette import Palette
from .plots import PlotsPanel
from .plots.panel import is_plastic
from .run.controller import RunController
from .run.pace_control import add_pace_control
from .settings_panel import SettingsPanel
from .sweep import SweepPanel
from .teaching import install_teaching

from ..project.export import export_script
from ..project.report import project_report
from ..project.validate import check_document

AUTOSAVE_MS = 30_000


class MainWindow(QMainWindow):
    def __init__(self, simulation_factory=None, parent=None):
        super().__init__(parent)
        self.resize(1400, 900)
        self.controller = DocumentController(ProjectDocument())
        self.run = RunController(**({"factory": simulation_factory} if simulation_factory else {}))
        self.prompt = self._ask_save_changes          # tests replace it
        self.autosave_key = f"window-{id(self)}"
        self._run_after_build = False
        self._last_status = 0.0

        self.scene = NetworkScene(self.controller)
        self.canvas = CanvasView(self.scene)
        self.equations = EquationEditor(self.controller)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.canvas, "Network")
        self.tabs.addTab(self.equations, "Equations")
        self.start_page = StartPage()
        self.central = QStackedWidget()
        self.central.addWidget(self.start_page)
        self.central.addWidget(self.tabs)
        self.setCentralWidget(self.central)

        self.palette = Palette(self.controller)
        self.inspector = Inspector(self.controller)
        self.settings_panel = SettingsPanel(self.controller)
        self.history = QUndoView(self.controller.stack)
        self.history.setEmptyLabel("<opened>")
        self.live_params = LiveParameters(self.controller)
        self.plots = PlotsPanel()
        self.log = LogView()
        self.docks = {}
        self._dock("Palette", self.palette, Qt.LeftDockWidgetArea)
        self._dock("Inspector", self.inspector, Qt.RightDockWidgetArea)
        self._dock("Settings", self.settings_panel, Qt.RightDockWidgetArea, tab_with="Inspector")
        self._dock("Live parameters", self.live_params, Qt.RightDockWidgetArea, tab_with="Inspector")
        self._dock("Plots", self.plots, Qt.BottomDockWidgetArea)
        self._dock("Log", self.log, Qt.BottomDockWidgetArea, tab_with="Plots")
        self.sweep_panel = SweepPanel(self.controller)
        self._dock("Sweep", self.sweep_panel, Qt.BottomDockWidgetArea, tab_with="Plots")
        # the undo history sits with the log, where there is room: a fifth tab beside the inspector
        # was cut to "Hi" in the side dock's width
        self._dock("History", self.history, Qt.BottomDockWidgetArea, tab_with="Plots")
        self.inspector.sweep_requested.connect(self.open_sweep)
        self.docks["Inspector"].raise_()
        self.docks["Plots"].raise_()
        self.tabifiedDockWidgetActivated.connect(lambda _dock: self._unelide_dock_tabs())
        self.resizeDocks([self.docks["Palette"], self.docks["Inspector"]], [250, 340], Qt.Horizontal)
        self.resizeDocks([self.docks["Plots"]], [330], Qt.Vertical)

        self.actions = build_menus(self)
        self.run_toolbar = build_run_toolbar(self)
        install_teaching(self)          # neuron lab, help, lab sheets, context menus (teaching.py)
        self.pace_box = add_pace_control(self.run_toolbar, self.run)
        self._wire()
        self.autosave_timer = QTimer(self)
        self.autosave_timer.setInterval(AUTOSAVE_MS)
        self.autosave_timer.timeout.connect(self.autosave)
        self.autosave_timer.start()
        self.show_start_page()
        self._update_title()
        update_run_actions(self)

    def _dock(self, title, widget, area, tab_with=None):
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock_{title.replace(' ', '_').lower()}")
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        if tab_with:
            self.tabifyDockWidget(self.docks[tab_with], dock)
        self.docks[title] = dock
        return dock

    def open_sweep(self, name):
        """The sweep dashboard, showing ``name`` (the inspector's "Sweep this parameter")."""
        self.sweep_panel.sweep_parameter(name)
        self.docks["Sweep"].show()
        self.docks["Sweep"].raise_()

    def _wire(self):
        c = self.controller
        c.error.connect(self.show_error)
        c.stack.cleanChanged.connect(lambda _clean: self._update_title())
        c.changed.connect(lambda change: self._update_title() if change.section == "meta" else None)
        self.scene.selectionChanged.connect(self._selection_changed)
        self.scene.nodeActivated.connect(self._node_activated)
        self.palette.activated_type.connect(self._palette_activated)
        self.start_page.openRequested.connect(self.open_path)
        self.start_page.newRequested.connect(self.new_project)
        self.start_page.openDialogRequested.connect(self.open_dialog)
        self.run.stateChanged.connect(self._run_state_changed)
        self.run.progress.connect(self._progress)
        self.run.log.connect(self.log.append_text)
        self.run.failed.connect(self._run_failed)
        self.run.built.connect(self._built)
        self.run.finished.connect(lambda _status: self.plots.stop())
        c.replaced.connect(self.plots.reset)
        self.plots.liveToggled.connect(self.run.set_live)
        self.plots.watchRequested.connect(self.run.watch_projection)
        self.live_params.changed.connect(self.run.post_set)

    # ------------------------------------------------------------------ views
    def show_start_page(self):
        self.start_page.refresh()
        self.central.setCurrentWidget(self.start_page)

    def show_workspace(self):
        self.central.setCurrentWidget(self.tabs)

    def _update_title(self):
        doc = self.controller.document
        name = Path(doc.path).name if doc.path else doc.name
        self.setWindowTitle(f"{name}{' *' if self.controller.dirty else ''} — annstudio")

    def show_error(self, message):
        self.statusBar().showMessage(message, 8000)
        self.log.append_text(message)

    def _selection_changed(self):
        pops, projs = self.scene.selected_names()
        if pops:
            self.inspector.show_item(("population", pops[0]))
        elif projs:
            self.inspector.show_item(("projection", projs[0]))
        else:
            self.inspector.show_item(None)
        if pops or projs:
            self.docks["Inspector"].raise_()

    def _node_activated(self, name):
        pop = self.controller.document.population(name)
        if pop and pop.get("neuron") and self.controller.document.type_def("neurons", pop["neuron"]):
            self.equations.show_type("neurons", pop["neuron"])
            self.tabs.setCurrentWidget(self.equations)

    def _palette_activated(self, section, name):
        self.show_workspace()
        if section == "neurons":
            self.tabs.setCurrentWidget(self.canvas)
            self.canvas.add_at_free_spot(section, name)
        elif self.controller.document.type_def(section, name) is not None:
            self.equations.show_type(section, name)
            self.tabs.setCurrentWidget(self.equations)

    # ------------------------------------------------------------------ files
    def _ask_save_changes(self):
        answer = QMessageBox.question(
            self, "Unsaved changes", f"Save the changes to {self.controller.document.name}?",
            QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel, QMessageBox.Save)
        return {QMessageBox.Save: "save", QMessageBox.Discard: "discard"}.get(answer, "cancel")

    def maybe_save(self):
        """True when it is fine to replace the current document."""
        if not self.controller.dirty:
            return True
        answer = self.prompt()
        if answer == "save":
            return self.save()
        return answer == "discard"

    def _replace_document(self, document):
        self.run.stop_and_wait()
        files.discard_autosave(self.autosave_key)
        self.controller.set_document(document)
        if document.revision != document.saved_revision:
            self.controller.stack.resetClean()
        self.show_workspace()
        self.tabs.setCurrentWidget(self.canvas)
        self.statusBar().clearMessage()
        QTimer.singleShot(0, self.canvas, self.canvas.fit_all)
        self._update_title()
        update_run_actions(self)

    def new_project(self):
        if self.maybe_save():
            document = ProjectDocument()
            document.data["settings"]["seed"] = files.new_seed()     # runs repeat until the user changes it
            self._replace_document(document)

    def open_dialog(self):
        path, _ = QFileDialog.getOpenFileName(self, "Open project", str(files.EXAMPLES_DIR),
                                              "annstudio projects (*.json);;All files (*)")
        if path:
            self.open_path(path)

    def open_path(self, path):
        if not self.maybe_save():
            return False
        try:
            document = files.load_document(path)
        except (AnnstudioError, OSError, ValueError) as exc:
            problems = getattr(exc, "problems", None)
            detail = "\n".join(str(p) for p in problems[:20]) if problems else str(exc)
            self.show_error(f"Cannot open {path}: {detail}")
            return False
        if files.is_example(path):            # an untitled copy: Save asks where, the gallery stays intact
            document.path = None
            self._replace_document(document)
            self.statusBar().showMessage(f"Opened a copy of the example {Path(path).name}: "
                                         "Save asks where to keep your version", 8000)
            return True
        self._replace_document(document)
        try:
            files.add_recent(path)
        except OSError:
            pass
        self.statusBar().showMessage(f"Opened {path}", 5000)
        return True

    def save(self):
        if not self.controller.document.path:
            return self.save_as()
        return self._save_to(self.controller.document.path)

    def save_as(self, path=None):
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "Save project as", self.controller.document.path or "",
                                                  "annstudio projects (*.json)")
            if not path:
                return False
            if not path.endswith(".json"):
                path += ".json"
        return self._save_to(path)

    def _save_to(self, path):
        try:
            files.save_project(self.controller.document, path)
        except (AnnstudioError, OSError, ValueError) as exc:
            self.show_error(f"Could not save {path}: {exc}")
            return False
        self.controller.mark_saved(str(path))
        files.discard_autosave(self.autosave_key)
        try:
            files.add_recent(path)
        except OSError:
            pass
        self.statusBar().showMessage(f"Saved {path}", 5000)
        self._update_title()
        return True

    def autosave(self):
        if self.controller.dirty:
            try:
                files.write_autosave(self.controller.document, self.autosave_key)
            except OSError as exc:
                self.statusBar().showMessage(f"Autosave failed: {exc}", 5000)

    def offer_recovery(self, ask=None):
        """Offer the autosaves of studios that crashed; returns True when one was recovered."""
        for file, record in files.pending_recoveries():
            name = record.get("path") or record["document"].get("name") or "an unsaved project"
            if ask is None:
                answer = QMessageBox.question(self, "Recover unsaved work",
                                              f"annstudio did not close cleanly. Recover the autosaved copy of {name}?")
                yes = answer == QMessageBox.Yes
            else:
                yes = ask(record)
            if yes:
                self._replace_document(files.recover(file, record))
                return True
            Path(file).unlink(missing_ok=True)
        return False

    def export_script_dialog(self, path=None):
        self._export(path, "Export Python script", "Python (*.py)",
                     lambda: export_script(self.controller.document.to_dict()))

    def export_report_dialog(self, path=None):
        self._export(path, "Export model report", "Markdown (*.md)",
                     lambda: project_report(check_document(self.controller.document.to_dict())))

    def _export(self, path, title, pattern, produce):
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, title, "", pattern)
            if not path:
                return False
        try:
            text = produce()
            Path(path).write_text(text, encoding="utf-8")
        except Exception as exc:  # noqa: BLE001 - a broken project must not crash the studio
            self.show_error(f"{title} failed: {exc}")
            return False
        self.statusBar().showMessage(f"Wrote {path}", 5000)
        return True

    # ------------------------------------------------------------------ running
    def _model_key(self):
        """What a build depends on: the document without its canvas layout."""
        data = {k: v for k, v in self.controller.document.data.items() if k != "layout"}
        return json.dumps(data, sort_keys=True, default=str)

    def _needs_build(self):
        return (self.run.current is None or self.run.state in ("finished", "stopped", "failed", "idle")
                or self.run.built_revision != self._model_key())

    def build(self, then_run=False):
        self._run_after_build = then_run
        self.docks["Log"].raise_()
        path = self.controller.document.path
        self.run.build(self.controller.document.to_dict(), revision=self._model_key(),
                       stream_dir=Path(path).parent if path else None)

    def run_simulation(self):
        if self.run.busy:
            return
        if self._needs_build():
            self.build(then_run=True)
        else:
            self._start_run()

    def _start_run(self):
        self.docks["Plots"].raise_()
        if self.run.run():
            self.plots.start(self.run.worker.thread.ident)

    def _built(self, built):
        names = {p.name for p in built.project.spec.projections}
        for gone in set(self.run.watched_projections) - names:      # (another project's)
            self.run.watch_projection(gone, False)
        for monitor in built.project.spec.monitors:
            if monitor.kind == "projection" and "w" in monitor.variables:
                self.run.watch_projection(monitor.target)
        for proj in built.project.spec.projections:
            if is_plastic(proj):
                self.run.watch_projection(proj.name)
        self.plots.set_run(built)
        for proj in list(self.run.watched_projections):
            self.plots.show_weights(proj)
        if self._run_after_build:
            self._run_after_build = False
            self._start_run()

    def step(self):
        if self.run.state == "paused":
            self.run.step()
        elif not self.run.busy:
            if self._needs_build():
                self.build()
                self.run.built.connect(self._step_after_build, Qt.SingleShotConnection)
            else:
                self._step_after_build()

    def _step_after_build(self, *_):
        self.run.step()
        if self.run.worker is not None:
            self.plots.start(self.run.worker.thread.ident)

    def _run_state_changed(self, state):
        update_run_actions(self)
        if state in ("building", "failed"):
            if state == "building":
                self.progress_bar.setValue(0)
            # a failed run: red, and as far as it got (not a full blue bar)
            self.progress_bar.setStyleSheet("QProgressBar::chunk { background: #c0392b; }" if state == "failed"
                                            else "")
        current = self.run.current
        self.run_status.setText(f"{state}  t = {current.sim.t:.0f} ms" if current is not None and state != "building"
                                else state)

    def _progress(self, t, fraction):
        # QProgressBar repaints synchronously on every value change: update the bar and
        # the label a few times a second only (and always at the end)
        now = time.perf_counter()
        if now - self._last_status >= 0.2 or fraction >= 1.0:
            self._last_status = now
            self.progress_bar.setValue(int(fraction * self.progress_bar.maximum()))
            self.run_status.setText(f"{self.run.state}  t = {t:.0f} ms")

    def _run_failed(self, kind, exc):
        self._run_after_build = False
        self.plots.stop()
        self.docks["Log"].raise_()
        message = f"{kind.capitalize()} error: {exc}"
        self.statusBar().showMessage(message, 15000)
        self._show_problem_in_place(exc)

    def _show_problem_in_place(self, exc):
        """Point the equation editor at a type named in the error (its own parse shows where)."""
        wheres = [getattr(p, "where", "") for p in getattr(exc, "problems", [])] or [str(getattr(exc, "where", ""))]
        doc = self.controller.document
        for where in wheres:
            where = str(where)
            for label, section in (("Neuron '", "neurons"), ("Synapse '", "synapses")):
                if where.startswith(label):
                    where = f"{section}.{where[len(label):].split(chr(39))[0]}"
            parts = where.split(".")
            if len(parts) >= 2 and parts[0] in ("neurons", "synapses") and doc.type_def(parts[0], parts[1]):
                self.equations.show_type(parts[0], parts[1])
                self.tabs.setCurrentWidget(self.equations)
                return

    # ------------------------------------------------------------------ closing
    def showEvent(self, event):
        super().showEvent(event)
        QTimer.singleShot(0, self, self._unelide_dock_tabs)

    def _unelide_dock_tabs(self):
        """Tabbed docks show their whole titles ("Inspector", not "Inspec...")."""
        for bar in self.findChildren(QTabBar):
            if bar.parent() is self:
                bar.setElideMode(Qt.ElideNone)
                bar.setUsesScrollButtons(True)
                self._fit_tabs(bar)

    def _fit_tabs(self, bar):
        """A side dock starts as wide as its row of tabs (no title cut), once: not a minimum width,
        which would make the window wider than a small screen; the user may narrow it again."""
        fitted = self.__dict__.setdefault("_tabs_fitted", set())
        needed = sum(bar.tabSizeHint(i).width() for i in range(bar.count())) + 6
        docks = [self.docks.get(bar.tabText(i).replace("&", "")) for i in range(bar.count())]
        docks = [d for d in docks if d is not None and d.isVisible()
                 and self.dockWidgetArea(d) in (Qt.LeftDockWidgetArea, Qt.RightDockWidgetArea)]
        key = tuple(sorted(bar.tabText(i) for i in range(bar.count())))
        if docks and key not in fitted:
            if docks[0].width() < needed:
                self.resizeDocks([docks[0]], [needed], Qt.Horizontal)
            if docks[0].width() >= needed:        # else tried again when the window grows
                fitted.add(key)

    def resizeEvent(self, event):                     # noqa: N802 - Qt spelling
        super().resizeEvent(event)
        if self.isVisible():
            QTimer.singleShot(0, self, self._unelide_dock_tabs)

    def closeEvent(self, event):
        if not self.maybe_save():
            event.ignore()
            return
        # the window outlives its Qt children at interpreter exit: no slot may run on them then
        for signal, slot in ((self.controller.stack.cleanChanged, None), (self.scene.selectionChanged, None)):
            try:
                signal.disconnect()
            except (RuntimeError, TypeError):
                pass
        self.run.stop_and_wait()
        self.sweep_panel.shutdown()
        self.plots.timer.stop()
        self.autosave_timer.stop()
        files.discard_autosave(self.autosave_key)
        event.accept()
