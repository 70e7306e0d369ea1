"""The run worker: builds a project and plays its protocol in a Python thread (no Qt here).

``build_project(data)`` checks the document (``annstudio.project.validate``) and compiles
the session's ``ProtocolRun`` (the one protocol player the CLI uses too).  ``RunWorker``
iterates that run in its thread and adds only what the studio needs: the chunk length
adapted to the machine's speed, and between chunks, at most ~60 times a second, the
recordings drained into the ``LiveFeed`` (it is the only thread that touches the simulation
while it runs) and progress reported through callbacks.  Pause, resume, stop go through the
run's own thread-safe controls; a NaN in the recordings stops the run with a located
``SimulationError``.

Pace (``set_pace``): ``None`` runs as fast as possible; a number is simulated ms per wall ms
(1 = real time, 0.1, 0.01 slow motion).  A paced run uses chunks of ``PACED_CHUNK_WALL_S`` of
wall time (``pace.paced_chunk_ms``) and sleeps between them until the wall clock catches up
with the simulated time (``pace.PaceClock``), so live changes take effect within about one
chunk.  Live changes posted through ``post_set`` are handed to the run right before the next
chunk starts, and each applied change is logged in ``applied`` (wall and simulated time when
it was posted and when it took effect).
"""
import threading
import time
from dataclasses import dataclass

from ...core.errors import SimulationError
from ...project.validate import check_document
from ...session.protocol import ProtocolRun
from .feed import LiveFeed, weight_matrix
from .pace import PaceClock, paced_chunk_ms

# Drain at every chunk boundary (chunks last ~TARGET_CHUNK_S), at most ~60 times a
# second: the plots' ~30 Hz timer then finds new data at every tick (draining only
# after 1/30 s had passed gave a pull every second chunk, ~20 a second, so a third
# of the ticks had nothing new to draw).
PULL_INTERVAL_S = 1 / 60
TARGET_CHUNK_S = 0.025          # wall time of one chunk the worker aims for
SEGMENT_CHUNKS = 8
MIN_CHUNK_MS, MAX_CHUNK_MS = 1.0, 500.0
WEIGHT_INTERVAL_S = 0.5
WEIGHT_STEP_MS = 250.0
WEIGHT_MAX_PER_S = 10
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


def build_project(data, factory=default_factory, log=None, keep_recordings=False, stream_dir=None):
    """Check and compile ``data``; ``keep_recordings``: the run keeps every recording (``run.recordings()``);
    ``stream_dir``: the folder of the saved project, where its monitors' relative ``stream`` files go."""
    start = time.perf_counter()
    project, run = factory(data, keep_recordings=keep_recordings)
    if stream_dir is not None and hasattr(run, "stream_dir"):
        run.stream_dir = str(stream_dir)
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
                 watched_projections=(), adaptive=True, pace=None, clock=None):
        self.built = built
        self.pace = PaceClock(pace, **({"clock": clock} if clock is not None else {}))
        self.applied = []                     # live changes: dicts of when they were posted and applied
        self._pending = []
        self._pending_lock = threading.Lock()
        self.t = float(built.sim.t)           # simulated time of the last chunk boundary
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
        self._last_weights_t = float(built.sim.t)

    # ---------------------------------------------------------------- control (GUI thread)
    def start(self):
        self.thread = threading.Thread(target=self._run, name="annstudio-run", daemon=True)
        self.thread.start()

    def pause(self):
        self.built.run.pause()

    def resume(self):
        self.step_once = False
        self.pace.restart()
        self.built.run.resume()

    def step(self):
        """Run one chunk, then pause again."""
        self.step_once = True
        self.pace.restart()
        self.built.run.resume()

    def set_pace(self, pace):
        """``None``: as fast as possible; else simulated ms per wall ms (takes effect at once)."""
        self.pace.set(pace)

    def post_set(self, target, variable, value, ranks=None):
        """Change ``target.variable`` right before the next chunk (any thread; while paused, at once)."""
        with self._pending_lock:
            self._pending.append({"target": target, "variable": variable, "value": value, "ranks": ranks,
                                  "posted_wall": time.perf_counter(), "posted_t": self.t,
                                  "posted_schedule_t": self.pace.scheduled_t(self.t)})
        if self.built.run.paused or not self.running:
            self._forward_pending(self.t)      # applied when the run goes on (or now, when it is over)

    def _forward_pending(self, t):
        """Hand the posted changes to the run: ``run_iter`` applies them as the next chunk starts."""
        with self._pending_lock:
            pending, self._pending = self._pending, []
        for change in pending:
            self.built.run.post_set(change["target"], change["variable"], change["value"], change["ranks"])
            change.update(applied_wall=time.perf_counter(), applied_t=t)
            self.applied.append(change)

    def _chunk(self):
        if self.pace.value is None:
            return self.chunk_ms
        return paced_chunk_ms(self.pace.value, float(self.built.sim.dt))

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
            self._forward_pending(self.t)
            for progress in run.play(self._chunk):
                self.t = progress.t
                segment = self._adapt(segment, progress)
                self._between_chunks(progress)
            self._forward_pending(self.t)
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
        if segment is None or segment[0] != progress.index or self.pace.value is not None:
            return (progress.index, 0, now, progress.t)      # (a paced run's chunk follows the pace)
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
        self.pace.wait_for(progress.t, lambda: self.stop_requested)
        self._forward_pending(progress.t)

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
        # weights: every WEIGHT_INTERVAL_S of wall time, or every WEIGHT_STEP_MS of simulated time
        # (a fast run still gets a weights-over-time curve), at most WEIGHT_MAX_PER_S times a second
        due = now - self._last_weights > WEIGHT_INTERVAL_S or (
            t_now - self._last_weights_t >= WEIGHT_STEP_MS and now - self._last_weights > 1.0 / WEIGHT_MAX_PER_S)
        if self.watched and (force or due):
            self._last_weights, self._last_weights_t = now, t_now
            for proj in list(self.watched):
                snapshot_weights(sim, feed, proj)
        if check_nan and feed.nan is not None:
            mon, var, t = feed.nan
            target = feed.meta[mon]["target"]
            raise SimulationError(f"{target}.{var} became NaN or infinite at t = {t:g} ms",
                                  where=f"population {target!r}",
                                  hint="reduce dt or check the equations and parameters")


def projection_weights(sim, name):
    """Binned weight matrix of projection ``name`` (None when unavailable)."""
    got = _weights(sim, name)
    return None if got is None else got[0]


def _weights(sim, name):
    try:
        conn = sim.connectivity(name)
        w = sim.weights(name)
    except Exception:  # noqa: BLE001
        return None
    return weight_matrix(conn.pre, conn.post, w, conn.pre_size, conn.post_size), w


def snapshot_weights(sim, feed, name):
    """Add the weights of projection ``name`` now to the feed's history (False: unavailable).
    Call from the thread that runs the simulation, or when it is not running."""
    got = _weights(sim, name)
    if got is None:
        return False
    feed.add_weight_snapshot(name, float(sim.t), *got)
    return True
