"""Shared data for the project tests (imported by name: tests/ has no packages)."""
import copy
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GALLERY = sorted((ROOT / "projects").glob("*.json"))

SMALL = {
    "format": "annstudio-project", "schema_version": 1, "name": "small", "description": "two LIF populations",
    "settings": {"dt": 1.0, "seed": 7, "paradigm": "numpy", "num_threads": 1, "duration": 50.0},
    "neurons": {"LIF": {"parameters": "tau = 10.0\nv_T = 1.0\nI = 1.2", "equations": "tau * dv/dt = -v + I + g_exc",
                        "spike": "v > v_T", "reset": "v = 0.0", "refractory": 2.0, "functions": "",
                        "description": ""}},
    "synapses": {},
    "populations": [
        {"name": "A", "geometry": 20, "neuron": "LIF", "kind": "standard",
         "initial": {"v": {"distribution": "Uniform", "args": [0.0, 1.0]}}},
        {"name": "B", "geometry": [2, 5], "neuron": "LIF", "kind": "standard",
         "initial": {"I": {"segments": [{"slice": [0, 5], "value": 1.5}, {"slice": [5, 10], "value": 0.5}]}}}],
    "projections": [
        {"name": "AB", "pre": {"population": "A", "slice": [0, 10]}, "post": "B", "target": "exc", "synapse": None,
         "connector": {"method": "fixed_probability", "weights": {"distribution": "Uniform", "args": [0.1, 0.3]},
                       "delays": None, "args": {"probability": 0.5}}, "initial": {}}],
    "monitors": [{"name": "mA", "target": "A", "kind": "population", "variables": ["spike", "v"], "ranks": None,
                  "period": None, "start": True},
                 {"name": "mB", "target": "B", "kind": "population", "variables": ["spike"]}],
    "protocol": [{"action": "simulate", "duration": 20.0},
                 {"action": "set", "target": "A", "variable": "I", "value": 2.0, "label": "drive A harder"},
                 {"action": "simulate", "duration": 30.0}],
    "layout": {"A": {"x": 0.0, "y": 0.0}},
}


def trimmed(doc, limit_ms, paradigm="numpy"):
    """A copy of ``doc`` whose protocol stops after ``limit_ms`` of simulated time."""
    doc = copy.deepcopy(doc)
    doc["settings"]["paradigm"] = paradigm
    steps = doc.get("protocol") or [{"action": "simulate", "duration": doc["settings"].get("duration", 1000.0)}]
    out, left = [], float(limit_ms)
    for st in steps:
        if left <= 0:
            break
        st = dict(st)
        if st["action"] == "simulate":
            st["duration"] = min(st["duration"], left)
            left -= st["duration"]
        elif st["action"] == "simulate_until":
            st["max_duration"] = min(st["max_duration"], left)
            left -= st["max_duration"]
        out.append(st)
    doc["protocol"] = out
    return doc
