"""Run results in physical time, and the files they are shared as (``.npz``, ``.h5``, ``.nwb``).

Owns
- ``Results``: the recordings of one run (the canonical ``MON.VAR`` / ``MON.spike.times`` /
  ``MON.spike.ranks`` arrays that ``runner.run_project`` and the exported script give, spike times
  in steps), the step of each record (``ProtocolRun.record_steps``), the weights of the plastic
  projections after the run and the metadata (project digest, annstudio version, seed, dt,
  monitors); ``spikes(mon)`` / ``trace(mon, var)`` give times in ms;
- ``plastic_projections(spec)``: the projections whose synapse writes ``w``;
- ``save(results, path)`` / ``load(path)`` by extension, each written atomically:
  ``.npz`` (the runner's layout plus ``__steps__.MON`` / ``__weights__.PROJ`` arrays),
  ``.h5`` (h5py: metadata and units as attributes, spikes as times in ms plus ranks, traces
  with their record times in ms) and ``.nwb`` (pynwb, the ``annstudio[nwb]`` extra: spikes
  as a Units table, one unit per recorded neuron; traces as TimeSeries; weights in a
  processing module); ``convert(src, dst)``.

annstudio has no unit system: state variables are in the units their equations give them
(written ``a.u.``); time is in ms (seconds in NWB, as that standard requires).
"""
import importlib.util
import io
import json
import os
import tempfile
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from ..core.library.units import unit_of
from .format import write_atomic

UNITS = {"time": "ms", "spike_times": "ms", "rate": "Hz", "state": "a.u.", "weights": "a.u.",
         "ranks": "neuron rank"}
FORMATS = (".npz", ".h5", ".hdf5", ".nwb")
H5_FORMAT = "annstudio-results"


class ResultsError(Exception):
    """A results file that cannot be written or read (a located, one-line message)."""


def plastic_projections(spec):
    """Names of the projections whose synapse changes ``w`` (equations, pre_spike or post_spike)."""
    out = []
    for pr in spec.projections:
        if pr.synapse is None:
            continue
        a = pr.synapse.analysis(spec.population(pr.pre.population).neuron.type, spec.scope())
        if any(getattr(st, "target", None) == "w" for st in (*a.equations, *a.pre_spike, *a.post_spike)):
            out.append(pr.name)
    return out


def monitor_info(spec):
    """``{monitor: {kind, target, size, period, variables, ranks}}`` for the metadata."""
    info = {}
    for m in spec.monitors:
        size = None
        if m.kind == "population":
            size = len(m.ranks) if m.ranks is not None else spec.population(m.target).size
        units = {}
        if m.kind == "population":     # a standard model's documented units (core/library/units.py)
            neuron = spec.population(m.target).neuron
            units = {v: unit_of(neuron, v) for v in m.variables if v != "spike" and unit_of(neuron, v)}
        info[m.name] = {"kind": m.kind, "target": m.target, "size": size, "period": m.period,
                        "variables": list(m.variables), "units": units,
                        "ranks": None if m.ranks is None else [int(r) for r in m.ranks]}
    return info


@dataclass
class Results:
    recordings: dict
    metadata: dict = field(default_factory=dict)
    record_steps: dict = field(default_factory=dict)
    weights: dict = field(default_factory=dict)

    @classmethod
    def from_run(cls, result, spec):
        """From a ``runner.RunResult`` of ``spec`` (adds the monitors and units to the metadata)."""
        meta = dict(result.metadata, monitors=monitor_info(spec), units=UNITS)
        return cls(dict(result.recordings), meta, dict(result.record_steps), dict(result.weights))

    def unit(self, mon, var):
        """The unit of a recorded variable: the standard model's where documented, else ``a.u.``."""
        info = self.metadata.get("monitors", {}).get(mon) or {}
        return (info.get("units") or {}).get(var) or UNITS["state"]

    @property
    def dt(self):
        return float(self.metadata.get("dt", 1.0))

    @property
    def monitors(self):
        """``{monitor: [variables]}`` in recording order ("spike" for spike recordings)."""
        out = {}
        for key in self.recordings:
            if key.endswith(".spike.times") or key.endswith(".spike.ranks"):
                mon, var = key[:-len(".spike.times")], "spike"
            else:
                mon, _, var = key.rpartition(".")
            if var not in out.setdefault(mon, []):
                out[mon].append(var)
        return out

    def size(self, mon):
        """Neurons a population monitor records (None when unknown)."""
        return (self.metadata.get("monitors", {}).get(mon) or {}).get("size")

    def spikes(self, mon):
        """(times in ms, ranks) of monitor ``mon``'s spikes."""
        steps = np.asarray(self.recordings[f"{mon}.spike.times"])
        return steps * self.dt, np.asarray(self.recordings[f"{mon}.spike.ranks"], dtype=np.int64)

    def steps(self, mon, n):
        """The step of each of the ``n`` records of ``mon`` (every period from 0 when not recorded)."""
        steps = self.record_steps.get(mon)
        if steps is not None and len(steps) == n:
            return np.asarray(steps, dtype=np.int64)
        period = (self.metadata.get("monitors", {}).get(mon) or {}).get("period") or self.dt
        return np.arange(n, dtype=np.int64) * max(1, int(round(period / self.dt)))

    def trace(self, mon, var):
        """(record times in ms, values with one row per record) of ``mon.var``."""
        values = np.asarray(self.recordings[f"{mon}.{var}"])
        return self.steps(mon, len(values)) * self.dt, values


