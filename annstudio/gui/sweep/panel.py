"""``SweepPanel``: the studio's sweep dashboard for the open project.

The user names a parameter (``POP.NAME`` / ``PROJ.NAME``, filled in by the inspector's "Sweep this
parameter"), its values (``a,b,c`` or ``start:stop:count``) and a number of seeds, and runs it on local
processes (a number of workers; 1 runs in the studio's process) or on a Dask scheduler address.  The
sweep is the project's (``project.sweeps.project_sweep``: the same engine, checks and seeds as
``annstudio sweep``) and is kept in a fresh temporary folder (removed by ``shutdown()``), so Stop
cancels the pending runs and Resume runs only the missing ones.  A timer (``POLL_MS``) pulls the
feed (``feed.SweepFeed``): each finished run adds a thumbnail (``plots.ThumbnailGrid``) and updates
the summary curve (mean over seeds of a summary column, with error bars); clicking a thumbnail opens
that run's plots (``plots.RunView``).
"""
import shutil
import tempfile

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QRadioButton,
                               QScrollArea, QSpinBox, QSplitter, QVBoxLayout, QWidget)

from ...core.errors import AnnstudioError
from ...project.format import InvalidProject
from ...project.sweeps import make_executor, project_sweep
from ...project.validate import check_document
from ...session.sweep_store import SweepStore
from .feed import SweepFeed
from .plots import THUMB_W, RunView, SummaryCurve, ThumbnailGrid

POLL_MS = 100


