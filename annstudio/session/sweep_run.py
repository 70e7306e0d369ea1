"""One run of a sweep, as a worker plays it: ``run_variant(task)`` and the per-run summary numbers.

A :class:`RunTask` is plain, picklable data (the value-free ``NetworkSpec``, the protocol steps, the
run's seed and varied values), so the same task gives the same result in this process, in a local
worker process or on a Dask worker.  ``run_variant``:

1. copies the spec's settings with the run's seed (and the sweep's paradigm; one thread per run);
2. builds a fresh ``Simulation`` through the one protocol player (``ProtocolRun.compile``): the kernel
   key is the value-free IR digest, so every variant of one structure hits the build cache
   (``annstudio.codegen.cache``) and a worker process opens each library once (``load_kernel``);
   the task records whether this run had to build a kernel (``kernel_builds``).  Runs of one sweep that
   share a seed (common random numbers: every point of a replicate) share their lowering too: a worker
   keeps the IR and the initial data (connectivity, initial values) of its latest structures and seeds
   (``task.structure``, a digest of the sweep's spec) and gives each run a deep copy of that data, so
   equations are not parsed again nor connectivity drawn again (networks whose data exceeds
   ``LOWERED_MAX_BYTES`` are lowered afresh, never held twice);
3. sets the varied values on the compiled simulation (``protocol.assign``, as a protocol ``set``
   does; an initial value also becomes the value ``reset`` returns to), never by rebuilding;
4. plays the protocol (varied step durations and the run's duration are applied to its steps) and
   returns the recordings in their canonical form with ``summarise``'s numbers and timings:
   ``build_s`` (lowering, connectivity, kernel cache hit, instance and monitors), ``set_s`` (the varied
   values), ``run_s`` (the protocol), ``result_s`` (recordings and summary numbers), ``total_s`` and
   ``finished_at`` (wall clock, ``time.time()``); the sweep adds ``transfer_s`` on receipt.  ``kernel_loads``
   says whether this run had to open the kernel library in its process (the first run of a structure in a
   worker); later variants reuse the loaded kernel.

``summarise(spec, recordings, dt, simulated_ms)``: per monitored population ``POP.rate`` (mean
firing rate, Hz, over the monitored neurons) and ``POP.cv_isi`` (mean over neurons with at least
two inter-spike intervals of std/mean of their intervals; NaN when none has), and
``MON.VAR.mean`` for every other recorded variable.
"""
import copy
import ctypes
import ctypes.util
import functools
import os
import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Optional

import numpy as np

from annstudio import codegen
from annstudio.codegen import compiled as _compiled
from annstudio.core.errors import AnnstudioError

from .protocol import ProtocolRun, assign


@dataclass
class RunTask:
    run: int                     # run number in the sweep (point * replicates + replicate)
    point: int                   # index of the varied point
    replicate: int
    seed: int
    values: dict                 # varied name -> value
    spec: object                 # NetworkSpec (value-free structure plus its initial values)
    steps: tuple                 # protocol steps (records.Step)
    duration: Optional[float] = None     # default duration of an empty protocol
    limit: Optional[float] = None        # cap of the simulated time
    paradigm: Optional[str] = None
    keep_recordings: bool = True
    options: dict = field(default_factory=dict)
    structure: Optional[str] = None      # digest of the sweep's spec: runs with equal (structure, seed) share lowering


LOWERED_MAX_BYTES = 256 * 2 ** 20
_LOWERED = {}                            # (structure, seed, paradigm) -> (ir, data), this process's latest two


def _nbytes(obj):
    if isinstance(obj, np.ndarray):
        return obj.nbytes
    if isinstance(obj, dict):
        return sum(_nbytes(v) for v in obj.values())
    if isinstance(obj, (list, tuple)):
        return sum(_nbytes(v) for v in obj)
    return _nbytes(vars(obj)) if hasattr(obj, "__dict__") else 0


def _shared_lowering(task):
    """``Simulation.compile``'s ``lower`` for this task (see the module docstring), or None."""
    if not task.structure:
        return None

    def lower(spec):
        key = (task.structure, int(task.seed), task.paradigm)
        hit = _LOWERED.get(key)
        if hit is None:
            ir, data = codegen.lower(spec)
            if _nbytes(data) > LOWERED_MAX_BYTES:
                return ir, data
            while len(_LOWERED) >= 2:
                _LOWERED.pop(next(iter(_LOWERED)))
            _LOWERED[key] = hit = (ir, data)
        return hit[0], copy.deepcopy(hit[1])      # the IR is frozen; the data is the run's own
    return lower


