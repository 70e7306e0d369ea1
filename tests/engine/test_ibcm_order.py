"""Order of the continuous synaptic updates within a step, against ANNarchy (issue 16, item 3).

ANNarchy updates a projection's projection-wide variables first, then its postsynaptic ones, then the
per-synapse ones (each group in textual order, consecutive ODEs of a group as one block), so a per-synapse
ODE reads the ``theta`` already updated in the same step (docs/annarchy-semantics.md, section h).

The expected numbers were printed by ``benchmarks/peers/annarchy_synapse_order.py ANNarchy order|ibcm`` with
ANNarchy 5.0.4.1 and with ANNarchy 4.8.2.6 (both gave the same digits); the networks are built by the same
functions here, so the script and the test cannot drift apart.
"""
import importlib.util
import pathlib

import numpy as np

import annstudio.engine as ann
from backend_fixtures import setup_backend as _setup

_SCRIPT = pathlib.Path(__file__).resolve().parents[2] / "benchmarks" / "peers" / "annarchy_synapse_order.py"
_spec = importlib.util.spec_from_file_location("annarchy_synapse_order", _SCRIPT)
peers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(peers)

# ANNarchy 5.0.4.1 == 4.8.2.6, after steps 0, 1, 2 (w and y2 row by row, post neuron 0 then 1)
ORDER_W = [
    [0.12880000000000003, 0.2144, 0.35760000000000003, 0.44035, 0.520175, 0.6807],
    [0.18498320000000001, 0.2419916, 0.4659664, 0.5171952125, 0.55809760625, 0.830390425],
    [0.2696283098, 0.2834361549, 0.6270806196, 0.632891514771875, 0.6150966323859376, 1.05337602954375]]
ORDER_Y2 = [
    [0.13880000000000003, 0.2344, 0.38760000000000006, 0.48035000000000005, 0.5701750000000001, 0.7406999999999999],
    [0.20686320000000002, 0.2814316, 0.5287264, 0.5972302125, 0.65511510625, 0.952460425],
    [0.3078186298, 0.34313131490000004, 0.7301612596, 0.756642536021875, 0.7582221430109376, 1.24627807204375]]
ORDER_A = [[0.007999999999999998, 0.018500000000000003], [0.024711999999999998, 0.05576837500000001],
           [0.052131918, 0.11388016115625002]]
ORDER_G = [0.1, 0.19, 0.271]

# IBCM after 1 s (50 presentations of 20 ms)
IBCM_R = [0.059315982837083635, 0.15811582860550108, 0.12625257621351255, 0.11723650029132617, 0.5616083041835114]
IBCM_THETA = [0.11719891382058344, 0.026038242201470156, 0.08997368929771103, 0.04164675214385409,
              0.26952381051417906]
IBCM_W_MEAN = 0.05126793331162527


def test_global_then_postsynaptic_then_local(paradigm):
    _setup(paradigm)
    inp, out, proj = peers.order_network(ann)
    ann.compile()
    inp.r = [1.0, 0.5, 2.0]
    for k in range(3):
        ann.simulate(1.0)
        np.testing.assert_allclose(peers.rows(proj, "w", 2), ORDER_W[k], rtol=1e-12)
        np.testing.assert_allclose(peers.rows(proj, "y2", 2), ORDER_Y2[k], rtol=1e-12)
        np.testing.assert_allclose(np.ravel(proj.a), ORDER_A[k], rtol=1e-12)
        np.testing.assert_allclose(np.ravel(proj.g)[0], ORDER_G[k], rtol=1e-12)


def test_ibcm_weights_read_this_steps_theta(paradigm):
    _setup(paradigm)
    patterns, inp, out, proj = peers.ibcm_network(ann)
    ann.compile()
    for k in range(50):
        inp.r = patterns[k % 4]
        ann.simulate(20.0)
    np.testing.assert_allclose(out.r, IBCM_R, rtol=1e-9)
    np.testing.assert_allclose([float(np.ravel(proj[i].theta)[0]) for i in range(5)], IBCM_THETA, rtol=1e-9)
    np.testing.assert_allclose(peers.rows(proj, "w", 5).mean(), IBCM_W_MEAN, rtol=1e-9)
