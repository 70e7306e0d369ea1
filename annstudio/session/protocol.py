"""One protocol player: ``ProtocolRun`` plays a network's protocol on a ``Simulation``, once.

The CLI (``annstudio.project.runner``) iterates it and keeps the recordings; the studio's
worker iterates it in a thread and adds only adaptive chunking and its feed pulls; the
exported script prints the same steps as script-API calls that mean the same thing.

Owns the meaning of each protocol step (``annstudio.core.model.records.Step`` records, as
``check_document`` reads them; ``plan`` adds the default ``simulate`` and the duration cap):

- ``set``: ``pop.x = value`` / ``proj.x = value`` after ``compile()``: a distribution is drawn
  with the run's generator (``np.random.default_rng(seed)``, as ``setup(seed=...)`` creates),
  as many values as the variable holds (one for a population-wide value; a projection value
  stored as one shared number refuses an array, as the script API does); segments set each
  part on its ranks.  The value stays until the next ``set`` (``reset`` keeps it).
- ``simulate``: ``Simulation.run_iter`` in chunks of ``chunk_ms`` (a number, or a callable read
  before each chunk): pause, stop and posted changes act at chunk boundaries.
- ``simulate_until``: stops after the first step at which the stop condition holds
  (``Simulation.stop_condition``); progress counts ``max_duration``.
- ``reset``: ``Simulation.reset`` with the step's ``flags`` (time goes on; recordings made
  before it are dropped with ``monitors``).
- ``pause_monitor`` / ``resume_monitor`` (``target``: a monitor name): ``Monitor.pause()`` /
  ``resume()``.

``play()`` yields a :class:`ProtocolProgress` after every chunk.  ``drain()`` hands the
recordings made since the previous call (what the worker's feed absorbs) and, with
``keep_recordings``, keeps them for ``recordings()``: the canonical ``MON.VAR`` arrays and,
for spikes, ``MON.spike.times`` / ``MON.spike.ranks`` sorted by rank then time.
"""
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from annstudio.core.errors import ModelError, SimulationError
from annstudio.core.model import Distribution, Segments
from annstudio.core.model.records import Step

from .rewind import drop_travelling
from .simulation import DEFAULT_CHUNK_MS, Simulation

ACTIONS = ("set", "simulate", "simulate_until", "reset", "pause_monitor", "resume_monitor")
DEFAULT_DURATION_MS = 1000.0


@dataclass
class ProtocolProgress:
    t: float            # simulated time (ms)
    done: float         # protocol time played (ms), simulate_until counted at max_duration
    total: float        # the protocol's planned time (ms)
    index: int          # the step being played
    label: str

    @property
    def fraction(self):
        return min(1.0, self.done / self.total) if self.total > 0 else 1.0


def plan(steps, default_duration=None, limit=None):
    """The steps to play: ``simulate(default_duration)`` for an empty protocol; with ``limit`` (ms),
    the simulated time is capped there (the last step cut short, later steps dropped)."""
    steps = list(steps) or [Step("simulate", duration=float(default_duration or DEFAULT_DURATION_MS))]
    for i, st in enumerate(steps):
        if st.action not in ACTIONS:
            raise ModelError(f"unknown protocol action {st.action!r}", where=f"protocol[{i}]",
                             hint=f"known: {', '.join(ACTIONS)}")
    if limit is None:
        return steps
    out, left = [], float(limit)
    for st in steps:
        if left <= 0:
            break
        if st.action == "simulate":
            st = replace(st, duration=min(st.duration, left))
            left -= st.duration
        elif st.action == "simulate_until":
            st = replace(st, max_duration=min(st.max_duration, left))
            left -= st.max_duration
        out.append(st)
    return out


def planned_duration(steps):
    return sum(float(st.duration if st.action == "simulate" else st.max_duration)
               for st in steps if st.action in ("simulate", "simulate_until"))


