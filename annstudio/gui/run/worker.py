"""The run worker: builds and runs a project in a Python thread (no Qt here).

``build_project(data)`` checks the document and compiles a ``Simulation``
(through ``annstudio.project.validate`` and ``annstudio.session``).
``RunWorker`` plays the protocol through the session's chunked generator
``run_iter``; between chunks, at most ~60 times a second, it drains the
monitors into the ``LiveFeed`` (it is the only thread that touches the
simulation while it runs) and reports progress through callbacks.  Pause,
resume and stop go through the simulation's own thread-safe controls; a
NaN in the recordings stops the run with a located ``SimulationError``.
"""
import threading
import time
from dataclasses import dataclass

import numpy as np

from ...core.errors import SimulationError
from .feed import LiveFeed, weight_matrix

try:
    from ...project.validate import check_document
    from ...session.simulation import Simulation
except ImportError:  # pragma: no cover - the tree is still being written
    check_document = Simulation = None

# Drain at every chunk boundary (chunks last ~TARGET_CHUNK_S), at most ~60 times a
# second: the plots' ~30 Hz timer then finds new data at every tick (draining only
# after 1/30 s had passed gave a pull every second chunk, ~20 a second, so a third
# of the ticks had nothing new to draw).
PULL_INTERVAL_S = 1 / 60
TARGET_CHUNK_S = 0.025          # wall time of one chunk the worker aims for
SEGMENT_CHUNKS = 8
MIN_CHUNK_MS, MAX_CHUNK_MS = 1.0, 500.0
WEIGHT_INTERVAL_S = 0.5
DEFAULT_CHUNK_MS = 20.0


@dataclass
class Built:
    """A compiled simulation with what the studio needs to run and plot it."""

    sim: object
    project: object               # annstudio.project.validate.Project (or a test double)
    monitors: dict                # monitor name -> session monitor id
    feed: LiveFeed
    build_seconds: float = 0.0


def default_factory(data):
    """(project, simulation) for a project dict; raises located errors."""
    if check_document is None or Simulation is None:
        raise SimulationError("the simulation session is not available in this installation")
    project = check_document(data)
    return project, Simulation(project.spec)


def build_project(data, factory=default_factory, log=None):
    start = time.perf_counter()
    project, sim = factory(data)
    settings = project.spec.settings
    try:
        sim.compile(paradigm=settings.paradigm, num_threads=settings.num_threads, log=log)
    except TypeError:          # a session without the streamed compiler log
        sim.compile(paradigm=settings.paradigm, num_threads=settings.num_threads)
    if log is not None and getattr(sim, "build_log", ""):
        log(sim.build_log)
    feed = LiveFeed(settings.dt)
    monitors = {}
    for m in project.spec.monitors:
        monitors[m.name] = sim.add_monitor(m.kind, m.target, m.variables, ranks=m.ranks, period=m.period,
                                           start=m.start)
        if m.kind == "population":
            pop = project.spec.population(m.target)
            feed.add_monitor(m.name, m.target, pop.size, pop.geometry, m.variables, m.ranks)
    return Built(sim, project, monitors, feed, time.perf_counter() - start)


def plan(project):
    """The protocol steps to play (``settings.duration`` when there is no protocol)."""
    steps = list(project.protocol)
    if not steps:
        duration = float(getattr(project.built, "duration", None) or 1000.0)
        steps = [_SimulateStep(duration)]
    return steps


@dataclass
class _SimulateStep:
    duration: float
    action: str = "simulate"
    label: str = ""


