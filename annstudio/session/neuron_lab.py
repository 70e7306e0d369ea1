"""The single-neuron lab's computations (no Qt): F-I curve and current-step response.

A :class:`NeuronLab` wraps one neuron type (standard or user-written) and runs it through the
same ``Simulation`` the network runs (same IR, same backends):

- ``fi_curve``: ONE population of N copies, one per injected-current value, compiled once; the
  current is runtime data (``set`` of the current parameter), so sweeping other currents or
  changing parameters never rebuilds.  Spiking types give their rate from the inter-spike
  intervals (Hz, time in ms), rate-coded types their steady ``r``.
- ``step_response``: one neuron, the current switched on at ``t_on`` and off at ``t_off``;
  every state variable is recorded.

The phase plane (nullclines, vector field) lives in ``phase_plane.py``.  Teaching types the
standard library lacks (FitzHugh-Nagumo, Morris-Lecar) are defined in ``LAB_TYPES``.
"""
from dataclasses import dataclass, field

import numpy as np

from annstudio.core.errors import SimulationError
from annstudio.core.model.spec import NetworkSpec, PopulationSpec, Settings
from annstudio.core.model.types import Neuron

from .phase_plane import phase_plane
from .simulation import Simulation

# parameter names taken as the injected current, in order of preference
CURRENT_NAMES = ("i_offset", "I_ext", "i_ext", "Iext", "I_inj", "i_inj", "I0", "I", "B", "baseline")

LAB_TYPES = {
    "FitzHughNagumo": Neuron(
        parameters="a = 0.7\nb = 0.8\ntau = 12.5\nI = 0.0\nv_thresh = 1.0",
        equations="prev_v = v\n"
                  "dv/dt = v - v^3/3.0 - w + I : init = -1.2\n"
                  "tau * dw/dt = v + a - b*w : init = -0.6",
        spike="(v > v_thresh) and (prev_v <= v_thresh)", reset="",
        name="FitzHughNagumo", description="FitzHugh-Nagumo (1961) two-variable excitable system "
                                            "(dimensionless; a spike is v crossing v_thresh upwards)."),
    "MorrisLecar": Neuron(
        parameters="C = 20.0\ng_L = 2.0\nE_L = -60.0\ng_Ca = 4.4\nE_Ca = 120.0\ng_K = 8.0\nE_K = -84.0\n"
                   "V1 = -1.2\nV2 = 18.0\nV3 = 2.0\nV4 = 30.0\nphi = 0.04\nI_ext = 0.0\nv_thresh = 0.0",
        equations="prev_v = v\n"
                  "m_inf = 0.5 * (1.0 + tanh((v - V1) / V2))\n"
                  "w_inf = 0.5 * (1.0 + tanh((v - V3) / V4))\n"
                  "tau_w = 1.0 / cosh((v - V3) / (2.0 * V4))\n"
                  "C * dv/dt = I_ext - g_L*(v - E_L) - g_Ca*m_inf*(v - E_Ca) - g_K*w*(v - E_K) : init = -60.0\n"
                  "dw/dt = phi * (w_inf - w) / tau_w : init = 0.0",
        spike="(v > v_thresh) and (prev_v <= v_thresh)", reset="",
        name="MorrisLecar", description="Morris-Lecar (1981) barnacle muscle fibre model "
                                         "(mV, ms, uA/cm2; a spike is v crossing v_thresh upwards)."),
}


def current_parameter(analysis):
    """The parameter of ``analysis`` taken as the injected current, or None."""
    params = analysis.parameters
    return next((n for n in CURRENT_NAMES if n in params), None)


@dataclass
class FICurve:
    currents: np.ndarray
    rates: np.ndarray          # Hz for spiking types, steady r for rate-coded ones
    unit: str
    parameter: str
    spikes: list = field(default_factory=list)   # per current: spike times (ms)


@dataclass
class StepResponse:
    times: np.ndarray                  # ms
    traces: dict                       # variable -> values (one per time)
    spike_times: np.ndarray            # ms
    current: np.ndarray                # the injected current at each time
    parameter: str


