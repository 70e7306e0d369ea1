"""ANNarchy 4.8 API gaps of issue 16 (item 2), each against what ANNarchy 4.8.2.6 printed.

The expected values come from ``benchmarks/peers/annarchy48_probe.py`` run with ANNarchy 4.8.2.6 (case name in
each test's comment); the same script run on annstudio prints the same values.  Equation syntax runs on every
backend; API behaviour (views, dendrites, monitors) is backend-independent and runs on NumPy.
"""
import numpy as np
import pytest

import annstudio.engine as ann
from annstudio.core.errors import AnnstudioError
from backend_fixtures import setup_backend as _setup


def _rate(eq, params="a = 2.0"):
    return ann.Neuron(parameters=params, equations=eq)


def test_power_function(paradigm):
    # probe 'power': r = power(a, 3) + t with a = 2, after 2 steps of dt 1 -> 9.0 (t = 1 in the last step)
    _setup(paradigm)
    p = ann.Population(1, _rate("r = power(a, 3) + t"))
    ann.compile()
    ann.simulate(2.0)
    assert p.r[0] == 9.0


def test_power_multiplies_as_annarchy_does(paradigm):
    """ANNarchy's power(x, n) is repeated multiplication ((x*x)*x); annstudio computes x**3 and x**4 that way on
    every backend. For these x, libm's pow(x, 3) / pow(x, 4) differ from the products in the last bit."""
    _setup(paradigm)
    x = np.array([1.0201030927835052, 1.1009278350515465, 1.1413402061855671])
    cube = ann.Population(3, _rate("r = power(a, 3)", "a = 1.0"))
    quart = ann.Population(3, _rate("r = a^4", "a = 1.0"))
    cube.a, quart.a = x, x
    ann.compile()
    ann.simulate(1.0)
    assert np.array_equal(cube.r, (x * x) * x) and not np.array_equal(cube.r, np.power(x, 3))
    assert np.array_equal(quart.r, ((x * x) * x) * x)


def test_colon_conditional_one_line_and_multi_line(paradigm):
    # probes 'ifelse' ([0.0, 1.0]) and 'ifelse_multiline' ([0.0, 3.0]) with a = [0.5, 2.0]
    _setup(paradigm)
    p = ann.Population(2, _rate("r = if a > 1.0: 1.0 else: 0.0"))
    q = ann.Population(2, _rate("""
        r = if a > 1.0:
                1.0 + a     # a comment inside the block
            else:
                0.0
    """))
    s = ann.Population(3, _rate("r = if a > 1.0: 1.0 elif a > 0.0: -1.0 else: 0.0 : min = -0.5"))
    p.a = q.a = [0.5, 2.0]
    s.a = [2.0, 0.5, -1.0]
    ann.compile()
    ann.simulate(1.0)
    assert p.r.tolist() == [0.0, 1.0]
    assert q.r.tolist() == [0.0, 3.0]
    assert s.r.tolist() == [1.0, -0.5, 0.0]


def test_comment_in_spike_condition(paradigm):
    # probe 'spike_comment': dv/dt = 1, spike "v > 2.5 # threshold", reset v = 0 -> spikes at steps 2, 5, 8
    _setup(paradigm)
    p = ann.Population(1, ann.Neuron(equations="dv/dt=1", spike="v > 2.5 # threshold", reset="v=0"))
    m = ann.Monitor(p, "spike")
    ann.compile()
    ann.simulate(10.0)
    assert m.get("spike") == {0: [2, 5, 8]}


def test_models_module():
    # probe 'models_mod': ANNarchy's models module holds the standard neurons and synapses
    from annstudio.engine import models
    for name in ("Hebb", "Oja", "IBCM", "STP", "STDP", "Izhikevich", "LeakyIntegrator"):
        assert getattr(models, name) is getattr(ann, name)
    assert models.Hebb in models.list_standard_synapses()


