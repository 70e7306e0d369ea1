"""Thread balance of the C++ kernel: the thread blocks move during a run (ann_run's calibration segments, or a
fixed switch through the kernel's optional ``ann_balance`` entry point) and the results stay those of NumPy.

A move re-deals everything that hangs on the blocks (annstudio_runtime.h, ``Base::repartition``): spike rings
with their delays, refractory counters, private padded slots, the projections' thread-major rows and mirrors,
monitors' copy runs, decoders' sums.  The switch comes mid-run, in the middle of a recording, with spikes in
flight in the delay rings.
"""
import ctypes

import numpy as np
import pytest

import annstudio.engine as ann
import backend_networks
from backend_helpers import assert_same_results, run_network
from annstudio.session.context import current_network


def _abi(backend):
    lib = ctypes.CDLL(backend.kernel_path)
    bal = lib.ann_balance
    bal.argtypes = [ctypes.c_void_p, ctypes.c_int32, ctypes.POINTER(ctypes.c_double), ctypes.c_int32, ctypes.c_int64]
    bal.restype = ctypes.c_int32
    blocks = lib.ann_blocks
    blocks.argtypes = [ctypes.c_void_p, ctypes.c_int32, ctypes.POINTER(ctypes.c_int64)]
    blocks.restype = ctypes.c_int32
    return bal, blocks


def _blocks(backend, pop, threads):
    _, blocks = _abi(backend)
    lo = (ctypes.c_int64 * threads)()
    assert blocks(ctypes.c_void_p(backend.inst.handle), pop, lo) == threads
    return list(lo)


def _decoded():
    """400 LIF neurons driven by rate-coded currents (CurrentInjection: g_exc in padded thread blocks), their
    spikes decoded into rates (DecodingProjection, exact sums kept per thread for its block of posts)."""
    ann.setup(dt=0.5, seed=2)
    n = 400
    inp = ann.Population(n, ann.Neuron(parameters="base = 0.0", equations="r = base"), name="inp")
    inp.base = np.linspace(1.0, 30.0, n)
    lif = ann.Population(n, ann.Neuron(parameters="tau = 10.0", equations="tau * dv/dt = -v + g_exc",
                                       spike="v > 10.0", reset="v = 0.0", refractory=2.0), name="lif")
    ann.CurrentInjection(inp, lif, "exc").connect_current()
    out = ann.Population(n, ann.Neuron(equations="r = sum(exc)"), name="out")
    ann.DecodingProjection(lif, out, "exc", window=10.0).connect_fixed_probability(0.1, weights=0.5)
    return [("lif", lif, ["spike", "v", "g_exc"]), ("out", out, ["r"])], []


BUILDERS = dict(backend_networks.BUILDERS, decoded=(_decoded, 100.0))


def _run(name, paradigm, threads, shares=None, after=0, pieces=(1.0,)):
    """Network ``name`` (backend_networks' or this module's), recorded as backend_networks' ``run`` does,
    simulated in ``pieces`` (fractions of its duration); with ``shares``: the blocks switch to them ``after``
    steps into the first piece."""
    builder, duration = BUILDERS[name]
    ann.clear()
    pops, projs = builder()
    monitors = [(n, ann.Monitor(p, vs), vs) for n, p, vs in pops]
    pmon = [(n, ann.Monitor(p, vs), vs) for n, p, vs in projs]
    ann.compile(paradigm=paradigm, num_threads=threads)
    backend = current_network()._sim.backend
    before = None
    if shares is not None:
        bal, _ = _abi(backend)
        arr = (ctypes.c_double * threads)(*shares)
        assert bal(ctypes.c_void_p(backend.inst.handle), 2, arr, threads, after) == 0
        before = _blocks(backend, 0, threads)
    dt = current_network()._sim.dt
    for f in pieces:
        ann.simulate(round(f * duration / dt) * dt)
    moved = None if shares is None else (before, _blocks(backend, 0, threads))
    out = {}
    for n, m, vs in monitors:
        data = m.get(vs, force_dict=True)
        for v in vs:
            out[f"{n}:{v}"] = [data[v][r] for r in sorted(data[v])] if v == "spike" else np.asarray(data[v])
    for n, m, vs in pmon:
        data = m.get(vs, force_dict=True)
        for v in vs:
            out[f"{n}:{v}"] = np.asarray([np.concatenate([np.ravel(np.asarray(d, dtype=float))
                                                          for d in np.atleast_1d(np.asarray(x, dtype=object))])
                                          for x in data[v]])
    ann.clear()
    return out, moved


