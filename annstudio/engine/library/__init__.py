"""Standard neurons and synapses, shipped as plain ``Neuron``/``Synapse`` data.

(Seed of the library; completed with the full standard set in issue 4.)
"""
from annstudio.engine.model.types import Neuron

NEURONS = {}
SYNAPSES = {}


def _register(table):
    def deco(cls):
        table[cls.__name__] = cls
        return cls
    return deco


@_register(NEURONS)
class Izhikevich(Neuron):
    """Izhikevich (2003) quadratic integrate-and-fire neuron with recovery variable u."""

    def __init__(self, a=0.02, b=0.2, c=-65.0, d=8.0, v_thresh=30.0, i_offset=0.0, noise=0.0, tau_refrac=0.0,
                 conductance="g_exc - g_inh"):
        super().__init__(
            parameters=f"""
                a = {a}
                b = {b}
                c = {c}
                d = {d}
                v_thresh = {v_thresh} : population
                i_offset = {i_offset}
                noise = {noise}
                tau_refrac = {tau_refrac} : population
            """,
            equations=f"""
                I = {conductance} + noise * Normal(0.0, 1.0) + i_offset
                dv/dt = 0.04 * v^2 + 5.0 * v + 140.0 - u + I : init = -65.0
                du/dt = a * (b*v - u) : init = -13.0
            """,
            spike="v >= v_thresh", reset="v = c; u += d",
            refractory=tau_refrac if tau_refrac else None,
            name="Izhikevich", description="Izhikevich quadratic integrate-and-fire neuron.")


@_register(NEURONS)
class LeakyIntegrator(Neuron):
    """Leaky integrator rate-coded neuron: tau dmp/dt + mp = sum(exc) - sum(inh) + baseline + noise."""

    def __init__(self, tau=10.0, B=0.0, T=0.0, sum="sum(exc) - sum(inh)", noise=None):
        noise_term = f" + {noise}" if noise else ""
        super().__init__(
            parameters=f"""
                tau = {tau} : population
                baseline = {B}
                T = {T} : population
            """,
            equations=f"""
                tau * dmp/dt + mp = {sum} + baseline{noise_term}
                r = pos(mp - T)
            """,
            name="Leaky Integrator", description="Leaky-integrator rate-coded neuron.")


__all__ = ["NEURONS", "SYNAPSES"] + list(NEURONS) + list(SYNAPSES)
