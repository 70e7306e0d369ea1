"""``Population.disable()`` / ``enable()`` / ``enabled`` as ANNarchy 5.0.4.1 and 4.8.2.6 run them (the same numbers on
both, dt = 1 ms; docs/annarchy-semantics.md, section p): a disabled population is not updated (values, refractory
counters, spike and rate histories, a source's schedule stand still), nothing is transmitted into it and the
projections into it do not learn; monitors keep recording it; its last spikes are sent again every step and its
outgoing projections keep learning.  The numbers below are what ANNarchy printed for the same scripts.
The compiled backends must give the NumPy reference's numbers (bit for bit on the C++ backend, threads included).
"""
import numpy as np
import pytest

import annstudio.engine as ann
from backend_fixtures import setup_backend

LIF = ann.Neuron(parameters="tau = 10.0\n v_rest = -70.0\n v_th = -50.0\n i_off = 25.0\n tau_e = 5.0",
                 equations="tau * dv/dt = v_rest - v + g_exc + i_off : init=-70.0\n tau_e * dg_exc/dt = -g_exc",
                 spike="v > v_th", reset="v = v_rest", refractory=3.0)
RELAY = ann.Neuron(parameters="tau_e = 5.0", equations="tau_e * dg_exc/dt = -g_exc\n v = g_exc",
                   spike="v > 1000.0", reset="")
COUNT = ann.Synapse(pre_spike="g_target += w\n w += 0.5", post_spike="w += 100.0")


def _lif_pair(paradigm, num_threads=None):
    net = ann.Network(dt=1.0, seed=1)
    a, b = net.create(5, LIF), net.create(2, LIF)
    net.connect(a, b, "exc").all_to_all(weights=2.0)
    ma, mb = net.monitor(a, ["v", "spike"]), net.monitor(b, ["v", "g_exc"])
    net.compile(paradigm=paradigm, num_threads=num_threads)
    a.i_off = np.array([25.0, 27.0, 30.0, 35.0, 40.0])
    b.i_off = 15.0
    return net, a, b, ma, mb


def test_a_disabled_population_is_frozen_and_receives_nothing(paradigm):
    net, a, b, ma, mb = _lif_pair(paradigm)
    assert a.enabled is True
    net.simulate(10)
    backend = net._sim.backend
    a.disable()
    assert a.enabled is False and net._sim.backend is backend        # a runtime switch: no rebuild
    net.simulate(10)
    a.enable()
    net.simulate(10)
    b.disable()
    v_b = b.v.copy()
    net.simulate(10)
    np.testing.assert_array_equal(b.v, v_b)
    b.enable()
    net.simulate(10)
    va, vb, gb = ma.get("v"), mb.get("v"), mb.get("g_exc")
    # ANNarchy: A.v rows 9..19 all hold the value at disable (recorded while disabled), then resume
    np.testing.assert_allclose(va[9], [-53.716961, -52.41431788, -50.4603532, -70.0, -70.0], atol=1e-6)
    assert (va[10:20] == va[9]).all()
    np.testing.assert_allclose(va[20], [-52.845, -51.473, -70.0, -70.0, -66.0], atol=1e-3)
    # neuron 3 spiked at 8 (refractory 3 ms): its 2 steps left are spent after enable(), free from row 22
    np.testing.assert_allclose(va[20:23, 3], [-70.0, -70.0, -66.5], atol=1e-9)
    assert ma.get("spike") == {0: [25, 44], 1: [22, 38], 2: [20, 34, 48], 3: [8, 30, 42], 4: [6, 26, 36, 46]}
    # B's conductance only decays while A is disabled (no spike of A reaches it), frozen while B is disabled
    np.testing.assert_allclose(gb[10:21, 0], [2.624, 2.099, 1.679, 1.343, 1.075, 0.86, 0.688, 0.55, 0.44, 0.352,
                                              0.282], atol=1e-3)
    assert (gb[30:41, 0] == gb[30, 0]).all() and abs(gb[30, 0] - 2.561) < 1e-3
    np.testing.assert_allclose(gb[41:44, 0], [2.049, 1.639, 3.311], atol=1e-3)
    np.testing.assert_allclose(vb[29:40, 0], -53.29945437, atol=1e-7)
    np.testing.assert_allclose(vb[40:43, 0], [-53.213, -53.187, -53.204], atol=1e-3)