class ProtocolRun:
    """Plays ``steps`` (see the module docstring) on a compiled ``Simulation`` of ``spec``.

    ``compile()`` builds the simulation (or ``attach(sim)`` takes a compiled one); both attach the
    monitors ``spec.monitors`` lists, in order.  ``pause``/``resume``/``request_stop``/``post_set``
    may be called from any thread while another plays."""

    def __init__(self, spec, steps=(), duration=None, limit=None, keep_recordings=True, stream_dir=None):
        self.spec = spec
        self.stream_dir = stream_dir    # where relative ``stream`` files go (default: the current folder)
        self.streams = {m.name for m in spec.monitors if getattr(m, "stream", None)}   # not kept: on disk
        self.steps = plan(steps, duration, limit)
        self.total = planned_duration(self.steps)
        self.keep = bool(keep_recordings)
        self.sim = None
        self.monitors = {}              # monitor name -> Simulation monitor id
        self.rng = None
        self.done = 0.0
        self.stopped = False
        self._kept = {}                 # monitor name -> [monitor_data, ...]

    # -- building ------------------------------------------------------------------------
    def compile(self, paradigm=None, num_threads=None, log=None, lower=None):
        """Build the simulation (``paradigm``/``num_threads`` default to the spec's settings; ``lower``: see
        ``Simulation.compile``)."""
        return self.attach(Simulation(self.spec).compile(paradigm=paradigm, num_threads=num_threads, log=log,
                                                         lower=lower))

    def attach(self, sim):
        self.sim = sim
        for m in self.spec.monitors:
            stream = str(Path(self.stream_dir or ".") / m.stream) if m.name in self.streams else None
            self.monitors[m.name] = sim.add_monitor(m.kind, m.target, m.variables, ranks=m.ranks,
                                                    period=m.period, start=m.start, stream=stream, name=m.name)
        self.rng = np.random.default_rng(self.spec.settings.seed)
        return self

    # -- control (any thread) ------------------------------------------------------------
    def pause(self):
        self.sim.pause()

    def resume(self):
        self.sim.resume()

    @property
    def paused(self):
        return self.sim.paused

    def request_stop(self):
        self.stopped = True
        self.sim.request_stop()

    def post_set(self, target, variable, value, ranks=None):
        self.sim.post_set(target, variable, value, ranks)

    def _stopping(self, _sim):
        return self.stopped        # also a stop asked between two steps, before run_iter began

    # -- playing -------------------------------------------------------------------------
    def play(self, chunk_ms=None):
        """Play every step once; yields a :class:`ProtocolProgress` after each chunk."""
        if self.sim is None:
            raise SimulationError("the protocol has no simulation: call compile() or attach() first")
        sim = self.sim
        for index, st in enumerate(self.steps):
            if self.stopped:
                return
            label = getattr(st, "label", "") or ""
            if st.action == "set":
                assign(sim, st.target, st.variable, st.value, self.rng)
            elif st.action == "simulate":
                for p in sim.run_iter(st.duration, chunk_ms, self._stopping):
                    yield ProtocolProgress(sim.t, self.done + p.fraction * st.duration, self.total, index, label)
                self.done += st.duration
            elif st.action == "simulate_until":
                yield from self._until(st, chunk_ms, index, label)
            elif st.action == "reset":
                sim.reset(**{flag: flag in st.flags for flag in ("populations", "projections", "synapses",
                                                                 "monitors")})
                drop_travelling(sim)            # as ANNarchy's reset(); the clock keeps running
                if "monitors" in st.flags:
                    self._kept.clear()
            else:
                if st.target not in self.monitors:
                    raise SimulationError(f"no monitor named {st.target!r}", where=f"protocol[{index}]")
                sim.set_monitor_active(self.monitors[st.target], st.action == "resume_monitor")

    def _until(self, st, chunk_ms, index, label):
        sim = self.sim
        met = sim.stop_condition(st.population, st.operator)
        start, last = sim.step, sim.step
        for _ in sim.run_iter(st.max_duration, sim.dt, lambda s: self.stopped or met(s)):   # at every step
            chunk = chunk_ms() if callable(chunk_ms) else chunk_ms
            if (sim.step - last) * sim.dt >= (chunk or DEFAULT_CHUNK_MS):
                last = sim.step
                yield ProtocolProgress(sim.t, self.done + (sim.step - start) * sim.dt, self.total, index, label)
        self.done += st.max_duration
        yield ProtocolProgress(sim.t, self.done, self.total, index, label)

    # -- recordings ----------------------------------------------------------------------
    def drain(self, streams=True):
        """``{monitor name: monitor_data}`` recorded since the previous call (kept with ``keep``; a streaming
        monitor's records are read back from its file, never kept, and skipped without ``streams``)."""
        out = {}
        for name, mid in self.monitors.items():
            if name in self.streams and not streams:
                continue
            data = self.sim.monitor_data(mid)
            out[name] = data
            if self.keep and name not in self.streams:
                self._kept.setdefault(name, []).append(data)
        return out

    def recordings(self):
        """Everything kept, in the canonical form (see the module docstring); streaming monitors: in their file."""
        self.drain(streams=False)
        out = {}
        for m in (m for m in self.spec.monitors if m.name not in self.streams):
            parts = self._kept.get(m.name, [])
            for var in m.variables:
                if var == "spike":
                    steps = np.concatenate([p["spike"][0] for p in parts] or [np.zeros(0, np.int64)])
                    ranks = np.concatenate([p["spike"][1] for p in parts] or [np.zeros(0, np.int64)])
                    out[f"{m.name}.spike.times"], out[f"{m.name}.spike.ranks"] = spike_arrays((steps, ranks))
                else:
                    out[f"{m.name}.{var}"] = _joined([p[var] for p in parts])
        return out

    def record_steps(self):
        """``{monitor name: the step of each kept record}`` (row k of ``MON.VAR`` was recorded at that step)."""
        self.drain(streams=False)
        return {m.name: np.concatenate([np.asarray(p["_steps"], np.int64) for p in self._kept.get(m.name, [])]
                                       or [np.zeros(0, np.int64)]) for m in self.spec.monitors
                if m.name not in self.streams}


