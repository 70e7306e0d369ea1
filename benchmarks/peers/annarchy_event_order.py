"""Order of pre- and post-synaptic spike events within a step, measured on real ANNarchy (issue 16).

Five synapses, each between a SpikeSourceArray pre neuron and a SpikeSourceArray post neuron that spike once
(the same step, one or two steps apart, either order).  The synapse keeps two event-driven traces and moves
``w`` by the post trace at a pre event and by the pre trace at a post event, so the final ``w`` tells in which
order the events ran and how far each event advanced the traces (docs/annarchy-semantics.md, section l).

    PATH=<venv>/bin:$PATH <venv>/bin/python benchmarks/peers/annarchy_event_order.py ANNarchy [delay]
    .venv/bin/python benchmarks/peers/annarchy_event_order.py annstudio.engine [delay] [paradigm]

prints one JSON line: case -> final w.  ``tests/engine/test_stdp_event_order.py`` builds the same network
with ``build`` and checks annstudio against the numbers ANNarchy printed.
"""
import importlib
import json
import sys

import numpy as np

# case -> (pre spike times, post spike times), ms at dt = 1 ms
CASES = {"same": ([5.0], [5.0]), "pre_first": ([4.0], [5.0]), "post_first": ([5.0], [4.0]),
         "pre2": ([3.0], [5.0]), "post2": ([5.0], [3.0])}


def build(ann, delay=None):
    """The network on the default network of ``ann`` (dt = 1 ms, set by the caller); the projection."""
    syn = ann.Synapse(parameters="tau_plus = 20.0\ntau_minus = 20.0\nA_plus = 0.01\nA_minus = 0.02",
                      equations="tau_plus * dx/dt = -x : event-driven\ntau_minus * dy/dt = -y : event-driven",
                      pre_spike="g_target += w\nx += A_plus\nw = w + y",
                      post_spike="y -= A_minus\nw = w + x")
    pre = ann.SpikeSourceArray(spike_times=[c[0] for c in CASES.values()])
    post = ann.SpikeSourceArray(spike_times=[c[1] for c in CASES.values()])
    proj = ann.Projection(pre, post, "exc", syn)
    if delay is None:
        proj.connect_one_to_one(0.5)
    else:
        proj.connect_one_to_one(0.5, delays=float(delay))
    return proj


def weights(proj):
    """case -> final weight."""
    return {k: float(np.ravel(w)[0]) for k, w in zip(CASES, proj.w)}


def main(argv):
    ann = importlib.import_module(argv[0])
    if len(argv) > 2:
        ann.setup(paradigm=argv[2])
    ann.setup(dt=1.0)
    proj = build(ann, float(argv[1]) if len(argv) > 1 and argv[1] != "-" else None)
    ann.compile()
    ann.simulate(20.0)
    print(json.dumps(weights(proj)))


if __name__ == "__main__":
    main(sys.argv[1:])