def test_a_disabled_source_sends_its_last_spikes_again_and_its_projections_learn(paradigm):
    net = ann.Network(dt=1.0, seed=1)
    src = net.create(ann.SpikeSourceArray(spike_times=[[9.0], [3.0, 4.0]]))
    relay, other = net.create(2, RELAY), net.create(3, RELAY)
    proj = net.connect(src, relay, "exc", synapse=COUNT)
    proj.all_to_all(weights=1.0)
    cont = net.connect(src, other, "exc", synapse=ann.Synapse(equations="dz/dt = 1.0"))
    cont.all_to_all(weights=0.0)
    ms, mr = net.monitor(src, ["spike"]), net.monitor(relay, ["g_exc"])
    net.compile(paradigm=paradigm)
    net.simulate(10)
    assert np.asarray(proj.w).tolist() == [[1.0, 2.0], [1.0, 2.0]]
    src.disable()
    net.simulate(5)
    assert np.asarray(proj.w).tolist() == [[3.5, 2.0], [3.5, 2.0]]    # pre_spike ran 5 more times
    np.testing.assert_array_equal(np.asarray(cont.z)[0], [15.0, 15.0])
    src.enable()
    net.simulate(5)
    other.disable()                                                   # projections into it stop learning
    net.simulate(5)
    np.testing.assert_array_equal(np.asarray(cont.z)[0], [20.0, 20.0])
    assert ms.get("spike") == {0: [9, 10, 11, 12, 13, 14], 1: [3, 4]}
    np.testing.assert_allclose(mr.get("g_exc")[:20, 0],
                               [0, 0, 0, 0, 1, 2.3, 1.84, 1.472, 1.1776, 0.9421, 1.7537, 2.9029, 4.3223, 5.9579,
                                7.7663, 9.713, 7.7704, 6.2163, 4.9731, 3.9785], atol=1e-4)


def test_rate_populations_sums_learning_and_input_arrays(paradigm):
    src = ann.Neuron(parameters="k = 1.0", equations="r = k * t")
    out = ann.Neuron(equations="tau = 2.0\n tau * dv/dt = -v + sum(exc)\n r = v")
    net = ann.Network(dt=1.0, seed=1)
    a, b, inp = net.create(2, src), net.create(2, out), net.create(ann.InputArray(geometry=2))
    hebb = net.connect(a, b, "exc", synapse=ann.Synapse(equations="dw/dt = 0.001 * pre.r"))
    hebb.one_to_one(weights=1.0)
    net.connect(inp, b, "exc").one_to_one(weights=1.0)
    ma, mb = net.monitor(a, ["r"]), net.monitor(b, ["r"])
    net.compile(paradigm=paradigm)
    a.k = [1.0, 2.0]
    inp.r = [0.5, 0.25]
    net.simulate(5)
    a.disable()
    inp.disable()
    net.simulate(3)
    inp.r = [7.0, 8.0]
    net.simulate(2)
    a.enable()
    inp.enable()
    net.simulate(3)
    np.testing.assert_allclose(np.asarray(hebb.w).ravel(), [1.063, 1.126], atol=1e-12)
    b.disable()
    net.simulate(4)
    np.testing.assert_allclose(np.asarray(hebb.w).ravel(), [1.063, 1.126], atol=1e-12)
    np.testing.assert_allclose(b.sum("exc"), [18.561, 32.244], atol=1e-9)
    b.enable()
    net.simulate(2)
    np.testing.assert_array_equal(ma.get("r")[:, 1], [0, 2, 4, 6, 8, 8, 8, 8, 8, 8, 20, 22, 24, 26, 28, 30, 32, 34, 36])
    np.testing.assert_allclose(mb.get("r")[:, 0], [0.25, 0.375, 0.938, 1.722, 2.62, 3.58, 4.068, 4.32, 7.704, 9.404,
                                                   10.262, 13.831, 16.196, 16.196, 16.196, 16.196, 16.196, 20.102,
                                                   22.731], atol=1e-3)


