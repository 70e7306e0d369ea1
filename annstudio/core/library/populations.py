"""Neurons of the special populations (``PoissonPopulation``, ``SpikeSourceArray``, ``TimedArray``).

``POPULATIONS[kind](geometry=..., **options)`` returns the plain ``Neuron`` a
special population of that kind runs (the project format stores ``kind`` and
``options``).  Sources whose state is a schedule rather than equations
(``spike_source_array``, ``timed_array``) get an equation-free neuron; the IR
lowering reads their schedule from the population's ``options``.
"""
import numpy as np

from annstudio.core.model.types import Neuron

POPULATIONS = {}


def _register(kind):
    def deco(fn):
        POPULATIONS[kind] = fn
        return fn
    return deco


@_register("poisson")
def poisson_neuron(geometry=None, rates=None, target=None, parameters=None, refractory=None):
    """Each neuron spikes with probability ``rates * dt / 1000`` per step (``rates`` in Hz).

    ``rates``: a number or array (a per-neuron parameter ``rates``), or a string expression of ``t`` and
    the ``parameters`` (e.g. ``"100*(1 + sin(2*pi*t/1000))"``); ``target``: the rates are ``sum(target)``
    of rate-coded projections."""
    params, equation = [], ""
    if target is not None:
        equation = f"rates = sum({target})"
    elif isinstance(rates, str):
        equation = f"rates = {rates}"
    else:
        value = 10.0 if rates is None or np.ndim(rates) else float(rates)
        params.append(f"rates = {value!r}")
    if parameters:
        params.append(str(parameters))
    return Neuron(
        parameters="\n".join(params),
        equations=f"""
            {equation}
            p = Uniform(0.0, 1.0) * 1000.0 / dt
        """,
        spike="p < rates", reset="", refractory=refractory,
        name="Poisson", description="Poisson spike source: spikes with probability rates*dt/1000 per step.")


@_register("spike_source_array")
def spike_source_neuron(geometry=None, spike_times=None, period=None):
    """Emits spikes at given times (schedule kept in the population's options, not in equations)."""
    return Neuron(parameters="", equations="", spike="false", reset="",
                  name="SpikeSourceArray", description="Spike source emitting spikes at given times.")


@_register("timed_array")
def timed_array_neuron(geometry=None, rates=None, schedule=0.0, period=-1.0):
    """Rate-coded source whose ``r`` follows a buffer of rates, one row every ``schedule`` ms."""
    return Neuron(parameters="", equations="", name="TimedArray",
                  description="Rate-coded source replaying a buffer of firing rates.")


__all__ = ["POPULATIONS", "poisson_neuron", "spike_source_neuron", "timed_array_neuron"]
