"""compute_firing_rate() and BOLD monitors against numbers measured on ANNarchy 5.0.4.1.

Measured by running the same networks on ANNarchy 5.0.4.1 (peer venv, ``import ANNarchy as ann``,
``from ANNarchy.extensions import bold``, ``net = ann.Network(dt=...)``), recording with ``net.monitor`` and
``net.boldmonitor`` / ``net.boldmonitor_from_slices``, and printing the values at the listed indices
(10 significant digits).  balloon_CN cannot be instantiated in 5.0.4.1 (its name is a tuple), so it is
not compared.
"""
import numpy as np
import pytest

import annstudio.engine as ann
from annstudio.engine.extensions import bold

RELAY = dict(equations="v = g_exc", spike="v > 0.5", reset="")


def _relay_net():
    net = ann.Network(dt=0.5)
    src = net.create(ann.SpikeSourceArray(spike_times=[[1.0, 2.0, 5.0, 10.5, 12.0], [3.0]]))
    pop = net.create(2, ann.Neuron(**RELAY))
    net.connect(src, pop, "exc").one_to_one(1.0)
    return net, pop


def test_compute_firing_rate_matches_annarchy(paradigm):
    # ANNarchy 5.0.4.1, same network, pop.compute_firing_rate(5.0), net.monitor(pop, ['spike', 'r']),
    # simulate(20.0): r at every step (Hz): spikes emitted at steps s with k - 10 < s <= k, times 200.
    r0 = [0, 0, 0, 200, 200, 400, 400, 400, 400, 400, 400, 600, 600, 400, 400, 200, 200, 200, 200, 200, 200, 0,
          200, 200, 200, 400, 400, 400, 400, 400, 400, 400, 200, 200, 200, 0, 0, 0, 0, 0]
    r1 = [0] * 7 + [200] * 10 + [0] * 23
    net, pop = _relay_net()
    pop.compute_firing_rate(5.0)
    m = net.monitor(pop, ["spike", "r"])
    net.compile(paradigm=paradigm)
    net.simulate(6.0)
    np.testing.assert_allclose(pop.r, [r0[11], r1[11]])        # pop.r after step 11
    net.simulate(14.0)
    d = m.get()
    assert d["spike"] == {0: [3, 5, 11, 22, 25], 1: [7]}
    np.testing.assert_allclose(d["r"][:, 0], r0)
    np.testing.assert_allclose(d["r"][:, 1], r1)
    np.testing.assert_allclose(pop.r, [0.0, 0.0])               # ANNarchy: 0 at t = 20 ms


def test_clear_restarts_the_counted_history_and_spike_sources_have_no_rate():
    # ANNarchy 5.0.4.1: a SpikeSourceArray's r stays 0 after compute_firing_rate (monitored: all zeros);
    # clear() drops the spike history (r counts only spikes emitted after it).
    net, pop = _relay_net()
    src = net.get_populations()[0]
    pop.compute_firing_rate(5.0)
    src.compute_firing_rate(5.0)
    ms = net.monitor(src, "r")
    net.compile()
    net.simulate(6.0)
    np.testing.assert_allclose(pop.r, [600.0, 200.0])
    pop.clear()
    np.testing.assert_allclose(pop.r, [0.0, 0.0])
    net.simulate(6.0)                                       # relay spike at step 22 (t = 11 ms) only
    np.testing.assert_allclose(pop.r, [200.0, 0.0])
    assert not ms.get("r").any()


def test_firing_rate_without_compute_is_zero_and_rate_populations_unaffected():
    net, pop = _relay_net()
    rate = net.create(1, ann.Neuron(equations="r = 3.0"))
    rate.compute_firing_rate(10.0)                              # no effect on rate-coded neurons (ANNarchy)
    m = net.monitor(pop, "r")
    net.compile()
    net.simulate(10.0)
    assert not m.get("r").any()
    assert rate.r[0] == 3.0
    with pytest.raises(ann.ModelError):
        pop.compute_firing_rate(0.0)


