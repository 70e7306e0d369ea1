"""Generalized integrate-and-fire neurons with escape noise (ANNarchy 5's ``GIF_curr`` / ``GIF_curr_exp``).

The model is the one of Schwalger, Deger & Gerstner (2017, PLOS Comput. Biol. 13(4): e1005507): a leaky
membrane ``u`` driven by a constant current ``I_ext`` and the synaptic currents, a dynamic threshold ``v``
relaxing to ``u_th`` and raised by ``J_v / tau_v`` at each spike, and stochastic spike emission with the hazard
rate ``Lambda = c * exp((u - v) / delta_u)`` (in Hz): a neuron spikes in a step of ``dt`` ms with probability
``Lambda * dt / 1000``.  The resistance is ``R = tau_m / C_m``.  Parameters follow ANNarchy 5's names and
defaults (mV, ms, pF, pA, Hz).
"""
from annstudio.core.model.types import Neuron

from .neurons import NEURONS, _params, register


def _gif(self, name, description, synapses, u_init, C_m, tau_m, tau_v, J_v, u_r, u_th, c, delta_u, I_ext,
         current, refractory_period, **extra):
    super(type(self), self).__init__(
        parameters=_params(tau_m=tau_m, R=float(tau_m) / float(C_m), tau_v=tau_v, J_v=J_v, u_r=u_r, u_th=u_th,
                           c=c, delta_u=delta_u, **extra, I_ext=I_ext),
        equations=f"""
            tau_m * du/dt = -u + u_r + R * I_ext + {current} : init = {float(u_init)!r}
            tau_v * dv/dt = -(v - u_th) : init = {float(u_th)!r}
            Lambda = c * exp((u - v) / delta_u)
            p = Uniform(0.0, 1.0) * 1000.0 / dt
            {synapses}
        """,
        spike="p < Lambda", reset="u = u_r ; v += J_v / tau_v",
        refractory=float(refractory_period) if refractory_period else None,
        name=name, description=description)


@register(NEURONS)
class GIF_curr(Neuron):
    """Generalized leaky integrate-and-fire neuron with escape noise and instantaneous synaptic currents
    (each incoming weight acts for one step)."""

    def __init__(self, C_m=250.0, tau_m=10.0, tau_v=1000.0, J_v=1000.0, u_r=-65.0, u_th=-50.0, c=10.0,
                 delta_u=5.0, I_ext=375.0, current="R*(g_exc - g_inh)", refractory_period=0.0):
        _gif(self, "GIF_curr", "Generalized integrate-and-fire neuron with escape noise (instantaneous currents).",
             "", -65.0, C_m, tau_m, tau_v, J_v, u_r, u_th, c, delta_u, I_ext, current, refractory_period)


@register(NEURONS)
class GIF_curr_exp(Neuron):
    """Generalized leaky integrate-and-fire neuron with escape noise and exponentially decaying synaptic
    currents (time constants ``tau_g_exc``, ``tau_g_inh``)."""

    def __init__(self, C_m=250.0, tau_m=10.0, tau_v=1000.0, J_v=1000.0, u_r=-65.0, u_th=-50.0, c=10.0,
                 delta_u=5.0, tau_g_exc=5.0, tau_g_inh=5.0, I_ext=375.0, current="R*(g_exc - g_inh)",
                 refractory_period=0.0):
        _gif(self, "GIF_curr_exp", "Generalized integrate-and-fire neuron with escape noise (exponential currents).",
             """tau_g_exc * dg_exc/dt = -g_exc
            tau_g_inh * dg_inh/dt = -g_inh""",
             u_r, C_m, tau_m, tau_v, J_v, u_r, u_th, c, delta_u, I_ext, current, refractory_period,
             tau_g_exc=tau_g_exc, tau_g_inh=tau_g_inh)


__all__ = ["GIF_curr", "GIF_curr_exp"]
