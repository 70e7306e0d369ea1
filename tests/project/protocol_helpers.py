"""Protocol test data (imported by name): short gallery durations, ``assert_identical``, and a project
whose protocol uses every step: sets of numbers, distributions and segments, ``simulate``,
``simulate_until``, ``reset`` with and without flags, monitor pause/resume."""
import copy

import numpy as np

from backend_fixtures import assert_same_run

# simulated time per gallery project: enough to pass the protocol's first set steps, yet short
GALLERY_MS = {"coba": 10.0, "echo_state": 160.0, "hybrid": 260.0, "izhikevich": 60.0, "oja": 60.0, "stdp": 60.0,
              "stp": 60.0}

RATE = {"parameters": "tau = 10.0\nI = 0.0\nb = 0.0", "equations": "tau * dr/dt = -r + I + b + sum(exc)"}
LIF = {"parameters": "tau = 4.0\nv_T = 1.0\nI = 0.0", "equations": "tau * dv/dt = -v + I",
       "spike": "v > v_T", "reset": "v = 0.0", "refractory": 2.0}
OJA = {"parameters": "tau = 50.0 : projection", "equations": "tau * dw/dt = pre.r * post.r - post.r^2 * w"}


def uniform(a, b):
    return {"distribution": "Uniform", "args": [a, b]}


PROTOCOL_DOC = {
    "format": "annstudio-project", "schema_version": 1, "name": "protocol", "description": "every protocol step",
    "settings": {"dt": 1.0, "seed": 5, "paradigm": "numpy", "num_threads": 1, "duration": 100.0},
    "neurons": {"Rate": RATE, "LIF": LIF}, "synapses": {"Oja": OJA},
    "populations": [
        {"name": "inp", "geometry": 4, "neuron": "Rate", "initial": {"r": uniform(0.0, 0.2)}},
        {"name": "out", "geometry": 2, "neuron": "Rate", "stop_condition": "r > 0.3 : any"},
        {"name": "lif", "geometry": 10, "neuron": "LIF", "initial": {"v": uniform(0.0, 1.0)}}],
    "projections": [
        {"name": "proj", "pre": "inp", "post": "out", "target": "exc", "synapse": "Oja",
         "connector": {"method": "all_to_all", "weights": uniform(0.0, 0.2)}}],
    "monitors": [
        {"name": "m_inp", "target": "inp", "variables": ["r"]},
        {"name": "m_out", "target": "out", "variables": ["r"], "period": 2.0},
        {"name": "m_w", "target": "proj", "kind": "projection", "variables": ["w"]},
        {"name": "m_lif", "target": "lif", "variables": ["spike", "v"]},
        {"name": "m_late", "target": "lif", "variables": ["v"], "start": False}],
    "protocol": [
        {"action": "set", "target": "inp", "variable": "I", "value": 1.0, "label": "drive the inputs"},
        {"action": "set", "target": "inp", "variable": "b", "value": uniform(0.0, 0.5)},
        {"action": "set", "target": "out", "variable": "I", "value": 0.5},
        {"action": "set", "target": "lif", "variable": "I",
         "value": {"segments": [{"slice": [0, 5], "value": 1.5}, {"slice": [5, 10], "value": uniform(0.8, 1.6)}]}},
        {"action": "simulate", "duration": 12.0},
        {"action": "pause_monitor", "monitor": "m_inp"},
        {"action": "simulate", "duration": 5.0},
        {"action": "resume_monitor", "monitor": "m_inp"},
        {"action": "resume_monitor", "monitor": "m_late"},
        {"action": "simulate_until", "max_duration": 60.0, "population": "out", "operator": "or",
         "label": "until out responds"},
        {"action": "reset", "label": "back to the start, the sets kept"},
        {"action": "set", "target": "proj", "variable": "w", "value": uniform(0.0, 0.1)},
        {"action": "simulate", "duration": 8.0},
        {"action": "reset", "populations": False, "projections": True, "monitors": False},
        {"action": "pause_monitor", "monitor": "m_lif"},
        {"action": "simulate", "duration": 6.0}],
}

# set I = 1; simulate 5; reset; simulate 5 on a rate neuron: r ends at 1 - 0.9^5 (the studio once gave 0)
RESET_DOC = {
    "format": "annstudio-project", "schema_version": 1, "name": "reset", "description": "",
    "settings": {"dt": 1.0, "seed": 3, "paradigm": "numpy", "num_threads": 1, "duration": 10.0},
    "neurons": {"Rate": {"parameters": "tau = 10.0\nI = 0.0", "equations": "tau * dr/dt = -r + I"}},
    "synapses": {}, "populations": [{"name": "P", "geometry": 3, "neuron": "Rate"}], "projections": [],
    "monitors": [{"name": "m", "target": "P", "variables": ["r"]}],
    "protocol": [{"action": "set", "target": "P", "variable": "I", "value": 1.0},
                 {"action": "simulate", "duration": 5.0}, {"action": "reset"},
                 {"action": "simulate", "duration": 5.0}]}


def protocol_doc(paradigm="numpy"):
    doc = copy.deepcopy(PROTOCOL_DOC)
    doc["settings"]["paradigm"] = paradigm
    return doc


def reset_doc(value=1.0, paradigm="numpy"):
    """``RESET_DOC`` whose ``set`` gives ``value`` (a number or a distribution's JSON form)."""
    doc = copy.deepcopy(RESET_DOC)
    doc["protocol"][0]["value"] = value
    doc["settings"]["paradigm"] = paradigm
    return doc


def assert_identical(ours, theirs, paradigm=None):
    """The same recordings, arrays equal element for element (on CUDA to the last bits: ``assert_same_run``)."""
    assert sorted(ours) == sorted(theirs)
    for key in ours:
        assert ours[key].shape == theirs[key].shape, key
        assert_same_run(ours[key], theirs[key], paradigm, err_msg=key)
