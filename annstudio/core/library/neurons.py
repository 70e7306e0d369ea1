"""Standard neuron types (ANNarchy 4.8 names, parameters and defaults).

Each class is a plain :class:`~annstudio.core.model.Neuron` whose text is
built from its keyword arguments, so the studio can show and copy it like any
user-written neuron.  The integrate-and-fire family follows PyNN's units
(mV, ms, nF, nA, uS).  Equations are written here from the published models
(Izhikevich 2003, Brette & Gerstner 2005, Traub & Miles 1991 Hodgkin-Huxley).
"""
from annstudio.core.model.types import Neuron

NEURONS = {}


def register(table):
    """Class decorator: ``table[cls.__name__] = cls``."""
    def deco(cls):
        table[cls.__name__] = cls
        return cls
    return deco


def _params(**values):
    """Parameter block from ``name=(value, flags)`` or ``name=value``, in call order."""
    lines = []
    for name, value in values.items():
        if isinstance(value, tuple):
            value, flags = value
            lines.append(f"{name} = {float(value)!r} : {flags}")
        else:
            lines.append(f"{name} = {float(value)!r}")
    return "\n".join(lines)


def _refractory(tau_refrac):
    """Always ``tau_refrac`` (a parameter), so setting it after creation takes effect."""
    return "tau_refrac"


@register(NEURONS)
class LeakyIntegrator(Neuron):
    """Rate-coded leaky integrator: ``tau dmp/dt + mp = sum + B (+ noise)``, ``r = pos(mp - T)``."""

    def __init__(self, tau=10.0, B=0.0, T=0.0, sum="sum(exc) - sum(inh)", noise=None):
        noise_term = f" + {noise}" if noise else ""
        super().__init__(
            parameters=_params(tau=(tau, "population"), B=B, T=(T, "population")),
            equations=f"""
                tau * dmp/dt + mp = {sum} + B{noise_term}
                r = pos(mp - T)
            """,
            name="LeakyIntegrator", description="Leaky-integrator rate-coded neuron with a threshold-linear output.")


@register(NEURONS)
class Izhikevich(Neuron):
    """Izhikevich (2003) quadratic integrate-and-fire neuron with a recovery variable ``u``."""

    def __init__(self, a=0.02, b=0.2, c=-65.0, d=8.0, v_thresh=30.0, i_offset=0.0, noise=0.0, tau_refrac=0.0,
                 conductance="g_exc - g_inh"):
        super().__init__(
            parameters=_params(noise=noise, a=a, b=b, c=c, d=d, v_thresh=v_thresh, i_offset=i_offset,
                               tau_refrac=tau_refrac),
            equations=f"""
                I = {conductance} + noise * Normal(0.0, 1.0) + i_offset
                dv/dt = 0.04 * v^2 + 5.0 * v + 140.0 - u + I : init = -65.0
                du/dt = a * (b*v - u) : init = -13.0
            """,
            spike="v > v_thresh", reset="v = c ; u += d",
            refractory=_refractory(tau_refrac),
            name="Izhikevich", description="Izhikevich quadratic integrate-and-fire neuron.")


_IF_DOC = "Leaky integrate-and-fire neuron (PyNN units: mV, ms, nF, nA, uS)"


def _if_neuron(self, current, synapses, extra_params, name, description, **p):
    refractory = _refractory(p["tau_refrac"])
    super(type(self), self).__init__(
        parameters=_params(**p, **extra_params),
        equations=f"""
            cm * dv/dt = cm/tau_m * (v_rest - v) + {current} + i_offset : exponential, init = {float(p['v_rest'])!r}
            {synapses}
        """,
        spike="v > v_thresh", reset="v = v_reset", refractory=refractory, name=name, description=description)


# exponentially decaying synaptic currents / conductances
_EXP_SYN = """
            tau_syn_E * dg_exc/dt = - g_exc : exponential
            tau_syn_I * dg_inh/dt = - g_inh : exponential
"""
# alpha-shaped ones: g jumps by w and drives alpha, whose response w*(t/tau)*exp(1-t/tau) peaks at w for t=tau.
# The factor e is taken as exp(1 - dt/(2 tau)): g is read at the start of a step, and this evaluates it at the
# middle of the step, so the discrete peak stays at w.
_ALPHA_SYN = """
            tau_syn_E * dalpha_exc/dt = exp((tau_syn_E - dt/2.0)/tau_syn_E) * g_exc - alpha_exc : exponential
            tau_syn_I * dalpha_inh/dt = exp((tau_syn_I - dt/2.0)/tau_syn_I) * g_inh - alpha_inh : exponential
            tau_syn_E * dg_exc/dt = - g_exc : exponential
            tau_syn_I * dg_inh/dt = - g_inh : exponential
"""


def _if_params(v_rest, cm, tau_m, tau_refrac, tau_syn_E, tau_syn_I, v_thresh, v_reset, i_offset):
    return dict(v_rest=v_rest, cm=cm, tau_m=tau_m, tau_refrac=tau_refrac, tau_syn_E=tau_syn_E,
                tau_syn_I=tau_syn_I, v_thresh=v_thresh, v_reset=v_reset, i_offset=i_offset)


