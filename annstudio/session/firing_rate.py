"""``Population.compute_firing_rate(window)``: the ``r`` of spiking populations, as ANNarchy computes it.

ANNarchy (4.8 and 5.0, measured) gives a spiking neuron that was asked to compute its firing rate the
value ``r = 1000 / window * (number of its spikes emitted at steps s with k - W < s <= k)`` at step ``k``
(``W = round(window / dt)``; the spike of step ``k`` itself counts).  Called before compile, the neuron gets
a variable ``r`` (``rated_neuron``) that the kernel sets every step after the spikes (``PopulationIR.rate_window``,
the same on every backend): equations read it as ANNarchy's (``post.r`` of a synapse, ``pre.r``), monitors and
BOLD monitors record it.  Called after compile on a neuron without ``r``, the spikes are recorded by a hidden
spike recording (a ``Simulation`` monitor) and ``r`` is computed from them when it is read (``pop.r``),
recorded (``Monitor(pop, 'r')``) or fed to a BOLD monitor; equations cannot read that one.
"""
import numpy as np

from annstudio.core.errors import ModelError


def trackers(net):
    """The network's hidden recorders (firing-rate trackers, BOLD monitors), attached at compile."""
    if "_trackers" not in net.__dict__:
        net.__dict__["_trackers"] = []
    return net.__dict__["_trackers"]


def attach_all(net, sim):
    from .rewind import remember
    remember(net, sim)
    for t in trackers(net):
        t._attach(sim)


class FiringRate:
    """Spikes of one spiking population since compile, and the windowed rate computed from them."""

    def __init__(self, pop, window):
        self.pop, self.window = pop, float(window)
        self._mid = None
        self._steps = np.zeros(0, np.int64)
        self._ranks = np.zeros(0, np.int64)
        trackers(pop._net).append(self)
        sim = pop._net._sim
        if sim is not None and sim.backend is not None:
            self._attach(sim)

    def _attach(self, sim):
        self._sim = sim
        self._mid = sim.add_monitor("population", self.pop.name, ["spike"], None, None, True)

    def _window_steps(self):
        return max(1, int(round(self.window / float(self.pop._net.spec.settings.dt))))

    def _absorb(self):
        if self._mid is None:
            return
        data = self._sim.monitor_data(self._mid).get("spike")
        if data is not None and len(data[0]):
            self._steps = np.concatenate([self._steps, np.asarray(data[0], np.int64)])
            self._ranks = np.concatenate([self._ranks, np.asarray(data[1], np.int64)])

    def rates(self, steps, ranks=None):
        """``r`` at each of ``steps`` (array ``(len(steps), neurons)``; ``ranks``: the neurons, default all)."""
        self._absorb()
        steps = np.asarray(steps, np.int64).reshape(-1)
        n = self.pop.size
        counts = np.zeros((len(steps), n))
        if len(self._steps) and len(steps):
            w = self._window_steps()
            # spikes of neuron i within (k - W, k]: a cumulative count per neuron over the sorted spike steps
            order = np.lexsort((self._steps, self._ranks))
            s_sorted, r_sorted = self._steps[order], self._ranks[order]
            for i in np.unique(r_sorted):
                si = s_sorted[r_sorted == i]
                counts[:, i] = np.searchsorted(si, steps, side="right") - np.searchsorted(si, steps - w, side="right")
        out = counts * (1000.0 / self.window)
        return out if ranks is None else out[:, np.asarray(ranks, np.int64)]

    def mean_rates(self, steps, ranks=None):
        """The mean ``r`` of ``ranks`` (default all) at steps 0..steps-1, without a per-neuron array."""
        self._absorb()
        keep = np.ones(len(self._steps), bool) if ranks is None else np.isin(self._ranks, np.asarray(ranks))
        per_step = np.bincount(self._steps[keep & (self._steps < steps)], minlength=steps)[:steps]
        total = np.concatenate([[0], np.cumsum(per_step)])
        k = np.arange(steps)
        counts = total[k + 1] - total[np.maximum(k + 1 - self._window_steps(), 0)]
        n = self.pop.size if ranks is None else len(ranks)
        return counts * (1000.0 / self.window) / n

    def current(self, ranks=None):
        """``r`` now: at the last step computed (``step - 1``)."""
        sim = self._sim if self._mid is not None else None
        if sim is None:
            return np.zeros(self.pop.size if ranks is None else len(ranks))
        return self.rates([sim.step - 1], ranks)[0]

    def rewind(self):
        """The spike history starts again (``reset()`` sets the time back to 0)."""
        self._absorb()
        self._steps = np.zeros(0, np.int64)
        self._ranks = np.zeros(0, np.int64)


def compute_firing_rate(pop, window):
    """Start computing ``r`` of a spiking population over ``window`` ms (no effect on rate-coded ones)."""
    if pop.neuron_type.type != "spike" or pop._spec.kind == "spike_source_array":
        return None                                 # ANNarchy 5.0.4.1: r stays 0 there (measured)
    window = float(window)
    if not window > 0.0:
        raise ModelError(f"compute_firing_rate: window must be positive, got {window!r}", where=pop.name)
    compiled = pop._net._sim is not None and pop._net._sim.backend is not None
    if "firing_rate_window" in pop._spec.options:    # r is already the kernel's
        if compiled and window != pop._spec.options["firing_rate_window"]:
            raise ModelError("compute_firing_rate: the window of a compiled population is fixed: call it before "
                             "compile()", where=pop.name)
        pop._spec.options["firing_rate_window"] = window
        return None
    if not compiled and "r" not in pop._analysis().names:
        pop._spec.neuron = rated_neuron(pop._spec.neuron)
        pop._spec.options["firing_rate_window"] = window
        return None
    for t in trackers(pop._net):
        if isinstance(t, FiringRate) and t.pop.name == pop.name:
            t.window = window
            return t
    return FiringRate(pop, window)


def rated_neuron(n):
    """``n`` with a variable ``r`` that the kernel sets every step (``PopulationIR.rate_window``)."""
    from annstudio.core.model.types import Neuron
    return Neuron(parameters=n.parameters, equations=f"{n.equations}\nr = r : init = 0.0", spike=n.spike,
                  axon_spike=n.axon_spike, reset=n.reset, axon_reset=n.axon_reset, refractory=n.refractory,
                  functions=n.functions, name=n.name, description=n.description, extra_values=n.extra_values)


def tracker_of(pop):
    """The population's firing-rate tracker, or None."""
    for t in trackers(pop._net):
        if isinstance(t, FiringRate) and t.pop.name == pop.name:
            return t
    return None


def has_computed_rate(pop):
    """Whether ``r`` of ``pop`` comes from compute_firing_rate (a spiking neuron without its own ``r``)."""
    return pop.neuron_type.type == "spike" and "r" not in pop._analysis().names


def monitored_rates(pop, ranks, periods, period_steps, now):
    """``r`` at the steps a monitor's recording ``periods`` ({"start": [...], "stop": [...]}) cover."""
    t = tracker_of(pop)
    steps = []
    for a, b in zip(periods.get("start", []), periods.get("stop", [])):
        steps.extend(range(int(a), int(now if b is None else b), max(1, int(period_steps))))
    n = pop.size if ranks is None else len(ranks)
    if t is None:
        return np.zeros((len(steps), n))
    return t.rates(steps, ranks)
