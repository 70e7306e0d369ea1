"""The CUDA kernels drop the spikes waiting in their delay rings at reset() and at a SpikeSourceArray's
clear(), as ANNarchy 5.0.4.1 does (numbers measured there: see tests/engine/test_reset_delays.py)."""
import annstudio.engine as ann


def _relays(backend):
    net = ann.Network(dt=1.0)
    ssa = net.create(ann.SpikeSourceArray(spike_times=[[2.0, 4.0], [3.0]]))
    relay = net.create(2, ann.Neuron(equations="v = g_exc", spike="v > 0.5", reset=""))
    net.connect(ssa, relay, "exc").one_to_one(1.0, delays=3.0)
    m = net.monitor(relay, "spike")
    net.compile(paradigm=backend)
    return net, ssa, m


def test_clear_and_reset_drop_travelling_spikes(backend):
    net, ssa, m = _relays(backend)
    net.simulate(4.0)
    ssa.clear()
    net.simulate(10.0)
    assert m.get("spike") == {0: [9, 11], 1: [10]}
    net.simulate(4.0)                     # the source spikes again at 16 and 17 (2 and 3 after a clear at 14)
    net.reset()
    net.simulate(10.0)
    assert m.get("spike") == {0: [5, 7], 1: [6]}


def test_reset_replays_the_draws(backend):
    # the network and its assertions: tests/engine/test_reset_delays.py
    from engine.test_reset_delays import replayed_after_reset
    replayed_after_reset(backend)


def test_computed_rate_read_by_synapses(backend):
    # compute_firing_rate's r in the CUDA kernels: the numbers measured on ANNarchy 5.0.4.1
    # (tests/engine/test_firing_rate_equations.py, which builds the network)
    import numpy as np
    from engine.test_firing_rate_equations import COUNTS, _expected, run
    xs, ra = run(backend)
    np.testing.assert_allclose(xs, _expected(), rtol=1e-12, atol=1e-12)
    a_counts = np.stack([[int(c) for c in COUNTS[j][0]] for j in (0, 1)], axis=1)
    np.testing.assert_allclose(ra, a_counts * 200.0, rtol=0, atol=1e-12)


def test_spike_source_t_pre(backend):
    # a SpikeSourceArray runs its own reset: t_pre as measured on ANNarchy 5.0.4.1
    # (tests/engine/test_spike_source_t_pre.py)
    import numpy as np
    from engine.test_spike_source_t_pre import expected, run
    np.testing.assert_allclose(run(backend, 1.0), expected(1.0))


def test_population_clear_with_computed_rate(backend):
    # ANNarchy 5.0.4.1 (tests/engine/test_firing_rate_equations.py): A.clear() drops A's counted spikes and
    # the delayed ones; r read before the clear (a host copy lent out) must not come back
    import numpy as np
    net = ann.Network(dt=1.0)
    ssa = net.create(ann.SpikeSourceArray(spike_times=[[2.0, 4.0], [3.0]]))
    relay = ann.Neuron(equations="v = g_exc", spike="v > 0.5", reset="")
    a, b = net.create(2, relay), net.create(2, relay)
    net.connect(ssa, a, "exc").one_to_one(1.0)
    net.connect(a, b, "exc").one_to_one(1.0, delays=3.0)
    a.compute_firing_rate(5.0)
    mb, ma = net.monitor(b, "spike"), net.monitor(a, "r")
    net.compile(paradigm=backend)
    net.simulate(5.0)
    np.testing.assert_allclose(a.r, [200.0, 200.0])                 # ANNarchy: [200, 200]
    a.clear()
    net.simulate(10.0)
    assert mb.get("spike") == {0: [8], 1: []}
    np.testing.assert_allclose(ma.get("r")[5:, 0], [200.0] * 5 + [0.0] * 5)
    np.testing.assert_allclose(ma.get("r")[5:, 1], 0.0)


def test_computed_rate_in_a_recurrent_network(backend):
    # the CUDA kernels' r (atomics: +1/-1 in any order, exact) against the NumPy reference, double and float
    import numpy as np
    from codegen.test_firing_rate_kernel import run
    for dtype in (np.float64, np.float32):
        r_ref, s_ref, _ = run("numpy", dtype=dtype)
        r, s, _ = run(backend, dtype=dtype)
        assert s == s_ref
        np.testing.assert_array_equal(r, r_ref)
