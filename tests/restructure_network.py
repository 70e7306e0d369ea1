"""A spiking network whose state a rebuild would lose: spikes in flight on delayed synapses, refractory
counters.  Run with or without a mid-run ``Simulation.restructure`` (tests/codegen/test_compiled_backend.py,
tests/codegen/cuda/test_cuda_restructure.py)."""
import numpy as np

import annstudio.engine as ann
from annstudio.session.context import current_network


def lif_network(paradigm, restructure_at=None, duration=60.0):
    """LIF neurons with a 3 ms refractory period and delays of 0.5-3 ms; returns (spikes, v, sim)."""
    ann.clear()
    ann.setup(dt=0.1, seed=11)
    lif = ann.Neuron(parameters="tau = 10.0 : population\nI = 0.0",
                     equations="tau * dv/dt = -(v + 60.0) + g_exc + I : init=-60.0\n5.0 * dg_exc/dt = -g_exc",
                     spike="v > -50.0", reset="v = -60.0", refractory=3.0)
    pop = ann.Population(60, lif, name="lif")
    pop.I = np.linspace(8.0, 16.0, 60)
    proj = ann.Projection(pop, pop, "exc")
    proj.connect_fixed_probability(0.2, weights=ann.Uniform(1.0, 3.0), delays=ann.Uniform(0.5, 3.0))
    sim = ann.compile(paradigm=paradigm)
    mon = ann.Monitor(pop, ["spike", "v"])
    if restructure_at is None:
        ann.simulate(duration)
    else:
        ann.simulate(restructure_at)
        sim = current_network()._sim
        sim.restructure(sim.current_data())
        ann.simulate(duration - restructure_at)
    spikes = mon.get("spike")
    return {int(k): list(v) for k, v in spikes.items()}, np.asarray(mon.get("v")), current_network()._sim
