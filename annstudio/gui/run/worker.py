"""The run worker: builds a project and plays its protocol in a Python thread (no Qt here).

``build_project(data)`` checks the document (``annstudio.project.validate``) and compiles
the session's ``ProtocolRun`` (the one protocol player the CLI uses too).  ``RunWorker``
iterates that run in its thread and adds only what the studio needs: the chunk length
adapted to the machine's speed, and between chunks, at most ~60 times a second, the
recordings drained into the ``LiveFeed`` (it is the only thread that touches the simulation
while it runs) and progress reported through callbacks.  Pause, resume, stop and posted
changes go through the run's own thread-safe controls; a NaN in the recordings stops the
run with a located ``SimulationError``.
"""
import threading
import time
from dataclasses import dataclass

from ...core.errors import SimulationError
from ...project.validate import check_document
from ...session.protocol import ProtocolRun
from .feed import LiveFeed, weight_matrix

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
    """A compiled protocol run with what the studio needs to run and plot it."""

    run: ProtocolRun
    project: object               # annstudio.project.validate.Project (or a test double)
    feed: LiveFeed
    build_seconds: float = 0.0

    @property
    def sim(self):
        return self.run.sim

    @property
    def monitors(self):
        """monitor name -> session monitor id"""
        return self.run.monitors


def default_factory(data, keep_recordings=False):
    """(project, protocol run, not compiled yet) for a project dict; raises located errors."""
    project = check_document(data)
    run = ProtocolRun(project.spec, project.protocol, duration=project.built.duration,
                      keep_recordings=keep_recordings)
    return project, run


def build_project(data, factory=default_factory, log=None, keep_recordings=False):
    """Check and compile ``data``; ``keep_recordings``: the run keeps every recording (``run.recordings()``)."""
    start = time.perf_counter()
    project, run = factory(data, keep_recordings=keep_recordings)
    run.compile(log=log)
    if log is not None and run.sim.build_log:
        log(run.sim.build_log)
    feed = LiveFeed(project.spec.settings.dt)
    for m in project.spec.monitors:
        if m.kind == "population":
            pop = project.spec.population(m.target)
            feed.add_monitor(m.name, m.target, pop.size, pop.geometry, m.variables, m.ranks)
    return Built(run, project, feed, time.perf_counter() - start)


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
        self.built.run.pause()

    def resume(self):
        self.step_once = False
        self.built.run.resume()

    def step(self):
        """Run one chunk, then pause again."""
        self.step_once = True
        self.built.run.resume()

    def stop(self):
        self.stop_requested = True
        self.built.run.request_stop()

    def join(self, timeout=None):
        if self.thread is not None:
            self.thread.join(timeout)

    @property
    def running(self):
        return self.thread is not None and self.thread.is_alive()

    # ---------------------------------------------------------------- worker thread
    def _run(self):
        run = self.built.run
        start, cpu = time.perf_counter(), time.thread_time()
        try:
            segment = None
            for progress in run.play(lambda: self.chunk_ms):
                segment = self._adapt(segment, progress)
                self._between_chunks(progress)
            status = "stopped" if self.stop_requested or run.stopped else "finished"
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

    def _adapt(self, segment, progress):
        """Every ``SEGMENT_CHUNKS`` chunks of one step the chunk is re-sized to last about
        ``TARGET_CHUNK_S`` of wall time: fewer chunk boundaries (where the worker needs the GIL
        and may wait for the GUI thread) on fast networks, prompt pauses and live changes on
        slow ones.  ``segment``: (step index, chunks, wall time, simulated time) at its start."""
        now = time.perf_counter()
        if segment is None or segment[0] != progress.index:
            return (progress.index, 0, now, progress.t)
        index, chunks, wall, t = segment
        chunks += 1
        if chunks < SEGMENT_CHUNKS:
            return (index, chunks, wall, t)
        elapsed, simulated = now - wall, progress.t - t
        if self.adaptive and elapsed > 0 and simulated > 0:
            dt = float(self.built.sim.dt)
            chunk = min(MAX_CHUNK_MS, max(MIN_CHUNK_MS, TARGET_CHUNK_S * simulated / elapsed))
            self.chunk_ms = max(dt, round(chunk / dt) * dt)
        return (index, 0, now, progress.t)

    def _between_chunks(self, progress):
        if self.step_once:
            self.step_once = False
            self.built.run.pause()
        self.pull()
        self.on_progress(progress.t, progress.fraction)

    def pull(self, force=False, check_nan=True):
        """Drain the monitors into the feed (at most every ``PULL_INTERVAL_S`` unless ``force``)."""
        now = time.perf_counter()
        if not force and (not self.live or now - self._last_pull < PULL_INTERVAL_S):
            return
        self._last_pull = now
        sim, feed = self.built.sim, self.built.feed
        t_now = sim.t
        for name, data in self.built.run.drain().items():
            if name in feed.meta:
                feed.absorb(name, data, t_now)
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
