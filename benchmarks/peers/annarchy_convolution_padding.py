"""Convolution with a constant padding, for every operation, measured on real ANNarchy (issue 16).

A 4 x 4 input (r = a, a = arange(16) - 6) convolved with a 3 x 3 kernel (0.1 .. 0.9) onto a 4 x 4 layer,
padding 0.5, operations sum, max, min and mean, and psp ``pre.r * w`` and ``w * pre.r * pre.r``; with a second
argument ``shapes``, other layouts (1-D, a 3 x 5 kernel, a kernel spanning the last dimension, feature maps kept:
``SHAPES``); with ``bank``, banks of filters (``connect_filters``, ``BANKS``).  Prints one JSON line: case -> the
layer's r after 2 steps.  Run with ``ANNarchy`` (PATH=<venv>/bin:$PATH, from a folder under /tmp) or with
``annstudio.engine``, e.g.
``python annarchy_convolution_padding.py ANNarchy shapes``; ``tests/engine/test_convolution_padding.py`` holds
the numbers ANNarchy 5.0.4.1 printed.
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


# other layouts (argument ``shapes``): pre geometry, post geometry, kernel, connect_filter keywords; padding 0.75,
# psp ``w * pre.r``, every operation, the input ``(rank * 0.37) % 2 - 1``
SHAPES = {
    "1d": ((7,), (7,), np.array([0.3, -0.2, 0.5, 0.7, -0.1]), {}),
    "rect": ((4, 5), (4, 5), np.arange(1.0, 16.0).reshape(3, 5) / 10 - 0.6, {}),
    "span": ((4, 4, 2), (4, 4), np.arange(1.0, 19.0).reshape(3, 3, 2) / 10 - 0.9, {}),
    "keep": ((4, 4, 2), (4, 4, 2), np.arange(1.0, 10.0).reshape(3, 3) / 10 - 0.3, {"keep_last_dimension": True}),
}


def shape_input(geometry):
    return (np.arange(int(np.prod(geometry)), dtype=float).reshape(geometry) * 0.37) % 2.0 - 1.0


def build_shapes(ann):
    """One input per layout and one output layer per layout and operation; ({layout: input}, {case: layer})."""
    inputs, out = {}, {}
    for case, (g_in, g_out, kernel, kw) in SHAPES.items():
        inputs[case] = ann.Population(g_in, ann.Neuron(parameters="a = 0.0", equations="r = a"))
        for op in ("sum", "mean", "max", "min"):
            layer = ann.Population(g_out, ann.Neuron(equations=f"r = sum(t_{op})"))
            _convolution(ann)(inputs[case], layer, f"t_{op}", psp="w * pre.r", operation=op).connect_filter(
                kernel, padding=0.75, **kw)
            out[f"{case}_{op}"] = layer
    return inputs, out


# filter banks (argument ``bank``): pre geometry, post geometry, bank (first index: the filter), padding; every
# operation, psp ``w * pre.r``, the input of ``shape_input``.  "bank": a 2-D input, its post one dimension more;
# "bank_span": the filters span the input's last dimension (post as pre)
BANK = np.stack([np.arange(1.0, 10.0).reshape(3, 3) / 10 - 0.3, np.arange(9.0, 0.0, -1).reshape(3, 3) / 10 - 0.5])
BANKS = {
    "bank": ((4, 4), (4, 4, 2), BANK, 0.5),
    "bank_border": ((4, 4), (4, 4, 2), BANK, "border"),
    "bank_sub": ((4, 4), (2, 2, 2), BANK, -0.25),
    "bank_span": ((4, 4, 2), (4, 4, 3), np.arange(1.0, 55.0).reshape(3, 3, 3, 2) / 30 - 0.9, 0.75),
}


def build_banks(ann):
    """One input per bank case and one output layer per case and operation; ({case: input}, {case: layer})."""
    inputs, out = {}, {}
    for case, (g_in, g_out, bank, padding) in BANKS.items():
        inputs[case] = ann.Population(g_in, ann.Neuron(parameters="a = 0.0", equations="r = a"))
        for op in ("sum", "mean", "max", "min"):
            layer = ann.Population(g_out, ann.Neuron(equations=f"r = sum(t_{op})"))
            _convolution(ann)(inputs[case], layer, f"t_{op}", psp="w * pre.r", operation=op).connect_filters(
                bank, padding=padding)
            out[f"{case}_{op}"] = layer
    return inputs, out


def main(argv):
    ann = importlib.import_module(argv[0] if argv else "ANNarchy")
    ann.setup(dt=1.0)
    if argv[1:] in (["shapes"], ["bank"]):
        inputs, out = (build_shapes if argv[1] == "shapes" else build_banks)(ann)
        ann.compile()
        for inp in inputs.values():
            inp.a = shape_input(inp.geometry)
    else:
        inp, out = build(ann)
        ann.compile()
        inp.a = np.arange(16.0).reshape(4, 4) - 6.0
    ann.simulate(2.0)
    print(json.dumps({k: np.asarray(v.r).ravel().tolist() for k, v in out.items()}))


if __name__ == "__main__":
    main(sys.argv[1:])
