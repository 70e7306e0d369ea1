"""DecodingProjection on the C++ backend: the incremental exact sums (weights that are multiples of a power of
two) and the full sums (any other weight) both reproduce the NumPy oracle bit for bit, across threads and after the
weights change between runs."""
import numpy as np
import pytest

import annstudio.engine as ann

pytestmark = pytest.mark.compiler


def _triangular(pre, post, weights):
    csr = ann.CSR()
    for rk in range(post.size):
        csr.add(rk, range(rk + 1), [weights], [0])
    return csr


def _decoded(paradigm, threads, weights, later=None, n=120):
    """Spike trains at rising rates (a SpikeSourceArray: the same spikes on every backend) decoded by ``n`` rate
    neurons (triangular pattern, seed 003); ``weights``
    the connector's (a number: ``connect_with_func``'s shared value; ``"uniform"``: all-to-all with
    Uniform(0.5, 1.5); ``"shared"``: all-to-all with one constant weight 0.75); ``later``: the weights set
    between the runs."""
    ann.clear()
    ann.setup(dt=0.1, seed=5)
    rng = np.random.default_rng(7)
    times = []
    for k in range(n):      # rates rising from 30 to 200 Hz over the 60 ms, some spikes on the same step
        t = np.sort(rng.uniform(0.0, 60.0, int(rng.integers(1, 12))))
        times.append([float(x) for x in np.round(t, 1)])
    pois = ann.SpikeSourceArray(spike_times=times, name="pois")
    out = ann.Population(n, ann.Neuron(equations="r = sum(exc)"), name="out")
    proj = ann.DecodingProjection(pois, out, "exc", window=2.0)
    if weights == "uniform":
        proj.connect_all_to_all(weights=ann.Uniform(0.5, 1.5))
    elif weights == "shared":
        proj.connect_all_to_all(weights=0.75)
    else:
        proj.connect_with_func(method=_triangular, weights=weights)
    mon, spikes = ann.Monitor(out, "r"), ann.Monitor(pois, "spike")
    ann.compile(paradigm=paradigm, num_threads=threads)
    rows = []
    for k in range(3):
        ann.simulate(20.0)
        if k == 0 and later is not None:
            proj.w = later(proj.nb_synapses)     # one value per synapse, flat
    rows.append(np.asarray(mon.get("r")))
    s = spikes.get("spike")
    ann.clear()
    return np.concatenate(rows), sum(len(v) for v in s.values())


@pytest.mark.parametrize("threads", [1, 3])
@pytest.mark.parametrize("weights, later", [
    (1.0, None),                                                        # exact: integers
    (0.375, lambda n: np.full(n, 1.25)),          # exact, then other exact values
    (0.1, None),                                                        # not a short binary fraction: full sums
    (0.5, lambda n: np.linspace(0.1, 1.0, n)),    # exact, then full sums
    ("uniform", None),
    ("shared", None),
])
def test_decoding_matches_numpy(cpp_paradigm, threads, weights, later):
    ref, nref = _decoded("numpy", 1, weights, later)
    got, ngot = _decoded(cpp_paradigm, threads, weights, later)
    assert nref > 200 and ngot == nref
    assert np.abs(ref).max() > 0
    np.testing.assert_array_equal(got, ref)
