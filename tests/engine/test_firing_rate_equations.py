"""``r`` of a spiking population after ``compute_firing_rate(window)`` is a kernel variable that equations read
(a synapse's ``pre.r`` / ``post.r``), the same on every backend, as measured on ANNarchy 5.0.4.1.

Measured (under load, which changes no number here): dt 0.5 ms, a SpikeSourceArray
``[[1, 2, 5, 10.5, 12], [3, 4]]`` drives relays A (``v = g_exc``, spike ``v > 0.5``) one-to-one, A drives relays B
the same way through a synapse ``x = pre.r + 0.001 * post.r`` (pre_spike ``g_target += w``);
``A.compute_firing_rate(5.0)``, ``B.compute_firing_rate(3.0)``; ``x`` read after each of 40 steps.  Every value is
``200 * a + 0.001 * (1000 / 3) * b`` with ``a`` A's spikes in the last 10 steps and ``b`` B's in the last 6
(the spikes of the step itself count: the synapse reads r after the neuron update); the counts below give
ANNarchy's values to 1e-12.
"""
import numpy as np

import annstudio.engine as ann

# per synapse (rank 0, rank 1): A's and B's counts at steps 0..39, read from ANNarchy's x
COUNTS = {0: ("0001122222233221111110111222222211100000", "0000112222111111110000011122211100000000"),
          1: ("0000000112222222211000000000000000000000", "0000000011222211000000000000000000000000")}


def _expected():
    cols = []
    for j in (0, 1):
        a, b = (np.array([int(c) for c in s], dtype=float) for s in COUNTS[j])
        cols.append(a * 200.0 + 0.001 * (b * (1000.0 / 3.0)))
    return np.stack(cols, axis=1)


def build():
    net = ann.Network(dt=0.5)
    src = net.create(ann.SpikeSourceArray(spike_times=[[1.0, 2.0, 5.0, 10.5, 12.0], [3.0, 4.0]]))
    relay = ann.Neuron(equations="v = g_exc", spike="v > 0.5", reset="")
    a, b = net.create(2, relay), net.create(2, relay)
    net.connect(src, a, "exc").one_to_one(1.0)
    syn = ann.Synapse(equations="x = pre.r + 0.001 * post.r", pre_spike="g_target += w")
    proj = net.connect(a, b, "exc", synapse=syn)
    proj.one_to_one(1.0)
    a.compute_firing_rate(5.0)
    b.compute_firing_rate(3.0)
    return net, a, b, proj


def run(paradigm):
    net, a, b, proj = build()
    m = net.monitor(a, "r")
    net.compile(paradigm=paradigm)
    xs = []
    for _ in range(40):
        net.simulate(0.5)
        xs.append(np.ravel(proj.x).astype(float))
    return np.array(xs), m.get("r")


def test_synapses_read_the_computed_rate_as_annarchy(paradigm):
    xs, ra = run(paradigm)
    np.testing.assert_allclose(xs, _expected(), rtol=1e-12, atol=1e-12)
    a_counts = np.stack([[int(c) for c in COUNTS[j][0]] for j in (0, 1)], axis=1)
    np.testing.assert_allclose(ra, a_counts * 200.0, rtol=0, atol=1e-12)     # monitored r: the kernel's


def test_clear_drops_the_counted_spikes_and_the_delayed_ones(paradigm):
    # ANNarchy 5.0.4.1: SpikeSourceArray [[2, 4], [3]] -> A one-to-one, A -> B one-to-one with a 3 ms delay,
    # dt 1, A.compute_firing_rate(5); simulate(5), A.clear(), simulate(10): B spikes at {0: [8], 1: []} (A's
    # spikes of steps 3 and 4, still travelling, are dropped) and A's r is 200 at steps 5..9 then 0 (the spike
    # of step 3 no longer counts)
    net = ann.Network(dt=1.0)
    ssa = net.create(ann.SpikeSourceArray(spike_times=[[2.0, 4.0], [3.0]]))
    relay = ann.Neuron(equations="v = g_exc", spike="v > 0.5", reset="")
    a, b = net.create(2, relay), net.create(2, relay)
    net.connect(ssa, a, "exc").one_to_one(1.0)
    net.connect(a, b, "exc").one_to_one(1.0, delays=3.0)
    a.compute_firing_rate(5.0)
    mb, ma = net.monitor(b, "spike"), net.monitor(a, "r")
    net.compile(paradigm=paradigm)
    net.simulate(5.0)
    a.clear()
    net.simulate(10.0)
    assert mb.get("spike") == {0: [8], 1: []}
    np.testing.assert_allclose(ma.get("r")[5:, 0], [200.0] * 5 + [0.0] * 5)
    np.testing.assert_allclose(ma.get("r")[5:, 1], 0.0)