def test_population_neuron_and_views():
    # probes 'neuron_rank' (IndividualNeuron, 2.0) and 'view_getset' ([3, 7, 8, 3], [7, 8])
    _setup("numpy")
    p = ann.Population(4, _rate("r = a"))
    g = ann.Population((2, 3), _rate("r = a"))
    ann.compile()
    n = p.neuron(1)
    assert type(n).__name__ == "IndividualNeuron" and n.a == 2.0
    n.a = 6.0
    assert p.a.tolist() == [2.0, 6.0, 2.0, 2.0]
    assert g.neuron(1, 2).rank == 5 and g.neuron((1, 0)).rank == 3
    v = p[1:3]
    v.a = [7.0, 8.0]
    p[[0, 3]].set({"a": 3.0})
    assert p.a.tolist() == [3.0, 7.0, 8.0, 3.0]
    assert v.get("a").tolist() == [7.0, 8.0]


def test_population_reset_restores_parameters_too():
    # probe 'pop_reset': a set to 5 after compile, 3 steps, reset() -> v [1, 1], a [2, 2], r [0, 0]
    _setup("numpy")
    p = ann.Population(2, ann.Neuron(parameters="a = 2.0", equations="dv/dt = a : init=1.0\nr = v"))
    ann.compile()
    p.a = 5.0
    ann.simulate(3.0)
    assert p.v.tolist() == [16.0, 16.0]
    p.reset()
    assert (p.v.tolist(), p.a.tolist(), p.r.tolist()) == ([1.0, 1.0], [2.0, 2.0], [0.0, 0.0])


def _rate_pair(n_pre=2, n_post=2, synapse=None):
    a = ann.Population(n_pre, _rate("r = a"))
    b = ann.Population(n_post, _rate("r = sum(exc)"))
    return a, b, ann.Projection(a, b, "exc", synapse)


def test_projection_delay_get_set():
    # probes 'proj_delay' ((2.0, 2) for delays=2.0 at dt 1) and 'proj_getset' (0.5)
    _setup("numpy")
    _, _, pr = _rate_pair()
    pr.connect_all_to_all(1.0, delays=2.0)
    _, _, pd = _rate_pair()
    pd.connect_all_to_all(1.0)
    _, _, ps = _rate_pair()
    ps.connect_all_to_all(1.0, force_multiple_weights=True)
    ann.compile()
    assert (pr.delay, pr.max_delay) == (2.0, 2)
    assert (pd.delay, pd.max_delay) == (1.0, 0)
    pd.set({"w": 0.5})
    assert pd.get("w") == 0.5
    ps.set({"w": [0.25, 0.75]})          # one number per dendrite
    assert [list(x) for x in ps.get("w")] == [[0.25, 0.25], [0.75, 0.75]]
    with pytest.raises(AnnstudioError, match="delays"):
        pr.delay = 3.0


def test_dendrite_get_set_and_synapses():
    # ANNarchy 4.8: Dendrite.get/set, dendrite[pre_rank] -> IndividualSynapse (probe 'dendrite_getset')
    _setup("numpy")
    _, _, pr = _rate_pair(3, 2)
    pr.connect_all_to_all(1.0, force_multiple_weights=True)
    ann.compile()
    d = pr.dendrite(1)
    d.set({"w": 0.3})
    assert d.get("w").tolist() == [0.3, 0.3, 0.3]
    s = pr[0][1]
    assert type(s).__name__ == "IndividualSynapse" and s.w == 1.0
    s.w = 4.0
    assert pr[0].w.tolist() == [1.0, 4.0, 1.0] and pr[1].w.tolist() == [0.3, 0.3, 0.3]
    assert [x.rank for x in pr[0]] == [0, 1, 2]
    with pytest.raises(AnnstudioError):
        pr[0][7]


