"""reset(): time back to 0 and (ANNarchy 5) the generator reseeded, as measured on real ANNarchy.

Measured with ANNarchy 5.0.4.1 (``net = ann.Network(dt=1.0, seed=7)``, a PoissonPopulation of 5 neurons at
200 Hz and a TimedArray of rows 1..10, monitors on both; simulate(5), ``net.reset()``, simulate(5)) and with
4.8.2.6 (the same through ``setup(dt=1.0, seed=7)`` and ``reset()``): after ``reset()`` both report time 0
and step 0; 5.0.4.1's spikes after the reset are the same as after compile (``reseed_rng=True``, its
default) and differ with ``reset(reseed_rng=False)``; 4.8.2.6's differ (no reseed); the TimedArray starts
again at its first row ([1, 2, 3] in the first 3 steps) in both.
"""
import numpy as np

import annstudio.engine as ann


def _net():
    net = ann.Network(dt=1.0, seed=7)
    pois = net.create(ann.PoissonPopulation(5, rates=200.0))
    ta = net.create(ann.TimedArray(rates=np.arange(1.0, 11.0)[:, None] * np.ones((1, 2))))
    return net, net.monitor(pois, "spike"), net.monitor(ta, "r")


def test_reset_sets_time_to_zero_and_reseeds_like_annarchy5():
    net, m, mt = _net()
    net.compile(paradigm="numpy")
    net.simulate(5.0)
    first = m.get("spike")
    assert sum(len(v) for v in first.values()) > 0
    net.reset()
    assert net.get_time() == 0.0 and net.get_current_step() == 0
    mt.get()
    net.simulate(5.0)
    assert m.get("spike") == first                              # same draws, same steps
    np.testing.assert_allclose(mt.get("r")[:3, 0], [1.0, 2.0, 3.0])
    net.reset(reseed_rng=False)
    net.simulate(5.0)
    assert m.get("spike") != first


def test_reset_of_the_4x_api_sets_time_to_zero_without_reseeding():
    ann.clear()
    ann.setup(dt=1.0, seed=7)
    pois = ann.PoissonPopulation(5, rates=200.0)
    m = ann.Monitor(pois, "spike")
    ann.compile(paradigm="numpy")
    ann.simulate(5.0)
    first = m.get("spike")
    ann.reset()
    assert ann.get_time() == 0.0 and ann.get_current_step() == 0
    ann.simulate(5.0)
    again = m.get("spike")
    assert again != first and all(0 <= s < 5 for v in again.values() for s in v)
    ann.clear()


def test_periodic_monitor_and_callbacks_follow_the_rewound_clock():
    net = ann.Network(dt=1.0)
    pop = net.create(1, ann.Neuron(equations="r = t"))
    m = net.monitor(pop, "r", period=2.0)
    net.compile(paradigm="numpy")
    net.simulate(5.0)
    net.reset()
    net.simulate(6.0)
    np.testing.assert_allclose(m.get("r")[:, 0], [0.0, 2.0, 4.0])   # recorded at steps 0, 2, 4 again


def test_reset_replays_a_cleared_spike_source_from_time_zero():
    # ANNarchy 5.0.4.1: SpikeSourceArray [[2, 4], [3]] -> relays (one_to_one, delay 3 ms), dt 1; simulate(4),
    # ssa.clear(), simulate(10) (relays: {0: [9, 11], 1: [10]}), net.reset(), simulate(10): the relays spike at
    # {0: [5, 7], 1: [6]}, as after compile.  (Spikes still in a delay queue at reset() would arrive here:
    # none are, 10 ms after the clear.)
    net = ann.Network(dt=1.0)
    ssa = net.create(ann.SpikeSourceArray(spike_times=[[2.0, 4.0], [3.0]]))
    relay = net.create(2, ann.Neuron(equations="v = g_exc", spike="v > 0.5", reset=""))
    net.connect(ssa, relay, "exc").one_to_one(1.0, delays=3.0)
    m = net.monitor(relay, "spike")
    net.compile(paradigm="numpy")
    net.simulate(4.0)
    ssa.clear()
    net.simulate(10.0)
    assert {0: [9, 11], 1: [10]}.items() <= {k: [s for s in v if s >= 9] for k, v in m.get("spike").items()}.items()
    net.reset()
    net.simulate(10.0)
    assert m.get("spike") == {0: [5, 7], 1: [6]}


def test_timed_array_update_restarts_in_annarchy5_networks_and_goes_on_in_the_4x_api():
    # ANNarchy 5.0.4.1 (net.create(TimedArray(rows 1..10)), after reset()): the first 3 steps read 1, 2, 3;
    # update(rows 101..110, reset=False) then reads 104, 105, 106; update(rows 201..210) (reset=True by
    # default) reads 201, 202, 203.  ANNarchy 4.8.2.6 (global API): update(rows 101..110) reads 104, 105, 106.
    rows = lambda a: np.arange(a, a + 10.0)[:, None] * np.ones((1, 2))    # noqa: E731
    net, _m, mt = _net()
    ta = net.get_populations()[1]
    net.compile(paradigm="numpy")
    net.simulate(3.0)
    assert mt.get("r")[:, 0].tolist() == [1.0, 2.0, 3.0]
    ta.update(rows(101.0), reset=False)
    net.simulate(3.0)
    assert mt.get("r")[:, 0].tolist() == [104.0, 105.0, 106.0]
    ta.update(rows(201.0))
    net.simulate(3.0)
    assert mt.get("r")[:, 0].tolist() == [201.0, 202.0, 203.0]

    ann.clear()
    ann.setup(dt=1.0)
    ta = ann.TimedArray(rates=rows(1.0))
    m = ann.Monitor(ta, "r")
    ann.compile(paradigm="numpy")
    ann.simulate(3.0)
    ta.update(rows(101.0))
    ann.simulate(3.0)
    assert m.get("r")[:, 0].tolist() == [1.0, 2.0, 3.0, 104.0, 105.0, 106.0]
    ann.clear()


def test_setting_the_clock_keeps_phases_and_is_how_a_project_reset_keeps_time():
    """``net.time = t`` (ANNarchy 5's setter) and ``set_time`` move the clock without re-anchoring a periodic
    monitor (a reset does); reset then set_time(previous) is how an exported project's reset keeps time."""
    net = ann.Network(dt=1.0)
    pop = net.create(1, ann.Neuron(equations="r = t"))
    m = net.monitor(pop, "r", period=2.0)
    net.compile(paradigm="numpy")
    net.simulate(5.0)                   # records at 0, 2, 4
    net.reset(monitors=False)
    net.time = 5.0
    assert net.time == 5.0 and net.current_step == 5
    net.simulate(4.0)                   # steps 5..8: records at 6, 8 (the phase of step 0)
    np.testing.assert_allclose(m.get("r")[:, 0], [0.0, 2.0, 4.0, 6.0, 8.0])
    net.current_step = 20
    net.simulate(1.0)
    np.testing.assert_allclose(m.get("r")[:, 0], [20.0])
