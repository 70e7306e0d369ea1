"""The compiled backends' monitor buffers (annstudio_runtime.h: ``SpikeLog``, ``monitor_take``): spikes kept as
int32 ranks in fixed-size chunks (2^18 ranks) with one (step, count) entry per step, merged over the threads and
freed chunk by chunk when drained; variable records in blocks of rows, freed block by block; variables of a
float32 kernel recorded as float32.  Checked against the NumPy
reference: recordings long enough to fill several chunks per thread, drained in several pieces, with a subset
of ranks, on 1 and 3 threads.
"""
import numpy as np
import pytest

import annstudio.engine as ann
from annstudio.core.runtime import MonitorRequest
from annstudio.session.context import current_network
from float32_networks import lif as _lif32, run as _run32

CHUNK = 1 << 18      # SpikeLog::CHUNK

# fires every 1 to 3 steps, by rank (deterministic: no noise, no input)
FAST = ann.Neuron(parameters="I = 0.3", equations="dv/dt = I : init = 0.0", spike="v > 1.0", reset="v = 0.0",
                  name="FastRegular")


def _fast_run(paradigm, threads, ranks=None, pieces=(40.0, 0.1, 59.9)):
    """2400 neurons, 1000 steps in ``pieces`` (ms, dt 0.1): the spikes of the whole run, the spikes and v of
    each piece (records of 2400 doubles fill several of the runtime's 4 MiB value blocks) and v of every 5th
    neuron every 3rd step."""
    ann.clear()
    ann.setup(paradigm=paradigm, dt=0.1, seed=1)
    pop = ann.Population(2400, FAST, name="fast")
    pop.I = np.linspace(4.0, 12.0, 2400)
    whole = ann.Monitor(pop if ranks is None else pop[ranks], "spike")
    piecewise = ann.Monitor(pop, ["spike", "v"])
    sparse = ann.Monitor(pop[::5], "v", period=0.3)
    ann.compile(paradigm=paradigm, num_threads=threads)
    parts = []
    for d in pieces:
        ann.simulate(d)
        parts.append(piecewise.get(["spike", "v"], force_dict=True))
    out = {"whole": whole.get("spike"), "parts": parts, "sparse": np.asarray(sparse.get("v"))}
    ann.clear()
    return out


@pytest.mark.parametrize("threads", [1, 3])
def test_spikes_over_several_chunks_equal_numpy(compiled_paradigm, threads):
    ref = _fast_run("numpy", 1)
    got = _fast_run(compiled_paradigm, threads)
    n = sum(len(v) for v in ref["whole"].values())
    assert n > 4 * CHUNK                 # several chunks: more than one per thread on 3 threads
    assert got["whole"] == ref["whole"]
    assert len(got["parts"]) == 3
    for a, b, steps in zip(ref["parts"], got["parts"], (400, 1, 599)):
        assert b["spike"] == a["spike"]
        assert all(s == sorted(set(s)) for s in b["spike"].values())   # each drain starts empty
        assert np.shape(b["v"]) == (steps, 2400)                      # 2400 doubles a record: 218 a block
        np.testing.assert_array_equal(b["v"], a["v"])
    assert sum(len(v) for v in got["parts"][1]["spike"].values()) > 0   # the one-step piece recorded spikes
    assert got["sparse"].shape == (334, 480)
    np.testing.assert_array_equal(got["sparse"], ref["sparse"])


def test_spikes_of_a_rank_subset_equal_numpy(compiled_paradigm):
    ranks = list(range(5, 2400, 7))
    ref = _fast_run("numpy", 1, ranks=ranks, pieces=(100.0,))
    got = _fast_run(compiled_paradigm, 2, ranks=ranks, pieces=(100.0,))
    assert sum(len(v) for v in ref["whole"].values()) > 50000
    assert got["whole"] == ref["whole"]


def test_drained_spike_arrays_are_step_then_rank_ordered(cpp_paradigm):
    """The backend's own recording (what the session absorbs): int64 steps and ranks, step ascending and rank
    ascending within a step, over 3 threads, equal to the NumPy backend's arrays."""
    def raw(paradigm, threads):
        ann.clear()
        ann.setup(paradigm=paradigm, dt=0.1, seed=1)
        pop = ann.Population(2400, FAST, name="fast")
        pop.I = np.linspace(4.0, 12.0, 2400)
        ann.compile(paradigm=paradigm, num_threads=threads)
        backend = current_network()._sim.backend
        mid = backend.add_monitor(MonitorRequest(kind="population", target="fast", variables=("spike",), ranks=None))
        backend.run(700)
        rec = backend.fetch_monitor(mid)
        again = backend.fetch_monitor(mid)
        ann.clear()
        return rec, again
    ref, _ = raw("numpy", 1)
    got, again = raw(cpp_paradigm, 3)
    assert got.spike_steps.dtype == np.int64 and got.spike_ranks.dtype == np.int64
    assert got.spike_steps.size > 2 * CHUNK
    np.testing.assert_array_equal(got.spike_steps, ref.spike_steps)
    np.testing.assert_array_equal(got.spike_ranks, ref.spike_ranks)
    key = got.spike_steps * 10000 + got.spike_ranks
    assert np.all(np.diff(key) > 0)
    assert again.spike_steps.size == 0 and again.spike_ranks.size == 0       # drained: emptied


def _raw32(paradigm):
    """The backend's recording of v, g_exc (every 2nd step) and mv of the float32 LIF network, 300 steps."""
    ann.clear()
    _lif32()
    ann.setup(precision="float32")
    ann.compile(paradigm=paradigm, num_threads=2)
    backend = current_network()._sim.backend
    mid = backend.add_monitor(MonitorRequest(kind="population", target="lif", variables=("v", "g_exc", "spike"),
                                             ranks=None, period_steps=2))
    single = backend.add_monitor(MonitorRequest(kind="population", target="lif", variables=("v",), ranks=(3, 150)))
    backend.run(300)
    return backend.fetch_monitor(mid), backend.fetch_monitor(single)


def test_float32_kernel_records_float32_values(cpp_paradigm):
    """A float32 kernel records its float variables as float32 (half the bytes of a record): the same values
    as the float32 NumPy run, and through the session the same recordings as before."""
    try:
        ref, ref1 = _raw32("numpy")
        got, got1 = _raw32(cpp_paradigm)
        sref = _run32(_lif32, "numpy", "float32", 50.0)
        sgot = _run32(_lif32, cpp_paradigm, "float32", 50.0)
    finally:
        ann.clear()
        ann.setup(precision="float64", paradigm="openmp")
    for r, g in ((ref, got), (ref1, got1)):
        np.testing.assert_array_equal(g.steps, r.steps)
        np.testing.assert_array_equal(g.spike_steps, r.spike_steps)
        np.testing.assert_array_equal(g.spike_ranks, r.spike_ranks)
        for name, a in r.values.items():
            b = g.values[name]
            assert b.dtype == np.float32 and np.asarray(a).dtype == np.float32, name
            assert b.shape == np.shape(a), name
            np.testing.assert_allclose(b, a, rtol=2e-6, atol=1e-5, err_msg=name)
    assert got.steps.size == 150 and got.spike_steps.size > 50
    assert got1.values["v"].shape == (300, 2)
    assert sgot["spike"] == sref["spike"]
    for name in ("v", "g_exc"):
        a, b = np.asarray(sref[name]), np.asarray(sgot[name])
        assert a.shape == b.shape == (500, 200) and a.dtype == b.dtype, name
        np.testing.assert_allclose(b, a, rtol=2e-6, atol=1e-5, err_msg=name)
