"""ANNarchy 5's newer standard neurons (``GIF_curr``, ``GIF_curr_exp``) against numbers measured on ANNarchy.

Reference numbers: ANNarchy 5.0.4.1 (peer venv, C++ backend, dt 0.1 ms, seed 1) ran the network that
``build`` makes below (``import ANNarchy as ann`` instead of ``annstudio.engine``), ``net.simulate(1000)``,
and printed the monitored ``u`` / ``g_exc`` at the listed record indices and the spike counts per neuron.
The traces are deterministic (``c = 0`` switches the escape noise off), the rates are statistics of 2000
stochastic neurons (ANNarchy's and ours draw different random numbers, hence the 5 % tolerance).
"""
import numpy as np
import pytest

import annstudio.engine as ann
from backend_fixtures import setup_backend

INDICES = [0, 50, 99, 100, 101, 150, 199, 200, 201, 300, 499, 999]
ANNARCHY_U_CURR = [-64.85, -58.984340096992405, -55.49048511909842, -55.43558026790744, -55.341224465228365,
                   -53.26411435091577, -51.99475655165127, -51.97480898613476, -51.91506089627341,
                   -50.708054771256336, -50.095823179832855, -50.00062960457818]
ANNARCHY_U_EXP = [-64.85, -58.984340096992405, -55.49048511909842, -55.43558026790744, -55.341224465228365,
                  -52.3252134922954, -51.072080882045, -51.0559470301268, -51.000082777589746, -49.329039222435725,
                  -49.838667757774004, -49.9988695619071]
ANNARCHY_G_EXP = [0.0, 0.0, 0.0, 0.0, 100.0, 37.16017143746094, 13.808783412614872, 13.532607744362574,
                  113.26195558947532, 15.327296173517835, 0.27507721092848136, 1.1284763414988046e-05]
# spikes per neuron in 1 s: GIF_curr(), GIF_curr_exp(I_ext=400, J_v=500), GIF_curr(refractory_period=5, c=200)
# (the third measured alone in its own network: 20.68)
ANNARCHY_RATES = (5.8785, 7.7835, 20.68)
ANNARCHY_MEAN_V = (-46.432636434493936, -47.59937918137244)


def build(paradigm):
    setup_backend(paradigm, dt=0.1, seed=1)
    net = ann.Network(dt=0.1, seed=1)
    src = net.create(ann.SpikeSourceArray(spike_times=[[10.0, 20.0]]))
    a = net.create(geometry=1, neuron=ann.GIF_curr(c=0.0))
    b = net.create(geometry=1, neuron=ann.GIF_curr_exp(c=0.0))
    for pop in (a, b):
        net.connect(src, pop, 'exc').all_to_all(weights=100.0)
    ma, mb = net.monitor(a, ['u', 'v', 'Lambda']), net.monitor(b, ['u', 'v', 'g_exc'])
    ra = net.create(geometry=2000, neuron=ann.GIF_curr())
    rb = net.create(geometry=2000, neuron=ann.GIF_curr_exp(I_ext=400.0, J_v=500.0))
    rr = net.create(geometry=2000, neuron=ann.GIF_curr(refractory_period=5.0, c=200.0))
    sa, sb, sr = net.monitor(ra, 'spike'), net.monitor(rb, 'spike'), net.monitor(rr, 'spike')
    net.compile()
    net.simulate(1000.0)
    return ma.get(), mb.get(), (sa, sb, sr), (ra, rb, rr)


def test_gif_models_are_exported_like_annarchy():
    from annstudio.engine import models
    assert models.GIF_curr is ann.GIF_curr and models.GIF_curr_exp is ann.GIF_curr_exp
    neuron = ann.GIF_curr(C_m=200.0, tau_m=20.0)
    assert "R = 0.1" in neuron.parameters            # R = tau_m / C_m, as ANNarchy computes it
    assert neuron.spike.strip() == "p < Lambda"
    assert ann.GIF_curr_exp(current="R*g_exc").equations.count("R*g_exc") == 1


def test_gif_traces_and_rates_match_annarchy(paradigm):
    A, B, monitors, pops = build(paradigm)
    np.testing.assert_allclose(A['u'][INDICES, 0], ANNARCHY_U_CURR, rtol=1e-9)
    np.testing.assert_allclose(B['u'][INDICES, 0], ANNARCHY_U_EXP, rtol=1e-9)
    np.testing.assert_allclose(B['g_exc'][INDICES, 0], ANNARCHY_G_EXP, rtol=1e-9, atol=1e-12)
    assert np.all(A['v'] == -50.0) and np.all(B['v'] == -50.0) and np.all(A['Lambda'] == 0.0)
    for mon, pop, rate in zip(monitors, pops, ANNARCHY_RATES):
        count = sum(len(t) for t in mon.get('spike').values()) / pop.size
        assert count == pytest.approx(rate, rel=0.05)
    for pop, v in zip(pops, ANNARCHY_MEAN_V):
        assert float(np.mean(pop.v)) == pytest.approx(v, abs=0.3)   # threshold adaptation J_v / tau_v per spike