@register(NEURONS)
class IF_curr_exp(Neuron):
    """%s with exponentially decaying synaptic currents."""

    def __init__(self, v_rest=-65.0, cm=1.0, tau_m=20.0, tau_refrac=0.0, tau_syn_E=5.0, tau_syn_I=5.0,
                 v_thresh=-50.0, v_reset=-65.0, i_offset=0.0):
        _if_neuron(self, "g_exc - g_inh", _EXP_SYN, {}, "IF_curr_exp",
                   "Integrate-and-fire neuron with exponentially decaying post-synaptic currents.",
                   **_if_params(v_rest, cm, tau_m, tau_refrac, tau_syn_E, tau_syn_I, v_thresh, v_reset, i_offset))


@register(NEURONS)
class IF_cond_exp(Neuron):
    """%s with exponentially decaying synaptic conductances."""

    def __init__(self, v_rest=-65.0, cm=1.0, tau_m=20.0, tau_refrac=0.0, tau_syn_E=5.0, tau_syn_I=5.0,
                 e_rev_E=0.0, e_rev_I=-70.0, v_thresh=-50.0, v_reset=-65.0, i_offset=0.0):
        _if_neuron(self, "g_exc * (e_rev_E - v) + g_inh * (e_rev_I - v)", _EXP_SYN,
                   dict(e_rev_E=e_rev_E, e_rev_I=e_rev_I), "IF_cond_exp",
                   "Integrate-and-fire neuron with exponentially decaying conductances.",
                   **_if_params(v_rest, cm, tau_m, tau_refrac, tau_syn_E, tau_syn_I, v_thresh, v_reset, i_offset))


@register(NEURONS)
class IF_curr_alpha(Neuron):
    """%s with alpha-shaped synaptic currents."""

    def __init__(self, v_rest=-65.0, cm=1.0, tau_m=20.0, tau_refrac=0.0, tau_syn_E=5.0, tau_syn_I=5.0,
                 v_thresh=-50.0, v_reset=-65.0, i_offset=0.0):
        _if_neuron(self, "alpha_exc - alpha_inh", _ALPHA_SYN, {}, "IF_curr_alpha",
                   "Integrate-and-fire neuron with alpha-shaped post-synaptic currents.",
                   **_if_params(v_rest, cm, tau_m, tau_refrac, tau_syn_E, tau_syn_I, v_thresh, v_reset, i_offset))


@register(NEURONS)
class IF_cond_alpha(Neuron):
    """%s with alpha-shaped synaptic conductances."""

    def __init__(self, v_rest=-65.0, cm=1.0, tau_m=20.0, tau_refrac=0.0, tau_syn_E=5.0, tau_syn_I=5.0,
                 e_rev_E=0.0, e_rev_I=-70.0, v_thresh=-50.0, v_reset=-65.0, i_offset=0.0):
        _if_neuron(self, "alpha_exc * (e_rev_E - v) + alpha_inh * (e_rev_I - v)", _ALPHA_SYN,
                   dict(e_rev_E=e_rev_E, e_rev_I=e_rev_I), "IF_cond_alpha",
                   "Integrate-and-fire neuron with alpha-shaped conductances.",
                   **_if_params(v_rest, cm, tau_m, tau_refrac, tau_syn_E, tau_syn_I, v_thresh, v_reset, i_offset))


for _cls in (IF_curr_exp, IF_cond_exp, IF_curr_alpha, IF_cond_alpha):
    _cls.__doc__ = _cls.__doc__ % _IF_DOC


@register(NEURONS)
class HH_cond_exp(Neuron):
    """Single-compartment Hodgkin-Huxley neuron (Traub & Miles 1991 kinetics), exponential conductances.

    A spike is emitted when ``v`` crosses ``v_thresh`` upwards; there is no reset."""

    def __init__(self, gbar_Na=20.0, gbar_K=6.0, gleak=0.01, cm=0.2, v_offset=-63.0, e_rev_Na=50.0,
                 e_rev_K=-90.0, e_rev_leak=-65.0, e_rev_E=0.0, e_rev_I=-80.0, tau_syn_E=0.2, tau_syn_I=2.0,
                 i_offset=0.0, v_thresh=0.0):
        super().__init__(
            parameters=_params(gbar_Na=gbar_Na, gbar_K=gbar_K, gleak=gleak, cm=cm, v_offset=v_offset,
                               e_rev_Na=e_rev_Na, e_rev_K=e_rev_K, e_rev_leak=e_rev_leak, e_rev_E=e_rev_E,
                               e_rev_I=e_rev_I, tau_syn_E=tau_syn_E, tau_syn_I=tau_syn_I, i_offset=i_offset,
                               v_thresh=v_thresh),
            equations="""
                prev_v = v
                # membrane potential relative to the kinetics' reference
                vr = v - v_offset
                I_syn = g_exc * (e_rev_E - v) + g_inh * (e_rev_I - v)
                am = 0.32 * (13.0 - vr) / (exp((13.0 - vr) / 4.0) - 1.0)
                bm = 0.28 * (vr - 40.0) / (exp((vr - 40.0) / 5.0) - 1.0)
                ah = 0.128 * exp((17.0 - vr) / 18.0)
                bh = 4.0 / (1.0 + exp((40.0 - vr) / 5.0))
                an = 0.032 * (15.0 - vr) / (exp((15.0 - vr) / 5.0) - 1.0)
                bn = 0.5 * exp((10.0 - vr) / 40.0)
                dm/dt = am * (1.0 - m) - bm * m : init = 0.0, midpoint
                dh/dt = ah * (1.0 - h) - bh * h : init = 1.0, midpoint
                dn/dt = an * (1.0 - n) - bn * n : init = 0.0, midpoint
                cm * dv/dt = gleak * (e_rev_leak - v) - gbar_K * n^4 * (v - e_rev_K) - gbar_Na * m^3 * h * (v - e_rev_Na) + I_syn + i_offset : init = -65.0, midpoint
                tau_syn_E * dg_exc/dt = - g_exc : exponential
                tau_syn_I * dg_inh/dt = - g_inh : exponential
            """,
            spike="(v > v_thresh) and (prev_v <= v_thresh)", reset="",
            name="HH_cond_exp", description="Hodgkin-Huxley neuron with exponentially decaying conductances.")


