"""Convolution with a constant padding, for every operation, against numbers measured on real ANNarchy.

The network is the one of ``benchmarks/peers/annarchy_convolution_padding.py``: a 4 x 4 input
``r = arange(16) - 6`` convolved with the 3 x 3 kernel 0.1 .. 0.9 onto a 4 x 4 layer (``r = sum(t)``),
``padding=0.5``, dt 1 ms, the layer's ``r`` after 2 steps.  ``MEASURED`` is what that script printed with
ANNarchy 5.0.4.1 (``PATH=<annarchy venv>/bin:$PATH python annarchy_convolution_padding.py``, run from a
folder under /tmp; 4.8.2.6 prints the same, docs/annarchy-semantics.md section n).  ``_annarchy_rule``
writes the rule those numbers show as plain loops; it is checked against the measured numbers first and
then predicts other geometries (subsampled, other paddings, a changed kernel).
"""
import importlib.util
import pathlib

import numpy as np
import pytest

import annstudio.engine as ann

_SCRIPT = pathlib.Path(__file__).resolve().parents[2] / "benchmarks" / "peers" / "annarchy_convolution_padding.py"
_spec = importlib.util.spec_from_file_location("annarchy_convolution_padding", _SCRIPT)
peer = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(peer)

KERNEL = np.arange(1.0, 10.0).reshape(3, 3) / 10.0
IMAGE = np.arange(16.0).reshape(4, 4) - 6.0
PSPS = {"": ("pre.r * w", lambda r, w: r * w), "_sq": ("w * pre.r * pre.r", lambda r, w: w * r * r)}

# ANNarchy 5.0.4.1, printed by benchmarks/peers/annarchy_convolution_padding.py (rounded to 12 digits)
MEASURED = {
    "sum": [-7.0, -9.0, -5.1, -0.8, 1.5, 3.3, 7.8, 7.8, 14.7, 21.3, 25.8, 18.6, 10.0, 13.2, 15.3, 10.6],
    "sum_sq": [38.6, 40.6, 25.5, 13.2, 30.1, 39.9, 51.0, 36.6, 82.9, 138.3, 185.4, 130.2, 52.4, 84.8, 112.3, 74.2],
    "max": [0.0, 0.0, 0.9, 0.8, 2.7, 3.6, 4.5, 4.0, 6.3, 7.2, 8.1, 7.2, 4.2, 4.8, 5.4, 4.5],
    "max_sq": [18.0, 14.4, 10.0, 6.4, 8.1, 14.4, 22.5, 20.0, 44.1, 57.6, 72.9, 64.8, 29.4, 38.4, 48.6, 40.5],
    "min": [-3.0, -2.5, -2.0, -1.6, -1.5, -1.2, -0.9, -0.6, -0.4, -0.2, -0.1, 0.0, 0.0, 0.0, 0.0, 0.0],
    "min_sq": [0.0] * 16,
    "mean": [-0.777777777778, -1.0, -0.566666666667, -0.0888888888889, 0.166666666667, 0.366666666667,
             0.866666666667, 0.866666666667, 1.63333333333, 2.36666666667, 2.86666666667, 2.06666666667,
             1.11111111111, 1.46666666667, 1.7, 1.17777777778],
    "mean_sq": [4.28888888889, 4.51111111111, 2.83333333333, 1.46666666667, 3.34444444444, 4.43333333333,
                5.66666666667, 4.06666666667, 9.21111111111, 15.3666666667, 20.6, 14.4666666667, 5.82222222222,
                9.42222222222, 12.4777777778, 8.24444444444],
}

