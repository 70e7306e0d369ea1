"""Smaller pieces of ANNarchy's public API: ``Constant``, ``every`` callbacks, ``timeit``,
``functions``, standard-model listings, ``InputArray``, default synapses and
the module-level spike-train analyses.

Constants and functions belong to a network (``NetworkSpec.constants`` /
``functions``); these helpers act on the default network unless given one.
"""
import functools
import time

import numpy as np
import sympy as sp

from annstudio.core.equations import check_constant_name
from annstudio.core.errors import ModelError
from annstudio.core.library import NEURONS, SYNAPSES
from annstudio.core.model.types import Neuron, Synapse

from .context import current_network
from .monitor import gaussian_smooth
from .population import Population


class Constant(float):
    """A named constant usable in every equation of its network (the default one unless ``net`` is
    given); ``set()`` changes it without recompiling."""

    def __new__(cls, name, value, net_id=0, net=None):
        obj = super().__new__(cls, float(value))
        obj.name = check_constant_name(name)
        obj.value = float(value)
        net = net or current_network()
        net.spec.constants[name] = float(value)
        obj._net = net
        return obj

    def set(self, value):
        self.value = float(value)
        net = self._net
        net.spec.constants[self.name] = self.value
        sim = net._sim
        if sim is not None and sim.backend is not None:
            for obj in list(sim.ir.populations) + list(sim.ir.projections):
                if obj.var(self.name) is not None:
                    sim.set(obj.name, self.name, self.value)

    def __repr__(self):
        return f"Constant({self.name!r}, {self.value!r})"


class every:
    """Decorator: call ``f(n)`` every ``period`` ms of simulated time during ``simulate()``.  ANNarchy 4.8's
    ``every(period, offset, wait)`` (the default network) and 5's ``every(network=net, period=...)`` (a
    ``Network`` given first, or by keyword); ``period``, ``offset``, ``wait`` and ``network`` stay readable."""

    def __init__(self, *args, period=None, offset=0.0, wait=0.0, network=None, net_id=0):
        if args and hasattr(args[0], "add_callback"):       # ANNarchy 5: the network first
            network, args = args[0], args[1:]
        names = ("period", "offset", "wait")
        if len(args) > len(names):
            raise TypeError(f"every() takes at most {len(names)} values after the network, got {len(args)}")
        given = dict(zip(names, args))
        for name, value in (("period", period), ("offset", offset), ("wait", wait)):
            if name in given and value not in (None, 0.0):
                raise TypeError(f"every() got two values for {name!r}")
        self.network = network if network is not None else current_network()
        self.period = float(given.get("period", 1.0 if period is None else period))
        self.offset = float(given.get("offset", offset))
        self.wait = float(given.get("wait", wait))

    def __call__(self, func):
        self.network.add_callback(func, self.period, self.offset, self.wait)
        return func


def timeit(func):
    """Decorator (ANNarchy 5): print how long each call of ``func`` took."""
    @functools.wraps(func)
    def timed(*args, **kwargs):
        start = time.perf_counter()
        result = func(*args, **kwargs)
        print(f"Function {func.__name__}{args} {kwargs} took {time.perf_counter() - start:.4f} seconds")
        return result
    return timed


def enable_callbacks(net_id=0):
    current_network().callbacks_enabled = True


def disable_callbacks(net_id=0):
    current_network().callbacks_enabled = False


def clear_all_callbacks(net_id=0):
    current_network().callbacks.clear()


def callbacks_enabled(net_id=0):
    return current_network().callbacks_enabled


def functions(name, net_id=0, net=None):
    """A function declared with ``add_function`` (on the default network unless ``net`` is given) as a
    NumPy-callable."""
    declared = (net or current_network()).spec.scope().functions()
    if name not in declared:
        raise ModelError(f"no function named {name!r} (declare it with add_function)")
    params, body = declared[name]
    return sp.lambdify(params, body, modules="numpy")


def list_standard_neurons():
    return sorted(NEURONS)


def list_standard_synapses():
    return sorted(SYNAPSES)


def get_global_config(name):
    s = current_network().spec.settings
    if not hasattr(s, name):
        raise ModelError(f"unknown setting {name!r}")
    return getattr(s, name)