def test_seed_on_distributions():
    # probe 'seed_dist': ANNarchy 4.8.2.6 printed these (numpy default_rng(seed) per distribution)
    assert ann.DiscreteUniform(0, 10, seed=3).get_values(5).tolist() == [8, 0, 1, 2, 1]
    assert ann.Uniform(0, 1, seed=3).get_values(2).tolist() == [0.08564916714362436, 0.2368105065960997]
    assert ann.Normal(0, 1, seed=1).get_values(2).tolist() == [0.345584192064786, 0.8216181435011584]
    u = ann.Uniform(0, 1, seed=3)                       # one generator per distribution: draws go on
    assert u.get_values(1)[0] != u.get_values(1)[0]


def test_with_func_keeps_storage_arguments():
    # probe 'with_func_storage': storage_format/order go to connect_with_func, not to the pattern
    _setup("numpy")
    a, b, pr = _rate_pair(3, 3)

    def diagonal(pre, post, w):
        syn = ann.LILConnectivity()        # ANNarchy's name (the probe used ANNarchy's LILConnectivity)
        for i in range(post.size):
            syn.add(i, [i], [w], [0])
        return syn
    pr.connect_with_func(diagonal, w=0.5, storage_format="lil", storage_order="post_to_pre")
    ann.compile()
    ann.simulate(2.0)
    assert b.r.tolist() == [1.0, 1.0, 1.0]


def test_spike_source_array_clear_restarts_schedule():
    # probe 'ssa_clear'
    _setup("numpy")
    s = ann.SpikeSourceArray(spike_times=[[1.0, 3.0]])
    m = ann.Monitor(s, "spike")
    ann.compile()
    ann.simulate(2.0)
    s.clear()
    ann.simulate(5.0)
    # ANNarchy 4.8.2.6: {0: [1, 3, 5]} (the spike of step 3 is lost, the schedule restarts at step 2)
    assert m.get("spike") == {0: [1, 3, 5]}


def test_reused_name_matrix_without_synapses_timed_array_period():
    # probes 'reuse_names' (P), 'empty_post_matrix' (([2, 0, 2], 2, [0, 2])) and 'timedarray_period'
    _setup("numpy")
    ann.Population(2, _rate("r = a"), name="P")
    ann.clear()
    ann.setup(paradigm="numpy", dt=1.0)
    p = ann.Population(2, _rate("r = a"), name="P")
    b = ann.Population(3, _rate("r = sum(exc)"))
    a3 = ann.Population(3, _rate("r = a"))
    pr = ann.Projection(a3, b, "exc")
    pr.connect_from_matrix(np.array([[1.0, None, None], [None, None, None], [0.5, 0.5, None]], dtype=object))
    inp = ann.TimedArray(rates=np.array([[1.0], [2.0], [3.0]]), schedule=2.0, period=10.0)
    m = ann.Monitor(inp, "r")
    ann.compile()
    ann.simulate(22.0)
    assert p.name == "P"
    assert (b.r.tolist(), pr.size, pr.post_ranks) == ([2.0, 0.0, 2.0], 2, [0, 2])
    assert m.get("r")[:, 0].tolist() == [1.0, 1.0, 2.0, 2.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0,
                                          1.0, 1.0, 2.0, 2.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 1.0, 1.0]


def test_projection_monitor_shape_and_times():
    # probes 'projmon_shape2' ((4, 2, 3): time x post x pre) and 'mon_times2'
    _setup("numpy")
    a, b, pr = _rate_pair(3, 2, ann.Synapse(equations="dw/dt = 0.0"))
    pr.connect_all_to_all(1.0)
    m = ann.Monitor(pr, "w")
    p = ann.Population(2, ann.Neuron(equations="r = 1.0\ndv/dt = 1.0"))
    mt = ann.Monitor(p, ["r", "v"])
    ann.compile()
    ann.simulate(4.0)
    assert np.shape(m.get("w")) == (4, 2, 3)
    # ANNarchy 4.8.2.6: {'r': {'start': [0], 'stop': [None]}, 'v': ...} before any get(), then [0, 6] / [4, 8]
    assert mt.times() == {v: {"start": [0], "stop": [None]} for v in ("r", "v")}
    mt.pause()
    ann.simulate(2.0)
    mt.resume()
    ann.simulate(2.0)
    mt.get()
    assert mt.times() == {v: {"start": [0, 6], "stop": [4, 8]} for v in ("r", "v")}


