"""Monitor.get('spike') as ANNarchy returns it (rank -> list of step ints), built with little memory."""
import tracemalloc

import numpy as np

import annstudio.engine as ann
from annstudio.session.spike_trains import spike_dict


def test_spike_dict_keys_order_values_and_types():
    steps = np.array([3, 3, 5, 7, 7, 9], dtype=np.int64)
    ranks = np.array([4, 1, 4, 1, 0, 4], dtype=np.int64)
    d = spike_dict(steps, ranks, [4, 2, 1, 0])
    assert list(d) == [4, 2, 1, 0]
    assert d == {4: [3, 5, 9], 2: [], 1: [3, 7], 0: [7]}
    assert all(type(s) is int for v in d.values() for s in v)
    assert all(type(v) is list for v in d.values())
    assert spike_dict(np.zeros(0, np.int64), np.zeros(0, np.int64), range(2)) == {0: [], 1: []}


def test_monitor_spikes_of_regular_neurons_are_analytic():
    """Neuron i integrates dv/dt = (i + 1) / 10 per ms (dt 1) and spikes when v > 1, reset 0: it spikes at the
    steps where the explicit Euler sum first exceeds 1, every ceil-period steps."""
    ann.clear()
    ann.setup(dt=1.0)
    neuron = ann.Neuron(parameters="k = 0.0", equations="dv/dt = k", spike="v > 1.0", reset="v = 0.0")
    pop = ann.Population(5, neuron)
    pop.k = [0.1 * (i + 1) for i in range(5)]
    m = ann.Monitor(pop, "spike")
    ann.compile()
    ann.simulate(40.0)
    got = m.get("spike")
    want = {}
    for i in range(5):
        v, out = 0.0, []
        for step in range(40):
            v += 0.1 * (i + 1)
            if v > 1.0:
                out.append(step)
                v = 0.0
        want[i] = out
    assert got == want and all(len(v) > 0 for v in want.values())
    ann.clear()


def test_spike_dict_peak_memory_per_spike():
    """1 M spikes over 10 000 ranks and 2 000 steps: the lists and their peak stay far below the ~80 bytes a
    spike that two lists of Python ints made (measured by tracemalloc, which sees NumPy's buffers too)."""
    rng = np.random.default_rng(1)
    n = 1_000_000
    steps = np.sort(rng.integers(0, 2000, n)).astype(np.int64)
    ranks = rng.integers(0, 10_000, n).astype(np.int64)
    tracemalloc.start()
    d = spike_dict(steps, ranks, range(10_000))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert sum(len(v) for v in d.values()) == n
    assert peak / n < 30, f"{peak / n:.1f} bytes a spike at the peak"
    r = int(ranks[0])
    assert d[r] == steps[ranks == r].tolist()
