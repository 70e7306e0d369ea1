"""compute_firing_rate's r computed in the kernels: a recurrent Izhikevich network whose synapses read
``pre.r`` and ``post.r``, driven by fixed random spike trains, gives the NumPy reference's r bit for bit on
the compiled backends (C++ with 1 and 2 threads: the count is kept per thread block; double and float)."""
import numpy as np
import pytest

import annstudio.engine as ann


def run(paradigm, threads=1, dtype=np.float64):
    rng = np.random.default_rng(5)
    trains = [sorted(set(np.round(rng.uniform(0, 150, 15) * 2) / 2)) for _ in range(120)]
    net = ann.Network(dt=0.5, seed=3, dtype=dtype)
    src = net.create(ann.SpikeSourceArray(spike_times=trains))
    izh = net.create(90, ann.Izhikevich)
    net.connect(src, izh, "exc").fixed_probability(0.1, weights=15.0, delays=2.0)
    syn = ann.Synapse(equations="x = pre.r - 0.5 * post.r", pre_spike="g_target += w * (1.0 + 0.001 * x)")
    rec = net.connect(izh, izh, "inh", synapse=syn)
    rec.fixed_probability(0.05, weights=0.5)
    izh.compute_firing_rate(7.0)
    m = net.monitor(izh, ["r", "spike"])
    net.compile(paradigm=paradigm, num_threads=threads)
    net.simulate(150.0)
    d = m.get()
    return d["r"], d["spike"], rec


@pytest.mark.parametrize("threads,dtype", [(1, np.float64), (2, np.float64), (2, np.float32)])
def test_kernel_rate_matches_the_reference(compiled_paradigm, threads, dtype):
    r_ref, s_ref, _ = run("numpy", dtype=dtype)
    assert r_ref.max() > 0 and sum(map(len, s_ref.values())) > 50
    # r is the windowed count: check the reference against the spikes themselves
    counts = np.zeros_like(r_ref)
    for i, steps in s_ref.items():
        for s in steps:
            counts[s:s + 14, i] += 1                        # window 7 ms = 14 steps, the spike's own step included
    np.testing.assert_array_equal(r_ref, (counts * dtype(1000.0 / 7.0)).astype(dtype))
    r, s, _ = run(compiled_paradigm, threads, dtype)
    assert s == s_ref
    np.testing.assert_array_equal(r, r_ref)
