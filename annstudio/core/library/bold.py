"""BOLD models: the balloon family, as rate-coded one-neuron models a BOLD monitor integrates.

The hemodynamic model of Buxton et al. (1998) / Friston et al. (2000): neural input ``I_CBF`` drives a
damped flow-inducing signal ``s``; the inflow ``f_in`` follows it; the oxygen extraction ``E``, the venous
volume ``v`` (outflow ``f_out = v^(1/alpha)``) and the deoxyhemoglobin content ``q`` give the BOLD signal.
Stephan et al. (2007) compare four variants: classic (C, Buxton 1998) or revised (R, Obata 2004)
coefficients ``k_1..k_3``, with the non-linear (N) or linear (L) BOLD equation.  Time constants are in
seconds, the simulation in ms (``second = 1000``).  Parameter values are those of ANNarchy's
``extensions.bold`` models (introspected in ANNarchy 5.0.4.1), so BOLD monitors reproduce its signals;
like ANNarchy 5.0.4.1, ``balloon_RL`` integrates ``q`` and ``v`` with ``tau`` read in ms.
"""
from annstudio.core.model.types import Neuron


class BoldModel(Neuron):
    """A BOLD model: a rate-coded neuron whose ``inputs`` (targets, e.g. ``I_CBF``) receive the monitored
    populations' signal and whose ``output`` variable (default ``BOLD``) is the recorded signal."""

    def __init__(self, parameters="", equations="", inputs=None, output="BOLD", name=None, description=None):
        super().__init__(parameters=parameters, equations=equations, name=name or "BoldModel",
                         description=description)
        self._inputs = [inputs] if isinstance(inputs, str) else list(inputs or [])
        self._output = [output] if isinstance(output, str) else list(output)


def _params(values):
    return "\n".join(f"{k} = {float(v)!r}" for k, v in values.items())


# the hemodynamic core shared by the single-input models; q and v relax with ``tau`` seconds
_FLOW = """
I_CBF = sum(I_CBF) : init=0.0
ds/dt = (phi * I_CBF - kappa * s - gamma * (f_in - 1.0)) / second : init=0.0
df_in/dt = s / second : init=1.0, min=0.01
E = 1.0 - (1.0 - E_0) ** (1.0 / f_in) : init=0.3424
dq/dt = (f_in * E / E_0 - (q / v) * f_out) / ({tau}) : init=1.0, min=0.01
dv/dt = (f_in - f_out) / ({tau}) : init=1.0, min=0.01
f_out = v ** (1.0 / alpha) : init=1.0, min=0.01
"""
_REVISED = "k_1 = 4.3 * v_0 * E_0 * TE\nk_2 = epsilon * r_0 * E_0 * TE\nk_3 = 1.0 - epsilon\n"
_CLASSIC = "k_1 = (1.0 - V_0) * 4.3 * v_0 * E_0 * TE\nk_2 = 2.0 * E_0\nk_3 = 1.0 - epsilon\n"
_NONLINEAR = "BOLD = V_0 * (k_1 * (1.0 - q) + k_2 * (1.0 - q / v) + k_3 * (1.0 - v)) : init=0.0"
_LINEAR = "BOLD = V_0 * ((k_1 + k_2) * (1.0 - q) + (k_3 - k_2) * (1.0 - v)) : init=0.0"


def _stephan(coefficients, equation, tau_expr, name, description, values):
    return dict(parameters=_params(values), equations=_FLOW.format(tau=tau_expr) + coefficients + equation,
                inputs="I_CBF", name=name, description=description)


_DEFAULTS = dict(phi=1.0, kappa=1 / 1.54, gamma=1 / 2.46, E_0=0.34, tau=0.98, alpha=0.33, V_0=0.02, v_0=40.3,
                 TE=40 / 1000., epsilon=1.43)


class balloon_RN(BoldModel):
    """Balloon model, revised coefficients, non-linear BOLD equation (Stephan et al. 2007)."""

    def __init__(self, phi=1.0, kappa=1 / 1.54, gamma=1 / 2.46, E_0=0.34, tau=0.98, alpha=0.33, V_0=0.02,
                 v_0=40.3, TE=40 / 1000., epsilon=1.43, r_0=25.0):
        p = dict(second=1000.0, phi=phi, kappa=kappa, gamma=gamma, E_0=E_0, tau=tau, alpha=alpha, V_0=V_0,
                 v_0=v_0, TE=TE, epsilon=epsilon, r_0=r_0)
        super().__init__(**_stephan(_REVISED, _NONLINEAR, "tau * second", "balloon_RN", self.__doc__, p))


class balloon_RL(BoldModel):
    """Balloon model, revised coefficients, linear BOLD equation (Stephan et al. 2007)."""

    def __init__(self, phi=1.0, kappa=1 / 1.54, gamma=1 / 2.46, E_0=0.34, tau=0.98, alpha=0.33, V_0=0.02,
                 v_0=40.3, TE=40 / 1000., epsilon=1.43, r_0=25.0):
        p = dict(second=1000.0, phi=phi, kappa=kappa, gamma=gamma, E_0=E_0, tau=tau, alpha=alpha, V_0=V_0,
                 v_0=v_0, TE=TE, epsilon=epsilon, r_0=r_0)
        super().__init__(**_stephan(_REVISED, _LINEAR, "tau", "balloon_RL", self.__doc__, p))


