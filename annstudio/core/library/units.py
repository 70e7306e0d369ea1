"""Units of the standard models' variables and parameters, for labels (plots, forms).

The integrate-and-fire family uses PyNN's units (mV, ms, nF, nA, uS); Izhikevich (2003) is
written in mV and ms; rate-coded neurons are in arbitrary units.  ``unit_of(neuron, name)``
gives the unit of a variable or parameter of a neuron object (a project's own declaration first,
see the project format's ``units``; "" when unknown); ``weight_unit(neuron, target)`` the unit
of a projection's weight onto a neuron of that type (a conductance or a current, as its ``g_<target>`` is).
"""

_TIME = {name: "ms" for name in ("tau", "tau_m", "tau_refrac", "tau_syn_E", "tau_syn_I", "tau_w")}
_IF = {"v": "mV", "v_rest": "mV", "v_thresh": "mV", "v_reset": "mV", "cm": "nF", "i_offset": "nA", **_TIME}
_CURR = {**_IF, "g_exc": "nA", "g_inh": "nA", "alpha_exc": "nA", "alpha_inh": "nA"}
_COND = {**_IF, "g_exc": "uS", "g_inh": "uS", "alpha_exc": "uS", "alpha_inh": "uS", "e_rev_E": "mV",
         "e_rev_I": "mV"}
_ADEX = {**_COND, "w": "nA", "a": "uS", "b": "nA", "delta_T": "mV", "v_spike": "mV"}

UNITS = {
    "IF_curr_exp": _CURR, "IF_curr_alpha": _CURR, "IF_cond_exp": _COND, "IF_cond_alpha": _COND,
    "EIF_cond_exp_isfa_ista": _ADEX, "EIF_cond_alpha_isfa_ista": _ADEX,
    "HH_cond_exp": {**_COND, "m": "1", "n": "1", "h": "1", "cm": "nF", "gbar_Na": "uS", "gbar_K": "uS",
                    "gleak": "uS", "v_offset": "mV", "e_rev_Na": "mV", "e_rev_K": "mV", "e_rev_leak": "mV"},
    "Izhikevich": {"v": "mV", "u": "mV", "c": "mV", "d": "mV", "v_thresh": "mV", "i_offset": "mV/ms",
                   "noise": "mV/ms", "I": "mV/ms", "g_exc": "mV/ms", "g_inh": "mV/ms", "tau_refrac": "ms"},
    "LeakyIntegrator": {"mp": "a.u.", "r": "a.u.", "tau": "ms"},
    "Poisson": {"rates": "Hz", "r": "Hz"},
}


def type_name(neuron):
    """The standard model a neuron object is an instance of ("" for a user's own type)."""
    cls = type(neuron).__name__
    return cls if cls in UNITS else ""


def unit_of(neuron, name):
    """The unit the project declares for ``name`` (``neuron.units``, from the project's ``units``),
    else the standard model's documented one, else ""."""
    declared = getattr(neuron, "units", None)
    if isinstance(declared, dict) and declared.get(name):
        return declared[name]
    return UNITS.get(type_name(neuron), {}).get(name, "")


def weight_unit(neuron, target):
    return unit_of(neuron, f"g_{target}")
