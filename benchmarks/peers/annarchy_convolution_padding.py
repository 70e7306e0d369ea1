"""Convolution with a constant padding, for every operation, measured on real ANNarchy (issue 16).

A 4 x 4 input (r = a, a = arange(16) - 6) convolved with a 3 x 3 kernel (0.1 .. 0.9) onto a 4 x 4 layer,
padding 0.5, operations sum, max, min and mean, and psp ``pre.r * w`` and ``w * pre.r * pre.r``.  Prints one
JSON line: case -> the layer's r after 2 steps.  Run with ``ANNarchy`` (PATH=<venv>/bin:$PATH) or with
``annstudio.engine``; ``tests/engine/test_convolution_padding.py`` builds the same network with ``build``.
"""
import importlib
import json
import sys

import numpy as np

CASES = {f"{op}{'_sq' if sq else ''}": (op, "w * pre.r * pre.r" if sq else "pre.r * w")
         for op in ("sum", "max", "min", "mean") for sq in (False, True)}
KERNEL = np.arange(1.0, 10.0).reshape(3, 3) / 10.0


def _convolution(ann):
    conv = getattr(ann, "Convolution", None)
    if conv is None:   # ANNarchy 4.8 keeps it in an extension
        conv = importlib.import_module(ann.__name__ + ".extensions.convolution").Convolution
    return conv


def build(ann, padding=0.5):
    """The input and one output layer per case; (input, {case: layer})."""
    inp = ann.Population((4, 4), ann.Neuron(parameters="a = 0.0", equations="r = a"))
    out = {}
    for n, (case, (op, psp)) in enumerate(CASES.items()):
        layer = ann.Population((4, 4), ann.Neuron(equations=f"r = sum(t{n})"))
        _convolution(ann)(inp, layer, f"t{n}", psp=psp, operation=op).connect_filter(KERNEL, padding=padding)
        out[case] = layer
    return inp, out


def main(argv):
    ann = importlib.import_module(argv[0] if argv else "ANNarchy")
    ann.setup(dt=1.0)
    inp, out = build(ann)
    ann.compile()
    inp.a = np.arange(16.0).reshape(4, 4) - 6.0
    ann.simulate(2.0)
    print(json.dumps({k: np.asarray(v.r).ravel().tolist() for k, v in out.items()}))


if __name__ == "__main__":
    main(sys.argv[1:])
