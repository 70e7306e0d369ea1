"""The one sweep engine: a network run for many values and seeds, on any executor (Qt-free).

``Sweep(spec, vary={NAME: values}, seeds=N, protocol=steps)`` plans one run per varied point and seed
replicate; ``run()`` plays each through the one protocol player (``sweep_run.run_variant``) on an
executor (``executors``: this process, local processes, a Dask cluster) and returns a
:class:`SweepResult`: a pandas-free table (``dict`` of NumPy arrays, or ``structured()``) with one row per
run, and each run's recordings.

Varied names (checked against the lowered network before anything runs, located errors):

- ``POP.NAME`` / ``PROJ.NAME``: a parameter, an initial value or an input rate (a Poisson population's
  ``rates``) of a population or projection; set on the compiled simulation as a protocol ``set`` does,
  so a variant never rebuilds (the value also becomes what ``reset`` returns to);
- ``duration``: the run's simulated time (an empty protocol's duration, otherwise a cap on the protocol);
- ``protocol.N.duration`` / ``protocol.N.max_duration`` / ``protocol.N.value``: a field of protocol step N.

``vary`` is a grid (every combination, first name slowest) or, with ``grid=False``, zipped lists of one
length; ``points=[{NAME: value}, ...]`` gives an explicit list.  ``Sweep.from_network(net, ...)`` sweeps a script-built
network (its monitors recorded under their target's name).

Seeds: one ``numpy.random.SeedSequence(entropy)`` tree.  Replicate ``r`` is its child with spawn key
``(r,)`` and every point's replicate ``r`` uses that child's seed (common random numbers: the points of
one replicate differ by their values only).  ``entropy`` defaults to the spec's seed, else fresh entropy
(recorded in the result and the manifest).  A run's result depends on its task alone, so it is the same
wherever and in whatever order it runs.

``run(out=DIR)`` also keeps the sweep on disk (``sweep_store``: manifest, one file per run, summary.csv)
and resumes it: runs already there are kept, the missing ones run.  ``on_result(outcome, done, total)``
is called as each run finishes (``on_start(kept, total)`` once the folder is read); ``stop()`` (any thread) cancels pending runs.
"""
import hashlib
import itertools
import pickle
import threading
import time
from dataclasses import dataclass, field, replace

import numpy as np

from annstudio import codegen
from annstudio.core.errors import ModelError
from annstudio.core.model import MonitorSpec

from .executors import SequentialExecutor, make_executor
from .protocol import DEFAULT_DURATION_MS, plan, planned_duration
from .sweep_run import PackedRecordings, RunTask, apply_to_steps, run_packed, run_variant
from .sweep_store import SweepStore

STEP_FIELDS = {"duration": "simulate", "max_duration": "simulate_until", "value": "set"}


def parse_values(text, where="values"):
    """``"a,b,c"`` or ``"start:stop:count"`` (``count`` values, ends included) -> list of floats."""
    text = str(text).strip()
    try:
        if ":" in text:
            parts = text.split(":")
            if len(parts) != 3:
                raise ValueError
            start, stop, count = float(parts[0]), float(parts[1]), int(parts[2])
            if count < 1:
                raise ModelError(f"'{text}': the count must be at least 1", where=where)
            values = [float(f"{v:.12g}") for v in np.linspace(start, stop, count)]   # 1.65, not 1.6500000000000001
        else:
            values = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise ModelError(f"'{text}' is not a comma list of numbers or start:stop:count", where=where) from None
    if not values:
        raise ModelError("no values given", where=where)
    if not all(np.isfinite(values)):
        raise ModelError(f"'{text}': values must be finite numbers", where=where)
    return [float(v) for v in values]


def parse_vary(arg):
    """``"NAME=VALUES"`` (the CLI's ``--vary``) -> ``(NAME, [values])``."""
    where = f"--vary {arg}"
    name, sep, values = str(arg).partition("=")
    if not sep or not name.strip():
        raise ModelError(f"'{arg}' is not NAME=VALUES (e.g. P.I=10,20,30 or P.I=10:30:5)", where=where)
    return name.strip(), parse_values(values, where)


def seed_tree(entropy, replicates):
    """The run seeds of each replicate (see the module docstring)."""
    return [int(np.random.SeedSequence(int(entropy), spawn_key=(r,)).generate_state(1, np.uint32)[0])
            for r in range(int(replicates))]


