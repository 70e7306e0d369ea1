"""``rank`` in neuron equations, spike conditions and resets on the CUDA kernels (the network and the hand-written
recurrences of tests/engine/test_rank_in_equations.py), bit-for-bit equal to the NumPy oracle."""
import numpy as np

from engine.test_rank_in_equations import check, run_rank


def test_rank_on_cuda(backend):
    got = run_rank(backend)
    check(got)
    ref = run_rank("numpy")
    for key in ("v", "r", "I", "qv"):
        np.testing.assert_array_equal(got[key], ref[key], err_msg=key)
    assert got["spikes"] == ref["spikes"]
