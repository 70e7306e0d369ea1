"""BOLD monitors (ANNarchy's ``extensions.bold``): ``BoldMonitor``, ``BoldMonitorFromSlices``.

A BOLD monitor turns a population variable (``r`` by default; for spiking populations the rate of
``compute_firing_rate``) into a BOLD signal through a ``BoldModel`` (``annstudio.core.library.bold``).
Semantics measured on ANNarchy 5.0.4.1:

* the model input at step ``k`` is the monitored signal of step ``k - 1`` (0 at step 0): for
  ``BoldMonitor`` the sum over populations of ``scale_factor[p] * mean(var of p)`` (default scale: the
  population's share of all monitored neurons); for ``BoldMonitorFromSlices`` one model neuron per slice,
  fed the slice's mean;
* ``normalize_input = T`` (ms): for the first ``T`` ms after the recording starts the input is 0 and its
  mean is the baseline ``b``; afterwards the input is ``(x - b) / b`` (per population, then scaled);
* the model runs from compile on, its input 0 until the first ``start()``; ``get()`` returns what was
  recorded since ``start()`` or the last ``get()``, as ``(time, 1)`` (slices: ``(time, slices)``) arrays.

The monitored signal is recorded every step by hidden recordings; the model (one neuron per channel) runs
in a small network of its own (C++ when the monitored network is compiled, else NumPy), advanced to the
current step when ``get()`` is called, so its numbers are those of a model inside the network.  (ANNarchy
5.0.4.1 divides the input by 1e-7 instead when a normalizing monitor is started before compile; here the
baseline is taken then too.)
"""
import numpy as np

from annstudio.core.errors import ModelError
from annstudio.core.library.bold import BoldModel, balloon_RN

from . import firing_rate
from .population import Population, PopulationView


class _Signal:
    """One monitored (population, variable, ranks) series, one value per step since compile (the mean)."""

    def __init__(self, pop, var, ranks):
        self.pop, self.var, self.ranks = pop, var, ranks
        self.values = np.zeros(0)
        self._mid = None

    def attach(self, sim):
        self._sim = sim
        if firing_rate.has_computed_rate(self.pop) and self.var == "r":
            self._mid = None                    # from the firing-rate tracker
            return
        self._mid = sim.add_monitor("population", self.pop.name, [self.var], self.ranks, None, True)

    def series(self, steps):
        if self._mid is None:
            t = firing_rate.tracker_of(self.pop)
            if t is None:
                return np.zeros(steps)
            return t.mean_rates(steps, self.ranks)
        vals = self._sim.monitor_data(self._mid).get(self.var)
        if vals is not None and len(vals):
            self.values = np.concatenate([self.values, np.asarray(vals, dtype=float).reshape(len(vals), -1)
                                          .mean(axis=1)])
        return self.values[:steps]