class SweepPanel(QWidget):
    finished = Signal(object)          # the SweepResult (None after an error)

    def __init__(self, controller, parent=None):
        super().__init__(parent)
        self.controller = controller
        self.feed = None
        self.sweep = None
        self.out = None
        self.outcomes = {}
        self.recordings = {}
        self.views = []
        self.folders = []              # the temporary sweep folders this panel made (removed on shutdown)
        self.parameter = QLineEdit()
        self.parameter.setObjectName("sweep_parameter")
        self.parameter.setPlaceholderText("POPULATION.parameter, e.g. exc.I")
        self.values = QLineEdit()
        self.values.setObjectName("sweep_values")
        self.values.setPlaceholderText("a,b,c  or  start:stop:count")
        self.seeds = QSpinBox()
        self.seeds.setRange(1, 1000)
        self.local = QRadioButton("Local processes")
        self.local.setChecked(True)
        self.workers = QSpinBox()
        self.workers.setRange(1, 256)
        self.workers.setValue(1)
        self.workers.setToolTip("worker processes (1: in the studio's process)")
        self.remote = QRadioButton("Dask scheduler")
        self.address = QLineEdit()
        self.address.setPlaceholderText("tcp://host:8786")
        self.run_button = QPushButton("Run sweep")
        self.stop_button = QPushButton("Stop")
        self.resume_button = QPushButton("Resume")
        self.run_button.clicked.connect(self.start)
        self.stop_button.clicked.connect(self.stop)
        self.resume_button.clicked.connect(self.resume)
        self.metric = QComboBox()
        self.metric.setToolTip("the summary number drawn against the varied value")
        self.metric.setSizeAdjustPolicy(QComboBox.AdjustToContents)
        self.metric.currentTextChanged.connect(lambda _t: self._update_curve())
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.grid = ThumbnailGrid()
        self.grid.clicked.connect(self.open_run)
        self.curve = SummaryCurve()

        row = QHBoxLayout()
        for label, w in (("Parameter", self.parameter), ("Values", self.values), ("Seeds", self.seeds)):
            row.addWidget(QLabel(label))
            row.addWidget(w, 2 if w is not self.seeds else 0)
        where = QHBoxLayout()
        where.addWidget(QLabel("Run on"))
        for w in (self.local, self.workers, self.remote):
            where.addWidget(w)
        where.addWidget(self.address, 1)
        buttons = QHBoxLayout()
        for w in (self.run_button, self.stop_button, self.resume_button):
            buttons.addWidget(w)
        buttons.addStretch(1)
        buttons.addWidget(QLabel("Summary"))
        buttons.addWidget(self.metric)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(self.grid)
        self.scroll.setMinimumWidth(THUMB_W + 30)
        self.split = QSplitter()
        self.split.addWidget(self.scroll)
        self.split.addWidget(self.curve)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addLayout(where)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        layout.addWidget(self.split, 1)
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self.poll)
        self._buttons()

    # ------------------------------------------------------------------ set-up
    def sweep_parameter(self, name):
        """The inspector's "Sweep this parameter": the panel shows ``name``, ready for values."""
        self.parameter.setText(name)
        self.values.setFocus()

    def _executor_factory(self):
        if self.remote.isChecked():
            address = self.address.text().strip()
            return lambda: make_executor(scheduler=address)
        workers = self.workers.value()
        return lambda: make_executor(workers=workers)

    def _build_sweep(self):
        project = check_document(self.controller.document.to_dict())
        text = f"{self.parameter.text().strip()}={self.values.text().strip()}"
        return project, project_sweep(project, [text], seeds=self.seeds.value())

    # ------------------------------------------------------------------ control
    def start(self):
        """A new sweep (a fresh folder: nothing kept)."""
        if self.running:
            return
        try:
            self.project, sweep = self._build_sweep()
        except InvalidProject as e:
            self.status.setText(f"The project has problems: {e.problems[0] if e.problems else e}")
            return
        except AnnstudioError as e:
            self.status.setText(str(e))
            return
        self.grid.clear()
        self.outcomes, self.recordings = {}, {}
        self.out = tempfile.mkdtemp(prefix="annstudio-sweep-")
        self.folders.append(self.out)
        self._launch(sweep)

    def resume(self):
        """Run the missing runs of the last sweep (its folder keeps the finished ones)."""
        if self.running or self.sweep is None:
            return
        self._launch(self.sweep)

    def stop(self):
        if self.feed is not None:
            self.feed.stop()
            self.status.setText("Stopping: pending runs cancelled...")

    def _launch(self, sweep):
        self.sweep = sweep
        self.dt = float(sweep.spec.settings.dt)
        self.name = sweep.names[0]
        width = sweep.replicates * (THUMB_W + 6) + 30          # one column of thumbnails per seed
        self.split.setSizes([width, max(200, self.split.width() - width)])
        self.feed = SweepFeed(sweep, self._executor_factory(), self.out)
        self.status.setText(f"Running {sweep.total} runs ({len(sweep.points)} values x {sweep.replicates} seeds)...")
        self.feed.start()
        self.timer.start()
        self._buttons()

    @property
    def running(self):
        return self.feed is not None and self.feed.running

    def _buttons(self):
        running = self.running
        self.run_button.setEnabled(not running)
        self.stop_button.setEnabled(running)
        done = self.sweep is not None and len(self.outcomes) >= self.sweep.total
        self.resume_button.setEnabled(not running and self.sweep is not None and not done)

    # ------------------------------------------------------------------ feed
    def poll(self):
        if self.feed is None:
            return
        events = self.feed.drain()
        try:
            for event in events:
                if event[0] == "result":
                    self._result(event[1], event[2], event[3])
                elif event[0] == "start":
                    self.status.setText(f"{event[1]} of {event[2]} runs kept; running the others...")
                elif event[0] == "end":
                    self._end(event[1], event[2])
        finally:
            ends = [e for e in events if e[0] == "end"]
            if ends and self.timer.isActive():       # a drawing error must not lose the end of the sweep
                self._end(ends[-1][1], ends[-1][2])

    def _result(self, outcome, done, total):
        if "error" in outcome:
            self.status.setText(f"run {outcome['run']} failed: {outcome['error']}")
            return
        run = outcome["run"]
        self.recordings[run] = outcome.get("recordings") or {}
        self.outcomes[run] = {k: v for k, v in outcome.items() if k != "recordings"}
        self.grid.add(outcome, self.recordings[run], self.name, self.dt)
        columns = list(outcome["summary"])
        if self.metric.count() != len(columns):
            current = self.metric.currentText()
            self.metric.blockSignals(True)
            self.metric.clear()
            self.metric.addItems(columns)
            rates = [c for c in columns if c.endswith(".rate")]
            self.metric.setCurrentText(current if current in columns else (rates[0] if rates else columns[0]))
            self.metric.blockSignals(False)
        self._update_curve()
        self.status.setText(f"{done} of {total} runs done")

    def _update_curve(self):
        if self.outcomes and self.metric.currentText():
            self.curve.update_from(self.outcomes.values(), self.name, self.metric.currentText())

    def _end(self, result, error):
        self.timer.stop()
        if error:
            self.status.setText(f"The sweep stopped: {error}")
        elif result is not None:
            state = "stopped" if result.stopped else "done"
            failed = f", {len(result.failed)} failed" if result.failed else ""
            self.status.setText(f"Sweep {state}: {len(result.outcomes)} of {result.total} runs{failed}")
        self._buttons()
        self.finished.emit(result)

    def open_run(self, run):
        """That run's plots in a window."""
        recordings = self.recordings.get(run)
        if not recordings and self.out is not None:
            recordings = SweepStore(self.out).recordings(run)
        outcome = self.outcomes[run]
        title = f"run {run}: {self.name} = {outcome['values'][self.name]:g}, seed {outcome['seed']}"
        view = RunView(title, recordings, self.dt, self)
        self.views.append(view)
        view.show()
        return view

    def shutdown(self):
        """Stop the sweep and wait for its thread (closing the studio)."""
        if self.feed is not None:
            self.feed.stop()
            self.feed.wait(30)
        self.timer.stop()
        for folder in self.folders:
            shutil.rmtree(folder, ignore_errors=True)
        self.folders = []
