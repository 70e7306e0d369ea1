"""A Monitor on one dendrite records that post neuron's synapses as (time, pre), as in ANNarchy 4.8 (the Ramp
notebook's ``Monitor(proj[0], 'w')``).

The numbers were printed by ``benchmarks/peers/annarchy_dendrite_monitor.py ANNarchy`` with ANNarchy 4.8.2.6;
the network is built by that script's ``build``.
"""
import importlib.util
import pathlib

import numpy as np

import annstudio.engine as ann
from backend_fixtures import setup_backend

_SCRIPT = pathlib.Path(__file__).resolve().parents[2] / "benchmarks" / "peers" / "annarchy_dendrite_monitor.py"
_spec = importlib.util.spec_from_file_location("annarchy_dendrite_monitor", _SCRIPT)
peers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(peers)

ANNARCHY_48 = [[0.4, 0.5, 0.6], [0.4032, 0.5064, 0.6096], [0.4064448, 0.5128896, 0.6193344000000001],
               [0.4097350272, 0.5194700543999999, 0.6292050816000001]]


def test_dendrite_monitor_records_time_by_pre(paradigm):
    setup_backend(paradigm, dt=1.0)
    inp, proj = peers.build(ann)
    ann.compile()
    m = ann.Monitor(proj[1], "w")
    inp.a = [1.0, 2.0, 3.0]
    ann.simulate(4.0)
    w = m.get("w")
    assert isinstance(w, np.ndarray) and w.shape == (4, 3)
    np.testing.assert_allclose(w, ANNARCHY_48, rtol=1e-12)