def _joined(parts):
    """One array of drained pieces (arrays of records, or lists for projection monitors)."""
    arrays = [np.asarray(p) for p in parts]
    full = [a for a in arrays if a.shape[:1] != (0,)]
    if not full:
        return arrays[-1] if arrays else np.zeros(0)
    return full[0] if len(full) == 1 else np.concatenate(full)


def spike_arrays(spikes):
    """Spike recordings (``{rank: [steps]}`` or ``(steps, ranks)``) -> (times, ranks) sorted by rank, time."""
    if isinstance(spikes, dict):
        ranks = sorted(spikes)
        times = np.array([t for n in ranks for t in spikes[n]], dtype=np.int64)
        rks = np.array([n for n in ranks for _ in spikes[n]], dtype=np.int64)
        return times, rks
    steps, rks = (np.asarray(a, dtype=np.int64) for a in spikes)
    if rks.size and 0 <= rks.min() and rks.max() < 2 ** 16 and bool(np.all(steps[1:] >= steps[:-1])):
        order = np.argsort(rks.astype(np.uint16), kind="stable")   # in time order already: a radix sort by rank
    else:
        order = np.lexsort((steps, rks))
    return steps[order], rks[order]


# --------------------------------------------------------------------------- set
def assign(sim, target, variable, value, rng, ranks=None):
    """``target.variable = value`` on a compiled simulation, as the script API does after ``compile()``."""
    if isinstance(value, Segments):
        for part_ranks, part in value.parts:
            assign(sim, target, variable, part, rng, part_ranks)
        return
    if isinstance(value, (list, tuple)):
        value = np.asarray(value, dtype=float)
    if isinstance(value, np.ndarray) and value.ndim > 1:
        value = value.reshape(-1)
    if target in sim.data.connectivity:
        if ranks is not None:
            raise ModelError("a projection's value is set on all its synapses, not on ranks",
                             where=f"Projection '{target}'")
        _assign_synaptic(sim, target, variable, value, rng)
        return
    decl = _decl(sim.ir.population(target).variables, target, variable)
    if isinstance(value, Distribution):
        size = sim.ir.population(target).size if ranks is None else len(ranks)
        value = value.get_values(() if decl.locality == "global" else size, rng)
    sim.set(target, variable, value, None if ranks is None else list(ranks))


def _assign_synaptic(sim, target, variable, value, rng):
    proj = next(p for p in sim.ir.projections if p.name == target)
    decl = _decl(proj.variables, target, variable)
    if isinstance(value, Distribution):
        conn = sim.data.connectivity[target]
        n = () if decl.locality == "global" else (conn.size if decl.locality == "local" else conn.post_size)
        value = value.get_values(n, rng)
    if np.ndim(sim.get(target, variable)) == 0 and np.ndim(value) > 0:
        raise ModelError(f"'{variable}' is stored as one shared value in {target!r}; create the projection with "
                         "force_multiple_weights=True to give synapses different values",
                         where=f"Projection '{target}'")
    sim.set(target, variable, value)


def _decl(variables, target, variable):
    for v in variables:
        if v.name == variable:
            return v
    raise ModelError(f"{target!r} has no variable {variable!r}", where=f"set {target}.{variable}")
