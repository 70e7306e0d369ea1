"""Numbers measured with ANNarchy 4.8.2.6 on the same models: annstudio reproduces them.

(The values were recorded by running ANNarchy itself; see docs/annarchy-semantics.md.)
"""
import numpy as np
import pytest

from annstudio.engine import Izhikevich, Monitor, Neuron, Population, compile, setup, simulate

COUPLED = """
    x = v * 2.0
    tau * dv/dt = -v + u + I : {m}
    du/dt = a * (b * v - u) : {m}
    r = v + u
"""
ANNARCHY_48 = {   # v, u, r after steps 0, 1, 2 (dt = 0.1, tau = 10, I = 1, a = 0.1, b = 0.5)
    "explicit": ([0.01, 0.0199, 0.0297015], [0, 5.0e-05, 1.49e-04], [0.01, 0.01995, 0.0298505]),
    "midpoint": ([0.00995, 0.01980149, 0.02955594], [2.5e-05, 9.900e-05, 2.2104e-04],
                 [0.009975, 0.0199005, 0.02977698]),
    "rk4": ([0.00995025, 0.01980198, 0.02955667], [2.4834e-05, 9.8678e-05, 2.2056e-04],
            [0.00997508, 0.01990066, 0.02977722]),
    "implicit": ([0.00990148, 0.01970588, 0.02941463], [4.9017e-05, 1.46086e-04, 2.90256e-04],
                 [0.00995049, 0.01985196, 0.02970489]),
    "exponential": ([0.00995017, 0.01980133, 0.02955496], [0, 4.9503e-05, 1.47524e-04],
                    [0.00995017, 0.01985083, 0.02970248]),
}


@pytest.mark.parametrize("method", sorted(ANNARCHY_48))
def test_coupled_odes_and_assignments_match_annarchy(method):
    setup(dt=0.1, paradigm="numpy")
    n = Neuron(parameters="tau = 10.0; I = 1.0; a = 0.1; b = 0.5", equations=COUPLED.format(m=method))
    pop = Population(1, n)
    m = Monitor(pop, ["v", "u", "r", "x"])
    compile()
    simulate(0.3)
    data = m.get()
    v_ref, u_ref, r_ref = ANNARCHY_48[method]
    assert data["v"][:, 0] == pytest.approx(v_ref, rel=1e-5, abs=1e-9)
    assert data["u"][:, 0] == pytest.approx(u_ref, rel=1e-4, abs=1e-9)
    assert data["r"][:, 0] == pytest.approx(r_ref, rel=1e-5, abs=1e-9)   # r sees the new v and u
    assert data["x"][0, 0] == 0.0                                          # x saw the old v


def test_lif_spike_steps_match_annarchy():
    setup(dt=0.1, paradigm="numpy")
    lif = Neuron(parameters="tau = 10.0\nI = 2.0\nvt = 1.0", equations="tau * dv/dt = -v + I",
                 spike="v > vt", reset="v = 0.0", refractory=2.0)
    pop = Population(1, lif)
    m = Monitor(pop, ["v", "spike"])
    compile()
    simulate(100.0)
    assert m.get("spike")[0][:5] == [68, 157, 246, 335, 424]
    v = m.get("v")[:, 0]
    assert v[68] == 0.0 and np.all(v[69:89] == 0.0) and v[89] == pytest.approx(0.02)


@pytest.mark.parametrize("dt,steps", [(0.1, [33, 270, 721, 1172, 1623, 2074, 2525, 2976]),
                                      (1.0, [4, 31, 78, 125, 172, 219, 266, 313])])
def test_izhikevich_regular_spiking_matches_annarchy(dt, steps):
    setup(dt=dt, paradigm="numpy")
    pop = Population(1, Izhikevich(i_offset=10.0))
    m = Monitor(pop, "spike")
    compile()
    simulate(1000.0)
    spikes = m.get("spike")[0]
    assert spikes[:8] == steps
    assert len(spikes) == (23 if dt == 0.1 else 22)
