"""Spikes waiting in a delay queue are dropped at ``reset()`` and at a SpikeSourceArray's ``clear()``, and the
compiled backends restart their random draws at ``Network.reset()`` (``reseed_rng=True``), as ANNarchy does.

Measured (under load, which changes no number here) with ANNarchy 5.0.4.1: a SpikeSourceArray
``[[2, 4], [3]]`` drives two relays (``v = g_exc``, spike ``v > 0.5``) one-to-one with weight 1 and a 3 ms
delay, dt 1 ms, a spike monitor on the relays:
- simulate(4) (the source has spiked at 2 and 3: both spikes still travel), ``ssa.clear()``, simulate(10):
  the relays spike at ``{0: [9, 11], 1: [10]}`` (the schedule restarts at 4; the travelling spikes never arrive);
- simulate(4), ``net.reset()``, simulate(10): ``{0: [5, 7], 1: [6]}`` (exactly as after compile).
ANNarchy 4.8.2.6 (``reset()`` of the 4.x API, then ``clear()`` at 14 ms): ``{0: [5, 7], 1: [6]}`` after the
reset and ``{0: [19, 21], 1: [20]}`` after the clear: the travelling spikes are dropped there too.
"""
import annstudio.engine as ann


def _relays(dt=1.0):
    net = ann.Network(dt=dt)
    ssa = net.create(ann.SpikeSourceArray(spike_times=[[2.0, 4.0], [3.0]]))
    relay = net.create(2, ann.Neuron(equations="v = g_exc", spike="v > 0.5", reset=""))
    net.connect(ssa, relay, "exc").one_to_one(1.0, delays=3.0)
    return net, ssa, net.monitor(relay, "spike")


def test_clear_drops_the_spikes_of_a_source_still_in_its_delay_queue(paradigm):
    net, ssa, m = _relays()
    net.compile(paradigm=paradigm)
    net.simulate(4.0)
    ssa.clear()
    net.simulate(10.0)
    assert m.get("spike") == {0: [9, 11], 1: [10]}


def test_reset_drops_the_spikes_still_in_delay_queues(paradigm):
    net, ssa, m = _relays()
    net.compile(paradigm=paradigm)
    net.simulate(4.0)
    assert m.get("spike") == {0: [], 1: []}
    net.reset()
    net.simulate(10.0)
    assert m.get("spike") == {0: [5, 7], 1: [6]}


def test_reset_of_the_4x_api_drops_them_too(paradigm):
    ann.clear()
    ann.setup(dt=1.0, paradigm=paradigm)
    ssa = ann.SpikeSourceArray(spike_times=[[2.0, 4.0], [3.0]])
    relay = ann.Population(2, ann.Neuron(equations="v = g_exc", spike="v > 0.5", reset=""))
    ann.Projection(ssa, relay, "exc").connect_one_to_one(1.0, delays=3.0)
    m = ann.Monitor(relay, "spike")
    ann.compile()
    ann.simulate(4.0)
    ann.reset()
    ann.simulate(10.0)
    assert m.get("spike") == {0: [5, 7], 1: [6]}
    ann.clear()


def replayed_after_reset(paradigm):
    """Poisson spikes through delayed synapses into Izhikevich neurons, 30 ms, reset() (reseed_rng=True), 30 ms
    again: the same spikes both times (asserted).  Returns the network, its two monitors and the first spikes."""
    net = ann.Network(dt=1.0, seed=11)
    pois = net.create(ann.PoissonPopulation(20, rates=150.0))
    izh = net.create(5, ann.Izhikevich)
    net.connect(pois, izh, "exc").fixed_probability(0.5, weights=8.0, delays=2.0)
    mp, mi = net.monitor(pois, "spike"), net.monitor(izh, "spike")
    net.compile(paradigm=paradigm)
    net.simulate(30.0)
    first, first_izh = mp.get("spike"), mi.get("spike")
    assert sum(map(len, first.values())) > 20 and sum(map(len, first_izh.values())) > 0
    net.reset()
    net.simulate(30.0)
    assert mp.get("spike") == first
    assert mi.get("spike") == first_izh
    return net, mp, first


def test_reset_restarts_the_draws_of_every_backend(paradigm):
    # ANNarchy 5.0.4.1 (tests/engine/test_reset_rewind.py): Network.reset() (reseed_rng=True) gives the same
    # Poisson spikes as after compile; here on every backend, with delayed transmission through Izhikevich
    # neurons so that the spike rings are exercised
    net, mp, first = replayed_after_reset(paradigm)
    if paradigm != "cuda":      # the CUDA kernel's draws follow the step: reset() always replays them
        net.reset(reseed_rng=False)
        net.simulate(30.0)
        assert mp.get("spike") != first
