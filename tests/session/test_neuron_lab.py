"""The single-neuron lab's computations against analytic results (no Qt)."""
import numpy as np
import pytest

from annstudio.core.errors import SimulationError
from annstudio.core.library.neurons import NEURONS
from annstudio.core.model.types import Neuron
from annstudio.session.neuron_lab import LAB_TYPES, NeuronLab


def lif_rate(i, tau=20.0, cm=1.0, v_rest=-65.0, v_thresh=-50.0, v_reset=-65.0, t_ref=2.0):
    """Closed-form rate (Hz) of a LIF neuron driven by a constant current i (nA)."""
    v_inf = v_rest + tau * i / cm
    with np.errstate(all="ignore"):
        period = t_ref + tau * np.log((v_inf - v_reset) / (v_inf - v_thresh))
    return np.where(v_inf > v_thresh, 1000.0 / period, 0.0)


def test_lif_fi_curve_matches_closed_form_rate():
    lab = NeuronLab(NEURONS["IF_curr_exp"](tau_refrac=2.0), dt=0.05)
    currents = np.linspace(0.0, 2.0, 11)
    fi = lab.fi_curve(currents, duration=600.0)
    assert fi.parameter == "i_offset" and fi.unit == "Hz"
    expected = lif_rate(currents)
    assert np.all(fi.rates[expected == 0] == 0)             # below rheobase (0.75 nA): silent
    firing = expected > 0
    assert firing.sum() >= 6
    # spikes fall on the time grid: the period is at most one step longer than the closed form
    np.testing.assert_allclose(fi.rates[firing], expected[firing], rtol=0.01)


def test_fi_curve_compiles_once_and_follows_parameters():
    lab = NeuronLab(NEURONS["IF_curr_exp"](tau_refrac=2.0), dt=0.1)
    first = lab.fi_curve([1.0, 1.5], duration=400.0)
    sim = lab._sims[2]
    lab.set_params({"tau_refrac": 5.0})
    second = lab.fi_curve([1.0, 1.5], duration=400.0)
    assert lab._sims[2] is sim                              # values changed, nothing rebuilt
    np.testing.assert_allclose(second.rates, lif_rate(np.array([1.0, 1.5]), t_ref=5.0), rtol=0.02)
    assert np.all(second.rates < first.rates)


def test_step_response_is_silent_before_the_step_and_fires_during_it():
    lab = NeuronLab(NEURONS["IF_curr_exp"](), dt=0.1)
    r = lab.step_response(1.5, t_on=50.0, t_off=250.0, duration=300.0)
    assert r.times.size == 3000 and set(r.traces) == {"v"}
    assert r.spike_times.size > 3
    assert r.spike_times.min() > 50.0 and r.spike_times.max() < 250.0 + 0.1
    before = r.traces["v"][r.times < 50.0]
    np.testing.assert_allclose(before, -65.0)
    assert r.current[1000] == pytest.approx(1.5) and r.current[0] == 0.0


def test_izhikevich_nullclines_match_the_formulas():
    lab = NeuronLab(NEURONS["Izhikevich"](a=0.02, b=0.25))
    pp = lab.phase_plane("v", "u", (-80.0, 30.0), (-30.0, 20.0), current=4.0)
    xs, ys = pp.nullcline_x
    assert xs.size > 50
    np.testing.assert_allclose(ys, 0.04 * xs ** 2 + 5.0 * xs + 140.0 + 4.0, atol=1e-9)
    xs, ys = pp.nullcline_y
    np.testing.assert_allclose(ys, 0.25 * xs, atol=1e-9)
    # vector field: du/dt = a (b v - u), dv/dt = 0.04 v^2 + 5 v + 140 - u + I
    gv, gu = np.meshgrid(pp.grid_x, pp.grid_y)
    np.testing.assert_allclose(pp.dy, 0.02 * (0.25 * gv - gu), atol=1e-12)
    np.testing.assert_allclose(pp.dx, 0.04 * gv ** 2 + 5 * gv + 140 - gu + 4.0, atol=1e-9)


def test_fitzhugh_nagumo_cubic_nullcline_and_oscillation():
    lab = NeuronLab(LAB_TYPES["FitzHughNagumo"])
    pp = lab.phase_plane("v", "w", (-2.5, 2.5), (-1.0, 2.0), current=0.5)
    xs, ys = pp.nullcline_x
    np.testing.assert_allclose(ys, xs - xs ** 3 / 3 + 0.5, atol=1e-9)
    xs, ys = pp.nullcline_y                          # w = (v + a) / b
    np.testing.assert_allclose(ys, (xs + 0.7) / 0.8, atol=1e-9)
    fi = lab.fi_curve([0.0, 0.5], duration=2000.0, transient=500.0)
    assert fi.rates[0] == 0 and fi.rates[1] > 10      # resting at I = 0, a limit cycle at I = 0.5


def test_nonlinear_nullcline_found_by_sign_changes():
    lab = NeuronLab(LAB_TYPES["MorrisLecar"])
    pp = lab.phase_plane("v", "w", (-70.0, 50.0), (-0.1, 0.6), current=100.0)
    fx, fy = pp.rhs
    xs, ys = pp.nullcline_y                           # w = w_inf(v), linear in w: closed form
    np.testing.assert_allclose(ys, 0.5 * (1 + np.tanh((xs - 2.0) / 30.0)), atol=1e-9)
    xs, ys = pp.nullcline_x
    values = np.array([float(fx.subs({"v": a, "w": b})) for a, b in zip(xs[::20], ys[::20])])
    assert np.all(np.abs(values) < 0.05)


def test_trajectory_runs_the_network_simulation_with_resets():
    lab = NeuronLab(NEURONS["Izhikevich"]())
    v, u = lab.trajectory("v", "u", (-70.0, -14.0), current=10.0, duration=200.0)
    assert v.size == 2000
    assert v.max() <= 30.0 + 1e-9 or np.any(np.diff(v) < -50)   # spikes reset v to c = -65
    assert np.any(np.diff(v) < -50)


def test_users_type_without_current_gets_a_clear_error():
    lab = NeuronLab(Neuron(parameters="tau = 10.0", equations="tau * dv/dt = -v", spike="v > 1", reset="v = 0"))
    with pytest.raises(SimulationError, match="injected-current parameter"):
        lab.fi_curve([1.0])
    with pytest.raises(SimulationError, match="no differential equation"):
        lab.phase_plane("v", "u", (0, 1), (0, 1))


def test_rate_coded_type_gives_its_steady_output():
    lab = NeuronLab(NEURONS["LeakyIntegrator"](), dt=1.0)
    fi = lab.fi_curve([-1.0, 0.5, 2.0], duration=200.0)
    np.testing.assert_allclose(fi.rates, [0.0, 0.5, 2.0], atol=1e-6)   # r = pos(B) at steady state


def test_fi_curve_on_a_compiled_backend_matches_the_closed_form(compiled_paradigm):
    lab = NeuronLab(NEURONS["IF_curr_exp"](tau_refrac=2.0), dt=0.05, paradigm=compiled_paradigm)
    currents = np.linspace(0.8, 2.0, 7)
    fi = lab.fi_curve(currents, duration=600.0)
    np.testing.assert_allclose(fi.rates, lif_rate(currents), rtol=0.01)
    lab.set_params({"tau_refrac": 4.0})                 # a value change on the compiled network, no rebuild
    sim = lab._sims[7]
    fi = lab.fi_curve(currents, duration=600.0)
    assert lab._sims[7] is sim
    np.testing.assert_allclose(fi.rates, lif_rate(currents, t_ref=4.0), rtol=0.01)