def check_names(spec, steps, names, values, where="--vary"):
    """Located ModelError for a name the network (or protocol) does not have, or a value it cannot take."""
    ir = None
    for name in names:
        loc = f"{where} {name}"
        parts = name.split(".")
        if name == "duration":
            if min(values[name]) <= 0:
                raise ModelError("durations must be positive", where=loc)
            continue
        if parts[0] == "protocol":
            if len(parts) != 3 or not parts[1].isdigit() or parts[2] not in STEP_FIELDS:
                raise ModelError(f"'{name}' is not protocol.N.FIELD with FIELD one of {', '.join(STEP_FIELDS)}",
                                 where=loc)
            index = int(parts[1])
            if index >= len(steps):
                raise ModelError(f"the protocol has {len(steps)} steps (numbered from 0)", where=loc)
            if steps[index].action != STEP_FIELDS[parts[2]]:
                raise ModelError(f"protocol step {index} is a '{steps[index].action}' step, which has no "
                                 f"'{parts[2]}'", where=loc)
            if parts[2] != "value" and min(values[name]) <= 0:
                raise ModelError("durations must be positive", where=loc)
            continue
        if len(parts) != 2:
            raise ModelError(f"'{name}' is not POPULATION.NAME, PROJECTION.NAME, duration or protocol.N.FIELD",
                             where=loc)
        if ir is None:
            ir, _ = codegen.lower(spec)
        objects = {p.name: p for p in list(ir.populations) + list(ir.projections)}
        if parts[0] not in objects:
            raise ModelError(f"no population or projection named '{parts[0]}'", where=loc,
                             hint=f"known: {', '.join(sorted(objects))}")
        known = [v.name for v in objects[parts[0]].variables if not v.name.startswith("_")]
        if parts[1] not in known:
            raise ModelError(f"'{parts[0]}' has no parameter or variable '{parts[1]}'", where=loc,
                             hint=f"known: {', '.join(known)}")


@dataclass
class SweepResult:
    """The finished runs: ``table`` (one row per run, sorted by run number), ``recordings[run]``,
    ``outcomes[run]`` (timings, worker, ...), ``failed`` (``{run: message}``) and what stopped early."""

    names: list
    table: dict = field(default_factory=dict)
    recordings: dict = field(default_factory=dict)
    outcomes: dict = field(default_factory=dict)
    failed: dict = field(default_factory=dict)
    total: int = 0
    executed: int = 0           # runs played by this call (the rest came from the output folder)
    stopped: bool = False
    entropy: int = 0

    def structured(self):
        """The table as a NumPy structured array."""
        cols = list(self.table)
        dtype = [(c, self.table[c].dtype) for c in cols]
        out = np.zeros(len(self.table["run"]) if cols else 0, dtype=dtype)
        for c in cols:
            out[c] = self.table[c]
        return out


def build_table(names, outcomes):
    """``{column: array}`` of the outcomes (sorted by run)."""
    rows = [outcomes[k] for k in sorted(outcomes)]
    table = {"run": np.array([r["run"] for r in rows], dtype=np.int64),
             "point": np.array([r["point"] for r in rows], dtype=np.int64),
             "replicate": np.array([r["replicate"] for r in rows], dtype=np.int64),
             "seed": np.array([r["seed"] for r in rows], dtype=np.int64)}
    for name in names:
        table[name] = np.array([r["values"][name] for r in rows], dtype=float)
    columns = []
    for r in rows:
        columns += [c for c in r["summary"] if c not in columns]
    for c in columns:
        table[c] = np.array([r["summary"].get(c, np.nan) for r in rows], dtype=float)
    table["simulated_ms"] = np.array([r["simulated_ms"] for r in rows], dtype=float)
    return table


