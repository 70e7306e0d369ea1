"""Measure the order of continuous synaptic updates within one step (issue 16, item 3).

Runs two small deterministic rate-coded learning networks and prints the values that
``tests/engine/test_ibcm_order.py`` asserts:

* ``order``: a synapse mixing a projection-wide ODE ``g``, a postsynaptic ODE ``a``, two coupled per-synapse
  ODEs ``w``/``y`` and an assignment ``y2`` (per-synapse statements written first), 3 steps;
* ``ibcm``: the IBCM rule (theta postsynaptic/exponential, w explicit) on 20 inputs showing 4 binary patterns
  (20 ms each) to 5 leaky rate units, 1 s, eta 0.005.

Usage (the module decides the simulator; ANNarchy needs its venv's bin on PATH for cmake)::

    PATH=<venv>/bin:$PATH <venv>/bin/python benchmarks/peers/annarchy_synapse_order.py ANNarchy
    .venv/bin/python benchmarks/peers/annarchy_synapse_order.py annstudio.engine order|ibcm [paradigm]

One network per process (ANNarchy builds in ./annarchy: run it in a scratch folder, one at a time).
"""
import importlib
import sys

import numpy as np


def order_network(ann):
    ann.setup(dt=1.0)
    inp = ann.Population(3, ann.Neuron(parameters="r = 0.0"))
    out = ann.Population(2, ann.Neuron(parameters="tau = 10.0", equations="tau*dr/dt + r = sum(exc) + 1.0"))
    syn = ann.Synapse(parameters="k = 0.1 : projection", equations="""
        dw/dt = k * (post.r - y + a + g) * pre.r
        dy/dt = k * (w - y)
        y2 = y + w
        da/dt = k * (post.r - g) : postsynaptic
        dg/dt = k * (1.0 - g) : projection
    """, psp="w * pre.r")
    proj = ann.Projection(inp, out, "exc", syn)
    proj.connect_from_matrix(np.array([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]]))
    return inp, out, proj


def ibcm_network(ann, eta=0.005):
    ann.setup(dt=1.0)
    rng = np.random.default_rng(42)
    patterns = (rng.random((4, 20)) < 0.3).astype(float)
    w0 = rng.uniform(0.0, 0.1, (5, 20))
    syn = ann.Synapse(parameters=f"eta = {eta!r} : projection\ntau = 100.0 : projection", equations="""
        tau * dtheta/dt + theta = post.r^2 : postsynaptic, exponential
        dw/dt = eta * post.r * (post.r - theta) * pre.r : min=0.0, explicit
    """, psp="w * pre.r")
    inp = ann.Population(20, ann.Neuron(parameters="r = 0.0"))
    out = ann.Population(5, ann.Neuron(parameters="tau = 10.0", equations="tau*dr/dt + r = sum(exc) : min=0.0"))
    proj = ann.Projection(inp, out, "exc", syn)
    proj.connect_from_matrix(w0)
    return patterns, inp, out, proj


def rows(proj, name, n_post):
    return np.array([np.asarray(getattr(proj[i], name)) for i in range(n_post)]).ravel()


def main():
    mod = sys.argv[1] if len(sys.argv) > 1 else "annstudio.engine"
    ann = importlib.import_module(mod)
    which = sys.argv[2] if len(sys.argv) > 2 else "order"
    if len(sys.argv) > 3:
        ann.setup(paradigm=sys.argv[3])
    if which == "order":
        inp, out, proj = order_network(ann)
        ann.compile()
        inp.r = [1.0, 0.5, 2.0]
        for _ in range(3):
            ann.simulate(1.0)
            print("order", {"w": rows(proj, "w", 2).tolist(), "y2": rows(proj, "y2", 2).tolist(),
                            "a": np.ravel(proj.a).tolist(), "g": float(np.ravel(proj.g)[0])})
        return
    patterns, inp, out, proj = ibcm_network(ann)
    ann.compile()
    for k in range(50):
        inp.r = patterns[k % 4]
        ann.simulate(20.0)
    print("ibcm", {"r": out.r.tolist(), "theta": [float(np.ravel(proj[i].theta)[0]) for i in range(5)], "w_mean": float(rows(proj, "w", 5).mean())})


if __name__ == "__main__":
    main()
