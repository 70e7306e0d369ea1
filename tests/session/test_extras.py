"""Constants, callbacks, global functions and module-level spike analyses."""
import numpy as np
import pytest

import annstudio.engine as ann
from annstudio.engine import (Constant, Monitor, Neuron, Population, add_function, compile, every, functions,
                              simulate)


def test_constant_is_usable_in_equations_and_settable_without_rebuild():
    tau = Constant("tau_c", 10.0)
    pop = Population(2, Neuron(parameters="I = 1.0", equations="tau_c*dr/dt + r = I : exponential"), name="p")
    compile()
    simulate(10.0)
    assert pop.r[0] == pytest.approx(1 - np.exp(-1.0), rel=1e-9)
    assert tau * 2 == 20.0
    tau.set(1.0)
    backend = ann.default_network()._sim.backend
    simulate(50.0)
    assert pop.r[0] == pytest.approx(1.0, abs=1e-9)
    assert ann.default_network()._sim.backend is backend   # no rebuild


def test_every_callback_runs_periodically():
    pop = Population(1, Neuron(equations="r = t"), name="p")
    seen = []

    @every(period=10.0)
    def record(n):
        seen.append((n, ann.get_time(), float(pop.r[0])))
    compile()
    simulate(35.0)
    assert [s[0] for s in seen] == [0, 1, 2]
    assert [s[1] for s in seen] == [10.0, 20.0, 30.0]


def test_global_function_callable_from_python():
    add_function("sq(x) = x*x")
    assert functions("sq")(3.0) == 9.0
    pop = Population(1, Neuron(parameters="a = 3", equations="r = sq(a)"), name="q")
    compile()
    simulate(1.0)
    assert pop.r[0] == 9.0


def test_module_level_spike_analysis():
    spikes = {0: [10, 20, 30], 1: [15], 2: []}
    t, n = ann.raster_plot(spikes)
    assert sorted(t.tolist()) == [10.0, 15.0, 20.0, 30.0] and sorted(n.tolist()) == [0, 0, 0, 1]
    assert ann.inter_spike_interval(spikes) == [10.0, 10.0]
    assert ann.coefficient_of_variation(spikes) == [0.0]
    assert ann.histogram(spikes, bins=10.0).tolist() == [2.0, 1.0, 1.0]
    assert ann.mean_fr(spikes, duration=1000.0) == pytest.approx(4 / 3)
    assert "Izhikevich" in ann.list_standard_neurons()