class RunWorker:
    """Plays the protocol in a thread; callbacks are called from that thread."""

    def __init__(self, built, on_progress, on_done, on_error, chunk_ms=DEFAULT_CHUNK_MS, live=True,
                 watched_projections=(), adaptive=True):
        self.built = built
        self.adaptive = adaptive
        self.on_progress, self.on_done, self.on_error = on_progress, on_done, on_error
        self.chunk_ms = chunk_ms
        self.live = live
        self.watched = set(watched_projections)
        self.stop_requested = False
        self.step_once = False
        self.thread = None
        self.simulate_seconds = 0.0
        self.simulate_cpu_seconds = 0.0        # CPU time of the worker thread (kernel included)
        self._last_pull = 0.0
        self._last_weights = 0.0

    # ---------------------------------------------------------------- control (GUI thread)
    def start(self):
        self.thread = threading.Thread(target=self._run, name="annstudio-run", daemon=True)
        self.thread.start()

    def pause(self):
        self.built.sim.pause()

    def resume(self):
        self.step_once = False
        self.built.sim.resume()

    def step(self):
        """Run one chunk, then pause again."""
        self.step_once = True
        self.built.sim.resume()

    def stop(self):
        self.stop_requested = True
        self.built.sim.request_stop()

    def join(self, timeout=None):
        if self.thread is not None:
            self.thread.join(timeout)

    @property
    def running(self):
        return self.thread is not None and self.thread.is_alive()

    # ---------------------------------------------------------------- worker thread
    def _run(self):
        sim = self.built.sim
        steps = plan(self.built.project)
        total = sum(float(getattr(s, "duration", None) or getattr(s, "max_duration", None) or 0.0)
                    for s in steps if s.action in ("simulate", "simulate_until")) or 1.0
        done, status = 0.0, "finished"
        start, cpu = time.perf_counter(), time.thread_time()
        try:
            for st in steps:
                if self.stop_requested:
                    status = "stopped"
                    break
                if st.action == "set":
                    sim.set(st.target, st.variable, st.value)
                elif st.action == "simulate":
                    self._simulate(float(st.duration), done, total)
                    done += st.duration
                elif st.action == "simulate_until":
                    sim.simulate_until(st.max_duration, st.population, st.operator)
                    done += st.max_duration
                    self._between_chunks(done, total)
                elif st.action == "reset":
                    remap = sim.reset() or {}
                    self.built.monitors = {n: remap.get(m, m) for n, m in self.built.monitors.items()}
            if self.stop_requested:
                status = "stopped"
            self.simulate_seconds = time.perf_counter() - start
            self.pull(force=True)
            self.simulate_cpu_seconds = time.thread_time() - cpu
            self.on_done(status)
        except Exception as exc:  # noqa: BLE001 - reported in the GUI, never raised into Qt
            self.simulate_seconds = time.perf_counter() - start
            try:
                self.pull(force=True, check_nan=False)
            except Exception:  # noqa: BLE001
                pass
            self.on_error(exc)

    def _simulate(self, duration, done, total):
        """``run_iter`` in segments of ``SEGMENT_CHUNKS`` chunks; between segments the
        chunk is re-sized to last about ``TARGET_CHUNK_S`` of wall time: fewer chunk
        boundaries (where the worker needs the GIL and may wait for the GUI thread)
        on fast networks, prompt pauses and live changes on slow ones."""
        sim = self.built.sim
        dt = float(getattr(sim, "dt", 0.0) or 0.0)
        left = duration
        while left > 1e-9 and not self.stop_requested:
            segment = min(left, self.chunk_ms * SEGMENT_CHUNKS)
            start_wall, start_t = time.perf_counter(), sim.t
            for progress in sim.run_iter(segment, self.chunk_ms):
                self._between_chunks(done + (duration - left) + progress.fraction * segment, total)
                if self.stop_requested:
                    return
            left -= segment
            elapsed, simulated = time.perf_counter() - start_wall, sim.t - start_t
            if self.adaptive and elapsed > 0 and simulated > 0:
                chunk = TARGET_CHUNK_S * simulated / elapsed
                chunk = min(MAX_CHUNK_MS, max(MIN_CHUNK_MS, chunk))
                self.chunk_ms = max(dt, round(chunk / dt) * dt) if dt else chunk

    def _between_chunks(self, done_ms, total_ms):
        if self.step_once:
            self.step_once = False
            self.built.sim.pause()
        self.pull()
        self.on_progress(self.built.sim.t, min(1.0, done_ms / total_ms))

    def pull(self, force=False, check_nan=True):
        """Drain the monitors into the feed (at most every ``PULL_INTERVAL_S`` unless ``force``)."""
        now = time.perf_counter()
        if not force and (not self.live or now - self._last_pull < PULL_INTERVAL_S):
            return
        self._last_pull = now
        sim, feed = self.built.sim, self.built.feed
        t_now = sim.t
        for name, mid in self.built.monitors.items():
            if name in feed.meta:
                feed.absorb(name, sim.monitor_data(mid), t_now)
        if self.watched and (force or now - self._last_weights > WEIGHT_INTERVAL_S):
            self._last_weights = now
            for proj in list(self.watched):
                matrix = projection_weights(sim, proj)
                if matrix is not None:
                    feed.set_weights(proj, matrix)
        if check_nan and feed.nan is not None:
            mon, var, t = feed.nan
            target = feed.meta[mon]["target"]
            raise SimulationError(f"{target}.{var} became NaN or infinite at t = {t:g} ms",
                                  where=f"population {target!r}",
                                  hint="reduce dt or check the equations and parameters")


def projection_weights(sim, name):
    """Binned weight matrix of projection ``name`` (None when unavailable)."""
    try:
        conn = sim.connectivity(name)
        w = sim.weights(name)
    except Exception:  # noqa: BLE001
        return None
    return weight_matrix(conn.pre, conn.post, w, conn.pre_size, conn.post_size)
