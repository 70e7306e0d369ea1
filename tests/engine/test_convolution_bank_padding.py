"""Convolution with a bank of filters (``connect_filters``) and a padding, against numbers measured on ANNarchy 5.0.4.1.

The networks are ``build_banks`` of ``benchmarks/peers/annarchy_convolution_padding.py`` (its ``BANKS``: a 4 x 4 input
with two 3 x 3 filters onto 4 x 4 x 2, padding 0.5 and ``"border"``, subsampled onto 2 x 2 x 2 with padding -0.25,
and three 3 x 3 x 2 filters spanning a 4 x 4 x 2 input onto 4 x 4 x 3, padding 0.75), every operation, psp
``w * pre.r``, dt 1 ms, r after 2 steps.  ``MEASURED_BANKS`` is what the script printed with ANNarchy 5.0.4.1
(``PATH=<annarchy venv>/bin:$PATH python annarchy_convolution_padding.py ANNarchy bank``, run from a folder under
/tmp), rounded to 12 digits.  What they show (and ANNarchy's generated code confirms): a bank's ``mean`` divides by the
size of the whole bank (filters x kernel), ``max`` and ``min`` start from 0.0 and ignore ``"border"``.

``test_max_min_start_from_zero`` is a second measured network (ANNarchy 5.0.4.1): a 5 x 5 input of ones, kernels
of -1 (max) or +1 (min) with padding 0.0, 0.5 and ``"border"``, single and banked: every r was 0.0; a bank of two
3 x 3 kernels of ones with ``mean`` gave (positions inside) / 18 (0.5 inside, 1/3 on the edges, 2/9 at corners).
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

# ANNarchy 5.0.4.1, printed by benchmarks/peers/annarchy_convolution_padding.py ANNarchy bank
MEASURED_BANKS = {
    "bank_sum": [1.861, 1.079, 0.345, 0.387, 0.122, 0.654, 0.979, 1.753, 2.129, 0.869, 0.816, -0.886, -0.118,
        -0.086, 1.196, 1.49, 1.149, 2.025, -0.12, 0.314, 0.146, -0.086, 1.928, 0.934, 1.335, 1.573, 0.435, 0.649,
        0.546, 0.582, 1.581, 1.519],
    "bank_mean": [0.103388888889, 0.0599444444444, 0.0191666666667, 0.0215, 0.00677777777778, 0.0363333333333,
        0.0543888888889, 0.0973888888889, 0.118277777778, 0.0482777777778, 0.0453333333333, -0.0492222222222,
        -0.00655555555556, -0.00477777777778, 0.0664444444444, 0.0827777777778, 0.0638333333333, 0.1125,
        -0.00666666666667, 0.0174444444444, 0.00811111111111, -0.00477777777778, 0.107111111111, 0.0518888888889,
        0.0741666666667, 0.0873888888889, 0.0241666666667, 0.0360555555556, 0.0303333333333, 0.0323333333333,
        0.0878333333333, 0.0843888888889],
    "bank_max": [0.51, 0.063, 0.425, 0.312, 0.34, 0.234, 0.022, 0.156, 0.255, 0.012, 0.42, 0.078, 0.35, 0.372, 0.28,
        0.279, 0.099, 0.17, 0.21, 0.255, 0.33, 0.34, 0.275, 0.07, 0.004, 0.066, 0.054, 0.14, 0.165, 0.21, 0.11,
        0.28],
    "bank_min": [-0.2, -0.34, -0.468, -0.255, -0.39, -0.17, -0.312, -0.026, -0.02, -0.3, -0.234, -0.4, -0.558,
        -0.252, -0.465, -0.14, -0.28, -0.033, -0.224, -0.156, -0.279, -0.234, -0.186, -0.312, -0.112, -0.012,
        -0.056, -0.056, -0.07, -0.186, -0.14, -0.279],
    "bank_border_sum": [0.753, -1.443, 0.108, -0.754, -0.226, -0.154, -0.693, 0.357, 0.861, -0.975, 0.816, -0.886,
        -0.118, -0.086, -0.985, 0.425, -0.675, 0.825, -0.12, 0.314, 0.146, -0.086, 0.479, -0.775, -0.831, 0.357,
        -0.276, 0.246, 0.39, -0.154, 0.923, -0.643],
    "bank_border_mean": [0.0418333333333, -0.0801666666667, 0.006, -0.0418888888889, -0.0125555555556,
        -0.00855555555556, -0.0385, 0.0198333333333, 0.0478333333333, -0.0541666666667, 0.0453333333333,
        -0.0492222222222, -0.00655555555556, -0.00477777777778, -0.0547222222222, 0.0236111111111, -0.0375,
        0.0458333333333, -0.00666666666667, 0.0174444444444, 0.00811111111111, -0.00477777777778, 0.0266111111111,
        -0.0430555555556, -0.0461666666667, 0.0198333333333, -0.0153333333333, 0.0136666666667, 0.0216666666667,
        -0.00855555555556, 0.0512777777778, -0.0357222222222],
    "bank_border_max": [0.51, 0.063, 0.425, 0.312, 0.34, 0.234, 0.022, 0.156, 0.255, 0.012, 0.42, 0.078, 0.35,
        0.372, 0.28, 0.279, 0.099, 0.17, 0.21, 0.255, 0.33, 0.34, 0.275, 0.07, 0.004, 0.066, 0.054, 0.14, 0.165,
        0.21, 0.11, 0.28],
    "bank_border_min": [-0.2, -0.34, -0.468, -0.255, -0.39, -0.17, -0.312, -0.026, -0.02, -0.3, -0.234, -0.4,
        -0.558, -0.252, -0.465, -0.14, -0.28, -0.033, -0.224, -0.156, -0.279, -0.234, -0.186, -0.312, -0.112,
        -0.012, -0.056, -0.056, -0.07, -0.186, -0.14, -0.279],
    "bank_sub_sum": [-0.389, -1.171, -0.628, -0.096, -1.101, -0.225, 0.146, -0.086],
    "bank_sub_mean": [-0.0216111111111, -0.0650555555556, -0.0348888888889, -0.00533333333333, -0.0611666666667,
        -0.0125, 0.00811111111111, -0.00477777777778],
    "bank_sub_max": [0.51, 0.063, 0.34, 0.234, 0.099, 0.17, 0.33, 0.34],
    "bank_sub_min": [-0.2, -0.34, -0.39, -0.17, -0.28, -0.033, -0.279, -0.234],
    "bank_span_sum": [3.23133333333, 2.19933333333, 1.16733333333, 1.40866666667, 0.724666666667, 0.0406666666667,
        0.85, 0.694, 0.538, 2.162, 2.234, 2.306, 3.572, 2.48, 1.388, 0.525666666667, 0.483666666667, 0.441666666667,
        0.289, -0.161, -0.611, 2.14133333333, 2.10533333333, 2.06933333333, 1.636, 2.656, 3.676, -0.487666666667,
        0.238333333333, 0.964333333333, -0.0576666666667, 0.260333333333, 0.578333333333, 2.57066666667,
        2.24666666667, 1.92266666667, 1.39133333333, 2.37533333333, 3.35933333333, -0.574, 0.566, 1.706,
        0.291333333333, 0.759333333333, 1.22733333333, 2.59666666667, 2.28466666667, 1.97266666667],
    "bank_span_mean": [0.0598395061728, 0.0407283950617, 0.0216172839506, 0.0260864197531, 0.0134197530864,
        0.000753086419753, 0.0157407407407, 0.0128518518519, 0.00996296296296, 0.040037037037, 0.0413703703704,
        0.0427037037037, 0.0661481481481, 0.0459259259259, 0.0257037037037, 0.00973456790123, 0.00895679012346,
        0.00817901234568, 0.00535185185185, -0.00298148148148, -0.0113148148148, 0.0396543209877, 0.038987654321,
        0.0383209876543, 0.0302962962963, 0.0491851851852, 0.0680740740741, -0.00903086419753, 0.00441358024691,
        0.0178580246914, -0.00106790123457, 0.00482098765432, 0.0107098765432, 0.0476049382716, 0.0416049382716,
        0.0356049382716, 0.0257654320988, 0.043987654321, 0.0622098765432, -0.0106296296296, 0.0104814814815,
        0.0315925925926, 0.0053950617284, 0.0140617283951, 0.0227283950617, 0.0480864197531, 0.0423086419753,
        0.0365308641975],
    "bank_span_max": [0.6, 0.186666666667, 0.606666666667, 0.666666666667, 0.14, 0.595, 0.416, 0.165,
        0.538333333333, 0.468, 0.128333333333, 0.481666666667, 0.8, 0.2, 0.736, 0.866666666667, 0.266666666667,
        0.693, 0.589, 0.179666666667, 0.641666666667, 0.624, 0.156, 0.590333333333, 0.651, 0.297, 0.891, 0.713,
        0.231, 0.825, 0.775, 0.217, 0.759, 0.516, 0.149333333333, 0.436333333333, 0.544333333333, 0.118333333333,
        0.693, 0.591666666667, 0.165666666667, 0.627, 0.630666666667, 0.114666666667, 0.561, 0.688, 0.172,
        0.297666666667],
    "bank_span_min": [-0.233333333333, -0.279, -0.837, -0.425, -0.217, -0.775, -0.481666666667, -0.155, -0.713,
        -0.538333333333, -0.0746666666667, -0.468, -0.373333333333, -0.165666666667, -0.651, -0.595,
        -0.118333333333, -0.589, -0.651666666667, -0.229333333333, -0.745333333333, -0.708333333333,
        -0.198333333333, -0.688, -0.552, -0.0933333333333, -0.465, -0.613333333333, -0.170666666667,
        -0.554666666667, -0.606666666667, -0.186666666667, -0.573333333333, -0.487666666667, -0.0916666666667,
        -0.516, -0.736, -0.184, -0.307666666667, -0.797333333333, -0.245333333333, -0.426666666667, -0.627,
        -0.128333333333, -0.401333333333, -0.641666666667, -0.179666666667, -0.344],
}


def run_banks(paradigm):
    """r of every bank case after 2 steps, on ``paradigm`` (also the CUDA emulation of tests/codegen/cuda)."""
    ann.clear()
    ann.setup(dt=1.0, seed=3)
    inputs, out = peer.build_banks(ann)
    ann.compile(paradigm=paradigm)
    for inp in inputs.values():
        inp.a = peer.shape_input(inp.geometry)
    ann.simulate(2.0)
    return {case: np.asarray(layer.r, dtype=float).ravel() for case, layer in out.items()}


def check_banks(got):
    assert sorted(got) == sorted(MEASURED_BANKS)
    for case, measured in MEASURED_BANKS.items():
        np.testing.assert_allclose(got[case], measured, atol=1e-10, err_msg=case)


def test_banks_with_padding_match_annarchy(paradigm):
    check_banks(run_banks(paradigm))


def run_from_zero(paradigm):
    ann.clear()
    ann.setup(dt=1.0, seed=3)
    inp = ann.Population((5, 5), ann.Neuron(parameters="a = 1.0", equations="r = a"))
    out = {}
    for case, kernel, padding, op in (("max0", -np.ones((3, 3)), 0.0, "max"),
                                      ("maxb", -np.ones((3, 3)), "border", "max"),
                                      ("minb", np.ones((3, 3)), "border", "min"),
                                      ("maxp", -np.ones((3, 3)), 0.5, "max"),
                                      ("bankmax", -np.ones((2, 3, 3)), "border", "max"),
                                      ("bankmean0", np.ones((2, 3, 3)), 0.0, "mean")):
        layer = ann.Population((5, 5, 2) if case.startswith("bank") else (5, 5),
                               ann.Neuron(equations=f"r = sum(t_{case})"))
        conv = ann.Convolution(inp, layer, f"t_{case}", operation=op)
        (conv.connect_filters if case.startswith("bank") else conv.connect_filter)(kernel, padding=padding)
        out[case] = layer
    ann.compile(paradigm=paradigm)
    ann.simulate(2.0)
    return {case: np.asarray(layer.r, dtype=float) for case, layer in out.items()}


def check_from_zero(got):
    for case in ("max0", "maxb", "minb", "maxp", "bankmax"):
        np.testing.assert_array_equal(got[case], 0.0, err_msg=case)
    inside = np.array([2, 3, 3, 3, 2])
    np.testing.assert_allclose(got["bankmean0"], np.repeat((np.outer(inside, inside) / 18.0)[..., None], 2, axis=2),
                               atol=1e-12)


def test_max_min_start_from_zero_and_skip_the_border(paradigm):
    check_from_zero(run_from_zero(paradigm))


def test_a_bank_mean_counts_the_whole_bank_in_nb_synapses():
    ann.clear()
    inp = ann.InputArray((4, 4))
    layer = ann.Population((4, 4, 2), ann.Neuron(equations="r = sum(exc)"))
    conv = ann.Convolution(inp, layer, "exc", operation="mean")
    conv.connect_filters(peer.BANK, padding="border")
    ann.compile(paradigm="numpy")
    assert conv.nb_synapses == 4 * 4 * 2 * 18          # 9 border-repeating synapses and 9 0.0 sites per neuron
    inp.r = np.arange(16.0)
    ann.simulate(1.0)
    padded = np.pad(np.arange(16.0).reshape(4, 4), 1, mode="edge")
    windows = np.lib.stride_tricks.sliding_window_view(padded, (3, 3))
    want = np.stack([(windows * k).sum(axis=(2, 3)) / 18.0 for k in peer.BANK], axis=-1)
    np.testing.assert_allclose(np.asarray(layer.r), want, atol=1e-12)
    ann.clear()


@pytest.fixture(autouse=True)
def _fresh():
    yield
    ann.clear()


def test_reset_keeps_the_padding_sites():
    ann.clear()
    inp = ann.Population((4, 4), ann.Neuron(parameters="a = 0.0", equations="r = a"))
    layer = ann.Population((4, 4), ann.Neuron(equations="r = sum(exc)"))
    conv = ann.Convolution(inp, layer, "exc")
    conv.connect_filter(np.ones((3, 3)), padding=0.5)
    ann.compile(paradigm="numpy")
    inp.a = np.full((4, 4), 2.0)
    conv.reset()
    ann.simulate(2.0)
    assert np.asarray(layer.r)[0, 0] == 4 * 2.0 + 3 * 0.5   # four inside positions, the corner's padding 3 times
