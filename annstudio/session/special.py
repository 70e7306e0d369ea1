"""Special populations and projections of the ANNarchy API.

``PoissonPopulation`` is an ordinary population whose neuron is generated text
(``annstudio.engine.library.populations``).  ``SpikeSourceArray`` and
``TimedArray`` are populations of kind ``spike_source_array`` / ``timed_array``
whose schedule lives in the population's ``options``; ``DecodingProjection``
and ``CurrentInjection`` are projections of kind ``decoding`` /
``current_injection``.  Their step semantics are documented in
``annstudio.codegen.ir`` and implemented by every backend.
"""
import numpy as np

from annstudio.engine.errors import ModelError
from annstudio.engine.library.populations import poisson_neuron, spike_source_neuron, timed_array_neuron

from .population import Population, PopulationView
from .projection import Projection


class PoissonPopulation(Population):
    """Neurons spiking as Poisson processes of ``rates`` Hz (number, array, expression of ``t``), or of
    ``sum(target)`` when ``target`` is given (rate-coded projections then set the rates)."""

    def __init__(self, geometry, name=None, rates=None, target=None, parameters=None, refractory=None,
                 copied=False, net=None):
        if rates is None and target is None:
            raise ModelError("PoissonPopulation needs rates or a target", where="PoissonPopulation")
        neuron = poisson_neuron(geometry, rates=rates, target=target, parameters=parameters,
                                refractory=refractory)
        super().__init__(geometry, neuron, name=name, net=net)
        self._spec.kind = "poisson"
        self._spec.options.update({"rates": rates if isinstance(rates, str) else None, "target": target})
        if rates is not None and not isinstance(rates, str) and np.ndim(rates):
            self.rates = np.asarray(rates, dtype=float).reshape(-1)


class SpikeSourceArray(Population):
    """Emits spikes at the given times (ms): one list of times per neuron (or one list for one neuron)."""

    def __init__(self, spike_times, name=None, copied=False, net=None):
        times = _times(spike_times)
        super().__init__(len(times), spike_source_neuron(), name=name, net=net)
        self._spec.kind = "spike_source_array"
        self._spec.options["spike_times"] = times

    @property
    def spike_times(self):
        return [list(t) for t in self._spec.options["spike_times"]]

    @spike_times.setter
    def spike_times(self, value):
        times = _times(value)
        if len(times) != self.size:
            raise ModelError(f"spike_times needs {self.size} lists, got {len(times)}", where=self.name)
        self._spec.options["spike_times"] = times
        sim = self._net._sim
        if sim is not None and sim.backend is not None:
            dt = sim.dt
            pairs = sorted({(int(round(float(t) / dt)), r) for r, ts in enumerate(times) for t in ts})
            steps = np.array([s for s, _ in pairs], dtype=np.int64)
            ranks = np.array([r for _, r in pairs], dtype=np.int64)
            _set_source(sim, self.name, "steps", steps)
            _set_source(sim, self.name, "ranks", ranks)

    def set_spike_times(self, spike_times):
        self.spike_times = spike_times


def _times(spike_times):
    st = list(spike_times)
    if not st or np.ndim(st[0]) == 0:
        st = [st]
    return [[float(t) for t in ts] for ts in st]


def _set_source(sim, name, key, value):
    backend = sim.backend
    if not hasattr(backend, "set_source"):
        raise ModelError(f"the {sim.paradigm} backend cannot change a source's schedule after compile()",
                         where=name)
    backend.set_source(name, key, value)


class TimedArray(Population):
    """Rate-coded population replaying ``rates`` (shape ``(T,) + geometry``): row ``k`` is ``r`` from
    ``k * schedule`` ms (every step when ``schedule`` is 0); with ``period`` > 0 the buffer restarts every
    ``period`` ms; after its last row the last value is kept."""

    def __init__(self, rates=None, geometry=None, schedule=0.0, period=-1.0, name=None, copied=False, net=None):
        if rates is None and geometry is None:
            raise ModelError("TimedArray needs rates or a geometry", where="TimedArray")
        if rates is not None:
            rates = np.asarray(rates, dtype=float)
            if rates.ndim == 1:                      # one value per time point, one neuron
                rates = rates[:, None]
            geometry = rates.shape[1:]
        super().__init__(geometry, timed_array_neuron(), name=name, net=net)
        if rates is None:
            rates = np.zeros((1, self.size))
        self._spec.kind = "timed_array"
        self._spec.options.update({"rates": rates.reshape(rates.shape[0], -1), "schedule": float(schedule),
                                   "period": float(period)})

    @property
    def schedule(self):
        return self._spec.options["schedule"]

    @property
    def period(self):
        return self._spec.options["period"]

    def update(self, rates, schedule=None, period=None):
        """New buffer (same schedule and period after ``compile()``)."""
        rates = np.asarray(rates, dtype=float).reshape(np.shape(rates)[0], -1)
        if rates.shape[1] != self.size:
            raise ModelError(f"rates need {self.size} values per row, got {rates.shape[1]}", where=self.name)
        sim = self._net._sim
        compiled = sim is not None and sim.backend is not None
        if compiled and ((schedule is not None and schedule != self.schedule) or
                         (period is not None and period != self.period)):
            raise ModelError("schedule and period cannot change after compile()", where=self.name)
        self._spec.options["rates"] = rates
        if schedule is not None:
            self._spec.options["schedule"] = float(schedule)
        if period is not None:
            self._spec.options["period"] = float(period)
        if compiled:
            _set_source(sim, self.name, "buffer", rates)


class DecodingProjection(Projection):
    """Spiking -> rate-coded: ``sum(target)`` of a post neuron is the firing rate (Hz) of its presynaptic
    neurons over the last ``window`` ms (one step when 0), weighted by ``w`` and averaged over its synapses."""

    def __init__(self, pre, post, target, window=0.0, name=None, copied=False, net=None):
        super().__init__(pre, post, target, synapse=None, name=name, net=net)
        if _pop(pre).neuron_type.type != "spike" or _pop(post).neuron_type.type != "rate":
            raise ModelError("a DecodingProjection goes from a spiking to a rate-coded population",
                             where=f"Projection '{self.name}'")
        self._spec.kind = "decoding"
        self._spec.options["window"] = float(window)


class CurrentInjection(Projection):
    """Rate-coded -> spiking, one-to-one: each step ``g_target`` of a post neuron is set to ``pre.r``."""

    def __init__(self, pre, post, target, name=None, copied=False, net=None):
        super().__init__(pre, post, target, synapse=None, name=name, net=net)
        if _pop(pre).neuron_type.type != "rate" or _pop(post).neuron_type.type != "spike":
            raise ModelError("a CurrentInjection goes from a rate-coded to a spiking population",
                             where=f"Projection '{self.name}'")
        if _size(pre) != _size(post):
            raise ModelError("a CurrentInjection needs populations of the same size",
                             where=f"Projection '{self.name}'")
        self._spec.kind = "current_injection"

    def connect_current(self):
        return self.connect_one_to_one(weights=1.0)


def _pop(obj):
    return obj.population if isinstance(obj, PopulationView) else obj


def _size(obj):
    return len(obj.ranks) if isinstance(obj, PopulationView) else obj.size


__all__ = ["PoissonPopulation", "SpikeSourceArray", "TimedArray", "DecodingProjection", "CurrentInjection"]
