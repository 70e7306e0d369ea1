"""t_pre / t_post in a project file's synapse type, against ANNarchy.

Measured on ANNarchy 5.0.4.1 and 4.8.2.6 (same script through ``net.create``/``net.connect`` and through the
4.x globals): dt 1, SpikeSourceArrays at [2, 10, 20] and [5, 12, 30] ms drive one relay each
(``v = g_exc``, spike ``v > 0.5``), so ``pre`` spikes at 3, 11, 21 and ``post`` at 6, 13, 31 ms; the
projection pre -> post (target inh, weight 0) has ``pre_spike: w = w + (t_post - t_pre)`` and
``post_spike: w = w + 100 * (t_pre - t_post)``; after 40 ms both print ``w = -11516`` (t_post is
-10000 before post's first spike).
"""
import copy

import pytest
from project_helpers import SMALL

from annstudio.project.validate import InvalidProject, check_document
from annstudio.session import Simulation

RELAY = {"parameters": "", "equations": "v = g_exc + 0.0 * g_inh", "spike": "v > 0.5", "reset": "",
         "refractory": None, "functions": "", "description": ""}
TIMES = {"parameters": "", "equations": "", "psp": "", "functions": "", "description": "",
         "pre_spike": "g_target += 0.0 * w\nw = w + (t_post - t_pre)",
         "post_spike": "w = w + 100.0 * (t_pre - t_post)"}


def _ssa(name, times):
    return {"name": name, "geometry": 1, "kind": "spike_source_array", "neuron": None, "initial": {},
            "options": {"spike_times": [times]}}


def _one_to_one(name, pre, post, target, synapse=None, weight=1.0, method="one_to_one"):
    return {"name": name, "pre": pre, "post": post, "target": target, "synapse": synapse, "initial": {},
            "connector": {"method": method, "weights": weight, "delays": None, "args": {}}}


def _doc(pre_kind_rate=False):
    d = copy.deepcopy(SMALL)
    d["neurons"] = {"Relay": RELAY, "Rate": {"parameters": "", "equations": "r = 1.0", "spike": None,
                                             "reset": None, "refractory": None, "functions": "",
                                             "description": ""}}
    d["synapses"] = {"Times": TIMES}
    d["populations"] = [_ssa("A", [2.0, 10.0, 20.0]), _ssa("B", [5.0, 12.0, 30.0]),
                        {"name": "pre", "geometry": 1, "neuron": "Rate" if pre_kind_rate else "Relay",
                         "kind": "standard", "initial": {}},
                        {"name": "post", "geometry": 1, "neuron": "Relay", "kind": "standard", "initial": {}}]
    d["projections"] = [_one_to_one("Ap", "A", "pre", "exc"), _one_to_one("Bp", "B", "post", "exc"),
                        _one_to_one("P", "pre", "post", "inh", synapse="Times", weight=0.0, method="all_to_all")]
    if pre_kind_rate:
        d["projections"] = d["projections"][1:]
    d["monitors"], d["protocol"] = [], [{"action": "simulate", "duration": 40.0}]
    return d


def test_project_synapse_reads_spike_times_like_annarchy(paradigm):
    project = check_document(_doc())
    sim = Simulation(project.spec).compile(paradigm=paradigm)
    sim.simulate(40.0)
    assert float(sim.get("P", "w").reshape(-1)[0]) == -11516.0
    assert project.data["synapses"]["Times"]["pre_spike"] == TIMES["pre_spike"]     # the file's text is kept


def test_spike_times_from_a_rate_coded_pre_are_refused_with_their_place():
    with pytest.raises(InvalidProject, match=r"projections\[1\]\.synapse"):
        check_document(_doc(pre_kind_rate=True))
