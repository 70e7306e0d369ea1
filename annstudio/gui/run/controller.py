"""``RunController``: the studio's Build / Run / Pause / Resume / Stop / Step.

A Qt object living in the GUI thread.  The build runs in a Python thread and
the run in a ``RunWorker`` thread.  Those threads never emit Qt signals (cross-
thread signals from Python threads have crashed PySide6, see PYSIDE-3124):
they put plain tuples on a queue that a 20 ms timer in the GUI thread drains,
so widgets are only touched in the GUI thread and progress is coalesced.
While a run is going the interpreter's thread switch interval is shortened
(``RUN_SWITCH_INTERVAL_S``): between chunks the worker needs the GIL for a
moment, and with the default 5 ms it would often wait for the GUI thread's
plotting to let go, slowing the simulation.  Errors (invalid
project, equation, build, simulation, NaN) become ``failed(kind, error)``
and leave the project untouched.  Live parameters are posted to the running
simulation with ``post_set`` and take effect at the next chunk boundary.  ``set_pace`` sets
how fast the run goes (``pace.PACES``), during a run too.
"""
import queue
import sys
import threading
import time
import traceback

from PySide6.QtCore import QObject, QTimer, Signal

from ...core.errors import AnnstudioError, BuildError, EquationError, SimulationError
from .worker import DEFAULT_CHUNK_MS, RunWorker, build_project, default_factory

from ...project.format import InvalidProject


RUN_SWITCH_INTERVAL_S = 0.0005


