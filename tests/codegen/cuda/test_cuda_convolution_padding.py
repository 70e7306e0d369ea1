"""The CUDA kernels run a convolution with a constant padding (padding sites, every operation) as the NumPy
reference does; the reference itself reproduces ANNarchy 5.0.4.1's numbers (tests/engine/
test_convolution_padding.py)."""
import numpy as np

import annstudio.engine as ann

KERNEL = np.arange(1.0, 10.0).reshape(3, 3) / 10.0 - 0.3
IMAGE = np.arange(20.0).reshape(4, 5) - 6.0


def _run(paradigm):
    ann.clear()
    ann.setup(dt=1.0, seed=2)
    inp = ann.Population((4, 5), ann.Neuron(parameters="a = 0.0", equations="r = a"))
    layers = []
    for n, op in enumerate(("sum", "mean", "max", "min")):
        for m, (psp, padding) in enumerate((("pre.r * w", 0.5), ("w * pre.r * pre.r", -2.0))):
            layer = ann.Population((4, 5), ann.Neuron(equations=f"r = sum(t{n}_{m})"))
            ann.Convolution(inp, layer, f"t{n}_{m}", psp=psp, operation=op).connect_filter(KERNEL, padding=padding)
            layers.append(layer)
    ann.compile(paradigm=paradigm)
    inp.a = IMAGE
    ann.simulate(2.0)
    out = np.array([np.asarray(p.r, dtype=float).ravel() for p in layers])
    ann.clear()
    return out


def test_padding_sites_as_the_reference(backend):
    ref = _run("numpy")
    assert np.ptp(ref) > 1.0 and np.any(ref == 0.0)    # the max/min zeros of the sites take part
    np.testing.assert_allclose(_run(backend), ref, rtol=1e-12, atol=1e-12)