class Sweep:
    """See the module docstring."""

    def __init__(self, spec, vary=None, seeds=1, protocol=(), duration=None, limit=None, grid=True, points=None,
                 paradigm=None, entropy=None, keep_recordings=True, meta=None):
        self.spec = spec
        self.protocol = tuple(protocol)
        self.duration = duration
        self.limit = limit
        self.paradigm = paradigm
        self.keep_recordings = keep_recordings
        self.meta = dict(meta or {})
        self.replicates = int(seeds)
        if self.replicates < 1:
            raise ModelError("the number of seeds must be at least 1", where="--seeds")
        self.points, self.names = self._points(vary or {}, grid, points)
        self.values = {n: sorted({p[n] for p in self.points}) for n in self.names}
        steps = plan(self.protocol, duration)
        check_names(spec, steps, self.names, {n: [p[n] for p in self.points] for n in self.names})
        if "duration" in self.names and self.protocol:
            longest, full = max(self.values["duration"]), planned_duration(plan(self.protocol))
            if longest > full:
                raise ModelError(f"{longest:g} ms is longer than the protocol ({full:g} ms); a varied duration "
                                 "caps the protocol", where="--vary duration")
        given = entropy if entropy is not None else spec.settings.seed
        self.entropy_given = given is not None
        self.entropy = int(given) if given is not None else int(np.random.SeedSequence().entropy % (2 ** 63))
        self._stop = threading.Event()
        self._executor = None

    @classmethod
    def from_network(cls, net, vary=None, seeds=1, duration=None, **kw):
        """The sweep of a script-built ``Network`` (the default one: ``current_network()``): its monitors are
        recorded under their target's name (``pop.rate``, ``pop.v.mean``; ``pop_2`` for a second one)."""
        monitors, used = [], set()
        for m in net.monitors:
            name = m.target if m.target not in used else f"{m.target}_{len(used) + 1}"
            used.add(name)
            monitors.append(MonitorSpec(name, m.kind, m.target, tuple(m.variables), m.ranks, m.period, m.start))
        spec = replace(net.spec, monitors=monitors)
        return cls(spec, vary=vary, seeds=seeds, duration=duration, **kw)

    @staticmethod
    def _points(vary, grid, points):
        if points is not None:
            points = [{str(k): float(v) for k, v in p.items()} for p in points]
            names = list(points[0]) if points else []
            if not points or any(list(p) != names for p in points):
                raise ModelError("every point must give the same names", where="points")
            return points, names
        names = list(vary)
        lists = [[float(v) for v in np.atleast_1d(vary[n])] for n in names]
        if any(not v for v in lists):
            raise ModelError("a varied name has no values", where="vary")
        if grid:
            combos = itertools.product(*lists)
        else:
            if len({len(v) for v in lists}) > 1:
                raise ModelError("zipped values need lists of one length", where="vary")
            combos = zip(*lists)
        return [dict(zip(names, c)) for c in combos] or [{}], names

    @property
    def seeds(self):
        return seed_tree(self.entropy, self.replicates)

    @property
    def total(self):
        return len(self.points) * self.replicates

    def tasks(self):
        """One ``RunTask`` per run, run number ``point * replicates + replicate``."""
        seeds = self.seeds
        try:                                           # this spec, as the runs receive it (sweep_run.py)
            structure = hashlib.sha256(pickle.dumps(self.spec)).hexdigest()
        except Exception:                              # not picklable (a script's local function): lower each run
            structure = None
        return [RunTask(run=p * self.replicates + r, point=p, replicate=r, seed=seeds[r], values=dict(point),
                        spec=self.spec, steps=self.protocol, duration=self.duration, limit=self.limit,
                        paradigm=self.paradigm, keep_recordings=self.keep_recordings, structure=structure)
                for p, point in enumerate(self.points) for r in range(self.replicates)]

    def planned_ms(self, values):
        """Simulated time of a run with ``values`` (for progress and ETA)."""
        steps = plan(apply_to_steps(self.protocol, values), self.duration, values.get("duration", self.limit))
        return planned_duration(steps) or DEFAULT_DURATION_MS

    def manifest(self):
        return {"names": self.names, "values": self.values, "grid_points": [[p[n] for n in self.names]
                                                                             for p in self.points],
                "replicates": self.replicates,
                "seed_tree": {"entropy": str(self.entropy), "spawn_key": "(replicate,)", "seeds": self.seeds},
                "paradigm": self.paradigm or self.spec.settings.paradigm, "duration": self.duration,
                "limit": self.limit, "runs": self.total, **self.meta}

    # -- running -------------------------------------------------------------------------
    def stop(self):
        """Cancel the pending runs (any thread); ``run()`` returns what finished."""
        self._stop.set()
        if self._executor is not None:
            self._executor.cancel()

    def run(self, executor=None, workers=None, scheduler=None, client=None, out=None, on_result=None,
            on_start=None):
        """Run every missing run (see the module docstring); returns a :class:`SweepResult`."""
        self._stop.clear()
        store = SweepStore(out) if out is not None else None
        kept = store.open(self) if store is not None else {}
        result = SweepResult(list(self.names), total=self.total, entropy=self.entropy)
        result.outcomes.update(kept)
        todo = [t for t in self.tasks() if t.run not in kept]
        if on_start is not None:
            on_start(len(kept), self.total)
        own = executor is None
        self._executor = executor or make_executor(workers, scheduler, client)
        done = len(kept)
        play = run_variant if isinstance(self._executor, SequentialExecutor) else run_packed
        try:
            for i, outcome in self._executor.results(play, todo, self._stop):
                task = todo[i]
                if "packed" in outcome:
                    outcome["recordings"] = PackedRecordings(outcome["recordings"], outcome.pop("packed"))
                result.executed += 1
                timings = outcome.get("timings")
                if timings is not None and "finished_at" in timings:   # worker's return -> here (one clock)
                    timings["transfer_s"] = max(0.0, time.time() - timings["finished_at"])
                if "error" in outcome:
                    result.failed[task.run] = outcome["error"]
                else:
                    outcome.setdefault("run", task.run)
                    if store is not None:
                        store.save(outcome)
                    result.outcomes[task.run] = {k: v for k, v in outcome.items() if k != "recordings"}
                    result.recordings[task.run] = outcome.get("recordings") or {}
                done += 1
                if on_result is not None:
                    on_result(outcome, done, self.total)
        finally:
            result.stopped = self._stop.is_set() or done < self.total
            if own:
                self._executor.close()
            self._executor = None
            result.table = build_table(self.names, result.outcomes)
            if store is not None:
                store.write_summary(result.table)
        for run in result.outcomes:
            if run not in result.recordings:           # kept from the folder
                result.recordings[run] = store.recordings(run) if self.keep_recordings else {}
        return result