def _adex(self, synapses, current, name, description, **p):
    super(type(self), self).__init__(
        parameters=_params(**p),
        equations=f"""
            I = {current} + i_offset
            tau_m * dv/dt = (v_rest - v + delta_T * exp((v - v_thresh) / delta_T)) + tau_m / cm * (I - w) : init = {float(p['v_rest'])!r}
            tau_w * dw/dt = a * (v - v_rest) / 1000.0 - w
            {synapses}
        """,
        spike="v > v_spike", reset="v = v_reset ; w += b", refractory=_refractory(p["tau_refrac"]),
        name=name, description=description)


def _adex_params(v_rest, cm, tau_m, tau_refrac, tau_syn_E, tau_syn_I, e_rev_E, e_rev_I, tau_w, a, b, i_offset,
                 delta_T, v_thresh, v_reset, v_spike):
    return dict(v_rest=v_rest, cm=cm, tau_m=tau_m, tau_refrac=tau_refrac, tau_syn_E=tau_syn_E,
                tau_syn_I=tau_syn_I, e_rev_E=e_rev_E, e_rev_I=e_rev_I, tau_w=tau_w, a=a, b=b,
                i_offset=i_offset, delta_T=delta_T, v_thresh=v_thresh, v_reset=v_reset, v_spike=v_spike)


@register(NEURONS)
class EIF_cond_exp_isfa_ista(Neuron):
    """Adaptive exponential integrate-and-fire neuron (AdEx, Brette & Gerstner 2005), exponential conductances.

    ``a`` (nS) couples the adaptation current ``w`` (nA) to ``v``; each spike adds ``b`` (nA) to ``w``."""

    def __init__(self, v_rest=-70.6, cm=0.281, tau_m=9.3667, tau_refrac=0.1, tau_syn_E=5.0, tau_syn_I=5.0,
                 e_rev_E=0.0, e_rev_I=-80.0, tau_w=144.0, a=4.0, b=0.0805, i_offset=0.0, delta_T=2.0,
                 v_thresh=-50.4, v_reset=-70.6, v_spike=-40.0):
        _adex(self, _EXP_SYN, "g_exc * (e_rev_E - v) + g_inh * (e_rev_I - v)", "EIF_cond_exp_isfa_ista",
              "Adaptive exponential integrate-and-fire neuron with exponentially decaying conductances.",
              **_adex_params(v_rest, cm, tau_m, tau_refrac, tau_syn_E, tau_syn_I, e_rev_E, e_rev_I, tau_w, a, b,
                             i_offset, delta_T, v_thresh, v_reset, v_spike))


@register(NEURONS)
class EIF_cond_alpha_isfa_ista(Neuron):
    """Adaptive exponential integrate-and-fire neuron (AdEx) with alpha-shaped conductances."""

    def __init__(self, v_rest=-70.6, cm=0.281, tau_m=9.3667, tau_refrac=0.1, tau_syn_E=5.0, tau_syn_I=5.0,
                 e_rev_E=0.0, e_rev_I=-80.0, tau_w=144.0, a=4.0, b=0.0805, i_offset=0.0, delta_T=2.0,
                 v_thresh=-50.4, v_reset=-70.6, v_spike=-40.0):
        _adex(self, _ALPHA_SYN, "alpha_exc * (e_rev_E - v) + alpha_inh * (e_rev_I - v)",
              "EIF_cond_alpha_isfa_ista",
              "Adaptive exponential integrate-and-fire neuron with alpha-shaped conductances.",
              **_adex_params(v_rest, cm, tau_m, tau_refrac, tau_syn_E, tau_syn_I, e_rev_E, e_rev_I, tau_w, a, b,
                             i_offset, delta_T, v_thresh, v_reset, v_spike))


from .gif import GIF_curr, GIF_curr_exp  # noqa: E402,F401  (ANNarchy 5 models; registers them)

__all__ = ["NEURONS"] + list(NEURONS)