def apply_to_steps(steps, values):
    """The protocol steps with ``protocol.N.FIELD`` values applied."""
    steps = list(steps)
    for name, value in values.items():
        parts = name.split(".")
        if parts[0] == "protocol":
            index, fld = int(parts[1]), parts[2]
            steps[index] = replace(steps[index], **{fld: float(value)})
    return steps


def _set_value(sim, rng, name, value):
    target, variable = name.split(".", 1)
    assign(sim, target, variable, float(value), rng)
    store = sim.data.populations if target in sim.data.populations else sim.data.projections
    initial = store.get(target, {})
    if variable in initial:                 # what ``reset`` returns to
        old = initial[variable]
        initial[variable] = np.full_like(np.asarray(old, dtype=float), float(value)) if np.ndim(old) else \
            float(value)


def run_variant(task):
    """Play one variant (see the module docstring); returns a plain dict (picklable)."""
    t0 = time.perf_counter()
    spec = replace(task.spec, settings=replace(task.spec.settings, seed=int(task.seed), num_threads=1),
                   # a variant keeps a streamed monitor's records with its own results: variants running side by
                   # side or one after another would otherwise write (and overwrite) the same file
                   monitors=[replace(m, stream=None) for m in task.spec.monitors])
    if task.paradigm:
        spec.settings.paradigm = task.paradigm
    duration = task.values.get("duration", task.duration)
    limit = task.values.get("duration", task.limit)
    run = ProtocolRun(spec, apply_to_steps(task.steps, task.values), duration=duration, limit=limit,
                      keep_recordings=task.keep_recordings)
    log = []
    loaded = len(getattr(_compiled, "_KERNELS", ()))
    try:
        run.compile(log=log.append, lower=_shared_lowering(task))
        t_built = time.perf_counter()
        for name, value in task.values.items():
            if name != "duration" and not name.startswith("protocol."):
                _set_value(run.sim, run.rng, name, value)
        t_set = time.perf_counter()
        for _ in run.play():
            pass
        t_run = time.perf_counter()
        recordings = run.recordings()
    except AnnstudioError as e:
        return {"run": task.run, "error": str(e), "worker": _worker()}
    simulated = float(run.sim.t)
    summary = summarise(spec, recordings, float(spec.settings.dt), simulated)
    close = getattr(run.sim.backend, "close", None)
    if close is not None:
        close()
    t_end = time.perf_counter()
    return {
        "run": task.run, "point": task.point, "replicate": task.replicate, "seed": int(task.seed),
        "values": dict(task.values), "recordings": recordings if task.keep_recordings else {},
        "summary": summary, "simulated_ms": simulated, "paradigm": run.sim.paradigm,
        "kernel_builds": sum(1 for line in log if line.startswith("built ") and "-runtime/" not in line
                             and "binding/" not in line),
        "kernel_loads": len(getattr(_compiled, "_KERNELS", ())) - loaded,
        "timings": {"build_s": t_built - t0, "set_s": t_set - t_built, "run_s": t_run - t_set,
                    "result_s": t_end - t_run, "total_s": t_end - t0, "finished_at": time.time()},
        "worker": _worker(),
    }