def test_projection_onto_spike_source_array(paradigm):
    # probe 'proj_onto_ssa': ANNarchy 4.8.2.6 accepts it (size 2); its spikes change nothing there
    _setup(paradigm)
    a = ann.Population(2, ann.Neuron(equations="dv/dt=1", spike="v>1", reset="v=0"))
    s = ann.SpikeSourceArray(spike_times=[[1.0], [2.0]])
    pr = ann.Projection(a, s, "exc")
    pr.connect_one_to_one(1.0)
    m = ann.Monitor(s, "spike")
    ann.compile()
    ann.simulate(4.0)
    assert pr.size == 2 and m.get("spike") == {0: [1], 1: [2]}


def test_pooling_3d_to_2d(paradigm):
    # probe 'pooling3d': (4, 4, 2) -> (2, 2), max over 2x2x2 blocks of arange(32)
    _setup(paradigm)
    a = ann.Population((4, 4, 2), _rate("r = a"))
    b = ann.Population((2, 2), _rate("r = sum(exc)"))
    pr = ann.Pooling(a, b, "exc", operation="max")
    pr.connect_pooling(extent=(2, 2, 2))
    ann.compile()
    a.a = np.arange(32.0).reshape(4, 4, 2)
    ann.simulate(2.0)
    assert b.r.tolist() == [[11.0, 15.0], [27.0, 31.0]]


def test_spiking_projection_on_unused_target_warns(paradigm):
    # probe 'unused_target_spike': ANNarchy 4.8.2.6 compiles and runs; v of the post stays [0, 0, 0, 0, 0]
    _setup(paradigm)
    a = ann.Population(2, ann.Neuron(equations="dv/dt=1", spike="v>1", reset="v=0"))
    b = ann.Population(2, ann.Neuron(equations="dv/dt=g_exc", spike="v>1", reset="v=0"))
    pr = ann.Projection(a, b, "inh")
    pr.connect_all_to_all(1.0)
    m = ann.Monitor(b, "v")
    with pytest.warns(UserWarning, match="g_inh"):
        ann.compile()
    ann.simulate(5.0)
    assert m.get("v")[:, 0].tolist() == [0.0, 0.0, 0.0, 0.0, 0.0]


def test_save_load_round_trips_and_mat_file(tmp_path):
    # probe 'save_load' (values restored: [5.0, 6.0]); ANNarchy writes .mat with scipy.io for external analysis
    # and refuses to load it; .gz is a gzipped pickle
    from scipy import io as sio
    _setup("numpy")
    p = ann.Population(2, _rate("r = a"), name="P")
    q = ann.Population(2, _rate("r = sum(exc)"))
    pr = ann.Projection(p, q, "exc")
    pr.connect_all_to_all(0.3)
    g = ann.Population(1, _rate("r = k", params="k = 2.0 : population"))
    ann.compile()
    p.a = [5.0, 6.0]
    for ext in (".npz", ".gz", ".data"):
        f = tmp_path / f"state{ext}"
        ann.save(str(f))
        p.a = 0.0
        ann.load(str(f))
        assert p.a.tolist() == [5.0, 6.0]
    ann.save(str(tmp_path / "state.mat"))
    mat = sio.loadmat(str(tmp_path / "state.mat"))
    assert mat["P"]["a"][0, 0].ravel().tolist() == [5.0, 6.0]
    with pytest.raises(AnnstudioError, match="mat"):
        ann.load(str(tmp_path / "state.mat"))
    g.k = 7.0
    ann.save_parameters(str(tmp_path / "params.json"))
    g.k = 1.0
    p.a = 1.0
    ann.load_parameters(str(tmp_path / "params.json"))      # global_only=True: population-wide ones only
    assert (g.k, p.a.tolist()) == (7.0, [1.0, 1.0])


