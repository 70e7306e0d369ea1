"""A project file's projection with a list of targets feeds every listed conductance, with ANNarchy's numbers
(measured on ANNarchy 5.0.4.1 and 4.8.2.6: see tests/engine/test_multi_target.py, whose ``static``
population this project rebuilds)."""
import copy

import numpy as np
from project_helpers import SMALL

from annstudio.project.validate import check_document
from annstudio.session import Simulation
from engine.test_multi_target import ANNARCHY, peers

TWO = {"parameters": "tau_a = 5.0\ntau_n = 20.0", "spike": "v > 1000.0", "reset": "", "refractory": None,
       "equations": "tau_a * dg_ampa/dt = -g_ampa : exponential\ntau_n * dg_nmda/dt = -g_nmda : exponential\n"
                    "v = g_ampa + 2 * g_nmda", "functions": "", "description": ""}


def _projection(name, target, method, weight):
    return {"name": name, "pre": "src", "post": "post", "target": target, "synapse": None, "initial": {},
            "connector": {"method": method, "weights": weight, "delays": None, "args": {}}}


def _doc():
    d = copy.deepcopy(SMALL)
    d["neurons"], d["synapses"] = {"Two": TWO}, {}
    d["populations"] = [{"name": "src", "geometry": 2, "kind": "spike_source_array", "neuron": None, "initial": {},
                         "options": {"spike_times": peers.SPIKES}},
                        {"name": "post", "geometry": 2, "neuron": "Two", "kind": "standard", "initial": {}}]
    d["projections"] = [_projection("both", ["ampa", "nmda"], "all_to_all", 0.5),
                        _projection("nmda", "nmda", "one_to_one", 0.25)]
    d["monitors"], d["protocol"] = [], [{"action": "simulate", "duration": peers.DURATION}]
    return d


def test_project_list_of_targets_feeds_each_conductance(paradigm):
    project = check_document(_doc())
    assert project.data["projections"][0]["target"] == ["ampa", "nmda"]
    sim = Simulation(project.spec).compile(paradigm=paradigm)
    sim.simulate(peers.DURATION - 1.0)   # the state ANNarchy's monitor shows for the last step
    for var in ("g_ampa", "g_nmda"):
        np.testing.assert_allclose(sim.get("post", var), [r[-1] for r in ANNARCHY["static"][var]], rtol=1e-12)