# the same script with the argument ``shapes`` (its SHAPES: 1-D, a 3 x 5 kernel, a 3 x 3 x 2 kernel spanning the
# last dimension of a (4, 4, 2) input, keep_last_dimension), ANNarchy 5.0.4.1, rounded to 12 digits
MEASURED_SHAPES = {
    "1d_sum": [0.585, 0.442, -0.275, 0.169, 0.813, 0.566, 1.084],
    "1d_mean": [0.117, 0.0884, -0.055, 0.0338, 0.1626, 0.1132, 0.2168],
    "1d_max": [0.026, 0.2, 0.126, 0.336, 0.595, 0.425, 0.144],
    "1d_min": [-0.5, -0.315, -0.3, -0.189, -0.078, -0.546, -0.39],
    "rect_sum": [2.859, 1.59, 0.795, 1.99, 3.859, 3.966, 1.82, 0.13, 1.8, 4.236, 4.561, 1.97, -0.12, 2.53, 4.101,
        3.884, 2.27, 0.82, 2.83, 4.024],
    "rect_mean": [0.1906, 0.106, 0.053, 0.132666666667, 0.257266666667, 0.2644, 0.121333333333, 0.00866666666667,
        0.12, 0.2824, 0.304066666667, 0.131333333333, -0.008, 0.168666666667, 0.2734, 0.258933333333,
        0.151333333333, 0.0546666666667, 0.188666666667, 0.268266666667],
    "rect_max": [0.595, 0.51, 0.425, 0.264, 0.231, 0.49, 0.42, 0.5, 0.315, 0.13, 0.736, 0.644, 0.552, 0.46, 0.205,
        0.276, 0.279, 0.372, 0.465, 0.28],
    "rect_min": [-0.624, -0.546, -0.468, -0.39, -0.205, -0.744, -0.651, -0.558, -0.465, -0.28, -0.639, -0.568,
        -0.497, -0.426, -0.355, -0.284, -0.28, -0.35, -0.071, -0.054],
    "span_sum": [2.098, 0.674, 0.582, 2.202, 2.94, 1.451, -0.483, 1.816, 3.468, 0.715, 0.781, 2.24, 2.626, 0.198,
        0.778, 2.354],
    "span_mean": [0.116555555556, 0.0374444444444, 0.0323333333333, 0.122333333333, 0.163333333333, 0.0806111111111,
        -0.0268333333333, 0.100888888889, 0.192666666667, 0.0397222222222, 0.0433888888889, 0.124444444444,
        0.145888888889, 0.011, 0.0432222222222, 0.130777777778],
    "span_max": [0.56, 0.42, 0.495, 0.385, 0.6, 0.8, 0.539, 0.468, 0.891, 0.693, 0.651, 0.448, 0.355, 0.497, 0.344,
        0.516],
    "span_min": [-0.837, -0.651, -0.465, -0.224, -0.497, -0.355, -0.688, -0.595, -0.28, -0.512, -0.56, -0.275,
        -0.552, -0.736, -0.385, -0.539],
    "keep_sum": [2.372, 1.764, 0.74, 0.517, 0.694, 0.671, 2.008, 2.452, 2.808, 1.763, 0.632, 0.098, -0.436, 0.03,
        1.942, 2.275, 2.648, 2.803, -0.04, 0.626, -0.308, 0.758, 2.006, 2.339, 2.32, 2.668, 0.52, 1.031, 0.742,
        0.853, 2.212, 2.212],
    "keep_mean": [0.263555555556, 0.196, 0.0822222222222, 0.0574444444444, 0.0771111111111, 0.0745555555556,
        0.223111111111, 0.272444444444, 0.312, 0.195888888889, 0.0702222222222, 0.0108888888889, -0.0484444444444,
        0.00333333333333, 0.215777777778, 0.252777777778, 0.294222222222, 0.311444444444, -0.00444444444444,
        0.0695555555556, -0.0342222222222, 0.0842222222222, 0.222888888889, 0.259888888889, 0.257777777778,
        0.296444444444, 0.0577777777778, 0.114555555556, 0.0824444444444, 0.0947777777778, 0.245777777778,
        0.245777777778],
    "keep_max": [0.42, 0.165, 0.35, 0.255, 0.28, 0.33, 0.09, 0.275, 0.46, 0.066, 0.368, 0.462, 0.2, 0.385, 0.16,
        0.308, 0.372, 0.594, 0.31, 0.495, 0.248, 0.396, 0.112, 0.235, 0.186, 0.297, 0.124, 0.198, 0.068, 0.141,
        0.086, 0.094],
    "keep_min": [-0.2, -0.558, -0.336, -0.465, -0.28, -0.372, -0.224, -0.082, -0.204, -0.355, -0.17, -0.284, -0.516,
        -0.294, -0.43, -0.245, -0.102, -0.142, -0.384, -0.162, -0.32, -0.147, -0.256, -0.108, -0.092, 0.0, -0.192,
        -0.081, -0.128, -0.077, -0.08, -0.154],
}