class DefaultRateCodedSynapse(Synapse):
    """The synapse used when none is given to a rate-coded projection: psp = w * pre.r."""

    def __init__(self):
        super().__init__(psp="w * pre.r", name="Default rate-coded synapse")


class DefaultSpikingSynapse(Synapse):
    """The synapse used when none is given to a spiking projection: g_target += w."""

    def __init__(self):
        super().__init__(pre_spike="g_target += w", name="Default spiking synapse")


class InputArray(Population):
    """A rate-coded population whose ``r`` is set from Python (no equations)."""

    def __init__(self, geometry, name=None, copied=False, net_id=0, net=None):
        super().__init__(geometry, Neuron(equations="r = r", name="InputArray"), name=name, net_id=net_id, net=net)


def _dt(dt=None):
    return dt if dt is not None else current_network().spec.settings.dt


def raster_plot(spikes, dt=None):
    t = [s * _dt(dt) for v in spikes.values() for s in v]
    n = [r for r, v in spikes.items() for _ in v]
    return np.asarray(t, dtype=float), np.asarray(n, dtype=np.int64)


def histogram(spikes, bins=None, per_neuron=False, dt=None):
    d = _dt(dt)
    steps = [s for v in spikes.values() for s in v]
    if not steps:
        return np.zeros(0)
    b = max(1, int(round((bins or d) / d)))
    t0, t1 = min(steps), max(steps) + 1
    n = int(np.ceil((t1 - t0) / b))
    if per_neuron:
        return np.array([np.bincount((np.asarray(v, dtype=np.int64) - t0) // b, minlength=n) for _, v in
                         sorted(spikes.items())], dtype=float)
    return np.bincount((np.asarray(steps, dtype=np.int64) - t0) // b, minlength=n).astype(float)


def population_rate(spikes, smooth=0.0, dt=None):
    d = _dt(dt)
    rate = histogram(spikes, dt=d) / max(len(spikes), 1) / (d / 1000.0)
    return gaussian_smooth(rate, smooth / d) if smooth > 0 else rate


def smoothed_rate(spikes, smooth=0.0, dt=None):
    d = _dt(dt)
    per = histogram(spikes, per_neuron=True, dt=d) / (d / 1000.0)
    return np.array([gaussian_smooth(r, smooth / d) for r in per]) if smooth > 0 else per


def mean_fr(spikes, duration=None, dt=None):
    d = _dt(dt)
    steps = [s for v in spikes.values() for s in v]
    if not steps or not spikes:
        return 0.0
    duration = duration if duration is not None else (max(steps) - min(steps) + 1) * d
    return len(steps) / len(spikes) / (duration / 1000.0)


def inter_spike_interval(spikes, ranks=None, per_neuron=False, dt=None):
    d = _dt(dt)
    isi = {r: list(np.diff(np.asarray(v, dtype=float)) * d) for r, v in spikes.items()
           if ranks is None or r in ranks}
    return isi if per_neuron else [x for v in isi.values() for x in v]


def coefficient_of_variation(spikes, ranks=None, per_neuron=False, dt=None):
    isi = inter_spike_interval(spikes, ranks, per_neuron=True, dt=dt)
    cv = {r: float(np.std(v) / np.mean(v)) for r, v in isi.items() if len(v) > 1 and np.mean(v) > 0}
    return cv if per_neuron else list(cv.values())


def sparse_delays_from_weights(weights, delays):
    """A sparse matrix with the structure of ``weights`` holding ``delays`` (constant or distribution)."""
    mat = weights.tocoo(copy=True)
    if hasattr(delays, "get_values"):
        mat.data = delays.get_values(mat.data.size)
    else:
        mat.data = np.full(mat.data.size, float(delays))
    return mat.tolil()


__all__ = ["Constant", "every", "enable_callbacks", "disable_callbacks", "clear_all_callbacks",
           "callbacks_enabled", "functions", "list_standard_neurons", "list_standard_synapses",
           "get_global_config", "DefaultRateCodedSynapse", "DefaultSpikingSynapse", "InputArray", "raster_plot",
           "histogram", "population_rate", "smoothed_rate", "mean_fr", "inter_spike_interval",
           "coefficient_of_variation", "sparse_delays_from_weights", "timeit"]
