"""Descriptive members of populations and projections (issue 16), checked against what ANNarchy printed for the same
objects (scripts run from /tmp; the values are quoted in each test).
"""
import warnings

import numpy as np
import pytest

import annstudio.engine as ann
from annstudio.core.errors import ModelError
from backend_fixtures import setup_backend

NEURON = dict(parameters="tau = 10.0 : population\nb = 0.5",
              equations="tau * dv/dt = -v + sum(exc) + g_ampa + mean(v)\ny = sigm(v)",
              functions="sigm(x) = 1/(1 + exp(-x))", spike="v > 1", reset="v = 0")


def test_geometry_targets_functions_and_initial_values():
    # ANNarchy 5.0.4.1 for the same neuron on (3, 4, 2): width 3, height 4, depth 2, targets ['exc'],
    # functions ['sigm'], init {'tau': 10.0, 'b': 0.5, 'v': 0.0, 'y': 0.0, 'r': 0.0, 'g_ampa': 0.0, 'g_exc': 0.0}
    setup_backend("numpy")
    p = ann.Population((3, 4, 2), ann.Neuron(**NEURON))
    flat = ann.Population(5, ann.Neuron(equations="r = sum(b) + sum(a)"))
    assert (p.width, p.height, p.depth) == (3, 4, 2) and (flat.width, flat.height, flat.depth) == (5, 1, 1)
    assert p.targets == ["exc"] and flat.targets == ["a", "b"]
    assert p.functions == ["sigm"] and flat.functions == []
    assert p.init == {"tau": 10.0, "b": 0.5, "g_ampa": 0.0, "v": 0.0, "y": 0.0}   # (ANNarchy adds r, g_exc)


def _spiking(**kw):
    return ann.Neuron(equations="dv/dt = 1.0", spike="v > 2.5", reset="v = 0.0", **kw)


def test_refractory_set_before_compile_changes_this_population_only(paradigm):
    # ANNarchy 4.8.2.6 and 5.0.4.1 (refractory=5.0, a.refractory = 2.0 before compile, dt 1, 30 ms):
    # a [2, 7, 12, 17, 22, 27], b [2, 10, 18, 26]; 4.8.2.6: a.refractory after compile [2. 2.]
    setup_backend(paradigm, dt=1.0)
    neuron = _spiking(refractory=5.0)
    a, b = ann.Population(2, neuron), ann.Population(2, neuron)
    assert a.refractory == 5.0
    a.refractory = 2.0
    assert (a.refractory, b.refractory, neuron.refractory) == (2.0, 5.0, 5.0)
    ma, mb = ann.Monitor(a, "spike"), ann.Monitor(b, "spike")
    ann.compile()
    ann.simulate(30.0)
    assert ma.get("spike")[0] == [2, 7, 12, 17, 22, 27] and mb.get("spike")[1] == [2, 10, 18, 26]
    with pytest.raises(ModelError, match="fixed at compile"):
        a.refractory = 3.0


def test_refractory_named_by_a_parameter():
    # ANNarchy 5.0.4.1: refractory="tr" (tr = 3.0) reads 'tr' before compile and [3. 3. 3.] after
    setup_backend("numpy")
    p = ann.Population(3, ann.Neuron(parameters="tr = 3.0", equations="dv/dt = 1.0", spike="v > 2.5",
                                     reset="v = 0.0", refractory="tr"))
    assert p.refractory == "tr"
    with pytest.warns(UserWarning, match="change its value instead"):
        p.refractory = 1.0
    ann.compile()
    np.testing.assert_array_equal(p.refractory, [3.0, 3.0, 3.0])


def test_rate_coded_populations_have_no_refractory_period():
    # ANNarchy: "WARNING: Rate-coded neurons do not have refractory periods..." and None
    setup_backend("numpy")
    r = ann.Population(2, ann.Neuron(equations="r = 1"))
    with pytest.warns(UserWarning, match="rate-coded neurons do not have refractory periods"):
        assert r.refractory is None
    with pytest.raises(ModelError, match="non-negative number"):
        ann.Population(2, _spiking()).refractory = -1.0


def test_size_in_bytes():
    # ANNarchy 4.8.2.6: 0 before compile, then the bytes of its C++ arrays (144 for 3 Izhikevich-like neurons);
    # annstudio counts its own arrays: 8 bytes per neuron and variable, 8 per population-wide value
    setup_backend("numpy")
    p = ann.Population(24, ann.Neuron(**NEURON))
    assert p.size_in_bytes() == 0
    ann.compile()
    assert p.size_in_bytes() == 24 * 8 * 4 + 8     # v, y, b, g_ampa per neuron; tau once


def test_special_population_and_projection_members():
    # ANNarchy 5.0.4.1: PoissonPopulation(3, rates=10.0).target None, PoissonPopulation(3, target="exc").target 'exc'
    setup_backend("numpy")
    assert ann.PoissonPopulation(3, rates=10.0).target is None
    assert ann.PoissonPopulation(3, target="exc").target == "exc"
    spiking = ann.Population(2, ann.Izhikevich)
    rate = ann.Population(2, ann.Neuron(equations="r = sum(exc)"))
    assert ann.DecodingProjection(spiking, rate, "exc", window=12.5).window == 12.5