class balloon_CN(BoldModel):
    """Balloon model, classic coefficients, non-linear BOLD equation (Stephan et al. 2007)."""

    def __init__(self, phi=1.0, kappa=1 / 1.54, gamma=1 / 2.46, E_0=0.34, tau=0.98, alpha=0.33, V_0=0.02,
                 v_0=40.3, TE=40 / 1000., epsilon=1.43):
        p = dict(second=1000.0, phi=phi, kappa=kappa, gamma=gamma, E_0=E_0, tau=tau, alpha=alpha, V_0=V_0,
                 v_0=v_0, TE=TE, epsilon=epsilon)
        super().__init__(**_stephan(_CLASSIC, _NONLINEAR, "tau * second", "balloon_CN", self.__doc__, p))


class balloon_CL(BoldModel):
    """Balloon model, classic coefficients, linear BOLD equation (Stephan et al. 2007)."""

    def __init__(self, phi=1.0, kappa=1 / 1.54, gamma=1 / 2.46, E_0=0.34, tau=0.98, alpha=0.33, V_0=0.02,
                 v_0=40.3, TE=40 / 1000., epsilon=1.43):
        p = dict(second=1000.0, phi=phi, kappa=kappa, gamma=gamma, E_0=E_0, tau=tau, alpha=alpha, V_0=V_0,
                 v_0=v_0, TE=TE, epsilon=epsilon)
        super().__init__(**_stephan(_CLASSIC, _LINEAR, "tau * second", "balloon_CL", self.__doc__, p))


class balloon_maith2021(BoldModel):
    """The balloon model fitted in Maith et al. (2021, Eur. J. Neurosci.)."""

    def __init__(self):
        p = dict(second=1000.0, phi=1.0, kappa=0.665, gamma=0.412, E_0=0.3424, tau=1.0368, alpha=0.3215,
                 V_0=0.02)
        coefficients = "k_1 = 7.0 * E_0\nk_2 = 2.0\nk_3 = 2.0 * E_0 - 0.2\n"
        super().__init__(**_stephan(coefficients, _NONLINEAR, "tau * second", "balloon_maith2021",
                                    self.__doc__, p))


class balloon_two_inputs(BoldModel):
    """Balloon model driven by blood flow (``I_CBF``) and oxygen metabolism (``I_CMRO2``) inputs, with a
    viscoelastic venous outflow (Maith et al. 2022, Front. Neuroinform.)."""

    def __init__(self):
        p = dict(kappa_CBF=0.7650920556760059, gamma_CBF=1 / 2.46, kappa_CMRO2=4.032389192727559,
                 gamma_CMRO2=10 / 2.46, phi_CBF=1.0, phi_CMRO2=1.0, E_0=0.34, tau=0.98, alpha=0.33, V_0=0.02,
                 v_0=40.3, TE=40 / 1000., epsilon=1.0, r_0=25.0, tau_out1=0.0, tau_out2=20.0, second=1000.0)
        equations = """
I_CBF = sum(I_CBF) : init=0.0
second * ds_CBF/dt = phi_CBF * I_CBF - kappa_CBF * s_CBF - gamma_CBF * (f_in - 1.0) : init=0.0
second * df_in/dt = s_CBF : init=1.0, min=0.01
I_CMRO2 = sum(I_CMRO2) : init=0.0
second * ds_CMRO2/dt = phi_CMRO2 * I_CMRO2 * (gamma_CMRO2 / gamma_CBF) - kappa_CMRO2 * s_CMRO2 \
    - gamma_CMRO2 * (r - 1.0) : init=0.0
second * dr/dt = s_CMRO2 : init=1.0, min=0.01
dv = f_in - v ** (1.0 / alpha)
tau_out = if dv > 0.0: tau_out1 else: tau_out2
f_out = v ** (1.0 / alpha) + tau_out * dv / (tau + tau_out) : init=1.0, min=0.01
dq/dt = (r - (q / v) * f_out) / (second * tau) : init=1.0, min=0.01
dv/dt = dv / (tau + tau_out) / second : init=1.0, min=0.01
k_1 = 4.3 * v_0 * E_0 * TE
k_2 = epsilon * r_0 * E_0 * TE
k_3 = 1.0 - epsilon
""" + _NONLINEAR
        super().__init__(parameters=_params(p), equations=equations, inputs=["I_CBF", "I_CMRO2"],
                         name="balloon_two_inputs", description=self.__doc__)


BOLD_MODELS = {c.__name__: c for c in (balloon_RN, balloon_RL, balloon_CN, balloon_CL, balloon_maith2021,
                                       balloon_two_inputs)}

__all__ = ["BoldModel"] + list(BOLD_MODELS)
