"""Convolution, pooling and copy projections (shared kernels expanded into synapses).

Each test body runs on every available backend and compares ``sum(exc)`` with
the cross-correlation / pooling computed by scipy and numpy on the same image.
"""
import numpy as np
import pytest
from scipy import ndimage, signal

import annstudio.engine as ann

RNG = np.random.default_rng(42)
IMG = RNG.random((8, 10))
IMG3 = RNG.random((6, 6, 3))
K = np.array([[1.0, -2.0, 0.5], [0.0, 3.0, -1.0], [2.0, 0.25, -0.5]])


@pytest.fixture
def paradigm(paradigm):
    """The suite's backend parametrisation (tests/conftest.py), with this module's seed."""
    ann.setup(paradigm=paradigm, dt=1.0, seed=3)
    return paradigm


def _layer(geometry):
    return ann.Population(geometry, ann.Neuron(equations="r = sum(exc)"))


def _run(inp, image, *pops):
    ann.compile()
    inp.r = image.reshape(-1)
    ann.simulate(1.0)
    return [np.asarray(p.r).reshape(p.geometry) for p in pops]


def test_filter_same_geometry_and_subsampled(paradigm):
    inp = ann.InputArray(IMG.shape)
    same, half = _layer((8, 10)), _layer((4, 5))
    ann.Convolution(inp, same, "exc").connect_filter(K)
    ann.Convolution(inp, half, "exc").connect_filter(K)
    r_same, r_half = _run(inp, IMG, same, half)
    ref = signal.correlate2d(IMG, K, mode="same", boundary="fill", fillvalue=0.0)
    np.testing.assert_allclose(r_same, ref, atol=1e-12)
    np.testing.assert_allclose(r_half, ref[::2, ::2], atol=1e-12)


def test_border_padding_and_max_operation(paradigm):
    inp = ann.InputArray(IMG.shape)
    border, mx = _layer((8, 10)), _layer((8, 10))
    ann.Convolution(inp, border, "exc").connect_filter(K, padding="border")
    ann.Convolution(inp, mx, "exc", operation="max").connect_filter(K, padding="border")
    r_border, r_max = _run(inp, IMG, border, mx)
    np.testing.assert_allclose(r_border, ndimage.correlate(IMG, K, mode="nearest"), atol=1e-12)
    # max (and min) ignore 'border' and start from 0.0, as ANNarchy 5.0.4.1 computes them (measured:
    # tests/engine/test_convolution_bank_padding.py): the outside positions count as 0.0
    padded = np.pad(IMG, 1, mode="constant")
    windows = np.lib.stride_tricks.sliding_window_view(padded, (3, 3))
    np.testing.assert_allclose(r_max, np.maximum((windows * K).max(axis=(2, 3)), 0.0), atol=1e-12)


def test_channels_kept_spanned_and_filter_banks(paradigm):
    bank = np.stack([K, K.T, -K, np.ones((3, 3))])
    inp2, inp3 = ann.InputArray(IMG.shape), ann.InputArray(IMG3.shape)
    kept, spanned = _layer((6, 6, 3)), _layer((6, 6))
    banked, banked3 = _layer((8, 10, 4)), _layer((6, 6, 2))
    ann.Convolution(inp3, kept, "exc").connect_filter(K, keep_last_dimension=True)
    k3 = RNG.random((3, 3, 3))
    ann.Convolution(inp3, spanned, "exc").connect_filter(k3)
    ann.Convolution(inp2, banked, "exc").connect_filters(bank)
    bank3 = RNG.random((2, 3, 3, 3))
    ann.Convolution(inp3, banked3, "exc").connect_filters(bank3)
    ann.compile()
    inp2.r, inp3.r = IMG.reshape(-1), IMG3.reshape(-1)
    ann.simulate(1.0)
    get = lambda p: np.asarray(p.r).reshape(p.geometry)  # noqa: E731
    corr = lambda img, k: signal.correlate2d(img, k, mode="same")  # noqa: E731
    np.testing.assert_allclose(get(kept), np.stack([corr(IMG3[..., c], K) for c in range(3)], -1), atol=1e-12)
    np.testing.assert_allclose(get(spanned), sum(corr(IMG3[..., c], k3[..., c]) for c in range(3)), atol=1e-12)
    np.testing.assert_allclose(get(banked), np.stack([corr(IMG, f) for f in bank], -1), atol=1e-12)
    ref3 = np.stack([sum(corr(IMG3[..., c], f[..., c]) for c in range(3)) for f in bank3], -1)
    np.testing.assert_allclose(get(banked3), ref3, atol=1e-12)


def test_pooling_max_mean_and_extent(paradigm):
    inp = ann.InputArray(IMG.shape)
    mx, mean, rows = _layer((4, 5)), _layer((4, 5)), _layer((4, 10))
    ann.Pooling(inp, mx, "exc", operation="max").connect_pooling()
    ann.Pooling(inp, mean, "exc", operation="mean").connect_pooling(extent=(2, 2))
    ann.Pooling(inp, rows, "exc", operation="max").connect_pooling(extent=(2,))
    r_max, r_mean, r_rows = _run(inp, IMG, mx, mean, rows)
    blocks = IMG.reshape(4, 2, 5, 2)
    np.testing.assert_allclose(r_max, blocks.max(axis=(1, 3)), atol=1e-12)
    np.testing.assert_allclose(r_mean, blocks.mean(axis=(1, 3)), atol=1e-12)
    np.testing.assert_allclose(r_rows, IMG.reshape(4, 2, 10).max(axis=1), atol=1e-12)


def test_copy_and_kernel_update_after_compile(paradigm):
    inp = ann.InputArray(IMG.shape)
    a, b, c = _layer((8, 10)), _layer((8, 10)), _layer((8, 10))
    orig = ann.Projection(inp, a, "exc")
    orig.connect_fixed_probability(0.2, ann.Uniform(-1.0, 1.0))
    ann.Copy(inp, b, "exc", psp="2.0 * w * pre.r").connect_copy(orig)
    conv = ann.Convolution(inp, c, "exc")
    conv.connect_filter(K)
    r_a, r_b, _ = _run(inp, IMG, a, b, c)
    np.testing.assert_allclose(r_b, 2.0 * r_a, atol=1e-12)
    conv.weights = 2.0 * K
    np.testing.assert_array_equal(conv.weights, 2.0 * K)
    ann.simulate(1.0)
    np.testing.assert_allclose(np.asarray(c.r).reshape(8, 10), 2.0 * signal.correlate2d(IMG, K, mode="same"),
                               atol=1e-12)


def test_errors_are_located():
    ann.clear()
    inp, out = ann.InputArray((8, 10)), _layer((3, 5))
    with pytest.raises(ann.ModelError, match="multiple of the post size"):
        ann.Convolution(inp, out, "exc").connect_filter(K)
    same = _layer((8, 10))
    with pytest.raises(ann.ModelError, match="padding must be a number or 'border'"):
        ann.Convolution(inp, same, "exc").connect_filter(K, padding="mirror")
    with pytest.raises(ann.ModelError, match="keep_last_dimension"):
        ann.Convolution(ann.InputArray((6, 6, 3)), _layer((6, 6, 3)), "exc").connect_filter(K)
    with pytest.raises(ann.ModelError, match="extent"):
        ann.Pooling(inp, _layer((4, 5)), "exc").connect_pooling(extent=(3, 2))
    ann.clear()
