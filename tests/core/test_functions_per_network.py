"""Functions and constants belong to a network (``NetworkSpec.functions`` / ``constants``, seen by the
equations through ``spec.scope()``), not to the process: two networks built from one ``Neuron`` object
with different functions and constants simulate different, correct dynamics, and a type's cached analysis
is keyed on the scope.  The ANNarchy facade (``add_function``, ``Constant``, ``functions``) acts on the
default network."""
import numpy as np
import pytest

import annstudio.engine as ann
from annstudio.core.equations import Scope
from annstudio.engine import EquationError, Network, Neuron, Population

# one type object shared by every network below: f and c come from the network it runs in
NEURON = Neuron(parameters="a = 2.0", equations="""
    r = f(a) + c
    c * dv/dt = f(a) - v : exponential
""")
DURATION = 7.0


def build(paradigm, definition, c):
    net = Network()
    net.add_function(definition)
    const = net.constant("c", c)
    pop = Population(3, NEURON, name="p", net=net)
    net.compile(paradigm=paradigm)
    net.simulate(DURATION)
    return net, pop, const


def expected(fa, c):
    """r = f(a) + c; the exponential method is exact for c dv/dt = f(a) - v from v = 0."""
    return fa + c, fa * (1.0 - np.exp(-DURATION / c))


def test_two_networks_with_different_functions_and_constants_run_different_dynamics(paradigm):
    net1, p1, _ = build(paradigm, "f(x) = 2*x", 5.0)
    net2, p2, _ = build(paradigm, "f(x) = x*x*x", 10.0)
    for pop, fa, c in ((p1, 4.0, 5.0), (p2, 8.0, 10.0)):
        r, v = expected(fa, c)
        assert np.allclose(pop.r, r, rtol=1e-12) and np.allclose(pop.v, v, rtol=1e-12)
    # the first network still runs with its own function and constant after the second one was built
    net1.simulate(DURATION)
    assert np.allclose(p1.v, 4.0 * (1.0 - np.exp(-2 * DURATION / 5.0)), rtol=1e-12)


def test_a_constant_set_in_one_network_leaves_the_other_alone(paradigm):
    net1, p1, c1 = build(paradigm, "f(x) = x", 5.0)
    net2, p2, _ = build(paradigm, "f(x) = x", 5.0)
    c1.set(20.0)
    net1.simulate(1.0)
    net2.simulate(1.0)
    assert np.allclose(p1.r, 22.0) and np.allclose(p2.r, 7.0)


def test_the_analysis_is_cached_per_scope():
    one = Scope().with_function("f(x) = 2*x").with_constant("c")
    two = Scope().with_function("f(x) = x*x*x").with_constant("c")
    a1, a2 = NEURON.analysis(one), NEURON.analysis(two)
    assert a1 is NEURON.analysis(Scope(one.definitions, one.constants))   # equal scopes share the cache
    assert a1.equations[0].expr != a2.equations[0].expr
    with pytest.raises(EquationError, match="f"):                          # nothing leaks into no scope
        NEURON.analysis()


def test_a_network_without_the_function_refuses_the_type():
    net = Network()
    with pytest.raises(EquationError):
        Population(3, NEURON, name="p", net=net)


def test_a_bad_function_or_constant_name_is_refused_where_declared():
    net = Network()
    with pytest.raises(EquationError, match="add_function"):
        net.add_function("f(x) = x +")
    assert net.spec.functions == []
    with pytest.raises(EquationError, match="Constant"):
        net.constant("exp", 1.0)


def test_the_facade_declares_on_the_default_network_and_clear_forgets(fresh_network):
    before = Network()                      # built before the declarations: does not see them
    ann.add_function("f(x) = x + 1")
    ann.Constant("c", 5.0)
    assert ann.functions("f")(2.0) == 3.0
    assert fresh_network.spec.functions == ["f(x) = x + 1"] and fresh_network.spec.constants == {"c": 5.0}
    after = Network()                       # declared before it was built: visible, as in ANNarchy
    pop = Population(2, NEURON, name="p", net=after)
    after.compile(paradigm="numpy")
    after.simulate(DURATION)
    r, v = expected(3.0, 5.0)
    assert np.allclose(pop.r, r) and np.allclose(pop.v, v)
    with pytest.raises(ann.ModelError, match="no function named 'f'"):
        ann.functions("f", net=before)
    net = ann.clear()
    assert net.spec.functions == [] and net.spec.constants == {}
    with pytest.raises(ann.ModelError):
        ann.functions("f")


def test_network_add_brings_the_functions_and_constants_its_copies_use():
    """ANNarchy 4.x: objects of the default network copied into a network built earlier keep working."""
    early = Network()
    ann.add_function("f(x) = 4*x")
    ann.Constant("c", 2.0)
    pop = Population(2, NEURON, name="p")
    early.add(pop)
    assert early.spec.functions == ["f(x) = 4*x"] and early.spec.constants == {"c": 2.0}
    early.compile(paradigm="numpy")
    early.simulate(DURATION)
    r, v = expected(8.0, 2.0)
    copy = early.get(pop)
    assert np.allclose(copy.r, r) and np.allclose(copy.v, v)
