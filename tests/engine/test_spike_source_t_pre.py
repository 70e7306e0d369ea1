"""A SpikeSourceArray as the presynaptic population of a synapse reading ``t_pre``: it runs its own reset, so
``t_pre`` follows its spikes, as measured on ANNarchy 5.0.4.1.

Measured (under load, which changes no number here): a SpikeSourceArray ``[[5], [8]]`` all-to-all onto 2
neurons that spike every step, synapse ``x = t_pre`` (pre_spike ``g_target += w``); ``x`` read after every
step: ``-10000 * dt`` before the presynaptic neuron's first spike (-5000 at dt 0.5, -10000 at dt 1), then the
time of its last spike from the step of that spike on (the synapse reads it after the neuron update); after
``net.reset()`` and one step: ``-10000 * dt`` again.
"""
import numpy as np

import annstudio.engine as ann

TIMES = (5.0, 8.0)


def run(paradigm, dt, steps=20):
    net = ann.Network(dt=dt)
    src = net.create(ann.SpikeSourceArray(spike_times=[[TIMES[0]], [TIMES[1]]]))
    post = net.create(2, ann.Neuron(equations="v = 1.0", spike="v > 0.5", reset=""))
    syn = ann.Synapse(equations="x = t_pre", pre_spike="g_target += w")
    proj = net.connect(src, post, "exc", synapse=syn)
    proj.all_to_all(1.0)
    net.compile(paradigm=paradigm)
    out = []
    for _ in range(steps):
        net.simulate(dt)
        out.append(np.ravel(proj.x).astype(float))
    net.reset()
    net.simulate(dt)
    out.append(np.ravel(proj.x).astype(float))
    return np.array(out)


def expected(dt, steps=20):
    rows = []
    for k in range(steps):
        row = [t if k * dt >= t else -10000.0 * dt for t in TIMES]
        rows.append(row * 2)                        # synapses (post 0: pre 0, pre 1), (post 1: pre 0, pre 1)
    rows.append([-10000.0 * dt] * 4)
    return np.array(rows)


def test_t_pre_of_a_spike_source_matches_annarchy(paradigm):
    np.testing.assert_allclose(run(paradigm, 0.5), expected(0.5))
    np.testing.assert_allclose(run(paradigm, 1.0, 10), expected(1.0, 10))