# ANNarchy 5.0.4.1: dt = 1, p1 (a = .5, 1), p2 (a = 1, 2, 3), p3 (a = 1..6) of r = a * (1 + sin(t / 300)),
# e = a * t / 1000; sp: relays of spike trains every 7 ms (from 1) and 13 ms (from 2), compute_firing_rate(50).
# Values at indices 1, 10, 100, 500, 1000, 2000, 2299 of m.get(variable)[:, channel]; F_late starts at 700 ms.
IDX = [1, 10, 100, 500, 1000, 2000, 2299]
ANNARCHY = {
    ("A_RN", "BOLD"): [[0.0], [1.896893227e-09], [2.438068401e-06], [0.0005703435919], [0.005770421445],
                       [0.0249799354], [0.02873427321]],
    ("A_RN", "f_in"): [[1.0], [1.000067982], [1.008059049], [1.249652534], [1.97422304], [3.115284124],
                       [3.415126682]],
    ("C_balloon_RL", "BOLD"): [[-1.262520755e-17], [-2.280372337e-06], [-0.01258617211], [-0.01050243437],
                               [0.004487408215], [0.01281158653], [0.0381495312]],
    ("C_balloon_CL", "BOLD"): [[0.0], [1.367117874e-09], [1.648748409e-06], [0.0003356240362], [0.003323838644],
                               [0.01683561888], [0.0203120543]],
    ("C_balloon_maith2021", "BOLD"): [[0.0], [1.603855569e-09], [1.990927903e-06], [0.0004244161495],
                                      [0.004107951356], [0.02015175936], [0.02422550417]],
    ("D_two", "BOLD"): [[0.0], [7.506776223e-10], [-3.34585145e-07], [-0.0003744501318], [-0.003705967571],
                        [-0.02581047708], [-0.03641860737]],
    ("E_spike", "BOLD"): [[0.0], [1.060597188e-08], [9.51531979e-05], [0.02785015902], [0.07116993567],
                          [0.08870793966], [0.09184533347]],
    ("F_late", "BOLD"): [[2.579938368e-11], [5.776191285e-09], [5.208780032e-06], [0.0007836602437],
                         [0.004841810155], [0.01953516183], [0.02584008557]],
    ("G_slices", "BOLD"): [[0.0, 0.0], [2.529239057e-09, 6.323819141e-09], [3.25596125e-06, 8.217011488e-06],
                           [0.0007735501271, 0.002072027047], [0.007715519933, 0.01834296908],
                           [0.03025637003, 0.04751252159], [0.03403096402, 0.05018755096]],
}


def test_bold_monitors_match_annarchy(paradigm):
    net = ann.Network(dt=1.0)
    N = ann.Neuron(parameters="a = 1.0", equations=["r = a * (1.0 + sin(t / 300.0))", "e = a * t / 1000.0"])
    p1 = net.create(2, N)
    p1.a = [0.5, 1.0]
    p2 = net.create(3, N)
    p2.a = [1.0, 2.0, 3.0]
    p3 = net.create(6, N)
    p3.a = [1, 2, 3, 4, 5, 6]
    src = net.create(ann.SpikeSourceArray(spike_times=[list(np.arange(1.0, 3000, 7.0)),
                                                       list(np.arange(2.0, 3000, 13.0))]))
    sp = net.create(2, ann.Neuron(**RELAY))
    net.connect(src, sp, "exc").one_to_one(1.0)
    sp.compute_firing_rate(50.0)
    mons = {"A_RN": net.boldmonitor([p1, p2], bold.balloon_RN(), recorded_variables=["I_CBF", "BOLD", "f_in"],
                                    start=True)}
    for name in ("balloon_RL", "balloon_CL", "balloon_maith2021"):
        mons["C_" + name] = net.boldmonitor([p1], getattr(bold, name)(), start=True)
    mons["D_two"] = net.boldmonitor([p1], bold.balloon_two_inputs(), mapping={"I_CBF": "r", "I_CMRO2": "e"},
                                    start=True)
    mons["E_spike"] = net.boldmonitor([sp], start=True)
    mons["F_late"] = net.boldmonitor([p2], bold.balloon_RN())
    mons["G_slices"] = net.boldmonitor_from_slices(p3, slices=[[0, 1, 2], [3, 4, 5]], start=True)
    net.compile(paradigm=paradigm)     # the models then run on NumPy, or on C++ for the compiled backends
    net.simulate(700.0)
    mons["F_late"].start()
    net.simulate(2300.0)
    for (name, var), expected in ANNARCHY.items():
        got = mons[name].get(var)
        np.testing.assert_allclose(got[IDX], expected, rtol=1e-6, atol=1e-15, err_msg=f"{name} {var}")
    # I_CBF: the size-weighted mean of the previous step's r (ANNarchy: 0, then 1.5, 1.505, ...)
    np.testing.assert_allclose(mons["A_RN"].I_CBF[:3, 0], [0.0, 1.5, 1.50499999], rtol=1e-8)
    assert mons["A_RN"].get("BOLD").shape == (0, 1)             # get() empties the recording


