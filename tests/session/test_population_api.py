"""Population, views, single neurons, monitors, network bookkeeping."""
import numpy as np
import pytest

from annstudio.engine import (Monitor, Network, Neuron, Normal, Population, Projection, Uniform, compile,
                              get_current_step, get_time, simulate, step)
import annstudio.engine as ann

LEAKY = Neuron(parameters="tau = 10.0 : population\n baseline = 0.0",
               equations="tau*dr/dt + r = baseline + sum(exc)")


def test_geometry_ranks_and_coordinates():
    pop = Population((4, 5), LEAKY, name="grid")
    assert pop.size == 20 and pop.dimension == 2
    assert pop.rank_from_coordinates((2, 3)) == 13
    assert pop.coordinates_from_rank(13) == (2, 3)
    assert pop.normalized_coordinates_from_rank(19) == (1.0, 1.0)
    with pytest.raises(Exception):
        pop.rank_from_coordinates((4, 0))


def test_values_before_and_after_compile():
    pop = Population(10, LEAKY, name="p")
    pop.baseline = np.arange(10.0)
    pop[2:4].baseline = 7.0
    pop[9].baseline = -1.0
    assert pop.tau == 10.0
    assert list(pop.baseline) == [0, 1, 7, 7, 4, 5, 6, 7, 8, -1]
    pop.r = Normal(0.0, 1.0)
    r0 = pop.r.copy()
    compile()
    assert np.array_equal(pop.r, r0)                       # materialised values are the compiled ones
    assert list(pop.baseline) == [0, 1, 7, 7, 4, 5, 6, 7, 8, -1]
    simulate(200.0)
    assert pop.r == pytest.approx(pop.baseline, abs=1e-6)  # leaky unit converges on its baseline
    pop[0:5].baseline = 3.0
    pop.tau = 1.0
    simulate(20.0)
    assert pop[0].r == pytest.approx(3.0, abs=1e-6) and pop.tau == 1.0
    assert get_time() == pytest.approx(220.0) and get_current_step() == 220
    step()
    assert get_current_step() == 221


def test_monitor_periods_views_and_pause():
    pop = Population(6, LEAKY, name="p")
    pop.baseline = 1.0
    m = Monitor(pop[1:3], "r", period=5.0)
    compile()
    simulate(50.0)
    r = m.get("r")
    assert r.shape == (10, 2)
    m.pause()
    simulate(50.0)
    assert m.get("r").shape == (0, 2)
    m.resume()
    simulate(10.0)
    assert m.get("r").shape == (2, 2)


def test_explicit_network_add_get_compile_simulate():
    pop = Population(5, LEAKY, name="src")
    pop.baseline = 2.0
    out = Population(5, LEAKY, name="dst")
    proj = Projection(pop, out, "exc")
    proj.connect_one_to_one(weights=0.5)
    net = Network()
    net.add([pop, out, proj])
    net.compile()
    net.simulate(200.0)
    assert net.get(out).r == pytest.approx(np.full(5, 1.0), abs=1e-5)
    assert net.get_time() == 200.0
    # the default network is untouched
    assert ann.get_time() == 0.0


def test_spike_monitor_analysis_helpers():
    ann.setup(dt=0.1)
    n = Neuron(parameters="I = 2.0", equations="10*dv/dt = -v + I : exponential", spike="v > 1", reset="v = 0",
               refractory=2.0)
    pop = Population(4, n, name="lif")
    pop.I = np.array([2.0, 2.0, 3.0, 0.0])
    m = Monitor(pop, "spike")
    compile()
    simulate(1000.0)
    spikes = m.get("spike", keep=True)
    t, r = m.raster_plot(spikes)
    assert t.size == sum(len(v) for v in spikes.values()) and set(r.tolist()) == {0, 1, 2}
    rate = m.mean_fr(spikes)
    per = {k: len(v) for k, v in spikes.items()}
    assert rate == pytest.approx(sum(per.values()) / 4 / 1.0, rel=1e-6)
    assert m.coefficient_of_variation(spikes)[0] < 1e-6     # regular firing
    hist = m.histogram(spikes, bins=100.0)
    assert hist.sum() == sum(per.values()) and hist.size == 10
    assert m.population_rate(spikes).mean() == pytest.approx(rate, rel=0.02)


def test_unknown_attribute_errors_are_clear():
    pop = Population(3, LEAKY, name="p")
    with pytest.raises(AttributeError) as info:
        pop.tua = 3
    assert "tua" in str(info.value) and "tau" in str(info.value)
    with pytest.raises(Exception):
        Monitor(pop, "vv")


def test_diverging_equations_give_a_located_simulation_error():
    from annstudio.engine import SimulationError
    pop = Population(3, Neuron(equations="dx/dt = x*x : init = 1.0"), name="boom")
    compile()
    with pytest.raises(SimulationError) as info:
        simulate(50.0)
    assert "Population 'boom'" in str(info.value) and "'x'" in str(info.value)
