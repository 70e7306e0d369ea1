"""Spike and rate propagation delays (NumPy reference)."""
import numpy as np
import pytest

from annstudio.engine import Monitor, Neuron, Population, Projection, SpikeNeuron, compile, setup, simulate

# A neuron that spikes exactly once, at the step where t crosses t_spike.
TRIGGER = Neuron(parameters="t_spike = 5.0", equations="x = t", spike="x >= t_spike and x < t_spike + dt*0.5",
                 reset="")
# A passive target that integrates incoming conductance jumps and never spikes.
TARGET = Neuron(equations="dv/dt = 0 : init = 0\n r = v", spike="v > 1e9", reset="v = 0")


def _arrival_steps(delays, dt=0.5):
    setup(dt=dt, paradigm="numpy")
    src = Population(1, TRIGGER, name="src")
    dst = Population(len(delays), Neuron(equations="g = g_exc", spike="g > 1e9", reset=""), name="dst")
    proj = Projection(src, dst, "exc")
    w = np.ones((len(delays), 1))
    proj.connect_from_matrix(w, delays=np.asarray(delays, dtype=float).reshape(-1, 1))
    m = Monitor(dst, "g")
    ms = Monitor(src, "spike")
    compile()
    simulate(20.0)
    g = m.get("g")
    spike_step = ms.get("spike")[0][0]
    return spike_step, [int(np.nonzero(g[:, j])[0][0]) for j in range(len(delays))]


def test_spikes_arrive_after_their_delay():
    spike_step, arrivals = _arrival_steps([0.0, 0.5, 1.0, 3.0])
    assert spike_step == 10                                    # t = 5 ms at dt = 0.5
    # minimum delay is one step; a delay of d ms arrives round(d/dt) steps later
    assert [a - spike_step for a in arrivals] == [1, 1, 2, 6]


def test_uniform_delay_all_synapses():
    setup(dt=1.0, paradigm="numpy")
    src = Population(1, TRIGGER, name="src")
    dst = Population(3, Neuron(equations="g = g_exc", spike="g > 1e9", reset=""), name="dst")
    Projection(src, dst, "exc").connect_all_to_all(weights=2.0, delays=4.0)
    m = Monitor(dst, "g")
    compile()
    simulate(15.0)
    g = m.get("g")
    assert np.nonzero(g[:, 0])[0].tolist() == [9]             # spike at step 5, delay 4 steps
    assert g[9].tolist() == [2.0, 2.0, 2.0]


def test_rate_coded_delay_reads_older_values():
    setup(dt=1.0, paradigm="numpy")
    ramp = Population(1, Neuron(equations="r = t"), name="ramp")
    out0 = Population(1, Neuron(equations="r = sum(exc)"), name="out0")
    out3 = Population(1, Neuron(equations="r = sum(exc)"), name="out3")
    Projection(ramp, out0, "exc").connect_one_to_one(weights=1.0)
    Projection(ramp, out3, "exc").connect_one_to_one(weights=1.0, delays=3.0)
    m0, m3 = Monitor(out0, "r"), Monitor(out3, "r")
    compile()
    simulate(10.0)
    r0, r3 = m0.get("r")[:, 0], m3.get("r")[:, 0]
    # at step k the ramp's previous value is k-1 (one step of transmission); a delay of 3 ms reads k-3
    assert r0[5] == 4.0 and r3[5] == 2.0
    assert np.array_equal(r3[3:], r0[1:-2])
