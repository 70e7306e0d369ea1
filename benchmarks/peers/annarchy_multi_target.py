"""A projection with a list of targets (``target=['ampa', 'nmda']``), measured on real ANNarchy (issue 16).

Two SpikeSourceArray neurons drive two populations of two neurons with two conductances of different decay
(``g_ampa``, ``g_nmda``) through all-to-all projections on both targets: a static one (w = 0.5) and a plastic
one whose ``pre_spike`` feeds ``g_target`` and then grows ``w``.  A third, single-target projection also adds
to ``g_nmda`` of the first population.  ANNarchy adds each spike's increment (read before ``w`` grows) to every
listed conductance.  (Rate-coded projections with a list of targets fail to compile on ANNarchy 4.8.2.6 and
5.0.4.1; annstudio refuses them.)

    PATH=<venv>/bin:$PATH <venv>/bin/python benchmarks/peers/annarchy_multi_target.py ANNarchy
    .venv/bin/python benchmarks/peers/annarchy_multi_target.py annstudio.engine [paradigm]

prints one JSON object: population -> variable -> trace of neuron 0 and 1 (dt = 1 ms, 16 ms), and the plastic
projection's final weights.  ``tests/engine/test_multi_target.py`` builds the same network with ``build``.
"""
import importlib
import json
import sys

import numpy as np

SPIKES = [[2.0, 5.0, 9.0], [5.0, 12.0]]
DURATION = 16.0


def build(ann):
    """The network on the default network of ``ann`` (dt = 1 ms, set by the caller): monitors, plastic projection."""
    neuron = ann.Neuron(parameters="tau_a = 5.0\ntau_n = 20.0",
                        equations="tau_a * dg_ampa/dt = -g_ampa : exponential\n"
                                  "tau_n * dg_nmda/dt = -g_nmda : exponential\n"
                                  "v = g_ampa + 2 * g_nmda",
                        spike="v > 1000.0")
    plastic = ann.Synapse(parameters="eta = 0.1", pre_spike="g_target += w\nw += eta")
    pre = ann.SpikeSourceArray(spike_times=SPIKES)
    static_post, plastic_post = ann.Population(2, neuron), ann.Population(2, neuron)
    ann.Projection(pre, static_post, target=["ampa", "nmda"]).connect_all_to_all(weights=0.5)
    ann.Projection(pre, static_post, target="nmda").connect_one_to_one(weights=0.25)
    proj = ann.Projection(pre, plastic_post, target=["ampa", "nmda"], synapse=plastic)
    proj.connect_all_to_all(weights=0.5)
    monitors = {"static": ann.Monitor(static_post, ["g_ampa", "g_nmda"]),
                "plastic": ann.Monitor(plastic_post, ["g_ampa", "g_nmda"])}
    return monitors, proj


def results(monitors, proj):
    out = {name: {v: np.asarray(m.get(v)).T.tolist() for v in ("g_ampa", "g_nmda")} for name, m in monitors.items()}
    out["w"] = np.asarray(proj.w, dtype=float).tolist()
    return out


def main(argv):
    ann = importlib.import_module(argv[0])
    if len(argv) > 1:
        ann.setup(paradigm=argv[1])
    ann.setup(dt=1.0)
    monitors, proj = build(ann)
    ann.compile()
    ann.simulate(DURATION)
    print(json.dumps(results(monitors, proj)))


if __name__ == "__main__":
    main(sys.argv[1:])
