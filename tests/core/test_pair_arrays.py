"""fixed_probability's synapses drawn straight into int32 rank arrays (core/runtime/pair_arrays.py): the same
network as the one-shot construction for a seed, a fraction of its memory."""
import tracemalloc

import numpy as np
import pytest

from annstudio.core.runtime import pair_arrays
from annstudio.core.runtime.connectivity import build_connectivity


def _one_shot(rng, n_rows, n_cols, p):
    """The plain construction: each batch of geometric gaps drawn at once, all positions in one int64 array."""
    total, chunks, pos = n_rows * n_cols, [], -1
    batch = int(total * p * 1.05) + 64
    while True:
        cs = pos + np.cumsum(rng.geometric(p, size=batch))
        chunks.append(cs[cs < total])
        if cs[-1] >= total:
            break
        pos = int(cs[-1])
        batch = max(64, int((total - pos) * p * 1.05) + 64)
    idx = np.concatenate(chunks)
    return idx // n_cols, idx % n_cols


@pytest.mark.parametrize("rows,cols,p,chunk", [(1000, 800, 0.02, 1 << 18), (300, 200, 0.3, 1000), (7, 5, 0.9, 3),
                                               (2000, 3000, 0.0001, 64)])
def test_chunked_draws_are_the_one_shot_network_and_leave_the_stream_alike(monkeypatch, rows, cols, p, chunk):
    monkeypatch.setattr(pair_arrays, "CHUNK", chunk)
    a_rng, b_rng = np.random.default_rng(5), np.random.default_rng(5)
    want = _one_shot(a_rng, rows, cols, p)
    got = pair_arrays.bernoulli_pairs(b_rng, rows, cols, p)
    assert got[0].dtype == np.int32 and got[1].dtype == np.int32
    assert np.array_equal(want[0], got[0]) and np.array_equal(want[1], got[1]) and want[0].size > 0
    assert a_rng.random() == b_rng.random()      # as many draws consumed: the next projection is unchanged


class _Spec:
    def __init__(self, method, **params):
        self.method, self.params = method, params


def test_construction_peak_of_a_large_sparse_projection():
    """2.56 M synapses (COBA 40 000's excitatory projection, 32 000 -> 40 000, p = 0.002) onto the whole
    population: the construction's peak stays under 24 bytes a synapse (it was 48 with int64 pair arrays),
    and what is kept is 8 (two int32 ranks; the weight and delay are one shared value each)."""
    n, ne = 40_000, 32_000
    spec = _Spec("fixed_probability", probability=0.002, weights=0.6)
    tracemalloc.start()
    conn = build_connectivity(spec, np.arange(ne), np.arange(n), n, n, True, np.random.default_rng(1), 0.1, "P")
    kept, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert conn.pre.dtype == np.int32 and conn.post.dtype == np.int32
    assert 2.4e6 < conn.size < 2.7e6 and conn.uniform_weight == 0.6
    key = conn.post.astype(np.int64) * n + conn.pre
    assert bool(np.all(key[1:] > key[:-1]))      # post-major, no pair twice
    assert peak / conn.size < 24, f"{peak / conn.size:.1f} bytes a synapse at the peak"
    assert kept / conn.size < 10