def test_bold_normalized_input_matches_annarchy():
    # ANNarchy 5.0.4.1: p1 as above, boldmonitor([p1], balloon_RN(), normalize_input=[100]), compile,
    # simulate(50), m.start(), simulate(400), m.get('I_CBF'): 0 for the first 100 ms after start(), then
    # (x - baseline) / baseline with baseline the mean input of those 100 ms (ANNarchy's baseline differs
    # from the float64 mean by ~1e-7 relative: rtol 1e-6).
    net = ann.Network(dt=1.0)
    p1 = net.create(2, ann.Neuron(parameters="a = 1.0", equations="r = a * (1.0 + sin(t / 300.0))"))
    p1.a = [0.5, 1.0]
    m = net.boldmonitor([p1], bold.balloon_RN(), normalize_input=[100], recorded_variables=["I_CBF", "BOLD"])
    net.compile()
    net.simulate(50.0)
    m.start()
    net.simulate(400.0)
    i_cbf = m.get("I_CBF")[:, 0]
    assert i_cbf.shape == (400,) and not i_cbf[:100].any()
    np.testing.assert_allclose(i_cbf[[100, 101, 200, 399]], [0.11773304195647669, 0.11994953553158909,
                                                               0.315642697100071, 0.5117628452023468], rtol=1e-6)


def test_bold_monitor_errors():
    net = ann.Network(dt=1.0)
    p = net.create(2, ann.Neuron(equations="r = 1.0"))
    with pytest.raises(ann.ModelError):
        net.boldmonitor([p], bold.balloon_RN(), recorded_variables=["nope"])
    with pytest.raises(ann.ModelError):
        net.boldmonitor([p], bold.balloon_two_inputs())            # no mapping for I_CMRO2
    with pytest.raises(ann.ModelError):
        net.boldmonitor([p], bold.balloon_RN(), mapping={"I_CBF": "u"})


def test_bold_get_in_pieces_continues_the_same_signal():
    # the C_balloon_CL case above (p1 only), read in two get() calls: the concatenation is ANNarchy's signal
    net = ann.Network(dt=1.0)
    p1 = net.create(2, ann.Neuron(parameters="a = 1.0", equations="r = a * (1.0 + sin(t / 300.0))"))
    p1.a = [0.5, 1.0]
    m = net.boldmonitor([p1], bold.balloon_CL(), start=True)
    net.compile(paradigm="numpy")
    net.simulate(1001.0)
    first = m.get("BOLD")
    net.simulate(1299.0)
    both = np.concatenate([first, m.get("BOLD")])
    assert first.shape == (1001, 1) and both.shape == (2300, 1)
    np.testing.assert_allclose(both[IDX], ANNARCHY[("C_balloon_CL", "BOLD")], rtol=1e-6, atol=1e-15)
