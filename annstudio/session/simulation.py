"""A compiled, running network: ``Simulation(spec)``.

Owns the lowering (spec -> IR + data), the backend chosen through the registry,
chunked runs (``run_iter``) with stop/pause and parameter changes posted from
other threads, and the accumulation of monitor recordings.  The ANNarchy-style
facade, the CLI and the GUI all run networks through this class.

Restructuring (structural plasticity, ``annstudio.session.structural``): the
synapses of a compiled network change by building a new backend instance from
the current state.  ``current_data()`` copies the state out of the backend
into a :class:`NetworkData`; the caller edits its connectivity and synaptic
arrays; ``restructure(data, ir)`` builds the new instance (same IR: a compiled
backend reuses its cached kernel; an IR that had to change, e.g. a uniform
weight that became per-synapse, rebuilds it once) and carries over time,
monitors (same ids, activity, period phase), learning switches set through
``set_learning`` and, when the backend offers ``carry_state_from(old)``, its
private state (spike and rate histories, refractory counters, random
generator).  ``every(period_steps, fn)`` runs ``fn(sim)`` between steps,
every ``period_steps`` steps; ``run_iter`` ends its chunks there.
"""
import threading
import time
import warnings
from dataclasses import dataclass
from dataclasses import replace as _replace

import numpy as np
import sympy as sp

from annstudio import codegen
from annstudio.codegen.numpy_eval import compile_expr as _code
from annstudio.codegen.numpy_eval import evaluate as _eval
from annstudio.core.equations.expressions import ExpressionContext, preprocess, to_sympy
from annstudio.core.errors import BackendUnavailable, ModelError, SimulationError
from annstudio.core.model.checks import name_problems
from annstudio.core.model.resources import recording_problem, resource_problems
from annstudio.core.runtime import MonitorRequest, get_backend_factory

from .monitor_buffer import MonitorBuffer
from .monitor_stream import StreamBuffer

DEFAULT_CHUNK_MS = 100.0


@dataclass
class Progress:
    t: float            # current time (ms)
    step: int
    fraction: float     # of the requested duration
    elapsed: float      # wall-clock seconds since the run started


