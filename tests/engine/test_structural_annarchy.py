"""Structural plasticity as ANNarchy does it (issue 16: the 4.x StructuralPlasticity notebook).

ANNarchy's ``creating()`` (4.8 and 5, LIL template) tries every pre-synaptic rank for every post-synaptic
neuron with no check against a neuron's synapse onto itself, and a rule started at step ``t0`` runs at the end
of the steps ``t0 + k*period`` (the first right after the first step).  The notebook's final rate depends on
both: its two halves end fully connected (50 x 50 synapses each with self-connections, 50 x 49 without), and
the rate left after 100 ms of decay was 0.005921 on ANNarchy 4.8.2.6 against 0.005224 here before the fix.

The numbers below were measured on ANNarchy 4.8.2.6 (the first test: 5.0.4.1 too, same numbers) with the same script (``import ANNarchy as ann``).
"""
import numpy as np

import annstudio.engine as ann

LEAKY = ann.Neuron(parameters="tau = 10.0 : population\n baseline = 0.0",
                   equations="tau * dr/dt + r = baseline + sum(exc) : min=0.0")


def test_creating_includes_self_connections_and_runs_after_the_first_step():
    ann.clear()
    ann.setup(structural_plasticity=True, dt=1.0)
    pop = ann.Population(6, LEAKY)
    proj = ann.Projection(pop, pop, "exc", ann.Synapse(creating="pre.r * post.r > 0.5 : proba = 1.0, w = 0.1"))
    proj.connect_all_to_all(weights=0.01)
    ann.compile()
    pop.baseline = np.array([1.0, 1.0, 1.0, 0.0, 0.0, 0.0])
    ann.simulate(20.0)
    assert proj.nb_synapses == 30
    np.testing.assert_allclose(pop.r, [0.891016780619] * 3 + [0.018643790431] * 3, rtol=1e-9)
    proj.start_creating(period=10.0)
    ann.simulate(50.0)
    # ANNarchy 4.8.2.6: 33 synapses (the three active neurons get a synapse onto themselves)
    assert proj.nb_synapses == 33
    assert [sorted(d.pre_ranks) for d in proj.dendrites] == [[0, 1, 2, 3, 4, 5]] * 3 + [
        [0, 1, 2, 4, 5], [0, 1, 2, 3, 5], [0, 1, 2, 3, 4]]
    # ANNarchy 4.8.2.6 (creating at the end of step 20, i.e. the new synapses act from step 21 on)
    np.testing.assert_allclose(pop.r, [1.1349399126859436] * 3 + [0.034401429287865194] * 3, rtol=1e-9)


def test_structural_plasticity_notebook_final_rate():
    """The 4.x notebook's network, shortened to 10 trials (enough, with this seed, for each half to be
    complete; the notebook runs 100): ANNarchy 4.8.2.6 ends with 5000 synapses (2500 per half, none across) and a mean rate
    of 0.0059205292203340035 (0.005224 with 4900 synapses, without self-connections)."""
    ann.clear()
    ann.setup(structural_plasticity=True, seed=1)
    pop = ann.Population(100, ann.Neuron(parameters="tau = 10.0 : population\n baseline = 0.0",
                                         equations="tau * dr/dt + r = baseline + sum(exc) : min=0.0"))
    syn = ann.Synapse(parameters="T = 10000 : int, projection",
                      equations="age = if pre.r * post.r > 1.0 : 0 else : age + 1 : init = 0, int",
                      pruning="age > T : proba = 0.2", creating="pre.r * post.r > 1.0 : proba = 0.1, w = 0.01")
    proj = ann.Projection(pop, pop, "exc", syn)
    proj.connect_fixed_probability(weights=0.01, probability=0.1)
    ann.compile()
    proj.start_creating(period=100.0)
    proj.start_pruning(period=100.0)
    for _ in range(10):
        pop[:50].baseline = 1.0
        ann.simulate(1000.)
        pop.baseline = 0.0
        ann.simulate(100.)
        pop[50:].baseline = 1.0
        ann.simulate(1000.)
        pop.baseline = 0.0
        ann.simulate(100.)
    m = np.asarray(proj.connectivity_matrix(), dtype=float) != 0
    assert m[:50, :50].sum() == 2500 and m[50:, 50:].sum() == 2500
    np.testing.assert_allclose(np.mean(pop.r), 0.0059205292203340035, rtol=1e-6)
