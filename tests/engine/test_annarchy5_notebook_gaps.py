"""ANNarchy 5 behaviours the documentation notebooks use (issue 16, "Done means": the 5.x notebooks).

- ``from_function`` / ``connect_with_func``: ANNarchy 5 calls the function as ``method(pre, post, dt, **args)``
  (its ConnectorMethods docstring: "The third argument is the step size dt"; the Hybrid notebook's
  ``diagonal(pre, post, dt, weights)`` builds ``LILConnectivity(dt=dt)``), ANNarchy 4.8 as
  ``method(pre, post, **args)``: annstudio passes ``dt`` to a function whose signature takes it.
- ``Synapse(pruning=ann.Pruning(...), creating=ann.Creating(...))`` (StructuralPlasticity notebook) means
  the 4.8 text conditions.
- A projection monitor returns a postsynaptic variable as a (time, post) array (the BCM notebook plots
  ``theta[:, 0]``).
"""
import numpy as np
import pytest

import annstudio.engine as ann
from annstudio.core.errors import ModelError
from backend_fixtures import setup_backend


def _diagonal_annarchy5(pre, post, dt, weights):
    lil = ann.LILConnectivity(dt=dt)
    for rank in post.ranks:
        lil.add(rank, [rank], [weights * dt], [0])
    return lil


def _diagonal_annarchy4(pre, post, weights):
    lil = ann.LILConnectivity()
    for rank in post.ranks:
        lil.add(rank, [rank], [weights], [0])
    return lil


def test_connector_function_receives_dt_when_it_takes_it(paradigm):
    setup_backend(paradigm, dt=0.25)
    inp = ann.Population(4, ann.Neuron(parameters="a = 0.0", equations="r = a"))
    out5 = ann.Population(4, ann.Neuron(equations="r = sum(exc)"))
    out4 = ann.Population(4, ann.Neuron(equations="r = sum(exc)"))
    ann.Projection(inp, out5, "exc").connect_with_func(method=_diagonal_annarchy5, weights=2.0)
    ann.Projection(inp, out4, "exc").connect_with_func(method=_diagonal_annarchy4, weights=2.0)
    ann.compile()
    inp.a = [1.0, 2.0, 3.0, 4.0]
    ann.simulate(1.0)
    np.testing.assert_allclose(out5.r, [0.5, 1.0, 1.5, 2.0])   # w = 2 * dt = 0.5 on the diagonal
    np.testing.assert_allclose(out4.r, [2.0, 4.0, 6.0, 8.0])


def test_pruning_and_creating_objects_are_the_text_conditions(paradigm):
    setup_backend(paradigm, structural_plasticity=True)
    inp, out = ann.InputArray(10), ann.Population(4, ann.Neuron(equations="r = sum(exc)"))
    syn = ann.Synapse(equations="age = age + 1.0", pruning=ann.Pruning("age > 5.0", proba=1.0),
                      creating=ann.Creating("pre.r > 0.5", proba=1.0, w=0.5))
    assert syn.pruning == "age > 5.0 : proba = 1.0"
    assert syn.creating == "pre.r > 0.5 : proba = 1.0, w = 0.5"
    proj = ann.Projection(inp, out, "exc", syn)
    proj.connect_fixed_number_pre(3, 1.0)
    ann.compile()
    inp.r = (np.arange(10) % 2).astype(float)
    proj.start_pruning(10.0)      # as ANNarchy: the rule runs after the next step (ages 1: none), then every 10 ms
    ann.simulate(10.0)
    assert proj.nb_synapses == 12
    ann.simulate(1.0)
    assert proj.nb_synapses == 0
    proj.stop_pruning()
    proj.start_creating(5.0)
    ann.simulate(5.0)
    assert [d.pre_ranks for d in proj.dendrites] == [[1, 3, 5, 7, 9]] * 4
    ann.simulate(1.0)
    np.testing.assert_allclose(out.r, [2.5] * 4)


def test_projection_monitor_postsynaptic_variable_is_time_by_post(paradigm):
    setup_backend(paradigm, dt=1.0)
    net = ann.Network(dt=1.0)
    pre = net.create(ann.InputArray(2))
    post = net.create(geometry=3, neuron=ann.Neuron(equations="r = sum(exc)"))
    syn = ann.Synapse(parameters=dict(tau=10.0),
                      equations=[ann.Variable("tau * dtheta/dt + theta = post.r^2", locality="semiglobal",
                                              method="exponential")])
    proj = net.connect(pre, post, "exc", syn)
    proj.all_to_all(1.0)
    net.compile()
    m = net.monitor(proj, ["w", "theta"])
    pre.r = np.array([1.0, 0.5])
    net.simulate(5.0)
    theta = m.get("theta")
    assert isinstance(theta, np.ndarray) and theta.shape == (5, 3)
    # post.r = 1.5 from the first step on; theta relaxes to 2.25 by exponential Euler steps
    expected = [2.25 * (1 - np.exp(-k / 10.0)) for k in range(1, 6)]
    np.testing.assert_allclose(theta[:, 1], expected, rtol=1e-9)
    assert np.shape(m.get("w"))[0] == 5


_LIF = ann.Neuron(parameters=dict(tau=10.0, I=ann.Parameter(0.0)), equations="tau*dv/dt = -v + I + g_exc",
                  spike="v > 1.0", reset="v = 0.0")


class _Sub(ann.Network):
    def __init__(self, w=0.5, I=2.0):
        self.p = self.create(10, _LIF)
        self.p.I = I
        self.q = self.create(10, _LIF)
        self.c = self.connect(self.p, self.q, "exc")
        self.c.all_to_all(weights=w)