def test_one_element_tuple_and_report_of_a_network(tmp_path):
    # probes 'tuple_attr' ([4.0]) and 'report_net' (the report of a Network built with add() is written)
    _setup("numpy")
    net = ann.Network()
    net.add(ann.Population(2, _rate("r = a + 1.0"), name="Q"))
    ann.Population(2, _rate("r = a"), name="OnlyInTheDefaultNetwork")
    f, g = tmp_path / "report.md", tmp_path / "report5.md"
    ann.report(str(f), network=net)
    ann.report(net, str(g))                      # ANNarchy 5 order: report(network, filename)
    assert "Q" in f.read_text() and f.read_text() == g.read_text()
    assert "OnlyInTheDefaultNetwork" not in f.read_text()
    p = ann.Population(1, _rate("r = a"))
    ann.compile()
    p.a = (4.0,)
    assert p.a.tolist() == [4.0]


def test_one_element_tuple_sets_every_neuron(paradigm):
    """The 4.x PyNN notebook's ``pop.tau_refrac = 2.0,``.  ANNarchy 4.8.2.6 on 3 ``IF_curr_alpha`` neurons:
    ``(2.0,)`` -> [2.0, 2.0, 2.0] for a parameter, ``(-60.0,)`` for ``v`` likewise, before compile() and after it
    (``v_thresh = -52.0,``); a one-element list before compile() is refused (its "does not have the right size")."""
    _setup(paradigm, dt=0.1)
    pop = ann.Population(3, ann.IF_curr_alpha)
    pop.tau_refrac = 2.0,
    pop.v = -60.0,
    with pytest.raises(AnnstudioError, match="'tau_syn_E': expected a number or 3 values, got 1"):
        pop.tau_syn_E = [3.0]
    ann.compile()
    assert np.asarray(pop.tau_refrac).tolist() == [2.0] * 3 and np.asarray(pop.v).tolist() == [-60.0] * 3
    pop.v_thresh = -52.0,
    assert np.asarray(pop.v_thresh).tolist() == [-52.0] * 3 and np.asarray(pop.tau_syn_E).tolist() == [5.0] * 3


def test_t_pre_and_t_post_in_synapses(paradigm):
    # probe 't_pre_post': clocks (pre spikes at steps 2, 5, 8, 11; post at 4, 9), synapse with pre_spike
    # "x = t_post", post_spike "y = t_pre; d = t - t_pre"; (x, y, d) after each of 12 steps, as ANNarchy 4.8.2.6
    # printed them (t_pre/t_post are -10000 * dt before the first spike)
    _setup(paradigm)
    clock = ann.Neuron(parameters="period = 5.0", equations="dc/dt = 1.0\ng_exc = 0.0", spike="c >= period",
                       reset="c = 0.0")
    pre, post = ann.Population(1, clock), ann.Population(1, clock)
    pre.period, post.period = 3.0, 5.0
    syn = ann.Synapse(equations="dx/dt = 0.0\ndy/dt = 0.0\ndd/dt = 0.0", pre_spike="g_target += w\nx = t_post",
                      post_spike="y = t_pre\nd = t - t_pre")
    proj = ann.Projection(pre, post, "exc", syn)
    proj.connect_all_to_all(1.0)
    ann.compile()
    seen = []
    for _ in range(12):
        ann.simulate(1.0)
        seen.append(tuple(float(np.ravel(getattr(proj, v))[0]) for v in ("x", "y", "d")))
    assert seen == [(0.0, 0.0, 0.0), (0.0, 0.0, 0.0), (0.0, 0.0, 0.0), (-10000.0, 0.0, 0.0), (-10000.0, 2.0, 2.0),
                    (-10000.0, 2.0, 2.0), (4.0, 2.0, 2.0), (4.0, 2.0, 2.0), (4.0, 2.0, 2.0), (4.0, 8.0, 1.0),
                    (4.0, 8.0, 1.0), (4.0, 8.0, 1.0)]
