"""Order of pre- and post-synaptic spike events within a step, against ANNarchy (issue 16).

A spike emitted at step s reaches ``pre_spike`` at step s + delay (one step by default); ``post_spike`` runs
in the step of the post spike, after the neuron update.  A pre event at step t advances the event-driven
variables to t - dt, a post event to t; both then stamp the synapse's last event at t
(docs/annarchy-semantics.md, section l).  annstudio used to advance them to t at a pre event too, which at
dt = 1 ms moved the seed STDP network's mean weight to 0.515 (ANNarchy: 0.483).

The numbers were printed by ``benchmarks/peers/annarchy_event_order.py ANNarchy [delay]`` with ANNarchy
5.0.4.1 and with ANNarchy 4.8.2.6 (the same digits); the network is built by that script's ``build``.
"""
import importlib.util
import pathlib

import pytest

import annstudio.engine as ann
from backend_fixtures import setup_backend

_SCRIPT = pathlib.Path(__file__).resolve().parents[2] / "benchmarks" / "peers" / "annarchy_event_order.py"
_spec = importlib.util.spec_from_file_location("annarchy_event_order", _SCRIPT)
peers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(peers)

ANNARCHY = {   # delay (ms, None = default one step) -> case -> final w
    None: {"same": 0.48, "pre_first": 0.51, "post_first": 0.48097541150998574, "pre2": 0.5095122942450071,
           "post2": 0.4819032516392808},
    3.0: {"same": 0.4819032516392808, "pre_first": 0.48097541150998574, "post_first": 0.48278584047149886,
          "pre2": 0.48, "post2": 0.4836253849384404},
}


@pytest.mark.parametrize("delay", [None, 3.0], ids=["default-delay", "delay-3ms"])
def test_pre_and_post_events_as_annarchy(paradigm, delay):
    setup_backend(paradigm, dt=1.0)
    proj = peers.build(ann, delay)
    ann.compile()
    ann.simulate(20.0)
    got = peers.weights(proj)
    for case, ref in ANNARCHY[delay].items():
        assert got[case] == pytest.approx(ref, abs=1e-12), case
