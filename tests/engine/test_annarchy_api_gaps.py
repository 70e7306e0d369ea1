"""Small ANNarchy API members closed for issue 16, each checked against what ANNarchy 5.0.4.1 printed for the same
calls (scripts run from /tmp with ANNarchy 5.0.4.1; the values are quoted in the tests):

- the random distributions' attributes (``Uniform.min``, ``Normal.mu``...) and ``get_list_values``;
- ``Constant.name`` / ``.value``;
- ``net_id=`` on the special populations and projections (ANNarchy's default network is number 0);
- ``Projection.parameters`` / ``variables`` / ``attributes`` and the matching ``Dendrite`` members, ``Dendrite.idx``;
- ``projections(target=...)`` with a projection whose target is a list.
"""
import numpy as np
import pytest

import annstudio.engine as ann
from annstudio.core.errors import ModelError
from backend_fixtures import setup_backend


def test_distribution_attributes_as_annarchy():
    # ANNarchy 5.0.4.1: "U 0 1", "N 1 2 0 None", "LN 0.5 2.0 1.0 10 0.5 5"
    assert (ann.Uniform(0, 2).min, ann.Uniform(min=-1, max=1).max) == (0, 1)
    n = ann.Normal(1, 2, min=0)
    assert (n.mu, n.sigma, n.min, n.max) == (1, 2, 0, None)
    assert (ann.LogNormal(0.5, 1).mu, ann.Exponential(2.).Lambda, ann.Gamma(2.).beta) == (0.5, 2.0, 1.0)
    assert (ann.Binomial(10, .5).n, ann.Binomial(10, .5).p, ann.DiscreteUniform(1, 5).max) == (10, 0.5, 5)
    assert ann.DiscreteUniform(1, 5).min == 1 and ann.LogNormal(0.5, 1).sigma == 1 and ann.Gamma(2., 3.).alpha == 2.


def test_uniform_by_keywords_draws_between_its_bounds():
    u = ann.Uniform(min=-1.0, max=1.0)
    values = u.get_values(2000, np.random.default_rng(3))
    assert values.min() >= -1.0 and values.max() <= 1.0 and values.min() < -0.9 and values.max() > 0.9
    assert repr(u) == "Uniform(-1.0, 1.0)" and u.to_dict() == {"distribution": "Uniform", "args": [-1.0, 1.0]}
    clipped = ann.Uniform(0.0, 10.0, max=5.0)          # a clipping bound other than the range's stays one
    assert clipped.max == 5.0 and clipped.get_values(500, np.random.default_rng(1)).max() == 5.0


def test_get_list_values_is_a_list_of_samples():
    values = ann.Normal(0.0, 1.0, seed=4).get_list_values(5)
    assert isinstance(values, list) and len(values) == 5
    assert values == list(ann.Normal(0.0, 1.0, seed=4).get_values(5))


def test_setting_a_distribution_argument_is_checked():
    n = ann.Normal(0.0, 1.0)
    n.sigma = 3.0
    assert n.get_values(4000, np.random.default_rng(0)).std() == pytest.approx(3.0, rel=0.05)
    with pytest.raises(ModelError, match="sigma must be non-negative"):
        n.sigma = -1.0
    assert n.sigma == 3.0


def test_constant_name_and_value():
    setup_backend("numpy")
    c = ann.Constant("c0", 2.5)           # ANNarchy 5.0.4.1 (net.constant('c0', 2.5)): "C c0 2.5"
    assert (c.name, c.value) == ("c0", 2.5)


SPECIAL = {
    "PoissonPopulation": lambda **kw: ann.PoissonPopulation(4, rates=10.0, **kw),
    "SpikeSourceArray": lambda **kw: ann.SpikeSourceArray([[1.0], [2.0]], **kw),
    "TimedArray": lambda **kw: ann.TimedArray(rates=np.ones((3, 2)), **kw),
    "InputArray": lambda **kw: ann.InputArray(3, **kw),
    "HomogeneousCorrelatedSpikeTrains": lambda **kw: ann.HomogeneousCorrelatedSpikeTrains(4, rates=10.0, corr=0.1,
                                                                                           tau=10.0, **kw),
}


@pytest.mark.parametrize("kind", sorted(SPECIAL))
def test_special_populations_take_net_id(kind):
    setup_backend("numpy")
    pop = SPECIAL[kind](net_id=0, name="p")
    assert ann.get_population("p") is pop
    with pytest.raises(ModelError, match="net_id=2: annstudio does not number networks"):
        SPECIAL[kind](net_id=2, name="q")
    net = ann.Network()
    other = SPECIAL[kind](net_id=0, name="p", net=net)     # net= decides
    assert net.get_population("p") is other


def test_special_projections_take_net_id():
    setup_backend("numpy")
    spiking = ann.Population(2, ann.Izhikevich)
    rate = ann.Population(2, ann.Neuron(equations="r = sum(exc)"))
    d = ann.DecodingProjection(spiking, rate, "exc", window=10.0, net_id=0)
    c = ann.CurrentInjection(rate, spiking, "exc", net_id=0)
    assert ann.projections() == [d, c]
    with pytest.raises(ModelError, match="net_id=1"):
        ann.CurrentInjection(rate, spiking, "exc", net_id=1)


