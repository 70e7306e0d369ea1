"""A Monitor on one dendrite (``Monitor(proj[rank], 'w')``), measured on real ANNarchy (issue 16, Ramp notebook).

Three inputs (r = 1, 2, 3) onto two rate neurons (r = sum(exc)) through a Hebbian synapse
(``dw/dt = eta * pre.r * post.r``, eta = 0.001), all-to-all from the matrix [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]];
the monitor records post neuron 1's weights for 4 steps at dt = 1 ms.  Prints the recorded array as JSON.
``tests/engine/test_dendrite_monitor.py`` builds the same network with ``build``.
"""
import importlib
import json
import sys

import numpy as np


def build(ann):
    inp = ann.Population(3, ann.Neuron(parameters="a = 0.0", equations="r = a"))
    out = ann.Population(2, ann.Neuron(equations="r = sum(exc)"))
    syn = ann.Synapse(parameters="eta = 0.001", equations="dw/dt = eta * pre.r * post.r")
    proj = ann.Projection(inp, out, "exc", syn)
    proj.connect_from_matrix(np.array([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]]))
    return inp, proj


def main(argv):
    ann = importlib.import_module(argv[0] if argv else "ANNarchy")
    ann.setup(dt=1.0)
    inp, proj = build(ann)
    ann.compile()
    m = ann.Monitor(proj[1], "w")     # dendrites exist after compile()
    inp.a = [1.0, 2.0, 3.0]
    ann.simulate(4.0)
    print(json.dumps(np.asarray(m.get("w")).tolist()))


if __name__ == "__main__":
    main(sys.argv[1:])