class BoldMonitor:
    """Records the BOLD signal of ``populations`` through ``bold_model`` (default ``balloon_RN``)."""

    def __init__(self, populations=None, bold_model=None, mapping=None, scale_factor=None, normalize_input=None,
                 recorded_variables=None, start=False, net_id=0, copied=False, net=None):
        if isinstance(populations, (Population, PopulationView)):
            populations = [populations]
        populations = list(populations or [])
        if not populations:
            raise ModelError("a BOLD monitor needs at least one population", where="BoldMonitor")
        n = [p.size for p in populations]
        scale = [s / sum(n) for s in n] if scale_factor is None else [float(s) for s in scale_factor]
        norm = [0.0] * len(populations) if normalize_input is None else \
            [float(x) for x in np.broadcast_to(np.asarray(normalize_input, dtype=float), (len(populations),))]
        if len(scale) != len(populations):
            raise ModelError(f"scale_factor needs {len(populations)} values, got {len(scale)}", where="BoldMonitor")
        self._setup([[(p, norm[i], scale[i]) for i, p in enumerate(populations)]], bold_model, mapping,
                    recorded_variables, start, net)

    def _setup(self, channels, bold_model, mapping, recorded_variables, start, net):
        model = bold_model if bold_model is not None else balloon_RN()
        if isinstance(model, type):
            model = model()
        if not isinstance(model, BoldModel):
            raise ModelError(f"bold_model must be a BoldModel, got {type(model).__name__}", where="BoldMonitor")
        mapping = dict(mapping or {"I_CBF": "r"})
        for name in model._inputs:
            if name not in mapping:
                raise ModelError(f"mapping has no entry for the model input {name!r}", where="BoldMonitor")
        first = channels[0][0][0]
        pop0 = first if isinstance(first, Population) else first.population
        self._net = net or pop0._net
        self.bold_model, self.mapping = model, mapping
        self.recorded_variables = list(recorded_variables or model._output)
        known = set(model.analysis(self._net.spec.scope()).names)
        for v in self.recorded_variables:
            if v not in known:
                raise ModelError(f"cannot record {v!r}: not a variable of the BOLD model", where="BoldMonitor")
        self._channels = []
        for chan in channels:
            rows = []
            for obj, norm, scale in chan:
                pop = obj if isinstance(obj, Population) else obj.population
                ranks = None if isinstance(obj, Population) else tuple(int(r) for r in obj.ranks)
                for var in mapping.values():
                    if var not in pop._analysis().names and not (var == "r" and pop.neuron_type.type == "spike"):
                        raise ModelError(f"population {pop.name!r} has no variable {var!r}", where="BoldMonitor")
                rows.append((pop, ranks, norm, scale, {i: _Signal(pop, v, ranks) for i, v in mapping.items()}))
            self._channels.append(rows)
        self._sim, self._active = None, bool(start)
        self._periods = {v: [] for v in self.recorded_variables}   # [start, stop or None] since its get()
        self._norm_start = 0 if start else None
        firing_rate.trackers(self._net).append(self)
        sim = self._net._sim
        if sim is not None and sim.backend is not None:
            self._attach(sim)

    # -- recording ---------------------------------------------------------------------------
    def _attach(self, sim):
        self._sim = sim
        for chan in self._channels:
            for *_, signals in chan:
                for s in signals.values():
                    s.attach(sim)
        if self._active:
            self._periods = {v: [[sim.step, None]] for v in self.recorded_variables}
            self._norm_start = sim.step

    def start(self):
        if self._sim is None:
            self._active, self._norm_start = True, 0
            return
        if not self._active:
            self._active = True
            for p in self._periods.values():
                p.append([self._sim.step, None])
            if self._norm_start is None:
                self._norm_start = self._sim.step

    def stop(self):
        if self._sim is not None and self._active:
            for p in self._periods.values():
                if p:
                    p[-1][1] = self._sim.step
        self._active = False

    def _inputs(self, steps):
        """``{input: (steps, channels)}``: the model's input at each step (see the module docstring)."""
        dt = float(self._net.spec.settings.dt)
        out = {}
        for name in self.bold_model._inputs:
            x = np.zeros((steps, len(self._channels)))
            for c, chan in enumerate(self._channels):
                for pop, ranks, norm, scale, signals in chan:
                    raw = np.zeros(steps)
                    raw[1:] = signals[name].series(steps)[:steps - 1]
                    a = steps if self._norm_start is None else self._norm_start
                    raw[:a] = 0.0                   # the model gets no input before the first start()
                    if norm > 0.0:
                        b = min(steps, a + int(round(norm / dt)))
                        base = raw[a:b].mean() if b > a else 0.0
                        raw[a:b] = 0.0
                        raw[b:] = (raw[b:] - base) / base if base != 0.0 else 0.0
                    x[:, c] += scale * raw
            out[name] = x
        return out

    def _mini(self, n):
        """The model's own small network (one neuron per channel, a timed array per input), compiled once:
        with the C++ backend when the monitored network runs compiled, else with NumPy."""
        from .monitor import Monitor
        from .network import Network      # network.py imports this module's users: imported when needed
        from .projection import Projection
        from .special import TimedArray
        dt = float(self._net.spec.settings.dt)
        mini = Network(dt=dt)
        bold = Population(n, self.bold_model, name="bold", net=mini)
        sources = {}
        for name in self.bold_model._inputs:
            sources[name] = TimedArray(rates=np.zeros((1, n)), name=f"in_{name}", net=mini)
            Projection(sources[name], bold, name, name=f"to_{name}", net=mini).connect_one_to_one(1.0)
        mon = Monitor(bold, self.recorded_variables, net=mini)
        mini.compile(paradigm="numpy" if getattr(self._sim, "paradigm", "numpy") == "numpy" else "openmp")
        return {"net": mini, "sources": sources, "monitor": mon, "steps": 0,
                "rec": {v: np.zeros((0, n)) for v in self.recorded_variables}}

    def _advance(self, steps):
        """The model's recorded variables at steps 0..steps-1 (the model runs on from the previous call)."""
        n = len(self._channels)
        if self.__dict__.get("_run") is None:
            self._run = self._mini(n)
        run = self._run
        if steps > run["steps"]:
            inputs = self._inputs(steps + 1)
            for name, x in inputs.items():
                # a timed array's value at step k reaches the model at step k + 1: feed the step-(k+1) input
                run["sources"][name].update(x[1:], reset=False)
            run["net"].simulate((steps - run["steps"]) * float(self._net.spec.settings.dt))
            for v in self.recorded_variables:
                new = np.asarray(run["monitor"].get(v), dtype=float).reshape(-1, n)
                run["rec"][v] = np.concatenate([run["rec"][v], new])
            run["steps"] = steps
        return run["rec"]

    def get(self, variable):
        """The recorded values of ``variable`` since ``start()`` or the last ``get()``: ``(time, channels)``."""
        if variable not in self.recorded_variables:
            raise ModelError(f"{variable!r} is not recorded by this BOLD monitor", where="BoldMonitor")
        if self._sim is None or self._sim.backend is None:
            return np.zeros((0, len(self._channels)))
        now = self._sim.step
        if now == 0:
            return np.zeros((0, len(self._channels)))
        values = self._advance(now)[variable]
        rows = [values[a:(now if b is None else b)] for a, b in self._periods[variable]]
        self._periods[variable] = [[now, None]] if self._active else []
        return np.concatenate(rows) if rows else np.zeros((0, len(self._channels)))

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        if name in self.__dict__.get("recorded_variables", ()):
            return self.get(name)
        raise AttributeError(f"BoldMonitor has no attribute {name!r}")

    def rewind(self):
        """``reset()`` set the time back to 0: the model starts again from its initial state."""
        for chan in self._channels:
            for *_, signals in chan:
                for sig in signals.values():
                    if sig._mid is not None:
                        sig._sim.monitor_data(sig._mid)
                    sig.values = np.zeros(0)
        self._norm_start = 0 if self._active else None
        self._run = None
        self._periods = {v: [[0, None]] if self._active else [] for v in self.recorded_variables}

    def reset(self):
        """Recordings dropped (the model input history is kept: the model runs from compile on)."""
        now = self._sim.step if self._sim is not None and self._sim.backend is not None else 0
        self._periods = {v: [[now, None]] if self._active else [] for v in self.recorded_variables}


class BoldMonitorFromSlices(BoldMonitor):
    """One BOLD signal per slice (list of ranks) of ``population``; each slice's input is its mean."""

    def __init__(self, population=None, slices=None, bold_model=None, mapping=None, normalize_input=0,
                 recorded_variables=None, start=False, net_id=0, copied=False, net=None):
        if not isinstance(population, Population):
            raise ModelError("BoldMonitorFromSlices needs a Population", where="BoldMonitorFromSlices")
        if not slices:
            raise ModelError("BoldMonitorFromSlices needs slices (lists of ranks)", where="BoldMonitorFromSlices")
        norm = float(normalize_input or 0.0)
        self._setup([[(PopulationView(population, np.asarray(list(s), dtype=int)), norm, 1.0)] for s in slices],
                    bold_model, mapping, recorded_variables, start, net)
