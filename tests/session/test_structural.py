"""Structural plasticity: create/prune synapses by hand and with Synapse(pruning=, creating=) rules.

Each test body runs on every available backend; a restructure rebuilds the
backend instance from the current state (see ``annstudio.session.structural``).
"""
import numpy as np
import pytest

import annstudio.engine as ann

LEAKY = ann.Neuron(parameters="tau = 10.0", equations="tau * dr/dt = sum(exc) - r")


def _setup(paradigm, structural=True):
    ann.clear()
    ann.setup(paradigm=paradigm, dt=1.0, seed=7, structural_plasticity=structural)


def test_needs_setup_flag_unless_a_synapse_prunes_or_creates():
    _setup("numpy", structural=False)
    inp, out = ann.InputArray(3), ann.Population(2, LEAKY)
    proj = ann.Projection(inp, out, "exc")
    proj.connect_all_to_all(1.0)
    ann.compile()
    with pytest.raises(ann.ModelError, match="structural_plasticity=True"):
        proj.dendrite(0).prune_synapse(1)
    with pytest.raises(ann.ModelError, match="structural_plasticity=True"):
        proj.start_pruning()
    # a synapse with a pruning rule turns it on at compile(), as ANNarchy 5.0.4.1 (4.8.2.6 refused without the flag)
    _setup("numpy", structural=False)
    inp, out = ann.InputArray(3), ann.Population(2, LEAKY)
    proj = ann.Projection(inp, out, "exc", ann.Synapse(pruning="w < 0.0"))
    proj.connect_all_to_all(1.0)
    ann.compile()
    proj.dendrite(0).prune_synapse(1)
    proj.start_pruning()
    assert proj.nb_synapses == 5


def test_create_and_prune_by_hand(paradigm):
    _setup(paradigm)
    inp, out = ann.InputArray(5), ann.Population(3, ann.Neuron(equations="r = sum(exc)"))
    proj = ann.Projection(inp, out, "exc")
    proj.connect_from_matrix(np.array([[1.0, None, 1.0, None, None]] * 3))
    ann.compile()
    inp.r = np.arange(1.0, 6.0)
    ann.simulate(1.0)
    assert list(out.r) == [4.0, 4.0, 4.0]
    d = proj.dendrite(1)
    d.create_synapse(3, w=2.0)
    d.create_synapses([1, 4], weights=[0.5, -1.0])
    assert proj.dendrite(1).pre_ranks == [0, 1, 2, 3, 4]
    np.testing.assert_array_equal(proj.dendrite(1).w, [1.0, 0.5, 1.0, 2.0, -1.0])
    assert proj.nb_synapses == 9
    ann.simulate(1.0)
    assert list(out.r) == [4.0, 4.0 + 1.0 + 8.0 - 5.0, 4.0]
    proj.dendrite(1).prune_synapses([0, 4])
    proj.dendrite(2).prune_synapse(2)
    ann.simulate(1.0)
    assert list(out.r) == [4.0, 1.0 + 3.0 + 8.0, 1.0]
    with pytest.raises(ann.ModelError, match="already exists"):
        proj.dendrite(1).create_synapse(3)
    with pytest.raises(ann.ModelError, match="no synapse"):
        proj.dendrite(0).prune_synapse(4)


def _leaky_run(paradigm, create):
    """r of a leaky unit whose third input starts at t = 50 ms, by creating it or by changing its weight."""
    _setup(paradigm)
    inp, out = ann.InputArray(3), ann.Population(2, LEAKY)
    proj = ann.Projection(inp, out, "exc")
    if create:
        proj.connect_from_matrix(np.array([[0.5, 1.0, None], [0.5, None, None]]))
    else:
        proj.connect_from_matrix(np.array([[0.5, 1.0, 0.0], [0.5, None, None]]))
    mon = ann.Monitor(out, "r", period=2.0)
    ann.compile()
    inp.r = np.array([1.0, 2.0, 3.0])
    ann.simulate(51.0)
    if create:
        proj.dendrite(0).create_synapse(2, w=2.0)
    else:
        proj.dendrite(0).w = [0.5, 1.0, 2.0]
    ann.simulate(49.0)
    return mon.get("r"), ann.get_current_step()


def test_restructure_keeps_state_time_and_monitors(paradigm):
    created, step_c = _leaky_run(paradigm, create=True)
    changed, step_w = _leaky_run(paradigm, create=False)
    assert step_c == step_w == 100
    assert created.shape == (50, 2)           # one record every 2 ms, none lost or doubled
    np.testing.assert_array_equal(created, changed)
    assert created[-1, 0] > 5.0 and created[-1, 1] < 1.0


