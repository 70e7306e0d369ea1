"""ANNarchy 5 accepts a neuron's ``reset`` as a list of statements (its Ramp notebook: ``reset=["v = c",
"u += d"]``).  Measured (under load) on ANNarchy 5.0.4.1: the Izhikevich-like neuron below, driven by a
constant 10, dt 1 ms, 50 ms: spikes at steps 4 and 31 and ``u`` = -4.089014360805824 at the last step.
"""
import numpy as np

import annstudio.engine as ann


def test_reset_given_as_a_list_of_statements(paradigm):
    n = ann.Neuron(parameters=dict(c=-65.0, d=8.0),
                   equations=[ann.Variable("dv/dt = 0.04*v*v + 5*v + 140 - u + 10", init=-65.0),
                              ann.Variable("du/dt = 0.02*(0.2*v - u)", init=-13.0)],
                   spike="v >= 30.", reset=["v = c", "u += d"])
    net = ann.Network(dt=1.0)
    pop = net.create(1, n)
    m = net.monitor(pop, ["spike", "u"])
    net.compile(paradigm=paradigm)
    net.simulate(50.0)
    d = m.get()
    assert d["spike"] == {0: [4, 31]}
    np.testing.assert_allclose(d["u"][-1, 0], -4.089014360805824, rtol=1e-12)