class NeuronLab:
    """One neuron type in the lab.  ``params``: parameter overrides (name -> value);
    ``paradigm``: ``numpy`` (default) or ``openmp`` (compiled C++)."""

    def __init__(self, neuron, params=None, dt=0.1, paradigm="numpy", functions=(), constants=None):
        if not isinstance(neuron, Neuron):
            raise TypeError("the lab takes a Neuron type")
        self.neuron = neuron
        self.dt = float(dt)
        self.paradigm = paradigm
        self._spec_extra = (tuple(functions), dict(constants or {}))
        self.analysis = neuron.analysis(self._network(1).scope())
        self.params = {}
        self.set_params(params or {})
        self._sims = {}                     # population size -> compiled Simulation
        self._mids = {}                     # (simulation, variables) -> monitor id

    # -- parameters ---------------------------------------------------------------------------
    @property
    def spiking(self):
        return self.analysis.type == "spike"

    @property
    def current(self):
        return current_parameter(self.analysis)

    def defaults(self):
        return {v.name: float(v.init) for v in self.analysis.variables
                if v.role == "parameter" and not v.implicit and v.dtype == "double"}

    def set_params(self, params):
        """Override parameter values (unknown names raise a clear error)."""
        known = set(self.analysis.parameters)
        for name, value in params.items():
            if name not in known:
                raise SimulationError(f"{self.neuron.name} has no parameter {name!r}")
            self.params[name] = float(value)

    def ode_variables(self):
        """State variables with a differential equation (conductances g_* and alpha_* left out)."""
        return [s.target for s in self.analysis.equations if s.is_ode
                and not s.target.startswith(("g_", "alpha_"))]

    # -- simulation --------------------------------------------------------------------------
    def _network(self, n):
        functions, constants = self._spec_extra
        spec = NetworkSpec(settings=Settings(dt=self.dt, seed=1, paradigm=self.paradigm))
        spec.functions, spec.constants = list(functions), dict(constants)
        spec.populations.append(PopulationSpec("lab", (n,), self.neuron))
        return spec

    def _simulation(self, n):
        """The compiled population of ``n`` copies (built once per size), reset, parameters set."""
        sim = self._sims.get(n)
        if sim is None:
            sim = Simulation(self._network(n)).compile(self.paradigm)
            self._sims[n] = sim
        else:
            sim.reset(populations=True, monitors=True)
        for name, value in dict(self.params).items():     # a copy: the studio may set values meanwhile
            sim.set("lab", name, value)
        return sim

    def _monitor(self, sim, variables):
        key = (id(sim), tuple(variables))
        if key not in self._mids:
            wanted = tuple(variables) + (("spike",) if self.spiking else ())
            self._mids[key] = sim.add_monitor("population", "lab", wanted)
        sim.monitor_data(self._mids[key])           # drop what an earlier run left
        return self._mids[key]

    def _set_current(self, sim, values):
        name = self._require_current()
        locality = self.analysis.var(name).locality
        if locality != "local" and np.ndim(values) and len(np.unique(values)) > 1:
            raise SimulationError(f"the current parameter {name!r} is shared by the population "
                                  "(flag 'population'): remove the flag to sweep it")
        sim.set("lab", name, values if locality == "local" else float(np.ravel(values)[0]))

    def _require_current(self):
        if self.current is None:
            raise SimulationError(f"{self.neuron.name} has no injected-current parameter; add one named "
                                  f"{' or '.join(CURRENT_NAMES[:3])} and use it in the equations")
        return self.current

    def fi_curve(self, currents, duration=1000.0, transient=100.0):
        """Firing rate against injected current: one copy of the neuron per current value."""
        currents = np.asarray(currents, dtype=float).ravel()
        if currents.size == 0:
            raise SimulationError("the F-I curve needs at least one current value")
        if not duration > transient >= 0:
            raise SimulationError("the duration must be longer than the transient")
        name = self._require_current()
        n = currents.size
        sim = self._simulation(n)
        mid = self._monitor(sim, ()) if self.spiking else None
        self._set_current(sim, currents)
        if not self.spiking:
            sim.simulate(duration)
            r = np.asarray(sim.get("lab", "r"), dtype=float)
            return FICurve(currents, np.broadcast_to(r, (n,)).copy(), "r", name)
        sim.simulate(duration)
        steps, ranks = sim.monitor_data(mid)["spike"]
        times = np.asarray(steps, dtype=float) * self.dt
        rates, spikes = np.zeros(n), []
        for k in range(n):
            tk = np.sort(times[(ranks == k)])
            spikes.append(tk)
            late = tk[tk >= transient]
            if late.size >= 2:
                rates[k] = 1000.0 * (late.size - 1) / (late[-1] - late[0])
            else:
                rates[k] = 1000.0 * late.size / (duration - transient)
        return FICurve(currents, rates, "Hz", name, spikes)

    def step_response(self, amplitude, t_on=50.0, t_off=250.0, duration=300.0, variables=None):
        """Every state variable (or ``variables``) of one neuron given a current step."""
        if not 0 <= t_on <= t_off <= duration:
            raise SimulationError("the step needs 0 <= start <= end <= duration")
        name = self._require_current()
        variables = tuple(variables or [v for v in self.analysis.state if not v.startswith(("g_", "alpha_"))])
        sim = self._simulation(1)
        mid = self._monitor(sim, variables)
        base = self.params.get(name, self.defaults().get(name, 0.0))
        pieces = ((t_on, base), (t_off - t_on, base + amplitude), (duration - t_off, base))
        currents = []
        for length, value in pieces:
            steps = int(round(length / self.dt))
            if steps:
                self._set_current(sim, np.array([value]))
                sim.simulate(steps * self.dt)
                currents.append(np.full(steps, value))
        data = sim.monitor_data(mid)
        times = np.asarray(data["_steps"], dtype=float) * self.dt
        traces = {v: np.asarray(data[v], dtype=float).reshape(len(times), -1)[:, 0] for v in variables}
        spike_times = np.zeros(0)
        if self.spiking:
            steps, _ranks = data["spike"]
            spike_times = np.asarray(steps, dtype=float) * self.dt
        current = np.concatenate(currents) if currents else np.zeros(0)
        return StepResponse(times, traces, spike_times, current[:len(times)], name)

    def trajectory(self, x, y, start, current=None, duration=200.0):
        """The network's own simulation of one neuron from ``start`` = (x0, y0): the phase-plane
        trajectory, resets included."""
        sim = self._simulation(1)
        mid = self._monitor(sim, (x, y))
        if current is not None:
            self._set_current(sim, np.array([float(current)]))
        sim.set("lab", x, float(start[0]))
        sim.set("lab", y, float(start[1]))
        sim.simulate(duration)
        data = sim.monitor_data(mid)
        return np.asarray(data[x], dtype=float).ravel(), np.asarray(data[y], dtype=float).ravel()

    def phase_plane(self, x, y, xlim, ylim, current=None, n_arrows=20):
        """Nullclines and vector field of ``x``/``y`` (phase_plane.py) at the lab's parameters, with
        the injected current set to ``current`` when given."""
        params = dict(self.params)
        if current is not None:
            params[self._require_current()] = float(current)
        return phase_plane(self.analysis, x, y, params, xlim, ylim, n_arrows=n_arrows, dt=self.dt)