def test_projection_attribute_lists():
    # ANNarchy 5.0.4.1: "attrs ['eta', 'w'] ['x'] ['eta', 'w', 'x'] ['w']"
    setup_backend("numpy")
    a = ann.Population(3, ann.Neuron(equations="r = 1.0"))
    plastic = ann.Projection(a, a, "exc", ann.Synapse(parameters="eta = 0.1", equations="dx/dt = -x"))
    plastic.connect_all_to_all(0.5)
    plain = ann.Projection(a, a, "inh")
    plain.connect_all_to_all(1.0)
    assert (plastic.parameters, plastic.variables, plastic.attributes, plain.attributes) == \
        (["eta", "w"], ["x"], ["eta", "w", "x"], ["w"])
    ann.compile()
    d = plastic.dendrite(1)
    assert (d.pre, d.target, d.parameters, d.variables, d.attributes) == \
        (a, "exc", ["eta", "w"], ["x"], ["eta", "w", "x"])


def test_dendrite_idx_is_its_position_among_the_post_ranks():
    setup_backend("numpy")
    a = ann.Population(4, ann.Neuron(equations="r = 1.0"))
    proj = ann.Projection(a, a, "exc")
    proj.connect_from_matrix(np.array([[None, 1.0, None, None], [None] * 4, [1.0, None, None, 1.0],
                                       [None, None, 1.0, None]], dtype=object))
    ann.compile()
    assert proj.post_ranks == [0, 2, 3]
    assert [proj.dendrite(r).idx for r in (0, 2, 3)] == [0, 1, 2]
    assert ann.Dendrite(proj, 3, 7).idx == 7     # given, as ANNarchy's constructor takes it
    with pytest.raises(ModelError, match="neuron 1 of the post population has no synapse"):
        ann.Dendrite(proj, 1).idx


def test_projections_by_one_target_of_a_list():
    # ANNarchy 5.0.4.1: "T list [['ampa', 'nmda']]", "T gaba ['gaba']"; target='ampa' finds nothing there
    # (it raises "Could not find projections"): annstudio finds the projection by any of its targets
    setup_backend("numpy")
    a = ann.Population(2, ann.Neuron(parameters="tau = 10.0", equations="tau * dv/dt = -v + g_ampa + g_nmda",
                                     spike="v > 1", reset="v = 0"))
    both = ann.Projection(a, a, ["ampa", "nmda"])
    gaba = ann.Projection(a, a, "gaba")
    assert ann.projections(target="ampa") == [both] and ann.projections(target="nmda") == [both]
    assert ann.projections(target=["ampa", "nmda"]) == [both]
    assert ann.projections(target="gaba") == [gaba] and ann.projections(target="mda") == []
    net = ann.Network()
    b = net.create(2, ann.Izhikevich)
    multi = net.connect(b, b, ["exc", "inh"])
    assert net.get_projections(target="inh") == [multi]


def test_every_takes_annarchy5_network_and_keeps_its_arguments():
    setup_backend("numpy")
    net = ann.Network(dt=1.0)
    net.create(2, ann.Neuron(equations="r = 1"))
    net.compile()
    calls, calls4 = [], []
    deco = ann.every(network=net, period=20.0, offset=0.0, wait=0.0)
    assert (deco.network, deco.period, deco.offset, deco.wait) == (net, 20.0, 0.0, 0.0)
    deco(lambda n: calls.append(n))
    ann.every(net, 10.0)(lambda n: calls4.append(n))          # the network given first, positionally
    net.simulate(40.0)
    assert calls == [0, 1] and calls4 == [0, 1, 2, 3]
    net.disable_callbacks()
    net.simulate(20.0)
    assert calls == [0, 1]
    net.enable_callbacks()
    net.simulate(20.0)
    assert calls == [0, 1, 2]
    net.clear_all_callbacks()
    net.simulate(40.0)
    assert calls == [0, 1, 2] and calls4 == [0, 1, 2, 3, 4, 5]
    default = ann.every(5.0, 1.0)                 # ANNarchy 4.8: period, offset on the default network
    assert (default.period, default.offset, default.network) == (5.0, 1.0, ann.default_network())
    with pytest.raises(TypeError, match="two values for 'period'"):
        ann.every(5.0, period=3.0)


def test_network_save_and_load(tmp_path):
    setup_backend("numpy")
    net = ann.Network(dt=1.0)
    pop = net.create(3, ann.Neuron(parameters="a = 1.0", equations="tau = 5.0\ndv/dt = (a - v) / tau"))
    net.compile()
    net.simulate(10.0)
    saved = np.array(pop.v)
    net.save(str(tmp_path / "state.npz"))
    net.simulate(10.0)
    assert not np.allclose(pop.v, saved)
    net.load(str(tmp_path / "state.npz"))
    np.testing.assert_array_equal(pop.v, saved)


def test_timeit_prints_the_duration(capsys):
    @ann.timeit
    def add(a, b=1):
        return a + b
    assert add(2, b=3) == 5
    assert "Function add(2,) {'b': 3} took" in capsys.readouterr().out


def test_uniform_needs_both_bounds():
    with pytest.raises(ModelError, match="Uniform: needs both bounds: min and max"):
        ann.Uniform(min=0.0)
    with pytest.raises(ModelError, match="DiscreteUniform: needs both bounds"):
        ann.DiscreteUniform(max=3)