# --------------------------------------------------------------------------- writing
def check_format(path):
    """Refuse, before a run, a results file this installation cannot write (``ResultsError``)."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise ResultsError(f"{path}: unknown results format {suffix or '(none)'!r}; use {', '.join(FORMATS)}")
    if suffix == ".nwb" and importlib.util.find_spec("pynwb") is None:
        raise ResultsError(f"{path}: writing NWB needs pynwb: pip install 'annstudio[nwb]'")


def save(results, path):
    """Write ``results`` to ``path``; the format is the extension's (see ``FORMATS``)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".npz":
        return _save_npz(results, path)
    if suffix in (".h5", ".hdf5"):
        return _via_temp(path, lambda tmp: _write_h5(results, tmp))
    if suffix == ".nwb":
        return _via_temp(path, lambda tmp: _write_nwb(results, tmp))
    raise ResultsError(f"{path}: unknown results format {suffix or '(none)'!r}; use {', '.join(FORMATS)}")


def _via_temp(path, write):
    """Write through a temporary file in the same folder, renamed into place (atomic)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=f".tmp{path.suffix}", dir=str(path.parent or "."))
    os.close(fd)
    try:
        write(tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def _save_npz(results, path):
    arrays = dict(results.recordings)
    arrays["__metadata__"] = np.array(json.dumps(results.metadata, default=_jsonable))
    for mon, steps in results.record_steps.items():
        arrays[f"__steps__.{mon}"] = np.asarray(steps, dtype=np.int64)
    for proj, w in results.weights.items():
        arrays[f"__weights__.{proj}"] = np.asarray(w, dtype=float)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return write_atomic(path, buffer.getvalue(), backup=False)


def _jsonable(x):
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, np.ndarray):
        return x.tolist()
    return str(x)


def _attr(value):
    """A metadata value as an HDF5 attribute (nested records as JSON text)."""
    if value is None:
        return "none"
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, default=_jsonable)
    return value


def _write_h5(results, path):
    import h5py          # here, not at import: the CLI starts without loading HDF5
    meta = results.metadata
    with h5py.File(path, "w") as f:
        f.attrs["format"] = H5_FORMAT
        f.attrs["metadata_json"] = json.dumps(meta, default=_jsonable)
        for key in ("annstudio_version", "project", "project_digest", "seed", "paradigm", "simulated_ms"):
            f.attrs[key] = _attr(meta.get(key))
        f.attrs["dt"] = results.dt
        f.attrs["dt_unit"] = "ms"
        f.attrs["units"] = json.dumps(UNITS)
        mons = f.create_group("monitors")
        for mon, variables in results.monitors.items():
            g = mons.create_group(mon)
            info = meta.get("monitors", {}).get(mon) or {}
            for k in ("kind", "target", "size", "period"):
                g.attrs[k] = _attr(info.get(k))
            for var in variables:
                if var == "spike":
                    times, ranks = results.spikes(mon)
                    s = g.create_group("spike")
                    s.create_dataset("times", data=times.astype(float)).attrs["unit"] = "ms"
                    s.create_dataset("ranks", data=ranks).attrs["unit"] = UNITS["ranks"]
                    continue
                times, values = results.trace(mon, var)
                v = g.create_group(var)
                if values.dtype == object:      # ragged projection records: one dataset per record
                    rec = v.create_group("records")
                    for k, row in enumerate(values):
                        rec.create_dataset(f"{k:08d}", data=np.asarray(row, dtype=float))
                else:
                    v.create_dataset("values", data=values)
                v["values" if "values" in v else "records"].attrs["unit"] = results.unit(mon, var)
                v.create_dataset("times", data=times.astype(float)).attrs["unit"] = "ms"
        w = f.create_group("weights")
        for proj, arr in results.weights.items():
            w.create_dataset(proj, data=np.asarray(arr, dtype=float)).attrs["unit"] = UNITS["weights"]


def _write_nwb(results, path):
    try:
        import pynwb     # the optional extra annstudio[nwb]
    except ImportError:
        raise ResultsError(f"{path}: writing NWB needs pynwb: pip install 'annstudio[nwb]'") from None
    meta = results.metadata
    nwb = pynwb.NWBFile(
        session_description=f"annstudio run of {meta.get('project') or 'a project'}",
        identifier=str(uuid.uuid4()), session_start_time=datetime.now(timezone.utc),
        source_script=f"annstudio {meta.get('annstudio_version', '')}", source_script_file_name="annstudio",
        notes=json.dumps({k: meta.get(k) for k in ("project_digest", "seed", "dt", "paradigm", "simulated_ms")},
                         default=_jsonable))
    spiking = [m for m, variables in results.monitors.items() if "spike" in variables]
    if spiking:
        nwb.add_unit_column("monitor", "the annstudio monitor that recorded the neuron")
        nwb.add_unit_column("rank", "the neuron's rank in the monitored population")
        for mon in spiking:
            times, ranks = results.spikes(mon)
            size = results.size(mon) or (int(ranks.max()) + 1 if ranks.size else 0)
            for rank in range(size):
                nwb.add_unit(spike_times=np.sort(times[ranks == rank]) / 1000.0, monitor=mon, rank=rank)
    for mon, variables in results.monitors.items():
        for var in variables:
            if var == "spike":
                continue
            times, values = results.trace(mon, var)
            if values.dtype == object or not values.size:
                continue
            nwb.add_acquisition(pynwb.TimeSeries(name=f"{mon}.{var}", data=values, unit=results.unit(mon, var),
                                                 timestamps=times / 1000.0,
                                                 description=f"{var} recorded by monitor {mon}"))
    if results.weights:
        module = nwb.create_processing_module("weights", "weights of the plastic projections after the run")
        for proj, arr in results.weights.items():
            module.add(pynwb.TimeSeries(name=proj, data=np.asarray(arr, dtype=float)[None, :], unit=UNITS["weights"],
                                        timestamps=[float(meta.get("simulated_ms", 0.0)) / 1000.0],
                                        description=f"weights of projection {proj} at the end of the run"))
    with pynwb.NWBHDF5IO(path, "w") as out:
        out.write(nwb)


# --------------------------------------------------------------------------- reading
def load(path):
    """``Results`` from a ``.npz`` (also an exported script's) or ``.h5`` file."""
    path = Path(path)
    if not path.is_file():
        raise ResultsError(f"{path}: no such file")
    suffix = path.suffix.lower()
    try:
        if suffix == ".npz":
            return _load_npz(path)
        if suffix in (".h5", ".hdf5"):
            return _load_h5(path)
    except (OSError, ValueError, KeyError) as e:
        raise ResultsError(f"{path}: not a readable annstudio results file ({e})") from None
    raise ResultsError(f"{path}: cannot read {suffix or 'this'} results; use .npz or .h5 as the source")


def _load_npz(path):
    rec, steps, weights = {}, {}, {}
    meta = {}
    with np.load(path, allow_pickle=False) as z:
        for k in z.files:
            if k == "__metadata__":
                meta = json.loads(str(z[k]))
            elif k.startswith("__steps__."):
                steps[k[len("__steps__."):]] = z[k]
            elif k.startswith("__weights__."):
                weights[k[len("__weights__."):]] = z[k]
            else:
                rec[k] = z[k]
    return Results(rec, meta, steps, weights)


def _load_h5(path):
    import h5py          # here, not at import: the CLI starts without loading HDF5
    with h5py.File(path, "r") as f:
        if f.attrs.get("format") != H5_FORMAT:
            raise ValueError("no annstudio-results format attribute")
        meta = json.loads(f.attrs["metadata_json"])
        dt = float(f.attrs["dt"])
        rec, steps = {}, {}
        for mon, g in f["monitors"].items():
            for var, v in g.items():
                if var == "spike":
                    rec[f"{mon}.spike.times"] = np.rint(v["times"][()] / dt).astype(np.int64)
                    rec[f"{mon}.spike.ranks"] = v["ranks"][()]
                    continue
                if "values" in v:
                    rec[f"{mon}.{var}"] = v["values"][()]
                else:
                    rows = [v["records"][k][()] for k in sorted(v["records"])]
                    rec[f"{mon}.{var}"] = np.empty(len(rows), dtype=object)
                    rec[f"{mon}.{var}"][:] = rows
                steps[mon] = np.rint(v["times"][()] / dt).astype(np.int64)
        weights = {p: d[()] for p, d in f["weights"].items()}
    return Results(rec, meta, steps, weights)


def convert(src, dst):
    """Read ``src`` (.npz or .h5) and write it as ``dst`` (format by extension)."""
    return save(load(src), dst)