CASES = [("spiking_zoo", 2, [0.2, 0.8], 137), ("spiking_zoo", 3, [0.5, 0.15, 0.35], 211),
         ("rate_zoo", 2, [0.75, 0.25], 61), ("rate_zoo", 3, [0.2, 0.3, 0.5], 90),
         ("coba_small", 2, [0.3, 0.7], 777), ("coba_small", 3, [0.45, 0.45, 0.1], 1003),
         ("decoded", 2, [0.8, 0.2], 77), ("decoded", 3, [0.1, 0.6, 0.3], 101)]


@pytest.mark.parametrize("name,threads,shares,after", CASES)
def test_blocks_moved_mid_run_match_numpy(cpp_paradigm, name, threads, shares, after):
    ref = _run(name, "numpy", 1)[0] if name == "decoded" else run_network(name, "numpy")
    got, (before, now) = _run(name, cpp_paradigm, threads, shares, after)
    assert before != now                      # the blocks did move, in the middle of the run
    assert now[1] > 0 and now == sorted(now) and all(x % 8 == 0 for x in now)
    if name != "rate_zoo":
        assert sum(len(s) for k, v in ref.items() if k.endswith(":spike") for s in v) > 100
    assert_same_results(ref, got)


def test_blocks_moved_between_runs_keep_their_shares(cpp_paradigm):
    """A switch set for step 0 of the next run applies before it; the blocks then stay for later runs, which
    go on from each other as one run does (COBA, 200 ms in three pieces)."""
    ref = run_network("coba_small", "numpy")
    got, (before, now) = _run("coba_small", cpp_paradigm, 2, [0.7, 0.3], 0, pieces=(0.25, 0.5, 0.25))
    assert before == [0, 496] and now == [0, 696]        # 1000 neurons: 0.7 of them, rounded down to 8
    assert_same_results(ref, got)


def test_calibrated_run_matches_numpy(cpp_paradigm):
    """A run long enough for the automatic calibration segments (4 x ann::BAL_STEPS steps and more): whatever
    blocks the measured times give, the results are NumPy's."""
    ref = run_network("coba_small", "numpy", duration=500.0)
    got = run_network("coba_small", cpp_paradigm, num_threads=2, duration=500.0)
    assert sum(len(s) for s in ref["P:spike"]) > 1000
    assert_same_results(ref, got)


def _restructured(paradigm, threads, shares=None):
    """restructure_network's LIF network (spikes in flight on delays of 0.5-3 ms, refractory counters) rebuilt
    mid-run by ``Simulation.restructure``; with ``shares``: the blocks move at step 100, before the rebuild."""
    ann.clear()
    ann.setup(dt=0.1, seed=11)
    lif = ann.Neuron(parameters="tau = 10.0 : population\nI = 0.0",
                     equations="tau * dv/dt = -(v + 60.0) + g_exc + I : init=-60.0\n5.0 * dg_exc/dt = -g_exc",
                     spike="v > -50.0", reset="v = -60.0", refractory=3.0)
    pop = ann.Population(60, lif, name="lif")
    pop.I = np.linspace(8.0, 16.0, 60)
    ann.Projection(pop, pop, "exc").connect_fixed_probability(0.2, weights=ann.Uniform(1.0, 3.0),
                                                              delays=ann.Uniform(0.5, 3.0))
    ann.compile(paradigm=paradigm, num_threads=threads)
    mon = ann.Monitor(pop, ["spike", "v"])
    sim = current_network()._sim
    if shares is not None:
        bal, _ = _abi(sim.backend)
        assert bal(ctypes.c_void_p(sim.backend.inst.handle), 2, (ctypes.c_double * threads)(*shares), threads, 100) == 0
    ann.simulate(23.7)
    sim.restructure(sim.current_data())
    ann.simulate(60.0 - 23.7)
    new = current_network()._sim
    blocks = _blocks(new.backend, 0, threads) if shares is not None else None
    spikes = {int(k): list(v) for k, v in mon.get("spike").items()}
    out = spikes, np.asarray(mon.get("v")), blocks
    ann.clear()
    return out


def test_restructured_run_keeps_moved_blocks(cpp_paradigm):
    """The rebuilt kernel takes the blocks of the one it replaces before their state (rings, refractory counters
    laid out by block) is carried over: spikes and v stay NumPy's."""
    ref_spikes, ref_v, _ = _restructured("numpy", 1)
    assert sum(len(s) for s in ref_spikes.values()) > 100
    spikes, v, blocks = _restructured(cpp_paradigm, 2, [0.25, 0.75])
    assert blocks == [0, 8]                   # 60 neurons: a quarter, rounded down to 8 (equal blocks: 0, 24)
    assert spikes == ref_spikes
    np.testing.assert_allclose(v, ref_v, rtol=1e-10, atol=1e-10)