@functools.cache
def _keep_freed_memory():
    """A worker process plays run after run of one size: glibc would hand each run's freed arrays back to the
    system and fault them in again for the next (about 4 ms a COBA 4000 variant).  Keep up to 512 MB freed
    and serve arrays under 64 MB from the heap instead (once per process; glibc only, elsewhere nothing
    changes)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(-1, 512 * 2 ** 20)       # M_TRIM_THRESHOLD
        libc.mallopt(-3, 64 * 2 ** 20)        # M_MMAP_THRESHOLD
    except (OSError, AttributeError):
        pass


def run_packed(task):
    """``run_variant`` in a worker process (see ``_keep_freed_memory``): the outcome with its recordings packed
    for the wire (``pack_recordings``)."""
    _keep_freed_memory()
    outcome = run_variant(task)
    if outcome.get("recordings"):
        outcome["recordings"], outcome["packed"] = pack_recordings(outcome["recordings"])
    return outcome


def _narrow(values):
    """Non-negative integers in the narrowest unsigned dtype that holds them."""
    return values.astype(np.min_scalar_type(int(values.max()) if values.size else 0))


def pack_recordings(recordings):
    """Recordings -> (arrays to send, how to restore them).  Spike ranks in rank order travel as per-neuron counts
    and spike steps in their narrowest unsigned dtype: a COBA 4000 run's 1 MB of spikes becomes about 150 kB,
    and ``PackedRecordings`` reads back the same arrays, dtypes included."""
    packed, how = dict(recordings), {}
    for name, ranks in recordings.items():
        if not name.endswith(".spike.ranks"):
            continue
        times_name = name[:-len("ranks")] + "times"
        times = recordings.get(times_name)
        if not (isinstance(ranks, np.ndarray) and isinstance(times, np.ndarray) and ranks.dtype.kind in "iu"
                and times.dtype.kind in "iu" and ranks.size and times.shape == ranks.shape):
            continue
        if ranks.min() < 0 or times.min() < 0 or not bool(np.all(ranks[1:] >= ranks[:-1])):
            continue
        packed[name], how[name] = _narrow(np.bincount(ranks)), ("counts", ranks.dtype.str)
        packed[times_name], how[times_name] = _narrow(times), ("cast", times.dtype.str)
    return packed, how


class PackedRecordings(Mapping):
    """A run's recordings as they travelled (``pack_recordings``), read as the recordings themselves: each
    array is unpacked when first read, so a sweep's result keeps its spikes compact (a COBA 4000 second:
    150 kB instead of 1 MB) until they are used, and the process collecting the runs spends no time on the
    ones nobody reads.  Pickles as a plain dict."""

    def __init__(self, packed, how):
        self._packed, self._how, self._read = packed, how, {}

    def __getitem__(self, name):
        if name not in self._read:
            value = self._packed[name]
            if name in self._how:
                kind, dtype = self._how[name]
                value = (np.repeat(np.arange(len(value), dtype=dtype), value) if kind == "counts"
                         else value.astype(dtype))
            self._read[name] = value
        return self._read[name]

    def __iter__(self):
        return iter(self._packed)

    def __len__(self):
        return len(self._packed)

    def __reduce__(self):
        return dict, (dict(self),)


def _worker():
    return f"{socket.gethostname()}:{os.getpid()}"


def summarise(spec, recordings, dt, simulated_ms):
    """Per-run numbers (see the module docstring), as an ordered ``{column: float}``."""
    out = {}
    seconds = simulated_ms / 1000.0
    for m in spec.monitors:
        for var in m.variables:
            if var == "spike" and m.kind == "population":
                times = recordings.get(f"{m.name}.spike.times", np.zeros(0, np.int64))
                ranks = recordings.get(f"{m.name}.spike.ranks", np.zeros(0, np.int64))
                n = len(m.ranks) if m.ranks is not None else spec.population(m.target).size
                out[f"{m.name}.rate"] = float(len(times) / (n * seconds)) if n and seconds > 0 else float("nan")
                out[f"{m.name}.cv_isi"] = _cv_isi(np.asarray(times), np.asarray(ranks))
            elif var != "spike":
                out[f"{m.name}.{var}.mean"] = _mean(recordings.get(f"{m.name}.{var}"))
    return out


def _cv_isi(times, ranks):
    """Mean CV of the inter-spike intervals (times sorted by rank then time, as recordings are)."""
    if times.size < 3:
        return float("nan")
    isi = np.diff(times).astype(float)
    same = ranks[1:] == ranks[:-1]
    owners = ranks[1:][same]
    isi = isi[same]
    if not isi.size:
        return float("nan")
    if bool(np.all(owners[1:] >= owners[:-1])):       # sorted by rank (recordings are): group by runs
        inverse = np.cumsum(np.concatenate([[0], owners[1:] != owners[:-1]]))
        counts = np.bincount(inverse)
    else:
        _, inverse, counts = np.unique(owners, return_inverse=True, return_counts=True)
    sums = np.bincount(inverse, isi)
    squares = np.bincount(inverse, isi * isi)
    keep = counts >= 2
    if not keep.any():
        return float("nan")
    mean = sums[keep] / counts[keep]
    var = np.maximum(squares[keep] / counts[keep] - mean * mean, 0.0)
    return float(np.mean(np.sqrt(var) / mean))


def _mean(value):
    if value is None:
        return float("nan")
    try:
        if isinstance(value, list):
            value = np.concatenate([np.ravel(np.asarray(v, dtype=float)) for v in value]) if value else []
        arr = np.asarray(value, dtype=float)
        return float(arr.mean()) if arr.size else float("nan")
    except (TypeError, ValueError):
        return float("nan")
