"""ANNarchy-style ``Monitor`` and the spike-train analyses it offers.

A monitor created before ``compile()`` is attached when the network compiles;
one created after is attached at once.  ``get()`` returns what was recorded
since the previous ``get()`` (unless ``keep=True``): arrays ``(time, neurons)``
for variables and, for ``spike``, a dict ``rank -> [steps]``.

``stream='rec.h5'`` (annstudio's addition) writes the records to that HDF5 file after every run chunk
instead of keeping them in memory: a long recording grows on disk, the memory check before each run
counts the file against the free disk space instead of the RAM, and ``get()`` reads back from the file
what was recorded since the previous ``get()`` (for moderate sizes; read a large file in parts with
h5py: layout in ``annstudio.session.monitor_stream``).  The file is complete after every chunk; it is
closed when the monitor is removed or the process ends (``close_stream()`` closes it earlier).
"""
import os

import numpy as np

from annstudio.core.errors import ModelError

from . import firing_rate
from .context import current_network
from .population import Population, PopulationView
from .projection import Dendrite, Projection
from .spike_trains import spike_dict


class Monitor:
    """Records ``variables`` of a population, view or projection every ``period`` ms (default dt);
    ``stream``: an HDF5 file the records go to instead of memory (see the module docstring)."""

    def __init__(self, obj, variables=None, period=None, period_offset=None, start=True, net_id=0, net=None,
                 stream=None, name=None):
        if stream is not None and not isinstance(stream, (str, os.PathLike)):
            raise ModelError(f"stream must be a file name (str or path), not {type(stream).__name__}",
                             where="Monitor")
        self.stream = None if stream is None else os.fspath(stream)
        if isinstance(variables, str):
            variables = [variables]
        variables = list(variables or [])
        self.object = obj
        self.variables = variables
        self.period = period
        self.period_offset = period_offset
        self._start = bool(start)
        self._mid = None
        self._kept = {}
        self._active_steps = 0
        self._recorded_since = None
        self._periods = {}        # variable -> {"start": [steps], "stop": [steps or None]} (ANNarchy's times())
        self._last_periods = {}
        self._dendrite = None
        if isinstance(obj, Dendrite):   # ANNarchy: one post neuron's synapses, recorded as (time, pre)
            self._dendrite, obj = obj.post_rank, obj.proj
        if isinstance(obj, (Population, PopulationView)):
            pop = obj if isinstance(obj, Population) else obj.population
            self.kind, self.target, self.ranks = "population", pop.name, None if isinstance(obj, Population) else \
                tuple(int(r) for r in obj.ranks)
            known = set(pop._analysis().names) | {"spike", "r"}
            if "spike" in variables and pop.neuron_type.type != "spike":
                raise ModelError("'spike' can only be recorded from spiking populations", where=f"Monitor of {pop.name!r}")
            self._pop = pop
        elif isinstance(obj, Projection):
            self.kind, self.target, self.ranks = "projection", obj.name, None
            a = obj._analysis() if obj.synapse_type is not None else None
            known = set(a.names if a else ()) | {"w"}
            self._pop = None
        else:
            raise ModelError("a Monitor records a Population, PopulationView, Projection or Dendrite, not "
                             f"{type(obj).__name__}")
        for v in variables:
            if v not in known:
                raise ModelError(f"cannot record {v!r}: not a variable of {self.target!r}",
                                 where="Monitor", hint=f"known: {', '.join(sorted(known))}")
        self._net = net or getattr(obj, "_net", None) or (obj._pop_obj()._net if hasattr(obj, "_pop_obj") else
                                                         current_network())
        self.name = name if name is not None else f"Monitor_{self.target}"     # ANNarchy's default name
        self._net._add_monitor(self)

    @property
    def dt(self):
        """The network's time step (ms), which the recorded times count in."""
        return float(self._net.spec.settings.dt)

    # -- attachment ------------------------------------------------------------------------
    def _attach(self, sim):
        computed = self._pop is not None and firing_rate.has_computed_rate(self._pop)    # r from spikes
        self._mid = sim.add_monitor(self.kind, self.target, [v for v in self.variables if not (computed and v == "r")],
                                    self.ranks, self.period, self._start,
                                    stream=self.stream, name=f"{self.target}:{','.join(self.variables)}")
        self._sim = sim
        self._t_start = sim.step if self._start else None
        if self._start:
            self._periods = {v: {"start": [sim.step], "stop": [None]} for v in self.variables}

    def _attached(self):
        sim = self._net._sim
        if self._mid is None or sim is None or sim.backend is None:
            return None
        return sim

    def start(self, variables=None, period=None):
        if variables:
            self.variables = list(variables) if not isinstance(variables, str) else [variables]
        self.resume()

    def pause(self):
        sim = self._attached()
        if sim is None:
            self._start = False
            return
        self._account(sim)
        sim.set_monitor_active(self._mid, False)
        self._t_start = None
        for p in self._periods.values():
            if p["stop"]:
                p["stop"][-1] = sim.step

    def resume(self):
        sim = self._attached()
        if sim is None:
            self._start = True
            return
        sim.set_monitor_active(self._mid, True)
        self._t_start = sim.step
        for v in self.variables:
            p = self._periods.setdefault(v, {"start": [], "stop": []})
            p["start"].append(sim.step)
            p["stop"].append(None)

    def stop(self):
        self.pause()

    def _account(self, sim):
        if getattr(self, "_t_start", None) is not None:
            self._active_steps += sim.step - self._t_start
            self._t_start = sim.step

    # -- data ---------------------------------------------------------------------------------
    def _fetch(self):
        sim = self._attached()
        if sim is None:
            return {}
        self._account(sim)
        data = sim.monitor_data(self._mid)
        for k, v in data.items():
            if k == "spike":
                steps, ranks = v
                prev = self._kept.get("spike")
                self._kept["spike"] = (steps, ranks) if prev is None or not prev[0].size else \
                    (np.concatenate([prev[0], steps]), np.concatenate([prev[1], ranks]))   # (no copy of the first)
            elif k == "_steps":
                self._kept["_steps"] = np.concatenate([self._kept.get("_steps", np.zeros(0, np.int64)), v])
            elif isinstance(v, np.ndarray):
                prev = self._kept.get(k)
                self._kept[k] = v if prev is None or prev.size == 0 else prev if v.size == 0 else \
                    np.concatenate([prev, v])
            else:
                self._kept[k] = self._kept.get(k, []) + list(v)
        return self._kept

    def get(self, variables=None, keep=False, reshape=False, force_dict=False):
        data = self._fetch()
        names = self.variables if variables is None else ([variables] if isinstance(variables, str) else variables)
        out = {}
        for v in names:
            if v not in self.variables:
                raise ModelError(f"{v!r} is not recorded by this monitor")
            if v == "spike":
                steps, ranks = data.get("spike", (np.zeros(0, np.int64), np.zeros(0, np.int64)))
                ranks_all = self.ranks if self.ranks is not None else range(self._pop.size)
                out[v] = spike_dict(steps, ranks, ranks_all)
            elif v == "r" and self._pop is not None and firing_rate.has_computed_rate(self._pop):
                sim = self._attached()
                out[v] = np.zeros((0, self._pop.size)) if sim is None else firing_rate.monitored_rates(
                    self._pop, self.ranks, self._periods.get("r", {}), round((self.period or self._dt()) / self._dt()),
                    sim.step)
            else:
                val = data.get(v)
                if val is None:
                    n = len(self.ranks) if self.ranks is not None else (self._pop.size if self._pop else 0)
                    val = np.zeros((0, n)) if self.kind == "population" else []
                if self.kind == "projection":
                    val = self._per_dendrite(val) if self._dendrite is None else self._one_dendrite(val)
                if reshape and self.kind == "population" and self.ranks is None and self._pop.dimension > 1 \
                        and isinstance(val, np.ndarray) and val.ndim == 2:
                    val = val.reshape((val.shape[0],) + tuple(self._pop.geometry))
                out[v] = val
        self._close_periods(names, keep)
        if not keep:
            for v in names:
                self._kept.pop(v, None)
            if not any(v in self._kept for v in self.variables):
                self._kept = {}
                self._active_steps = 0
        if len(names) == 1 and not force_dict and variables is not None:  # get() of all: a dict, as ANNarchy
            return out[names[0]]
        return out

    def save(self, filename, variables=None, keep=False, reshape=False, force_dict=False):
        """Write recorded variables: ``.npy`` one variable (``get(variable)``), ``.hdf5`` one dataset per
        variable (spikes: a group with the spike steps of each neuron), as ANNarchy's ``Monitor.save``."""
        names = list(self.variables if variables is None else [variables] if isinstance(variables, str)
                     else variables)
        name = str(filename)
        if name.endswith(".npy"):
            if len(names) != 1 or names[0] == "spike":
                raise ModelError(f"Monitor.save: a .npy file holds one recorded variable other than spike, got "
                                 f"{names}", where=name)
            np.save(name, self.get(names[0], keep=keep, reshape=reshape))
        elif name.endswith(".hdf5"):
            import h5py
            data = self.get(names, keep=keep, reshape=reshape, force_dict=True)
            with h5py.File(name, "w") as f:
                for var, value in data.items():
                    if var == "spike":
                        group = f.create_group("spike")
                        for rank, steps in value.items():
                            group[str(rank)] = np.asarray(steps, dtype=np.int64)
                    else:
                        try:
                            f[var] = np.asarray(value, dtype=float)
                        except ValueError:
                            raise ModelError(f"Monitor.save: {var!r} has dendrites of different sizes, which an "
                                             "HDF5 dataset cannot hold; use get()", where=name) from None
        else:
            raise ModelError("Monitor.save: the file must end with .npy or .hdf5", where=name)

    def _one_dendrite(self, values):
        """The recorded per-synapse values of the monitored dendrite: (time, its synapses)."""
        sim = self._attached()
        if sim is None or not len(values):
            return np.zeros((0, 0))
        conn = sim.data.connectivity[self.target]
        if any(np.size(v) != conn.size for v in values):    # shared or postsynaptic: as recorded
            return values
        lo, hi = conn.row_ptr()[self._dendrite:self._dendrite + 2]
        return np.array([np.asarray(v, dtype=float)[lo:hi] for v in values])

    def _per_dendrite(self, values):
        """Recorded per-synapse values as ANNarchy returns them: (time, post, pre) -- a float array when every
        dendrite has as many synapses, else an object array of per-dendrite arrays (shared or postsynaptic
        values: as recorded)."""
        sim = self._attached()
        if sim is None or not len(values):
            return np.zeros((0,))
        conn = sim.data.connectivity[self.target]
        if any(np.size(v) != conn.size for v in values):    # shared, postsynaptic or restructured: as recorded
            n_post = np.unique(conn.post).size                # postsynaptic ones: (time, post), as ANNarchy 5
            return np.array([np.ravel(v) for v in values], dtype=float) \
                if {np.size(v) for v in values} == {n_post} else values
        ptr = conn.row_ptr()
        rows = [int(r) for r in np.unique(conn.post)]
        out = []
        for v in values:
            arr = np.asarray(v, dtype=float)
            out.append([arr[ptr[r]:ptr[r + 1]] for r in rows])
        if len({len(d) for row in out for d in row}) <= 1:
            return np.array(out, dtype=float)
        return np.array([[np.array(d) for d in row] + [None] for row in out], dtype=object)[:, :-1]

    def _close_periods(self, names, keep):
        """What ``get()`` does to the recording periods (ANNarchy 4.8): the current one ends now, the
        periods are kept for ``times()``, and unless ``keep`` a new period starts now."""
        sim = self._attached()
        if sim is None:
            return
        for v in names:
            p = self._periods.setdefault(v, {"start": [sim.step], "stop": [None]})
            if p["stop"]:
                p["stop"][-1] = sim.step
            self._last_periods[v] = {"start": list(p["start"]), "stop": list(p["stop"])}
            if not keep:
                self._periods[v] = {"start": [sim.step], "stop": [None]}

    def times(self, variables=None):
        """Start and stop steps of each recorded variable's periods, as the last ``get()`` left them (before
        any ``get()``: the periods so far, the open one stopping at None): ``{var: {"start": [...], "stop":
        [...]}}`` (ANNarchy 4.8: steps, one entry per pause/resume)."""
        names = self.variables if variables is None else ([variables] if isinstance(variables, str) else variables)
        return {v: {k: list(x) for k, x in (self._last_periods.get(v) or self._periods.get(v) or
                                             {"start": [], "stop": []}).items()}
                for v in names if v in self.variables}

    def _dt(self):
        return self._net.spec.settings.dt

    def reset(self):
        self._fetch()
        self._kept = {}

    def close_stream(self):
        """Close the ``stream`` file now: it stays complete and readable; nothing more is recorded into it."""
        sim = self._attached()
        if sim is not None and self.stream:
            self._fetch()
            sim.monitor_buffer(self._mid).close()

    def size_in_bytes(self):
        data = self._fetch()
        return int(sum(v.nbytes for v in data.values() if isinstance(v, np.ndarray)))

    # -- spike analysis ---------------------------------------------------------------------
    def _spikes(self, spikes):
        if spikes is None:
            spikes = self.get("spike", keep=True)
        return spikes

    def raster_plot(self, spikes=None):
        """Spike times (ms) and ranks as two arrays, ordered by time."""
        spikes = self._spikes(spikes)
        t, n = [], []
        for rank, steps in spikes.items():
            t.extend(steps)
            n.extend([rank] * len(steps))
        t = np.asarray(t, dtype=float) * self._dt()
        n = np.asarray(n, dtype=np.int64)
        order = np.lexsort((n, t))
        return t[order], n[order]

    def _window(self, spikes):
        steps = [s for v in spikes.values() for s in v]
        if not steps:
            return 0, 0
        return min(steps), max(steps) + 1

    def histogram(self, spikes=None, bins=None, per_neuron=False, recording_window=None):
        """Number of spikes per time bin (``bins`` in ms, default dt); per neuron if asked."""
        spikes = self._spikes(spikes)
        dt = self._dt()
        bin_steps = max(1, int(round((bins or dt) / dt)))
        if recording_window is not None:
            t0, t1 = (int(round(x / dt)) for x in recording_window)
        else:
            t0, t1 = self._window(spikes)
        nbins = max(1, int(np.ceil((t1 - t0) / bin_steps)))
        if per_neuron:
            out = np.zeros((len(spikes), nbins))
            for i, (rank, steps) in enumerate(sorted(spikes.items())):
                idx = (np.asarray(steps, dtype=np.int64) - t0) // bin_steps
                idx = idx[(idx >= 0) & (idx < nbins)]
                np.add.at(out[i], idx, 1)
            return out
        all_steps = np.asarray([s for v in spikes.values() for s in v], dtype=np.int64)
        idx = (all_steps - t0) // bin_steps
        idx = idx[(idx >= 0) & (idx < nbins)]
        return np.bincount(idx, minlength=nbins).astype(float)

    def population_rate(self, spikes=None, smooth=0.0):
        """Instantaneous population rate (Hz) per step, optionally smoothed (ms, Gaussian sigma)."""
        spikes = self._spikes(spikes)
        dt = self._dt()
        counts = self.histogram(spikes)
        n = max(len(spikes), 1)
        rate = counts / n / (dt / 1000.0)
        return gaussian_smooth(rate, smooth / dt) if smooth > 0 else rate

    def smoothed_rate(self, spikes=None, smooth=0.0):
        """Per-neuron firing rate (Hz) per step, smoothed with a Gaussian of ``smooth`` ms."""
        spikes = self._spikes(spikes)
        dt = self._dt()
        per = self.histogram(spikes, per_neuron=True) / (dt / 1000.0)
        if smooth > 0:
            per = np.array([gaussian_smooth(row, smooth / dt) for row in per])
        return per

    def mean_fr(self, spikes=None):
        """Mean firing rate (Hz) over neurons and over the recorded duration."""
        spikes = self._spikes(spikes)
        duration = self._recorded_duration(spikes)
        if duration <= 0 or not spikes:
            return 0.0
        total = sum(len(v) for v in spikes.values())
        return total / len(spikes) / (duration / 1000.0)

    def _recorded_duration(self, spikes):
        sim = self._attached()
        steps = self._active_steps
        if sim is not None and getattr(self, "_t_start", None) is not None:
            steps += sim.step - self._t_start
        if steps <= 0:
            t0, t1 = self._window(spikes)
            steps = t1 - t0
        return steps * self._dt()

    def inter_spike_interval(self, spikes=None, ranks=None, per_neuron=False):
        spikes = self._spikes(spikes)
        dt = self._dt()
        isis = {r: list(np.diff(np.asarray(v, dtype=float)) * dt) for r, v in spikes.items()
                if ranks is None or r in ranks}
        if per_neuron:
            return isis
        return [x for v in isis.values() for x in v]

    def coefficient_of_variation(self, spikes=None, ranks=None, per_neuron=False):
        isis = self.inter_spike_interval(spikes, ranks, per_neuron=True)
        cv = {r: float(np.std(v) / np.mean(v)) for r, v in isis.items() if len(v) > 1 and np.mean(v) > 0}
        if per_neuron:
            return cv
        return list(cv.values())


def gaussian_smooth(signal, sigma_steps):
    """``signal`` convolved with a normalised Gaussian of ``sigma_steps`` (same length)."""
    radius = max(1, int(3 * sigma_steps))
    x = np.arange(-radius, radius + 1)
    kernel = np.exp(-x ** 2 / (2 * sigma_steps ** 2))
    kernel /= kernel.sum()
    return np.convolve(signal, kernel, mode="same")

