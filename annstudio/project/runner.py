"""Headless runs of a project: build the network, play its protocol, collect recordings.

Owns
- ``run_project(project, ...)`` -> ``RunResult``: ``Simulation(spec)`` compiled for the
  requested paradigm, monitors attached in document order, each protocol step played
  (``set`` / ``simulate`` through ``run_iter`` chunks with a progress callback /
  ``simulate_until`` / ``reset``), recordings gathered once at the end;
- the recordings' canonical form, shared with the exported script: ``MON.VAR`` arrays
  (time x neurons) and, for spikes, ``MON.spike.times`` (steps) and ``MON.spike.ranks``
  sorted by rank then time;
- ``save_results(result, path)``: an ``.npz`` written atomically, with a JSON metadata
  record (``__metadata__``: project digest, annstudio version, seed, paradigm, timings).

``duration`` (``annstudio run --duration``) caps the simulated time: the protocol is
played until that much time has been simulated, the last step cut short.
"""
import io
import json
import platform
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .. import __version__
from ..core.model import Distribution, Segments
from ..session.simulation import Simulation
from .convert import Step
from .format import write_atomic


@dataclass
class RunResult:
    recordings: dict
    metadata: dict = field(default_factory=dict)


def spike_arrays(spikes):
    """Spike recordings (``{rank: [steps]}`` or ``(steps, ranks)``) -> (times, ranks) sorted by rank, time."""
    if isinstance(spikes, dict):
        ranks = sorted(spikes)
        times = np.array([t for n in ranks for t in spikes[n]], dtype=np.int64)
        rks = np.array([n for n in ranks for _ in spikes[n]], dtype=np.int64)
        return times, rks
    steps, rks = (np.asarray(a, dtype=np.int64) for a in spikes)
    order = np.lexsort((steps, rks))
    return steps[order], rks[order]


def _effective_seed(seed):
    if seed is not None:
        return int(seed)
    return int(np.random.SeedSequence().generate_state(1)[0])


def _plan(protocol, default_duration, limit):
    """The steps to play, with simulated durations capped at ``limit`` ms in total."""
    steps = list(protocol) or [Step("simulate", duration=float(default_duration or 1000.0))]
    if limit is None:
        return steps
    out, left = [], float(limit)
    for st in steps:
        if st.action == "simulate":
            if left <= 0:
                break
            d = min(st.duration, left)
            left -= d
            out.append(Step("simulate", duration=d, label=st.label))
        elif st.action == "simulate_until":
            if left <= 0:
                break
            d = min(st.max_duration, left)
            left -= d
            out.append(Step("simulate_until", max_duration=d, population=st.population, operator=st.operator,
                            label=st.label))
        else:
            if left <= 0:
                break
            out.append(st)
    return out


def planned_duration(steps):
    return sum(s.duration or s.max_duration or 0.0 for s in steps if s.action in ("simulate", "simulate_until"))


def _concrete(value, n, rng):
    if isinstance(value, Distribution):
        return value.get_values(n, rng)
    if isinstance(value, np.ndarray) and value.ndim > 1:
        return value.reshape(-1)
    return value


def apply_set(sim, target, variable, value, rng):
    """A protocol ``set`` on the running network, as the script's ``pop.x = value`` does."""
    if isinstance(value, Segments):
        for ranks, val in value.parts:
            n = len(ranks) if ranks is not None else np.size(sim.get(target, variable))
            sim.set(target, variable, _concrete(val, n, rng), None if ranks is None else list(ranks))
        return
    current = sim.get(target, variable)
    n = () if np.ndim(current) == 0 else np.size(current)
    sim.set(target, variable, _concrete(value, n, rng))


def apply_reset(sim, spec, flags, monitors):
    """A protocol ``reset``: state variables back to their initial values, recordings dropped."""
    if "populations" in flags:
        for pop in spec.populations:
            init = sim.data.populations[pop.name]
            for var in pop.neuron.analysis().state:
                sim.set(pop.name, var, init[var])
    if "monitors" in flags:
        for mid in monitors.values():
            sim.monitor_data(mid)


def run_project(project, paradigm=None, num_threads=None, duration=None, chunk_ms=None, progress=None,
                seed=None):
    """Run ``project`` (a ``validate.Project``) headless; ``progress(done_ms, total_ms, label)``."""
    spec = project.spec
    settings = spec.settings
    settings.seed = _effective_seed(seed if seed is not None else settings.seed)
    if paradigm:
        settings.paradigm = paradigm
    if num_threads:
        settings.num_threads = int(num_threads)
    steps = _plan(project.protocol, project.built.duration, duration)
    total = planned_duration(steps)

    t_start = time.perf_counter()
    sim = Simulation(spec)
    sim.compile(paradigm=settings.paradigm, num_threads=settings.num_threads)
    build_s = time.perf_counter() - t_start
    monitors = {}
    for m in spec.monitors:
        monitors[m.name] = sim.add_monitor(m.kind, m.target, m.variables, ranks=m.ranks, period=m.period,
                                           start=m.start)

    init_rng = np.random.default_rng(settings.seed)   # as the script's setup(seed=...) creates
    t_run = time.perf_counter()
    done = 0.0
    if progress:
        progress(0.0, total, "")
    for st in steps:
        if st.action == "set":
            apply_set(sim, st.target, st.variable, st.value, init_rng)
        elif st.action == "simulate":
            for p in sim.run_iter(st.duration, chunk_ms):
                if progress:
                    progress(done + p.fraction * st.duration, total, st.label)
            done += st.duration
        elif st.action == "simulate_until":
            sim.simulate_until(st.max_duration, st.population, st.operator)
            done += st.max_duration
            if progress:
                progress(done, total, st.label)
        elif st.action == "reset":
            apply_reset(sim, spec, st.flags, monitors)
    run_s = time.perf_counter() - t_run

    recordings = {}
    for m in spec.monitors:
        data = sim.monitor_data(monitors[m.name])
        for var in m.variables:
            if var == "spike":
                times, ranks = spike_arrays(data["spike"])
                recordings[f"{m.name}.spike.times"] = times
                recordings[f"{m.name}.spike.ranks"] = ranks
            else:
                recordings[f"{m.name}.{var}"] = np.asarray(data[var])
    metadata = {
        "annstudio_version": __version__,
        "project": project.name,
        "project_path": str(project.path) if project.path else None,
        "project_digest": project.digest,
        "seed": settings.seed,
        "paradigm": getattr(sim, "paradigm", settings.paradigm),
        "num_threads": settings.num_threads,
        "dt": settings.dt,
        "simulated_ms": float(sim.t),
        "planned_ms": total,
        "protocol_steps": len(steps),
        "timings": {"build_s": round(build_s, 6), "run_s": round(run_s, 6),
                    "total_s": round(time.perf_counter() - t_start, 6)},
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "platform": platform.platform(),
    }
    return RunResult(recordings, metadata)


def save_results(result, path):
    """Write recordings + metadata to ``path`` (.npz) atomically."""
    buffer = io.BytesIO()
    arrays = dict(result.recordings)
    arrays["__metadata__"] = np.array(json.dumps(result.metadata))
    np.savez_compressed(buffer, **arrays)
    return write_atomic(path, buffer.getvalue(), backup=False)


def load_results(path):
    """(recordings, metadata) from a file written by ``save_results`` or an exported script."""
    with np.load(path, allow_pickle=False) as z:
        recordings = {k: z[k] for k in z.files if k != "__metadata__"}
        metadata = json.loads(str(z["__metadata__"])) if "__metadata__" in z.files else {}
    return recordings, metadata
