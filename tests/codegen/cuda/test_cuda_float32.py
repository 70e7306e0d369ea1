"""Single precision on the CUDA backend, checked through its CPU emulation (the GPU's own run where one is):
float32 state, weights and arithmetic against the float32 NumPy reference.  Spikes identical on the
deterministic networks of tests/float32_networks.py; neuron variables bit for bit (one thread per neuron,
the same operations); reductions (a population's mean, rate-coded sums) are summed in another order by the
warp and block trees, so they agree to float32 tolerance."""
import numpy as np
import pytest

import annstudio.engine as ann
from float32_networks import NETWORKS, double_afterwards, run  # noqa: F401 (a fixture)

pytestmark = pytest.mark.usefixtures("temp_cache", "double_afterwards")


@pytest.mark.parametrize("network", list(NETWORKS))
def test_cuda_float32_matches_float32_numpy(network, backend):
    build, duration = NETWORKS[network]
    ref = run(build, "numpy", "float32", duration)
    got = run(build, backend, "float32", duration)
    if ref["spike"] is not None:
        assert sum(len(v) for v in ref["spike"].values()) > 50
        assert got["spike"] == ref["spike"]
    for name, value in ref["final"].items():
        if np.ndim(value) > 0:
            assert np.asarray(got["final"][name]).dtype == np.float32, name
        np.testing.assert_allclose(got["final"][name], value, rtol=2e-6, atol=2e-5, err_msg=name)
        if name in ref:
            np.testing.assert_allclose(got[name], ref[name], rtol=2e-6, atol=2e-5, err_msg=name)
    double = run(build, backend, "float64", duration)
    name = next(iter(ref["final"]))
    assert not np.array_equal(np.asarray(double[name], dtype=np.float64), np.asarray(got[name], dtype=np.float64))