def test_delay_queues_and_schedules_stand_still(paradigm):
    net = ann.Network(dt=1.0, seed=1)
    ssa = net.create(ann.SpikeSourceArray(spike_times=[[9.0, 12.0, 20.0], [11.0]]))
    ta = net.create(ann.TimedArray(rates=np.arange(1.0, 9.0).reshape(8, 1), schedule=2.0))
    ramp = net.create(1, ann.Neuron(equations="r = t"))
    relay = net.create(1, ann.Neuron(equations="v = g_exc", spike="v > 1000.0", reset=""))
    late, copy = net.create(1, ann.Neuron(equations="r = sum(exc)")), net.create(1, ann.Neuron(equations="r = sum(exc)"))
    net.connect(ssa, relay, "exc").all_to_all(weights=1.0, delays=3.0)
    net.connect(ramp, late, "exc").all_to_all(weights=1.0, delays=3.0)
    net.connect(ta, copy, "exc").all_to_all(weights=1.0)
    ms, mg, ml, mt = (net.monitor(ssa, ["spike"]), net.monitor(relay, ["g_exc"]), net.monitor(late, ["r"]),
                      net.monitor(copy, ["r"]))
    net.compile(paradigm=paradigm)
    net.simulate(10)
    for p in (ssa, ta, ramp):
        p.disable()
    net.simulate(5)
    for p in (ssa, ta, ramp):
        p.enable()
    net.simulate(15)
    assert ms.get("spike") == {0: [9, 10, 11, 12, 13, 14, 17, 25], 1: [16]}
    assert np.nonzero(mg.get("g_exc")[:, 0])[0].tolist() == [17, 19, 20, 28]
    np.testing.assert_array_equal(ml.get("r")[:, 0], [0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 7, 7, 7, 7, 7, 8, 9, 15, 16,
                                                      17, 18, 19, 20, 21, 22, 23, 24, 25, 26])
    np.testing.assert_array_equal(mt.get("r")[:, 0], [0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 5, 5, 5, 5, 5, 6, 6, 7, 7, 8,
                                                      8, 8, 8, 8, 8, 8, 8, 8, 8])


def test_the_4x_api_and_disable_before_compile(paradigm):
    """4.x global objects; a reset conductance reads 0 while disabled (ANNarchy 4.8.2.6 and 5.0.4.1: v 0.271 frozen,
    g 1, 1, 1 then 0 x 4); disable() before compile() holds after it (5.0.4.1: r stays 0)."""
    setup_backend("numpy")                    # (the paradigm is chosen at compile: the CUDA tests emulate it)
    ssa = ann.SpikeSourceArray(spike_times=[[float(s) for s in range(1, 13)]])
    pop = ann.Population(1, ann.Neuron(equations="tau = 10.0 : population\n tau * dv/dt = -v + g_exc",
                                       spike="v > 100.0", reset="v = 0"))
    ann.Projection(ssa, pop, "exc").connect_all_to_all(weights=1.0)
    ramp = ann.Population(2, ann.Neuron(equations="r = t"))
    ramp.disable()
    m = ann.Monitor(pop, ["v", "g_exc"])
    ann.compile(paradigm=paradigm)
    assert ramp.enabled is False
    ann.simulate(5)
    pop.disable()
    ann.simulate(4)
    pop.enable()
    ann.simulate(5)
    np.testing.assert_allclose(m.get("v")[:, 0], [0, 0, 0.1, 0.19, 0.271, 0.271, 0.271, 0.271, 0.271, 0.3439,
                                                  0.4095, 0.4686, 0.5217, 0.5695], atol=1e-4)
    np.testing.assert_array_equal(m.get("g_exc")[:, 0], [0, 0, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 1])
    np.testing.assert_array_equal(ramp.r, [0.0, 0.0])
    ramp.enabled = True
    ann.simulate(1)
    np.testing.assert_array_equal(ramp.r, [14.0, 14.0])


def _network(paradigm, num_threads=None):
    """Spiking and rate populations with delays, STDP into and out of the populations switched."""
    rng = np.random.default_rng(3)
    net = ann.Network(dt=0.5, seed=2)
    times = [sorted(set(np.round(rng.uniform(0, 60, 8), 1).tolist())) for _ in range(40)]
    src = net.create(ann.SpikeSourceArray(spike_times=times))
    exc = net.create(80, ann.Izhikevich)
    rate = net.create(30, ann.Neuron(parameters="tau = 5.0", equations="tau * dr/dt = sum(exc) - r + 0.1 * t"))
    net.connect(src, exc, "exc", synapse=ann.STDP).fixed_probability(0.3, weights=1.5, delays=2.0)
    net.connect(exc, exc, "inh").fixed_probability(0.1, weights=0.5, delays=ann.Uniform(0.5, 3.0))
    net.connect(rate, rate, "exc").fixed_probability(0.2, weights=0.05, delays=1.5)
    monitors = [net.monitor(exc, ["v", "spike", "g_exc"]), net.monitor(rate, "r"), net.monitor(src, "spike")]
    net.compile(paradigm=paradigm, num_threads=num_threads)
    exc.i_offset = 4.0
    return net, src, exc, rate, monitors