def test_pruning_and_creating_rules(paradigm):
    _setup(paradigm)
    inp, out = ann.InputArray(10), ann.Population(4, ann.Neuron(equations="r = sum(exc)"))
    syn = ann.Synapse(equations="age = age + 1.0", pruning="age > 5.0 : proba = 1.0",
                      creating="pre.r > 0.5 : proba = 1.0, w = 0.5")
    proj = ann.Projection(inp, out, "exc", syn)
    proj.connect_fixed_number_pre(3, 1.0)
    wmon = ann.Monitor(proj, "w")
    ann.compile()
    inp.r = (np.arange(10) % 2).astype(float)
    # as in ANNarchy 4.8.2.6 (same script): the rules run at the end of the first step after start_*, then
    # every period: 12 synapses left after 10 ms (age 1 at the first pass), none after 11 ms; the synapses
    # created at the first step of the next 5 ms are 4 steps old at its end
    proj.start_pruning(10.0)
    ann.simulate(10.0)
    assert proj.nb_synapses == 12
    ann.simulate(1.0)
    assert proj.nb_synapses == 0
    proj.stop_pruning()
    proj.start_creating(5.0)
    ann.simulate(5.0)
    proj.stop_creating()
    assert [d.pre_ranks for d in proj.dendrites] == [[1, 3, 5, 7, 9]] * 4
    assert list(proj.dendrite(0).age) == [4.0] * 5
    ann.simulate(1.0)
    np.testing.assert_array_equal(out.r, [2.5] * 4)
    w = wmon.get("w")
    assert len(w) == 17 and np.size(w[-1]) == 20 and np.all(np.asarray(w[-1]) == 0.5)


def _pruned(paradigm):
    """Pre-synaptic ranks left per post-synaptic neuron after 5 probabilistic pruning passes."""
    _setup(paradigm)
    inp, out = ann.InputArray(20), ann.Population(20, ann.Neuron(equations="r = sum(exc)"))
    proj = ann.Projection(inp, out, "exc", ann.Synapse(pruning="w > 0.0 : proba = 0.1"))
    proj.connect_all_to_all(1.0)
    ann.compile()
    proj.start_pruning(2.0)
    ann.simulate(10.0)
    return [list(r) for r in proj.pre_ranks]


def test_probabilistic_pruning_keeps_the_expected_share(paradigm):
    # 5 evaluations of p = 0.1 over 380 synapses: about 380 * 0.9^5 = 224 left
    assert 190 < sum(len(r) for r in _pruned(paradigm)) < 260


def test_probabilistic_pruning_is_backend_independent(compiled_paradigm):
    # the draws come from the session's generator, so every backend keeps exactly the same synapses
    assert _pruned(compiled_paradigm) == _pruned("numpy")


def test_spiking_delays_new_delay_changes_ir(paradigm):
    _setup(paradigm)
    src = ann.SpikeSourceArray([[10.0, 30.0], [10.0, 30.0], [5.0]])
    out = ann.Population(2, ann.Neuron(equations="v = v + g_exc", spike="v > 1e9"))
    proj = ann.Projection(src, out, "exc")
    proj.connect_from_matrix(np.array([[1.0, None, None], [None, 2.0, None]]))
    mon = ann.Monitor(out, "v")
    ann.compile()
    ann.simulate(20.0)
    proj.dendrite(0).create_synapse(1, w=10.0, delay=3.0)   # uniform delay -> per-synapse delays
    ann.simulate(20.0)
    v = mon.get("v")
    assert list(np.nonzero(np.diff(v[:, 0]))[0] + 1) == [11, 31, 33]
    assert list(v[-1]) == [12.0, 4.0]


def test_spikes_in_flight_survive_on_numpy():
    """The NumPy backend carries its spike history over a restructure (``carry_state_from``)."""
    _setup("numpy")
    src = ann.SpikeSourceArray([[19.0], [50.0]])
    out = ann.Population(1, ann.Neuron(equations="v = v + g_exc", spike="v > 1e9"))
    proj = ann.Projection(src, out, "exc")
    proj.connect_from_matrix(np.array([[1.0, None]]), delays=5.0)
    ann.compile()
    ann.simulate(20.0)
    proj.dendrite(0).create_synapse(1, w=1.0, delay=5.0)
    ann.simulate(10.0)
    assert out.v[0] == 1.0