class Simulation:
    """Compile and run a :class:`~annstudio.core.model.NetworkSpec`."""

    def __init__(self, spec):
        self.spec = spec
        self.ir = None
        self.data = None
        self.backend = None
        self.paradigm = None
        self._posted = []
        self._post_lock = threading.Lock()
        self._stop = threading.Event()
        self._resume = threading.Event()
        self._resume.set()
        self._monitors = {}
        self._bmid = {}          # monitor id -> the backend's id (they differ after a restructure)
        self._next_mid = 0
        self._learning = {}      # projection -> learning switch set through set_learning()
        self._enabled = {}       # population -> Population.enable()/disable() switch (set_enabled)
        self._periodic = {}      # handle -> [next step, period in steps, fn]
        self._next_handle = 0
        self.build_log = ""
        self.compile_time = 0.0

    # -- building ------------------------------------------------------------------------
    def compile(self, paradigm=None, num_threads=None, log=None, lower=None):
        """Build the backend.  ``lower`` (default ``codegen.lower``) maps the spec to ``(ir, data)``: a sweep
        worker passes one that reuses an earlier lowering of the same structure and seed (sweep_run.py)."""
        settings = self.spec.settings
        paradigm = paradigm or settings.paradigm
        if num_threads is not None:
            settings.num_threads = int(num_threads)
        t0 = time.perf_counter()
        too_big, heavy = resource_problems(self.spec)
        for where, message, _ in name_problems(self.spec) + too_big:
            raise ModelError(message, where=where)      # names and memory, before anything is allocated
        for where, message, _ in heavy:
            warnings.warn(f"annstudio: {where}: {message}", stacklevel=3)
        self.ir, self.data = (lower or codegen.lower)(self.spec)
        try:
            factory = get_backend_factory(paradigm)
        except BackendUnavailable as exc:
            if paradigm == "openmp":
                warnings.warn(f"annstudio: {exc.message}; falling back to the NumPy backend", stacklevel=3)
                factory, paradigm = get_backend_factory("numpy"), "numpy"
            else:
                raise
        kwargs = {"log": log} if log is not None and paradigm != "numpy" else {}
        self.backend = factory(self.ir, self.data, settings, **kwargs)
        self.paradigm = paradigm
        self.build_log = getattr(self.backend, "build_log", "")
        self.compile_time = time.perf_counter() - t0
        return self

    def _require(self):
        if self.backend is None:
            raise SimulationError("the network is not compiled yet: call compile() first")
        return self.backend

    @property
    def dt(self):
        return float(self.spec.settings.dt)

    @property
    def step(self):
        return self._require().step

    @property
    def t(self):
        return self.step * self.dt

    # -- state ---------------------------------------------------------------------------
    def connectivity(self, name):
        """The synapses of projection ``name`` (post-major ``pre``/``post`` ranks, sizes)."""
        self._require()
        if name not in self.data.connectivity:
            raise SimulationError(f"no projection named {name!r}")
        return self.data.connectivity[name]

    def weights(self, name, variable="w"):
        """Per-synapse values of ``variable`` of projection ``name`` in connectivity order (a copy)."""
        conn = self.connectivity(name)
        w = np.asarray(self.get(name, variable), dtype=np.float64)
        return np.full(conn.size, float(w)) if w.ndim == 0 else w.copy()

    def get(self, name, var):
        return self._require().get(name, var)

    def set(self, name, var, value, ranks=None):
        backend = self._require()
        arr = backend.get(name, var)
        if ranks is None or np.ndim(arr) == 0:
            backend.set(name, var, value)
        else:
            new = np.array(arr, copy=True)
            new[np.asarray(ranks)] = value
            backend.set(name, var, new)

    def post_set(self, name, var, value, ranks=None):
        """Thread-safe: apply ``set`` at the next chunk boundary of a running ``run_iter``."""
        with self._post_lock:
            self._posted.append((name, var, value, ranks))
        if self.backend is not None and not self._running:
            self._apply_posted()

    _running = False

    def _apply_posted(self):
        with self._post_lock:
            posted, self._posted = self._posted, []
        for name, var, value, ranks in posted:
            self.set(name, var, value, ranks)

    # -- monitors ------------------------------------------------------------------------
    def add_monitor(self, kind, target, variables, ranks=None, period=None, start=True, stream=None, name=None):
        """Attach a monitor; its id.  ``stream``: an HDF5 file the records go to instead of memory
        (``monitor_stream``; ``name`` labels it)."""
        backend = self._require()
        period_steps = max(1, int(round((period or self.dt) / self.dt)))
        req = MonitorRequest(kind, target, tuple(variables), None if ranks is None else tuple(int(r) for r in ranks),
                             period_steps, bool(start))
        mid = self._next_mid
        self._next_mid += 1
        self._bmid[mid] = backend.add_monitor(req)
        buf = MonitorBuffer(req, mid) if stream is None else StreamBuffer(req, mid, stream, self, name)
        buf.active, buf.offset = bool(start), backend.step
        self._monitors[mid] = buf
        return mid

    def set_monitor_active(self, mid, active):
        self._drain()
        buf = self._monitors[mid]
        if active and not buf.active:
            buf.offset = self.step
        buf.active = bool(active)
        self._require().set_monitor_active(self._bmid[mid], active)

    def remove_monitor(self, mid):
        self._drain()
        self._require().remove_monitor(self._bmid.pop(mid))
        buf = self._monitors.pop(mid, None)
        if buf is not None:
            buf.close()

    def _drain(self):
        if self.backend is None:
            return
        for mid, buf in self._monitors.items():
            buf.absorb(self.backend.fetch_monitor(self._bmid[mid]))

    def monitor_buffer(self, mid, drain=True):
        if drain:
            self._drain()
        return self._monitors[mid]

    def monitor_data(self, mid, keep=False):
        """Recordings of monitor ``mid`` since the last call (or all, with ``keep``)."""
        self._drain()
        buf = self._monitors[mid]
        out = buf.data({p.name: p.size for p in self.ir.populations}.get(buf.request.target, 0))
        if not keep:
            buf.clear()
        return out

    # -- running -------------------------------------------------------------------------
    def request_stop(self):
        self._stop.set()
        self._resume.set()

    def pause(self):
        self._resume.clear()

    def resume(self):
        self._resume.set()

    @property
    def paused(self):
        return not self._resume.is_set()

    def run_iter(self, duration, chunk=None, stop_condition=None):
        """Advance ``duration`` ms in chunks; yields a :class:`Progress` after each chunk.

        Between chunks: posted parameter changes are applied, recordings are
        drained into the monitor buffers, pause waits and stop returns early.
        ``stop_condition(sim)`` ends the run early when it returns True.  ``chunk`` (ms) may be a
        callable, read before each chunk (the studio's worker adapts it to the machine's speed).
        """
        self._require()
        total = int(round(float(duration) / self.dt))
        if total < 0:
            raise SimulationError(f"duration must be non-negative, got {duration}")
        too_much = recording_problem(self._recordings(), total, self.dt)
        if too_much:
            raise SimulationError(too_much, where="simulate")
        chunk_of = chunk if callable(chunk) else (lambda: chunk)
        self._stop.clear()
        done = 0
        start = time.perf_counter()
        self._running = True
        try:
            while done < total:
                self._resume.wait()
                if self._stop.is_set():
                    break
                self._apply_posted()   # changes posted while the caller held the generator count now
                chunk_steps = max(1, int(round((chunk_of() or DEFAULT_CHUNK_MS) / self.dt)))
                n = min(chunk_steps, total - done, self._steps_to_periodic())
                self.backend.run(n)
                done += n
                self._drain()
                self.check_finite()
                self._run_periodic()
                yield Progress(self.t, self.step, done / total if total else 1.0, time.perf_counter() - start)
                if stop_condition is not None and stop_condition(self):
                    break
        finally:
            self._running = False
            self._apply_posted()
        if total == 0:
            yield Progress(self.t, self.step, 1.0, 0.0)

    def _recordings(self):
        """``[(values per record, period ms, folder or None)]`` of the active monitors, population and
        projection (for the estimate: in memory, or on disk in ``folder`` for a streaming monitor)."""
        return [(b.values_per_record(self), b.request.period_steps * self.dt, b.disk_folder())
                for b in self._monitors.values() if b.active]

    def check_finite(self):
        """Raise a located SimulationError when a population variable became NaN or infinite."""
        backend = self._require()
        for pop in self.ir.populations:
            for v in pop.variables:
                if v.role != "variable":
                    continue
                arr = np.asarray(backend.get(pop.name, v.name))
                if not np.all(np.isfinite(arr)):
                    bad = np.flatnonzero(~np.isfinite(np.atleast_1d(arr)))
                    raise SimulationError(
                        f"variable '{v.name}' became {np.atleast_1d(arr)[bad[0]]} (neuron {bad[0]}, "
                        f"{bad.size} neuron(s) affected) at t = {self.t:g} ms",
                        where=f"Population '{pop.name}'",
                        hint="the equations diverge: check the parameters, or use a smaller dt or a more "
                             "stable numerical method")

    def simulate(self, duration, chunk=None):
        for _ in self.run_iter(duration, chunk or max(float(duration), self.dt)):
            pass

    def stop_condition(self, population, operator="or", conditions=None):
        """``f(sim)``: True when ``population``'s stop condition holds (``or``: any population, ``and``: all)."""
        pops = population if isinstance(population, (list, tuple)) else [population]
        conds = conditions or {}
        checks = []
        for p in pops:
            cond = conds.get(p) or self.spec.population(p).stop_condition
            if not cond:
                raise ModelError(f"population {p!r} has no stop_condition", where="simulate_until")
            checks.append(_stop_check(self, p, cond))
        combine = any if operator in ("or", "any") else all
        return lambda sim: combine(c() for c in checks)

    def simulate_until(self, max_duration, population, operator="or", conditions=None):
        """Run until ``population``'s stop condition holds (checked after every step); the time run."""
        start, met = self.t, self.stop_condition(population, operator, conditions)
        for _ in self.run_iter(max_duration, self.dt, met):
            pass
        return self.t - start

    def reset(self, populations=True, projections=False, synapses=False, monitors=True):
        """The script API's ``reset``: population (``populations``) and synaptic (``projections`` or
        ``synapses``) variables back to the values they were built with, recordings dropped
        (``monitors``).  Parameters, connectivity and time are kept (the protocol's ``set`` values stay)."""
        backend = self._require()
        for flag, irs, initial in ((populations, self.ir.populations, self.data.populations),
                                   (projections or synapses, self.ir.projections, self.data.projections)):
            for obj in (irs if flag else ()):
                for v in obj.variables:
                    if v.role == "variable" and v.name in initial[obj.name]:
                        backend.set(obj.name, v.name, initial[obj.name][v.name])
        if monitors:
            self._drain()
            for buf in self._monitors.values():
                buf.clear()

    # -- restructuring (see the module docstring) -----------------------------------------
    def set_learning(self, name, enabled):
        """Switch a projection's synaptic updates on/off (kept across restructures)."""
        self._learning[name] = bool(enabled)
        self._require().set_learning(name, bool(enabled))

    def set_enabled(self, name, enabled):
        """Switch a population on/off (``Population.enable()/disable()``, kept across restructures)."""
        self._require().set_enabled(name, bool(enabled))
        self._enabled[name] = bool(enabled)

    def current_data(self):
        """A fresh :class:`NetworkData` holding copies of the current state: population and
        projection values read from the backend, the current connectivity, delays and schedules."""
        backend = self._require()
        data = codegen.NetworkData()
        for p in self.ir.populations:
            vals = {}
            for v in p.variables:
                vals[v.name] = _copy(backend.get(p.name, v.name))
            for g in p.global_ops:
                vals[g.symbol] = _copy(_get_or(backend, p.name, g.symbol, 0.0))
            data.populations[p.name] = vals
        for pr in self.ir.projections:
            vals = {v.name: _copy(backend.get(pr.name, v.name)) for v in pr.variables}
            if pr.event_driven:   # not readable from every backend: then the last events restart at 0
                vals["_last_event"] = _copy(_get_or(backend, pr.name, "_last_event",
                                                    np.zeros(self.data.connectivity[pr.name].size)))
            data.projections[pr.name] = vals
        data.connectivity = dict(self.data.connectivity)
        data.delays = dict(self.data.delays)
        data.sources = {}
        for p in self.spec.populations:
            src = codegen.data.population_sources(p, self.dt)
            if src is not None:
                data.sources[p.name] = src
        return data

    def restructure(self, data, ir=None):
        """Replace the backend by one built from ``data`` (and ``ir``, default the current IR),
        keeping time, monitors and learning switches (see the module docstring)."""
        old = self._require()
        self._drain()
        ir = ir or self.ir
        factory = get_backend_factory(self.paradigm)
        new = factory(ir, data, self.spec.settings)
        new.step = old.step
        new.carry_state_from(old)
        for name, enabled in self._learning.items():
            new.set_learning(name, enabled)
        for name, enabled in self._enabled.items():
            new.set_enabled(name, enabled)
        for mid, buf in self._monitors.items():
            old.remove_monitor(self._bmid[mid])
            req, buf.stride = _replace(buf.request, start=buf.active), None
            self._bmid[mid] = new.add_monitor(req)
            new.set_monitor_offset(self._bmid[mid], buf.offset)     # keep the recording phase
        old.close()
        self.backend, self.ir, self.data = new, ir, data

    def every(self, period_steps, fn, start_step=None):
        """Call ``fn(sim)`` between steps when ``step - start`` is a positive multiple of ``period_steps``
        (``start``: the current step); returns a handle for ``cancel_every``."""
        period = max(1, int(period_steps))
        start = self.step if start_step is None else int(start_step)
        handle = self._next_handle
        self._next_handle += 1
        self._periodic[handle] = [start + period, period, fn]
        return handle

    def cancel_every(self, handle):
        self._periodic.pop(handle, None)

    def _steps_to_periodic(self):
        if not self._periodic:
            return 1 << 62
        return max(1, min(nxt for nxt, _, _ in self._periodic.values()) - self.step)

    def _run_periodic(self):
        for handle in sorted(self._periodic):
            entry = self._periodic.get(handle)
            if entry is None or self.step < entry[0]:
                continue
            entry[0] += entry[1] * max(1, (self.step - entry[0]) // entry[1] + 1)
            entry[2](self)


def _copy(value):
    arr = np.array(value, dtype=float, copy=True)
    return float(arr) if arr.ndim == 0 else arr


def _get_or(backend, name, var, default):
    try:
        return backend.get(name, var)
    except SimulationError:
        return default


def _stop_check(sim, pop, cond):
    """Evaluate a population's stop condition (``expr : any|all``) with the NumPy printer."""
    text, _, mode = cond.partition(":")
    mode = mode.strip() or "any"
    ir = sim.ir.population(pop)
    names = {v.name: sp.Symbol(v.name) for v in ir.variables}
    names["t"] = sp.Symbol("t")
    expr = to_sympy(preprocess(text, f"Population '{pop}', stop_condition", 1),
                    ExpressionContext(f"Population '{pop}', stop_condition", 1, names))
    code = _code(expr, f"{pop}:stop")[0]
    reducer = all if mode == "all" else any

    def check():
        ns = {v.name: sim.get(pop, v.name) for v in ir.variables}
        ns["t"] = sim.t
        res = np.asarray(_eval(code, ns), dtype=bool)
        return bool(reducer(np.atleast_1d(res)))
    return check