def _run(net, src, exc, rate):
    net.simulate(10.0)
    exc.disable()
    rate.disable()
    net.simulate(7.5)
    exc.enable()
    src.disable()
    net.simulate(6.0)
    rate.enable()
    src.enable()
    net.simulate(20.0)


@pytest.mark.parametrize("threads", [1, 2])
def test_compiled_backends_match_the_reference(compiled_paradigm, threads):
    ref = _network("numpy")
    other = _network(compiled_paradigm, threads)
    _run(*ref[:4])
    _run(*other[:4])
    assert ref[4][0].get("spike") == other[4][0].get("spike")
    assert ref[4][2].get("spike") == other[4][2].get("spike")
    tol = 1e-9 if compiled_paradigm == "cuda" else 1e-12    # (CUDA's atomics sum in another order: 8e-12 on an H100)
    for name in ("v", "g_exc"):
        np.testing.assert_allclose(other[4][0].get(name), ref[4][0].get(name), rtol=tol, atol=tol)
    np.testing.assert_allclose(other[4][1].get("r"), ref[4][1].get("r"), rtol=tol, atol=tol)
    w_ref, w_other = ref[0].projections[0].w, other[0].projections[0].w
    np.testing.assert_allclose(np.concatenate(w_other), np.concatenate(w_ref), rtol=1e-12)


@pytest.mark.parametrize("make", [lambda net: net.create(ann.PoissonPopulation(20, rates=300.0)),
                                  lambda net: net.create(ann.HomogeneousCorrelatedSpikeTrains(
                                      20, rates=300.0, corr=0.3, tau=10.0))], ids=["poisson", "correlated"])
def test_disabled_spike_generators_send_their_last_spikes_every_step(paradigm, make):
    net = ann.Network(dt=1.0, seed=5)
    gen = make(net)
    relay = net.create(20, RELAY)
    net.connect(gen, relay, "exc").one_to_one(weights=1.0)
    mg, mr = net.monitor(gen, "spike"), net.monitor(relay, "g_exc")
    net.compile(paradigm=paradigm)
    net.simulate(10)
    gen.disable()
    net.simulate(6)
    gen.enable()
    net.simulate(10)
    spikes = mg.get("spike")
    last = sorted(n for n, ts in spikes.items() if 9 in ts)
    assert last, "no spike at the last step before disable(): pick another seed"
    for step in range(10, 16):                  # recorded again, step after step, and nothing else
        assert sorted(n for n, ts in spikes.items() if step in ts) == last
    g = mr.get("g_exc")
    for step in range(11, 17):                  # each re-sent spike adds w = 1 into a decaying conductance
        np.testing.assert_allclose(g[step, last], g[step - 1, last] * 0.8 + 1.0, rtol=1e-12)   # explicit Euler
    assert any(ts and ts[-1] > 16 for ts in spikes.values())      # enabled again: new draws


def test_the_switch_and_the_clocks_survive_a_restructure(paradigm):
    """Creating a synapse rebuilds the backend (structural plasticity): a disabled source stays disabled, and its
    schedule stays as late as the steps it spent disabled (the spike at 12 comes at 17 after 5 disabled steps)."""
    net = ann.Network(dt=1.0, seed=1)
    net.config(structural_plasticity=True)
    ssa = net.create(ann.SpikeSourceArray(spike_times=[[5.0, 12.0]]))
    relay = net.create(2, RELAY)
    proj = net.connect(ssa, relay, "exc")
    proj.all_to_all(weights=1.0)
    ramp = net.create(1, ann.Neuron(equations="r = t"))
    net.connect(ramp, relay, "inh").all_to_all(weights=0.0)
    m = net.monitor(ssa, "spike")
    net.compile(paradigm=paradigm)
    net.simulate(6)
    ssa.disable()
    ramp.disable()
    net.simulate(3)
    before = net._sim.backend
    proj.dendrite(0).prune_synapse(0)
    assert net._sim.backend is not before and proj.nb_synapses == 1
    net.simulate(2)
    ssa.enable()
    net.simulate(10)
    assert m.get("spike") == {0: [5, 6, 7, 8, 9, 10, 17]}
    assert ramp.enabled is False and ramp.r[0] == 5.0
