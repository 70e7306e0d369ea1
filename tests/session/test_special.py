"""Special populations and projections: Poisson inputs, spike sources, timed arrays, hybrid networks.

Each test body runs on every available backend (``paradigm`` fixture).
"""
import numpy as np
import pytest

import annstudio.engine as ann
from backend_fixtures import setup_backend as _setup


def _count(mon):
    return sum(len(v) for v in mon.get("spike").values())


def test_poisson_population_fixed_rates(paradigm):
    _setup(paradigm, 1.0)
    pop = ann.PoissonPopulation(200, rates=np.where(np.arange(200) < 100, 20.0, 80.0))
    m = ann.Monitor(pop, "spike")
    ann.compile()
    ann.simulate(1000.0)
    spikes = m.get("spike")
    low = np.mean([len(spikes[i]) for i in range(100)])
    high = np.mean([len(spikes[i]) for i in range(100, 200)])
    assert low == pytest.approx(20.0, rel=0.15)
    assert high == pytest.approx(80.0, rel=0.1)
    pop.rates = 0.0
    ann.simulate(100.0)
    assert _count(m) == 0


def test_poisson_population_rates_expression_of_time(paradigm):
    _setup(paradigm, 1.0)
    pop = ann.PoissonPopulation(100, rates="if t < 500.0 then 100.0 else 0.0")
    m = ann.Monitor(pop, "spike")
    ann.compile()
    ann.simulate(1000.0)
    steps = np.concatenate([np.asarray(v) for v in m.get("spike").values()])
    assert np.all(steps < 500)
    assert len(steps) / 100 / 0.5 == pytest.approx(100.0, rel=0.1)


def test_spike_source_array(paradigm):
    _setup(paradigm, 0.5)
    src = ann.SpikeSourceArray(spike_times=[[1.0, 5.0, 10.0], [2.5], []])
    m = ann.Monitor(src, "spike")
    ann.compile()
    ann.simulate(20.0)
    spikes = m.get("spike")
    assert [list(np.asarray(spikes[r]) * 0.5) for r in range(3)] == [[1.0, 5.0, 10.0], [2.5], []]
    src.spike_times = [[21.0], [22.0], [23.0]]
    ann.simulate(5.0)
    spikes = m.get("spike")
    assert [list(np.asarray(spikes[r]) * 0.5) for r in range(3)] == [[21.0], [22.0], [23.0]]


def test_spike_source_drives_conductances(paradigm):
    _setup(paradigm, 1.0)
    src = ann.SpikeSourceArray(spike_times=[3.0, 7.0])
    post = ann.Population(1, ann.Neuron(equations="I = g_exc", spike="false"))
    ann.Projection(src, post, "exc").connect_all_to_all(weights=2.0)
    m = ann.Monitor(post, "I")
    ann.compile()
    ann.simulate(10.0)
    assert list(np.nonzero(m.get("I")[:, 0])[0]) == [4, 8]     # one step of transmission delay


def test_timed_array_schedule_and_period(paradigm):
    _setup(paradigm, 1.0)
    rates = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 30.0]])
    inp = ann.TimedArray(rates=rates, schedule=2.0)
    per = ann.TimedArray(rates=rates, schedule=1.0, period=4.0)
    m = ann.Monitor(inp, "r")
    mp = ann.Monitor(per, "r")
    ann.compile()
    ann.simulate(8.0)
    np.testing.assert_allclose(m.get("r")[:, 0], [1, 1, 2, 2, 3, 3, 3, 3])      # last row kept
    np.testing.assert_allclose(mp.get("r")[:, 1], [10, 20, 30, 30, 10, 20, 30, 30])


def test_timed_array_feeds_rate_network(paradigm):
    _setup(paradigm, 1.0)
    inp = ann.TimedArray(rates=np.array([[1.0], [4.0]]), schedule=5.0)
    out = ann.Population(1, ann.Neuron(equations="r = 2 * sum(exc)"))
    ann.Projection(inp, out, "exc").connect_all_to_all(weights=1.0)
    m = ann.Monitor(out, "r")
    ann.compile()
    ann.simulate(10.0)
    np.testing.assert_allclose(m.get("r")[:, 0], [0, 2, 2, 2, 2, 2, 8, 8, 8, 8])


def _hybrid(paradigm, n, rates, duration):
    """The hybrid network of seed 003 (Fig. 4), scaled down; returns the mean errors per neuron count."""
    _setup(paradigm, 0.1, seed=11)
    inp = ann.Population(1, ann.Neuron(parameters="baseline = 0.0", equations="r = baseline"))
    poisson = ann.PoissonPopulation(n, target="exc")
    ann.Projection(inp, poisson, "exc").connect_all_to_all(weights=1.0)
    out = ann.Population(n, ann.Neuron(equations="r = sum(exc)"))
    proj = ann.DecodingProjection(poisson, out, "exc", window=10.0)

    def connector(pre, post, weights):
        csr = ann.CSR()
        for rk in range(post.size):
            csr.add(rk, range(rk + 1), [weights], [0])
        return csr
    proj.connect_with_func(method=connector, weights=1.0)
    m = ann.Monitor(out, "r")
    ann.compile()
    errors = []
    for rate in rates:
        inp.baseline = rate
        ann.simulate(duration)
        r = m.get("r")[int(20.0 / 0.1):]          # skip the first window after the change
        errors.append(np.mean(np.abs(r - rate) / rate, axis=0))
    return np.array(errors)


def test_hybrid_network_decodes_rates(paradigm):
    errors = _hybrid(paradigm, 100, [10.0, 50.0, 100.0], 200.0)
    # decoding with all 100 neurons is accurate, and better with more neurons
    assert errors[:, -1].max() < 0.3
    for err in errors:
        assert err[80:].mean() < err[:10].mean()
    # higher rates are decoded more precisely
    assert errors[2, -1] < errors[0, -1]


def test_current_injection(paradigm):
    _setup(paradigm, 1.0)
    inp = ann.Population(3, ann.Neuron(parameters="baseline = 0.0", equations="r = baseline"))
    inp.baseline = [0.0, 1.0, 2.0]
    post = ann.Population(3, ann.Neuron(equations="I = g_exc", spike="false"))
    proj = ann.CurrentInjection(inp, post, "exc")
    proj.connect_current()
    m = ann.Monitor(post, "I")
    ann.compile()
    ann.simulate(3.0)
    np.testing.assert_allclose(m.get("I")[-1], [0.0, 1.0, 2.0])


def test_special_projection_checks():
    ann.clear()
    rate = ann.Population(2, ann.Neuron(equations="r = 1.0"))
    spike = ann.Population(3, ann.Izhikevich)
    with pytest.raises(ann.ModelError):
        ann.DecodingProjection(rate, rate, "exc")
    with pytest.raises(ann.ModelError):
        ann.CurrentInjection(rate, spike, "exc")          # sizes differ
    ann.clear()
