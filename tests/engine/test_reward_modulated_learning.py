"""Reward-modulated Hebbian learning in a recurrent rate network (Miconi 2017, as in ANNarchy's Miconi notebook),
checked step for step against real ANNarchy 4.8.2.6.

The network is written here in its own words: 200 leaky rate units (three of them held at fixed biases), two
inputs, 10 % recurrent synapses whose eligibility trace sums ``(r_pre(t-1) * (x_post - <x_post>))**3`` during a
trial and whose weight moves, in one step at the trial's end, by ``eta * trace * |R_mean| * (R - R_mean)``
clipped to +-0.0003.  Weights, input weights and initial states come from NumPy (seed 1), the perturbations are
off, so both simulators compute the same numbers.  Eight trials of the delayed non-match task (AA, AB, BA, BB,
twice), learning after each: ANNarchy 4.8.2.6 gave the rewards and weight changes below (measured with the same
network through ``import ANNarchy as ann``).  A full notebook run is compared statistically by
tools/run_annarchy_notebooks.py (docs/annarchy-compatibility.md).
"""
import numpy as np

import annstudio.engine as ann
from backend_fixtures import setup_backend

ANNARCHY_REWARDS = [-1.5360579842086717, -1.59096730895169, -0.42473136543104884, -0.45653979147447626,
                    -1.5353211211981688, -1.5877965411867938, -0.4351819580318434, -0.4572997421942803]
# the weight changes after the 8 trials (learned minus initial weights, over the 3 986 synapses)
ANNARCHY_DW = {"sum": 0.004929212572738236, "sum_sq": 0.0005019476939449029, "max": 0.00213193294252495,
               "min": -0.0022913531686527266}

UNIT = ann.Neuron(
    parameters="""
        tau = 30.0 : population
        bias = 0.0
        alpha = 0.05 : population
    """,
    equations="""
        x += dt * (sum(in) + sum(exc) - x) / tau
        r_old = r
        r = if bias == 0.0: tanh(x) else: tanh(bias)
        dx = x - x_avg
        x_avg = alpha * x_avg + (1 - alpha) * x
    """)
LEARNING = ann.Synapse(
    parameters="""
        eta = 0.5 : projection
        phase = 0.0 : projection
        R = 0.0 : projection
        R_mean = 0.0 : projection
        cap = 0.0003 : projection
    """,
    equations="""
        elig += if phase < 0.5: power(pre.r_old * post.dx, 3) else: 0.0
        dw = if phase > 0.5: eta * elig * fabs(R_mean) * (R - R_mean) else: 0.0 : min=-cap, max=cap
        w += dw
    """)
N = 200


def _trial(net, x0, inputs, target, r_mean):
    inp, pop, rec, mon = net
    pop.x = x0
    pop.r = np.tanh(x0)
    for rank, bias in ((0, 1.0), (1, 1.0), (2, -1.0)):
        pop[rank].r = np.tanh(bias)
    for first in (inputs[0], None, inputs[1], None):           # cue, delay, cue, delay: 200 ms each
        inp.r = 0.0
        if first is not None:
            inp[first].r = 1.0
        ann.simulate(200)
    mon.resume()
    ann.simulate(200)                                          # response
    mon.pause()
    reward = -np.mean(np.abs(target - mon.get("r")[-200:, 100]))
    rec.phase, rec.R, rec.R_mean = 1.0, reward, r_mean
    ann.step()                                                 # the weight update
    rec.phase, rec.elig = 0.0, 0.0
    return reward


def test_reward_modulated_learning_matches_annarchy_step_for_step(paradigm):
    setup_backend(paradigm, dt=1.0)
    rng = np.random.default_rng(1)
    mask = rng.random((N, N)) < 0.1
    np.fill_diagonal(mask, False)
    w0 = rng.normal(0.0, 1.5 / np.sqrt(20), (N, N))
    w_in = rng.uniform(-1.0, 1.0, (N, 2))
    inp = ann.Population(2, ann.Neuron(parameters="r = 0.0"))
    pop = ann.Population(N, UNIT)
    for rank, bias in ((0, 1.0), (1, 1.0), (2, -1.0)):
        pop[rank].bias = bias
    ann.Projection(inp, pop, "in").connect_from_matrix(w_in.tolist())
    rec = ann.Projection(pop, pop, "exc", LEARNING)
    rec.connect_from_matrix([[float(w0[i, j]) if mask[i, j] else None for j in range(N)] for i in range(N)])
    ann.compile()
    mon = ann.Monitor(pop, ["r"], start=False)
    x0 = rng.uniform(-0.1, 0.1, (8, N))
    task = [([0, 0], -0.98), ([0, 1], 0.98), ([1, 0], 0.98), ([1, 1], -0.98)] * 2
    rewards = [_trial((inp, pop, rec, mon), x0[k], inputs, target, -0.4) for k, (inputs, target) in enumerate(task)]
    np.testing.assert_allclose(rewards, ANNARCHY_REWARDS, rtol=1e-11, atol=1e-13)
    dw = np.asarray(rec.connectivity_matrix()) - np.where(mask, w0, 0.0)
    assert np.count_nonzero(dw[~mask]) == 0 and np.count_nonzero(dw[mask]) == mask.sum()   # every synapse learned
    np.testing.assert_allclose([dw.sum(), (dw ** 2).sum(), dw.max(), dw.min()],
                               [ANNARCHY_DW[k] for k in ("sum", "sum_sq", "max", "min")], rtol=1e-9, atol=1e-14)
    assert np.abs(dw).max() <= 8 * 0.0003 + 1e-15                # each step's change clipped