class RunController(QObject):
    stateChanged = Signal(str)
    progress = Signal(float, float)          # t (ms), fraction of the protocol
    log = Signal(str)
    failed = Signal(str, object)             # kind ("project", "build", "simulation"), exception
    built = Signal(object)                   # worker.Built
    finished = Signal(str)                   # "finished" | "stopped"

    def __init__(self, factory=default_factory, parent=None):
        super().__init__(parent)
        self.factory = factory
        self.state = "idle"
        self.current = None                  # worker.Built
        self.worker = None
        self.built_revision = None
        self.live = True
        self.keep_recordings = False         # the run keeps every recording (``current.run.recordings()``)
        self.chunk_ms = DEFAULT_CHUNK_MS
        self.pace = None                     # simulated ms per wall ms; None: as fast as possible
        self.watched_projections = set()
        self._build_thread = None
        self._saved_switch = None
        self._events = queue.SimpleQueue()
        self._poll = QTimer(self)
        self._poll.setInterval(20)
        self._poll.timeout.connect(self.drain_events)

    def drain_events(self):
        """Handle what the build/run threads reported (GUI thread, on the timer)."""
        latest_progress = None
        while True:
            try:
                event = self._events.get_nowait()
            except queue.Empty:
                break
            kind = event[0]
            if kind == "progress":
                latest_progress = event
                continue
            if latest_progress is not None:
                self.progress.emit(latest_progress[1], latest_progress[2])
                latest_progress = None
            if kind in ("log", "failed", "built"):
                self._on_build_done(event)
            elif kind == "done":
                self._on_run_done(event[1])
            elif kind == "error":
                self._on_run_error(event[1])
        if latest_progress is not None:
            self.progress.emit(latest_progress[1], latest_progress[2])
        if not self.busy and self._events.empty():
            self._poll.stop()

    def _set_state(self, state):
        running = state in ("running", "paused")
        if running and self._saved_switch is None:
            self._saved_switch = sys.getswitchinterval()
            sys.setswitchinterval(RUN_SWITCH_INTERVAL_S)
        elif not running and self._saved_switch is not None:
            sys.setswitchinterval(self._saved_switch)
            self._saved_switch = None
        self.state = state
        if state in ("building", "running", "paused"):
            self._poll.start()            # only poll while a thread may report
        self.stateChanged.emit(state)

    @property
    def busy(self):
        return self.state in ("building", "running", "paused")

    # ---------------------------------------------------------------- build
    def build(self, data, revision=None, stream_dir=None):
        """Start building ``data`` (a project dict copy) off the GUI thread (``stream_dir``: see build_project)."""
        if self.busy:
            return False
        self.stop_and_wait()
        self._set_state("building")
        self.log.emit(f"[{time.strftime('%H:%M:%S')}] Building {data.get('name', 'project')} "
                      f"(paradigm {data.get('settings', {}).get('paradigm')}) …")
        started = time.perf_counter()

        def work():
            try:
                built = build_project(data, self.factory, log=lambda text: self._events.put(("log", text, 0.0)),
                                      keep_recordings=self.keep_recordings, stream_dir=stream_dir)
            except Exception as exc:  # noqa: BLE001
                self._events.put(("failed", exc, time.perf_counter() - started))
            else:
                self._events.put(("built", (built, revision), time.perf_counter() - started))

        self._build_thread = threading.Thread(target=work, name="annstudio-build", daemon=True)
        self._build_thread.start()
        return True

    def _on_build_done(self, message):
        kind, extra, seconds = message
        if kind == "log":
            self.log.emit(str(extra))
            return
        if kind == "failed":
            self.current = None
            kind = "project" if isinstance(extra, (InvalidProject, EquationError)) else "build"
            self.log.emit(describe_error(extra))
            if isinstance(extra, BuildError) and extra.log:
                self.log.emit(extra.log)
            self._set_state("failed")
            self.failed.emit(kind, extra)
            return
        built, self.built_revision = extra
        self.current = built
        paradigm = getattr(built.sim, "paradigm", "?")
        self.log.emit(f"Built in {seconds:.2f} s (backend: {paradigm}).")
        self._set_state("ready")
        self.built.emit(built)

    def wait_build(self, timeout=None):
        if self._build_thread is not None:
            self._build_thread.join(timeout)

    # ---------------------------------------------------------------- run
    def run(self):
        if self.current is None or self.state not in ("ready", "finished", "stopped"):
            return False
        if self.state in ("finished", "stopped"):
            return False          # the caller rebuilds for a fresh run
        events = self._events
        self.worker = RunWorker(self.current, lambda t, f: events.put(("progress", t, f)),
                                lambda status: events.put(("done", status)), lambda exc: events.put(("error", exc)),
                                chunk_ms=self.chunk_ms, live=self.live,
                                watched_projections=self.watched_projections, pace=self.pace)
        self._set_state("running")
        self.log.emit("Running …")
        self.worker.start()
        return True

    def pause(self):
        if self.state == "running":
            self.worker.pause()
            self._set_state("paused")

    def resume(self):
        if self.state == "paused":
            self.worker.resume()
            self._set_state("running")

    def step(self):
        """One chunk, then pause (starts the run paused when it is ready)."""
        if self.state == "ready":
            self.current.sim.pause()
            self.run()
            self._set_state("paused")
        if self.state == "paused":
            self.worker.step()

    def stop(self):
        if self.state in ("running", "paused"):
            self.worker.stop()

    def stop_and_wait(self, timeout=5.0):
        if self.worker is not None and self.worker.running:
            self.worker.stop()
            self.worker.join(timeout)

    def set_live(self, live):
        self.live = bool(live)
        if self.worker is not None:
            self.worker.live = self.live

    def set_pace(self, pace):
        self.pace = pace
        if self.worker is not None:
            self.worker.set_pace(pace)

    def watch_projection(self, name, on=True):
        (self.watched_projections.add if on else self.watched_projections.discard)(name)
        if self.worker is not None:
            self.worker.watched = set(self.watched_projections)

    def post_set(self, population, variable, value, ranks=None):
        """Change a parameter of the running (or built) network without recompiling
        (``ranks``: only those neurons)."""
        if self.current is None:
            return False
        try:
            self._check_target(population, variable)
            if self.worker is not None and self.worker.running:
                self.worker.post_set(population, variable, value, ranks)
            else:
                self.current.run.post_set(population, variable, value, ranks)
        except Exception as exc:  # noqa: BLE001
            self.log.emit(f"Cannot set {population}.{variable}: {exc}")
            return False
        where = "" if ranks is None else f" (neurons {ranks[0]}-{ranks[-1]})" if len(ranks) else ""
        self.log.emit(f"{population}.{variable} = {value:g}{where} (from the next chunk)")
        return True

    def _check_target(self, target, variable):
        """Raise a readable error for a name the built network does not have (before it is posted)."""
        ir = self.current.sim.ir
        owner = next((o for o in list(ir.populations) + list(ir.projections) if o.name == target), None)
        if owner is None:
            raise SimulationError(f"the built network has no population or projection named {target!r}")
        if variable not in {v.name for v in owner.variables}:
            raise SimulationError(f"{target!r} has no parameter or variable {variable!r}")

    def _on_run_done(self, status):
        seconds = self.worker.simulate_seconds if self.worker else 0.0
        self.log.emit(f"Run {status} at t = {self.current.sim.t:g} ms ({seconds:.2f} s).")
        self._set_state(status)
        self.finished.emit(status)

    def _on_run_error(self, exc):
        self.log.emit(describe_error(exc))
        self._set_state("failed")
        self.failed.emit("simulation", exc)


def describe_error(exc):
    """One readable block for the log: located message, every problem of an invalid project."""
    problems = getattr(exc, "problems", None)
    if problems:
        return "Project problems:\n" + "\n".join(f"  • {p}" for p in problems)
    if isinstance(exc, AnnstudioError):
        return f"Error: {exc}"
    if isinstance(exc, (SimulationError,)):
        return f"Simulation error: {exc}"
    return "Unexpected error: " + "".join(traceback.format_exception_only(type(exc), exc)).strip()