def _annarchy_rule(image, kernel, padding, op, psp, post_shape=None):
    """The measured rule: rows outside add ``padding`` once, columns outside once each (sum, mean); mean
    divides by the kernel size; max / min count an outside position as 0.0."""
    post_shape = post_shape or image.shape
    step = (image.shape[0] // post_shape[0], image.shape[1] // post_shape[1])
    out = np.zeros(post_shape)
    for i in range(post_shape[0]):
        for j in range(post_shape[1]):
            terms, pad = [], 0.0
            for a in range(kernel.shape[0]):
                x = i * step[0] + a - kernel.shape[0] // 2
                if not 0 <= x < image.shape[0]:
                    pad += padding
                    terms.append(0.0)
                    continue
                for b in range(kernel.shape[1]):
                    y = j * step[1] + b - kernel.shape[1] // 2
                    if not 0 <= y < image.shape[1]:
                        pad += padding
                        terms.append(0.0)
                    else:
                        terms.append(psp(image[x, y], kernel[a, b]))
            if op in ("sum", "mean"):
                out[i, j] = (sum(terms) + pad) / (kernel.size if op == "mean" else 1)
            else:
                out[i, j] = max(terms) if op == "max" else min(terms)
    return out


@pytest.fixture
def paradigm(paradigm):
    ann.setup(paradigm=paradigm, dt=1.0, seed=3)
    return paradigm


def _network(padding=0.5, post_shape=(4, 4), cases=None):
    inp = ann.Population((4, 4), ann.Neuron(parameters="a = 0.0", equations="r = a"))
    layers, convs = {}, {}
    for n, (case, (op, psp)) in enumerate(cases.items()):
        layers[case] = ann.Population(post_shape, ann.Neuron(equations=f"r = sum(t{n})"))
        convs[case] = ann.Convolution(inp, layers[case], f"t{n}", psp=psp, operation=op)
        convs[case].connect_filter(KERNEL, padding=padding)
    ann.compile()
    inp.a = IMAGE
    ann.simulate(2.0)
    return layers, convs


def _cases():
    return {f"{op}{sq}": (op, psp) for op in ("sum", "max", "min", "mean") for sq, (psp, _) in PSPS.items()}


def test_rule_reproduces_the_measured_numbers():
    for case, measured in MEASURED.items():
        op, sq = case.split("_")[0], "_sq" if case.endswith("_sq") else ""
        got = _annarchy_rule(IMAGE, KERNEL, 0.5, op, PSPS[sq][1])
        np.testing.assert_allclose(got.ravel(), measured, atol=1e-10, err_msg=case)


def test_every_operation_matches_annarchy(paradigm):
    layers, _ = _network(cases=_cases())
    for case, measured in MEASURED.items():
        np.testing.assert_allclose(np.asarray(layers[case].r).ravel(), measured, atol=1e-10, err_msg=case)


def test_subsampled_other_padding_and_new_kernel(paradigm):
    cases = {f"{op}{sq}": (op, psp) for op in ("sum", "mean", "max") for sq, (psp, _) in PSPS.items()}
    layers, convs = _network(padding=-1.25, post_shape=(2, 2), cases=cases)
    for case, (op, _) in cases.items():
        psp = PSPS["_sq" if case.endswith("_sq") else ""][1]
        np.testing.assert_allclose(np.asarray(layers[case].r).reshape(2, 2),
                                   _annarchy_rule(IMAGE, KERNEL, -1.25, op, psp, (2, 2)), atol=1e-12, err_msg=case)
    new = KERNEL[::-1] - 0.45          # a kernel set after compile() keeps the padding sites' values
    for conv in convs.values():
        conv.weights = new
    ann.simulate(1.0)
    for case, (op, _) in cases.items():
        psp = PSPS["_sq" if case.endswith("_sq") else ""][1]
        np.testing.assert_allclose(np.asarray(layers[case].r).reshape(2, 2),
                                   _annarchy_rule(IMAGE, new, -1.25, op, psp, (2, 2)), atol=1e-12, err_msg=case)


# the same script's network with padding=0.0 (``build(ann, padding=0.0)``), ANNarchy 5.0.4.1, rounded to 12 digits
MEASURED_ZERO_MEAN = [-0.944444444444, -1.05555555556, -0.622222222222, -0.255555555556, 0.0, 0.366666666667,
                      0.866666666667, 0.7, 1.46666666667, 2.36666666667, 2.86666666667, 1.9, 0.944444444444,
                      1.41111111111, 1.64444444444, 1.01111111111]


def test_zero_padding_mean_divides_by_the_kernel_size(paradigm):
    layers, _ = _network(padding=0.0, cases={"mean": ("mean", "pre.r * w"), "min": ("min", "pre.r * w")})
    np.testing.assert_allclose(np.asarray(layers["mean"].r).ravel(), MEASURED_ZERO_MEAN, atol=1e-10)
    np.testing.assert_allclose(np.asarray(layers["min"].r).ravel(), MEASURED["min"], atol=1e-12)  # = padding 0.5
    np.testing.assert_allclose(np.asarray(layers["mean"].r).reshape(4, 4),
                               _annarchy_rule(IMAGE, KERNEL, 0.0, "mean", PSPS[""][1]), atol=1e-12)


def test_a_copy_of_a_padded_convolution_is_refused():
    ann.clear()
    inp = ann.InputArray((4, 4))
    a, b = (ann.Population((4, 4), ann.Neuron(equations="r = sum(exc)")) for _ in range(2))
    conv = ann.Convolution(inp, a, "exc")
    conv.connect_filter(KERNEL, padding=0.5)
    with pytest.raises(ann.ModelError, match="padding sites") as err:
        ann.Copy(inp, b, "exc").connect_copy(conv)
    assert err.value.where
    ann.clear()


def test_other_layouts_match_annarchy(paradigm):
    inputs, out = peer.build_shapes(ann)
    ann.compile()
    for inp in inputs.values():
        inp.a = peer.shape_input(inp.geometry)
    ann.simulate(2.0)
    for case, measured in MEASURED_SHAPES.items():
        np.testing.assert_allclose(np.asarray(out[case].r).ravel(), measured, atol=1e-10, err_msg=case)