def test_copy_makes_the_class_with_exactly_the_given_arguments():
    """The BayesianOptimization notebook's ``net.copy(w_exc, w_inh)``.  ANNarchy 5.0.4.1 measured on the same
    class, made as ``_Sub(0.3, I=1.5, dt=0.5, seed=7)``: ``copy()`` -> w 0.5, I 2.0, dt 0.5; ``copy(0.9)`` ->
    w 0.9, I 2.0; ``copy(I=3.0)`` -> w 0.5, I 3.0; ``copy(0.9, dt=0.1)`` -> dt 0.1 (the constructor's defaults
    for what is not given, the parent's dt)."""
    net = _Sub(0.3, I=1.5, dt=0.5, seed=7)
    net.compile()
    assert (float(np.mean(net.c.w)), float(np.mean(net.p.I))) == (0.3, 1.5)
    for args, kwargs, (w, i, dt) in (((), {}, (0.5, 2.0, 0.5)), ((0.9,), {}, (0.9, 2.0, 0.5)),
                                     ((), {"I": 3.0}, (0.5, 3.0, 0.5)), ((0.9,), {"dt": 0.1}, (0.9, 2.0, 0.1))):
        c = net.copy(*args, **kwargs)
        assert c.compiled and c is not net
        assert (float(np.mean(c.c.w)), float(np.mean(c.p.I)), float(c.dt)) == (w, i, dt)
        c.simulate(2.0)
    assert float(np.mean(net.c.w)) == 0.3


def test_pooling_and_copy_take_annarchy5s_method_names(paradigm):
    """The Image notebook's ``Pooling(...).pooling()`` (ANNarchy 5's name of ``connect_pooling``); ``Copy.copy``
    likewise.  Mean pooling of 2 x 2 blocks, computed here."""
    setup_backend(paradigm, dt=1.0)
    inp = ann.InputArray((4, 4))
    out = ann.Population((2, 2), ann.Neuron(equations="r = sum(exc)"))
    twin = ann.Population((2, 2), ann.Neuron(equations="r = sum(exc) - sum(inh)"))
    pool = ann.Pooling(inp, out, "exc", operation="mean")
    pool.pooling()
    first = ann.Projection(inp, twin, "exc")
    first.connect_all_to_all(0.25)
    ann.Copy(inp, twin, "inh").copy(first)
    ann.compile()
    x = np.arange(16.0).reshape(4, 4)
    inp.r = x
    ann.simulate(1.0)
    np.testing.assert_allclose(out.r, x.reshape(2, 2, 2, 2).mean(axis=(1, 3)))
    np.testing.assert_allclose(twin.r, 0.0)       # exc and inh: the same weights (exc alone: 30)


def test_several_values_for_a_population_wide_parameter_are_a_located_error(paradigm):
    """The 5.x AdEx and PyNN notebooks give ``ann.Parameter`` (population-wide in ANNarchy 5) one value per neuron:
    5.0.4.1 refuses ("Population.set(): ... the provided array does not have the right size"), before compile()
    and after it; annstudio says which parameter of which population, never a bare NumPy broadcast error."""
    setup_backend(paradigm, dt=1.0)
    neuron = ann.Neuron(parameters=dict(C=ann.Parameter(200.0), g=ann.Parameter(10.0, locality="local")),
                        equations="dv/dt = (g - v) / C")
    net = ann.Network(dt=1.0)
    pop = net.create(8, neuron, name="AdEx")
    with pytest.raises(ModelError, match=r"Population 'AdEx'.*'C' is a population-wide parameter and takes one "
                                         r"value, got 8"):
        pop.C = [281.0] * 8
    net.compile()
    with pytest.raises(ModelError, match=r"Population 'AdEx'.*'C' is a population-wide parameter"):
        pop.C = np.full(8, 281.0)
    # through a view (5.x StructuralPlasticity, Izhikevich, Miconi): 5.0.4.1 "can not set the value of a global
    # attribute from a PopulationView" / "Global attributes can only have one value in a population"
    for value in (50.0, ann.Uniform(0.5, 1.5)):
        with pytest.raises(ModelError, match=r"'C' is a population-wide parameter: it cannot be set on a view"):
            pop[:4].C = value
    pop.C = 100.0
    pop.g = np.arange(8.0)
    net.simulate(1.0)
    np.testing.assert_allclose(pop.v, np.arange(8.0) / 100.0)


def test_a_pruning_synapse_turns_structural_plasticity_on_at_compile(paradigm):
    """The 5.x StructuralPlasticity notebook calls start_creating()/start_pruning() without
    ``structural_plasticity=True``: ANNarchy 5.0.4.1 turns it on at compile() for a synapse that defines
    ``pruning`` or ``creating`` (its sanity check), and the notebook goes on to its next cell."""
    setup_backend(paradigm)
    net = ann.Network(dt=1.0)
    inp = net.create(ann.InputArray(10))
    out = net.create(4, ann.Neuron(equations="r = sum(exc)"))
    syn = ann.Synapse(equations="age = age + 1.0", pruning=ann.Pruning("age > 5.0", proba=1.0))
    proj = net.connect(inp, out, "exc", syn)
    proj.fixed_number_pre(3, 1.0)
    plain = net.connect(inp, out, "inh")
    plain.all_to_all(1.0)
    net.compile()
    proj.start_pruning(10.0)
    net.simulate(10.0)
    assert proj.nb_synapses == 12
    net.simulate(1.0)
    assert proj.nb_synapses == 0 and plain.nb_synapses == 40
