"""Simulated dynamics against analytic solutions (NumPy reference backend)."""
import math

import numpy as np
import pytest

from annstudio.engine import Izhikevich, Monitor, Neuron, Population, compile, setup, simulate

METHODS_ORDER = {"explicit": 1, "implicit": 1, "midpoint": 2, "rk4": 4}


def _decay_error(method, dt, T=20.0, tau=5.0):
    from annstudio.engine import clear
    clear()
    setup(dt=dt, paradigm="numpy")
    pop = Population(1, Neuron(parameters=f"tau = {tau}", equations=f"tau*dx/dt = -x : init=1.0, {method}"))
    m = Monitor(pop, "x")
    compile()
    simulate(T)
    x = m.get("x")[:, 0]
    t = dt * np.arange(1, x.size + 1)
    return np.max(np.abs(x - np.exp(-t / tau)))


def _driven_error(method, dt, T=20.0, tau=5.0, w=0.3):
    from annstudio.engine import clear
    clear()
    setup(dt=dt, paradigm="numpy")
    pop = Population(1, Neuron(parameters=f"tau = {tau}; w = {w}",
                               equations=f"dx/dt = -x/tau + cos(w*t) : {method}"))
    m = Monitor(pop, "x")
    compile()
    simulate(T)
    x = m.get("x")[:, 0]
    t = dt * np.arange(1, x.size + 1)
    A = tau / (1 + (w * tau) ** 2)
    B = w * tau ** 2 / (1 + (w * tau) ** 2)
    exact = A * np.cos(w * t) + B * np.sin(w * t) - A * np.exp(-t / tau)
    return np.max(np.abs(x - exact))


@pytest.mark.parametrize("method,order", sorted(METHODS_ORDER.items()))
@pytest.mark.parametrize("problem", [_decay_error, _driven_error])
def test_convergence_order(method, order, problem):
    e1, e2 = problem(method, 0.2), problem(method, 0.1)
    ratio = e1 / e2
    assert 2 ** order * 0.8 < ratio < 2 ** order * 1.25, (e1, e2, ratio)


def test_exponential_method_is_exact_for_linear_decay():
    assert _decay_error("exponential", 0.5) < 1e-13
    # and first order (exponential Euler) for a time-varying input
    e1, e2 = _driven_error("exponential", 0.2), _driven_error("exponential", 0.1)
    assert 1.6 < e1 / e2 < 2.5


def test_lif_period_matches_analytic_value():
    setup(dt=0.1, paradigm="numpy")
    tau, I, vt, refr = 10.0, 2.0, 1.0, 2.0
    lif = Neuron(parameters=f"tau = {tau}; I = {I}; vt = {vt}",
                 equations="tau*dv/dt = -v + I : exponential", spike="v > vt", reset="v = 0.0",
                 refractory=refr)
    pop = Population(3, lif)
    m = Monitor(pop, "spike")
    compile()
    simulate(200.0)
    spikes = m.get("spike")
    isi = np.diff(np.asarray(spikes[0])) * 0.1
    t0 = tau * math.log(I / (I - vt))        # time to threshold from reset
    assert len(spikes[0]) > 10
    assert np.allclose(isi, isi[0])          # regular
    assert abs(isi[0] - (refr + t0)) <= 0.1 + 1e-9      # analytic period, within one step
    assert isi[0] == pytest.approx(refr + math.ceil(t0 / 0.1) * 0.1)  # exact discrete value


def test_refractory_neuron_holds_reset_value_but_conductance_decays():
    setup(dt=0.1, paradigm="numpy")
    n = Neuron(parameters="I = 5.0", equations="""
        10*dv/dt = -v + I + g_exc
        5*dg_exc/dt = -g_exc : init = 3.0""", spike="v > 1", reset="v = 0", refractory=5.0)
    pop = Population(1, n)
    m = Monitor(pop, ["v", "g_exc", "spike"])
    compile()
    simulate(20.0)
    v, g = m.get("v")[:, 0], m.get("g_exc")[:, 0]
    first = m.get("spike")[0][0]
    assert np.all(v[first + 1:first + 51] == 0.0)        # clamped for 5 ms = 50 steps
    assert v[first + 51] > 0.0
    assert np.all(np.diff(g[first:first + 50]) < 0)      # g keeps decaying


def test_izhikevich_regular_spiking_rate():
    """RS neuron (a=0.02, b=0.2, c=-65, d=8), I = 10: steady ISI 44.81 ms (scipy reference, rtol 1e-10)."""
    setup(dt=0.02, paradigm="numpy")
    pop = Population(1, Izhikevich(i_offset=10.0))
    m = Monitor(pop, "spike")
    compile()
    simulate(400.0)
    steps = np.asarray(m.get("spike")[0])
    isi = np.diff(steps) * 0.02
    assert len(steps) >= 8
    assert isi[-1] == pytest.approx(44.81, rel=0.02)
    assert steps[0] * 0.02 == pytest.approx(3.13, abs=0.2)   # first spike of the tonic train