def test_connector_members():
    # ANNarchy 5.0.4.1: connector_name 'All-to-All', 'One-to-One', 'Random', 'Random Convergent', 'Random Divergent',
    # 'Gaussian', 'Difference-of-Gaussian', 'Connectivity matrix', 'Sparse connectivity matrix', 'Specific' before a
    # connector; connector_weight_dist the Normal given, connector_delay_dist None for delays=2.0; disable_omp True;
    # functions ['f']
    setup_backend("numpy")
    a = ann.Population((4, 4), ann.Neuron(equations="r = 1"))
    b = ann.Population((4, 4), ann.Neuron(equations="r = sum(exc)"))
    cases = {"All-to-All": lambda p: p.all_to_all(1.0), "One-to-One": lambda p: p.one_to_one(1.0),
             "Random": lambda p: p.fixed_probability(0.5, 1.0),
             "Random Convergent": lambda p: p.fixed_number_pre(2, 1.0),
             "Random Divergent": lambda p: p.fixed_number_post(2, 1.0), "Gaussian": lambda p: p.gaussian(1.0, 0.5),
             "Difference-of-Gaussian": lambda p: p.dog(1.0, 0.5, 0.5, 1.0),
             "Connectivity matrix": lambda p: p.from_matrix(np.ones((16, 16)))}
    for name, connect in cases.items():
        proj = ann.Projection(a, b, "exc")
        assert proj.connector_name == "Specific"
        connect(proj)
        assert proj.connector_name == name
        assert proj.connector_weight_dist is None and proj.connector_delay_dist is None
    normal = ann.Normal(0.0, 1.0)
    proj = ann.Projection(a, b, "exc", ann.Synapse(equations="dx/dt = -x", functions="f(x) = 2*x"))
    proj.all_to_all(normal, delays=2.0)
    assert proj.connector_weight_dist is normal and proj.connector_delay_dist is None
    assert proj.disable_omp is True and proj.functions == ["f"]
    uniform = ann.Uniform(1.0, 3.0)
    assert ann.Projection(a, b, "exc", disable_omp=False).fixed_probability(0.5, 1.0, delays=uniform) \
        .connector_delay_dist is uniform
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ann.compile()
    assert ann.projections()[0].connector_name == "All-to-All"


def test_timed_array_r_is_the_current_row(paradigm):
    setup_backend(paradigm, dt=1.0)
    t = ann.TimedArray(rates=np.array([[1.0, 2.0], [3.0, 4.0]]))
    ann.compile()
    ann.simulate(1.0)
    np.testing.assert_array_equal(t.r, [1.0, 2.0])
    ann.simulate(1.0)
    np.testing.assert_array_equal(t.r, [3.0, 4.0])


def test_projection_reset_restores_the_declared_values_but_w(paradigm):
    # ANNarchy 5.0.4.1, this network (eta = 0.5 set after compile, 3 steps): before eta 0.5, x 0.0, w 2.0;
    # reset(): eta 0.1, x 2.0, w 2.0; eta = 0.7 then reset(attributes=['x']): eta 0.7, x 2.0
    setup_backend(paradigm, dt=1.0)
    a = ann.Population(2, ann.Neuron(equations="r = 1.0"))
    b = ann.Population(2, ann.Neuron(equations="r = sum(exc)"))
    p = ann.Projection(a, b, "exc", ann.Synapse(parameters="eta = 0.1", equations="dx/dt = -x : init = 2.0\n"
                                                                                  "dw/dt = eta"))
    p.connect_all_to_all(0.5)
    ann.compile()
    p.eta = 0.5
    ann.simulate(3.0)
    np.testing.assert_array_equal(np.ravel([p.eta, p.x, p.w]), [0.5] * 4 + [0.0] * 4 + [2.0] * 4)
    p.reset()
    np.testing.assert_array_equal(np.ravel([p.eta, p.x, p.w]), [0.1] * 4 + [2.0] * 4 + [2.0] * 4)
    p.eta = 0.7
    ann.simulate(1.0)
    p.reset(attributes=["x"])
    np.testing.assert_array_equal(np.ravel([p.eta, p.x]), [0.7] * 4 + [2.0] * 4)
    with pytest.raises(ModelError, match="synapses=True"):
        p.reset(synapses=True)
    with pytest.raises(ModelError, match="'y' is not a parameter or variable"):
        p.reset(attributes=["y"])


def test_a_parameter_named_like_a_member_keeps_working():
    setup_backend("numpy")
    p = ann.Population(3, ann.Neuron(parameters="width = 2.5\nrefractory = 1.0", equations="r = width"))
    np.testing.assert_array_equal([p.width, p.refractory], [[2.5] * 3, [1.0] * 3])
    assert p.height == 1
    p.width = 4.0
    ann.compile()
    ann.simulate(1.0)
    np.testing.assert_array_equal(p.r, [4.0, 4.0, 4.0])
    p.refractory = 3.0
    np.testing.assert_array_equal(p.refractory, [3.0, 3.0, 3.0])
    with pytest.raises(AttributeError, match="'height' cannot be set"):
        p.height = 2
