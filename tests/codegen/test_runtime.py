"""Running compiled networks: thread-count invariance, chunked runs (stop, posted changes), statistics
of the seed networks, state access without copies."""
import threading
import time

import numpy as np
import pytest

import annstudio.engine as ann
from annstudio.session.context import current_network

import reference_networks
from backend_helpers import assert_same_results, run_network


def test_thread_count_does_not_change_results(cpp_paradigm):
    """Same seed, 1 or 2 threads: identical spikes and values, random draws included."""
    one = run_network("izhikevich_noisy", cpp_paradigm, num_threads=1, duration=300.0)
    two = run_network("izhikevich_noisy", cpp_paradigm, num_threads=2, duration=300.0)
    assert_same_results(one, two, rtol=0.0)
    z1 = run_network("spiking_zoo", cpp_paradigm, num_threads=1)
    z2 = run_network("spiking_zoo", cpp_paradigm, num_threads=2)
    assert_same_results(z1, z2, rtol=0.0)
    z3 = run_network("spiking_zoo", cpp_paradigm, num_threads=3)
    assert_same_results(z1, z3, rtol=0.0)
    r1 = run_network("rate_zoo", cpp_paradigm, num_threads=1)
    r3 = run_network("rate_zoo", cpp_paradigm, num_threads=3)
    assert_same_results(r1, r3, rtol=0.0)


def _rates(result, n_exc, n, duration_ms):
    trains = result["pop:spike"] if "pop:spike" in result else result["P:spike"]
    counts = np.array([len(t) for t in trains])
    return counts[:n_exc].sum() / n_exc / (duration_ms / 1000), counts[n_exc:].sum() / (n - n_exc) / (duration_ms / 1000)


def test_izhikevich_seed000_rate_on_numpy_is_annarchys():
    """The NumPy reference of the noisy Izhikevich network fires at about 9 Hz, as ANNarchy's."""
    exc, _ = _rates(run_network("izhikevich_noisy", "numpy"), 800, 1000, 1000.0)
    assert 6.0 < exc < 13.0


def test_izhikevich_seed000_statistics_match_numpy(compiled_paradigm):
    """Noise makes runs differ draw by draw; the firing statistics agree (about 9 Hz, as ANNarchy)."""
    ref = _rates(run_network("izhikevich_noisy", "numpy"), 800, 1000, 1000.0)
    got = _rates(run_network("izhikevich_noisy", compiled_paradigm), 800, 1000, 1000.0)
    assert 6.0 < got[0] < 13.0
    assert abs(got[0] - ref[0]) < 0.15 * ref[0] and abs(got[1] - ref[1]) < 0.2 * ref[1]


def test_coba_small_is_active_on_numpy():
    """Guard on the reference: both COBA populations fire, so the spike comparison below is not vacuous."""
    exc, inh = _rates(run_network("coba_small", "numpy"), 800, 1000, 200.0)
    assert exc > 1.0 and inh > 1.0


def test_coba_spikes_identical_to_numpy(compiled_paradigm):
    """The COBA model (1000 neurons, 200 ms) is deterministic: the same spikes on every backend."""
    ref = run_network("coba_small", "numpy")
    got = run_network("coba_small", compiled_paradigm)
    assert_same_results(ref, got)
    exc, inh = _rates(got, 800, 1000, 200.0)
    assert exc > 1.0 and inh > 1.0


def _chunk_network(paradigm):
    ann.clear()
    ann.setup(dt=1.0, seed=1)
    neuron = ann.Neuron(parameters="I = 0.0", equations="dv/dt = I", name="Ramp")
    pop = ann.Population(4, neuron, name="ramp")
    pop.I = 1.0
    ann.compile(paradigm=paradigm)
    return current_network()._sim


def test_stop_between_chunks_returns_promptly(paradigm):
    sim = _chunk_network(paradigm)
    seen = []
    for progress in sim.run_iter(1e9, chunk=50.0):
        seen.append(progress.step)
        if len(seen) == 3:
            threading.Thread(target=sim.request_stop).start()
            time.sleep(0.05)
    assert sim.step == seen[-1] and sim.step <= 250   # a 1e9 ms run ended within two chunks of the request
    assert np.allclose(sim.get("ramp", "v"), sim.step)
    ann.clear()


def test_posted_change_applies_at_next_chunk_boundary(paradigm):
    sim = _chunk_network(paradigm)
    mid = sim.add_monitor("population", "ramp", ["v"])
    for progress in sim.run_iter(100.0, chunk=20.0):
        if progress.step == 40:
            sim.post_set("ramp", "I", 2.0)
    v = sim.monitor_data(mid)["v"][:, 0]
    slope = np.diff(np.concatenate([[0.0], v]))
    switch = int(np.argmax(slope == 2.0))
    # posted while the generator is suspended after the chunk ending at step 40: applied at a chunk
    # boundary (Simulation.run_iter applies posted changes after each chunk, so 60 here), never mid-chunk
    assert switch in (40, 60)
    assert np.all(slope[:switch] == 1.0) and np.all(slope[switch:] == 2.0)
    ann.clear()


def test_state_arrays_are_shared_and_writable(paradigm):
    """get() returns the backend's own array; set() changes the next steps without recompiling."""
    sim = _chunk_network(paradigm)
    v = sim.get("ramp", "v")
    sim.simulate(3.0)
    assert np.allclose(sim.get("ramp", "v"), 3.0)
    sim.set("ramp", "v", np.array([10.0, 20.0, 30.0, 40.0]))
    sim.set("ramp", "I", 0.5, ranks=[1])
    sim.simulate(2.0)
    assert np.allclose(sim.get("ramp", "v"), [12.0, 21.0, 32.0, 42.0])
    if paradigm != "numpy":
        assert v is sim.get("ramp", "v")      # zero copy
    ann.clear()


def test_monitor_periods_ranks_and_pause(paradigm):
    sim = _chunk_network(paradigm)
    m1 = sim.add_monitor("population", "ramp", ["v"], ranks=[3, 1], period=3.0)
    sim.simulate(10.0)
    d = sim.monitor_data(m1)
    assert list(d["_steps"]) == [0, 3, 6, 9]
    assert np.allclose(d["v"], [[1.0, 1.0], [4.0, 4.0], [7.0, 7.0], [10.0, 10.0]])
    sim.set_monitor_active(m1, False)
    sim.simulate(5.0)
    sim.set_monitor_active(m1, True)
    sim.simulate(4.0)
    d = sim.monitor_data(m1)
    assert list(d["_steps"]) == [15, 18]
    ann.clear()


def test_learning_switch_survives_carry_state_from(paradigm):
    """A switch set on the backend directly (``Projection.disable_learning`` calls ``set_learning``) is
    carried to the backend rebuilt for a restructuring (``carry_state_from``): the weights stay frozen."""
    from annstudio.core.runtime import get_backend_factory
    ann.clear()
    ann.setup(dt=1.0, seed=5)
    inp = ann.Population(5, ann.Neuron(parameters="B = 0.0", equations="r = B + 0.3 * sin(t / 5.0)"), name="inp")
    inp.B = np.linspace(0.1, 0.5, 5)
    out = ann.Population(3, ann.Neuron(parameters="tau = 10.0 : population",
                                       equations="tau * dr/dt + r = sum(exc)"), name="out")
    ann.Projection(inp, out, "exc", ann.Oja(eta=0.01), name="oja").connect_all_to_all(weights=0.1)
    ann.compile(paradigm=paradigm)
    sim = current_network()._sim
    old = sim.backend
    old.set_learning("oja", False)
    sim.simulate(5.0)
    new = get_backend_factory(sim.paradigm)(sim.ir, sim.current_data(), sim.spec.settings)
    assert hasattr(new, "carry_state_from"), f"{paradigm} cannot hand its state over (core.runtime.Backend)"
    new.step = old.step
    new.carry_state_from(old)
    before = np.array(new.get("oja", "w"), copy=True)
    new.run(20)
    assert np.array_equal(np.asarray(new.get("oja", "w")), before)
    new.set_learning("oja", True)
    new.run(20)
    assert not np.array_equal(np.asarray(new.get("oja", "w")), before)
    new.close() if hasattr(new, "close") else None
    ann.clear()


def _coba_chunks(paradigm, threads):
    """COBA (1000 neurons) run in uneven pieces -- 3 steps, 50 ms, 1 step, 47 ms -- with v and g_exc recorded
    every step: runs of fewer than 8 steps work in place, longer ones on the padded per-thread copies, and
    an odd number of steps leaves the thread barrier in its other phase for the next run (this used to hang)."""
    ann.clear()
    reference_networks.coba(seed=12345, n=1000)
    P = ann.get_population("P") if hasattr(ann, "get_population") else current_network().get_population("P")
    mon = ann.Monitor(P, ["spike", "v", "g_exc"])
    ann.compile(paradigm=paradigm, num_threads=threads)
    for d in (0.3, 50.0, 0.1, 47.0):
        ann.simulate(d)
    data = mon.get(["spike", "v", "g_exc"], force_dict=True)
    out = {"P:spike": [data["spike"][r] for r in sorted(data["spike"])], "P:v": np.asarray(data["v"]),
           "P:g_exc": np.asarray(data["g_exc"]), "final:v": np.array(P.v), "final:g_inh": np.array(P.g_inh)}
    ann.clear()
    return out


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_padded_thread_blocks_match_numpy(compiled_paradigm, threads):
    """Multi-threaded runs keep each thread's block of v, g_exc, g_inh a page apart (annstudio_runtime.h,
    PRIVATE_GAP): spikes, per-step recordings and the state read back afterwards equal NumPy's."""
    ref = _coba_chunks("numpy", 1)
    got = _coba_chunks(compiled_paradigm, threads)
    assert sum(len(s) for s in ref["P:spike"]) > 50
    assert_same_results(ref, got)


def test_refractory_period_is_truncated_like_annarchy(paradigm):
    """ANNarchy 4.8 sets the counter to int(refractory / dt): 0.3 / 0.1 = 2.9999999999999996 -> 2 frozen steps.
    Spike steps measured with ANNarchy 4.8.2.6 (docs/annarchy-semantics.md), a neuron that fires whenever free."""
    ann.clear()
    ann.setup(dt=0.1, seed=1)
    per_neuron = ann.Neuron(parameters="tref = 0.0", equations="dv/dt = 100.0", spike="v > 0.5", reset="v = 0.0",
                            refractory="tref", name="FastTref")
    constant = ann.Neuron(equations="dv/dt = 100.0", spike="v > 0.5", reset="v = 0.0", refractory=0.3, name="Fast03")
    a = ann.Population(5, per_neuron, name="a")
    a.tref = [0.05, 0.25, 0.3, 0.7, 1.0]
    b = ann.Population(1, constant, name="b")
    ma, mb = ann.Monitor(a, "spike"), ann.Monitor(b, "spike")
    ann.compile(paradigm=paradigm)
    ann.simulate(3.5)
    sa, sb = ma.get("spike"), mb.get("spike")
    assert sa[0][:4] == [0, 1, 2, 3]
    assert sa[1][:2] == [0, 3]
    assert sa[2][:4] == [0, 3, 6, 9]
    assert sa[3][:4] == [0, 7, 14, 21]
    assert sa[4][:4] == [0, 11, 22, 33]
    assert sb[0][:4] == [0, 3, 6, 9]
    ann.clear()


def test_conductances_are_recorded_before_the_neuron_update(paradigm):
    """As ANNarchy's record_targets (measured with 4.8.2.6, docs/annarchy-semantics.md): a decaying g_exc set to
    1.0 is recorded as 0.98**k at index k (v as after the update); an instantaneous conductance (no ODE, zeroed
    by the update) is recorded with the weight it received, one step after the presynaptic spike."""
    ann.clear()
    ann.setup(dt=0.1, seed=1)
    lif = ann.Neuron(parameters="tau = 10.0\nI = 2.0\nvt = 1.0",
                     equations="tau * dv/dt = -v + I\n5.0 * dg_exc/dt = -g_exc", spike="v > vt", reset="v = 0.0",
                     name="LifG")
    a = ann.Population(1, lif, name="a")
    a.g_exc = 1.0
    src = ann.SpikeSourceArray(spike_times=[[5.0]], name="src")
    inst = ann.Population(1, ann.Neuron(equations="dv/dt = g_exc", spike="v > 1e9", name="Inst"), name="inst")
    ann.Projection(src, inst, "exc").connect_one_to_one(weights=0.5)
    ma, mi = ann.Monitor(a, ["v", "g_exc"]), ann.Monitor(inst, ["v", "g_exc"])
    ann.compile(paradigm=paradigm)
    ann.simulate(7.0)
    da, di = ma.get(["v", "g_exc"]), mi.get(["v", "g_exc"])
    g = da["g_exc"][:, 0]
    assert g[0] == 1.0 and g[1] == pytest.approx(0.98) and g[68] == pytest.approx(0.98 ** 68, rel=1e-12)
    assert da["v"][0, 0] == pytest.approx(0.02) and da["v"][68, 0] == 0.0      # spike at step 68, reset
    gi = di["g_exc"][:, 0]
    assert gi[51] == 0.5 and np.count_nonzero(gi) == 1
    assert di["v"][50, 0] == 0.0 and di["v"][51, 0] == pytest.approx(0.05)   # the update of step 51 used it
    ann.clear()


def _injected(paradigm, threads):
    """Rate-coded currents injected into 400 LIF neurons (CurrentInjection; their g_exc is a private slot, in
    padded thread blocks), and into a copy whose spikes are decoded back into rates (DecodingProjection)."""
    ann.clear()
    ann.setup(dt=0.5, seed=2)
    n = 400
    inp = ann.Population(n, ann.Neuron(parameters="base = 0.0", equations="r = base"), name="inp")
    inp.base = np.linspace(1.0, 30.0, n)
    lif = ann.Population(n, ann.Neuron(parameters="tau = 10.0", equations="tau * dv/dt = -v + g_exc",
                                       spike="v > 10.0", reset="v = 0.0", refractory=2.0), name="lif")
    ann.CurrentInjection(inp, lif, "exc").connect_current()
    # decoded: a second copy (a decoded population's state stays in the shared layout)
    lif_d = ann.Population(n, lif.neuron_type, name="lif_d")
    ann.CurrentInjection(inp, lif_d, "exc").connect_current()
    out = ann.Population(n, ann.Neuron(equations="r = sum(exc)"), name="out")
    ann.DecodingProjection(lif_d, out, "exc", window=10.0).connect_one_to_one(weights=1.0)
    ml, mo = ann.Monitor(lif, ["spike", "v", "g_exc"]), ann.Monitor(out, "r")
    ann.compile(paradigm=paradigm, num_threads=threads)
    ann.simulate(100.0)
    d = ml.get(["spike", "v", "g_exc"])
    res = {"lif:spike": [d["spike"][r] for r in sorted(d["spike"])], "lif:v": np.asarray(d["v"]),
           "lif:g_exc": np.asarray(d["g_exc"]), "out:r": np.asarray(mo.get("r"))}
    ann.clear()
    return res


@pytest.mark.parametrize("threads", [2, 3])
def test_injected_and_decoded_blocks_match_numpy(compiled_paradigm, threads):
    ref, got = _injected("numpy", 1), _injected(compiled_paradigm, threads)
    assert sum(len(s) for s in ref["lif:spike"]) > 500
    assert_same_results(ref, got)


def _burst_then_sparse(paradigm, threads):
    """600 LIF neurons: every neuron starts above threshold (all 600 fire in the first step, far more than a
    barrier payload holds, so the spikes are read from the rings), then fire sparsely (a few per step: they
    travel with the barrier).  g_exc has one writer with a constant weight (own block transmitted early,
    while the other threads catch up); g_inh has two writers with different weights and g_x per-synapse
    weights (both keep the reference's order).  Runs of 1 and 2 steps leave the payloads of a previous run
    untrusted and skip the early transmission."""
    ann.clear()
    ann.setup(dt=0.1, seed=3)
    lif = ann.Neuron(parameters="tau = 10.0\nI = 1.15\nvt = 1.0",
                     equations="""tau * dv/dt = -v + I + g_exc - g_inh * v + g_x
                                  3.0 * dg_exc/dt = -g_exc
                                  4.0 * dg_inh/dt = -g_inh
                                  2.0 * dg_x/dt = -g_x""",
                     spike="v > vt", reset="v = 0.0", refractory=2.0, name="BurstLif")
    pop = ann.Population(600, lif, name="B")
    pop.v = 1.5 + 0.1 * np.arange(600) / 600.0
    pop.I = 1.05 + 0.5 * ((np.arange(600) * 7919) % 600) / 600.0   # periods of 11 to 30 ms: desynchronised
    ann.Projection(pop, pop, "exc").connect_fixed_probability(0.05, weights=0.004)
    ann.Projection(pop[:300], pop, "inh").connect_fixed_probability(0.05, weights=0.02)
    ann.Projection(pop[300:], pop, "inh").connect_fixed_probability(0.05, weights=0.07)
    ann.Projection(pop, pop, "x").connect_fixed_probability(0.05, weights=ann.Uniform(0.0, 0.004))
    mon = ann.Monitor(pop, ["spike", "v", "g_exc", "g_inh"])
    ann.compile(paradigm=paradigm, num_threads=threads)
    for d in (0.1, 0.2, 30.0, 0.1, 40.0):
        ann.simulate(d)
    data = mon.get(["spike", "v", "g_exc", "g_inh"], force_dict=True)
    out = {"B:spike": [data["spike"].get(r, []) for r in range(600)], "B:v": np.asarray(data["v"]),
           "B:g_exc": np.asarray(data["g_exc"]), "B:g_inh": np.asarray(data["g_inh"]),
           "final:g_x": np.array(pop.g_x), "final:v": np.array(pop.v)}
    ann.clear()
    return out


@pytest.mark.parametrize("threads", [2, 3])
def test_spikes_in_barrier_payloads_and_early_transmission_match_numpy(compiled_paradigm, threads):
    ref = _burst_then_sparse("numpy", 1)
    got = _burst_then_sparse(compiled_paradigm, threads)
    counts = np.array([len(s) for s in ref["B:spike"]])
    per_step = np.bincount(np.concatenate([np.asarray(s, dtype=int) for s in ref["B:spike"]]), minlength=704)
    assert per_step[0] == 600                       # the burst: payloads overflow, rings are read
    assert 0 < np.median(per_step[100:]) <= 10      # then sparse: the payload path
    assert counts.sum() > 2000
    assert_same_results(ref, got)


def _tiled_rates(paradigm, threads):
    """Dense all-to-all rate-coded rows summed 8 (or 16) at a time from a tiled copy of the weights: 45 post
    neurons (two tile pairs, then 13 rows one by one or as a single tile, depending on the thread blocks), a
    delayed all-to-all projection, a sparse one (row by row), and weights replaced between runs through
    the API (the tiled copy is refreshed before the next run)."""
    ann.clear()
    ann.setup(dt=1.0, seed=2)
    leaky = ann.Neuron(parameters="tau = 10.0 : population\nB = 0.0",
                       equations="tau * dr/dt + r = sum(exc) - sum(inh) + B + 0.2 * sin(t / (3.0 + B))",
                       name="LeakyTiled")
    inp = ann.Population(37, leaky, name="inp")
    out = ann.Population(45, leaky, name="out")
    inp.B = np.linspace(0.0, 1.0, 37)
    a = ann.Projection(inp, out, "exc", name="dense")
    a.connect_all_to_all(weights=ann.Uniform(0.0, 0.1))
    ann.Projection(inp, out, "inh", name="late").connect_all_to_all(weights=ann.Uniform(0.0, 0.05), delays=2.0)
    ann.Projection(out, inp, "exc", name="sparse").connect_fixed_probability(0.3, weights=ann.Uniform(0.0, 0.05))
    mon = ann.Monitor(out, "r")
    ann.compile(paradigm=paradigm, num_threads=threads)
    ann.simulate(30.0)
    a.w = 0.02                                      # uniform value through the API
    ann.simulate(20.0)
    w = np.array(a.w, dtype=float)
    a.w = (w * np.linspace(0.5, 1.5, w.size).reshape(w.shape)).tolist()
    ann.simulate(25.0)
    out_r = {"out:r": np.asarray(mon.get("r")), "final:inp": np.array(inp.r)}
    ann.clear()
    return out_r


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_tiled_rate_sums_match_numpy_bit_for_bit(cpp_paradigm, threads):
    ref = _tiled_rates("numpy", 1)
    got = _tiled_rates(cpp_paradigm, threads)
    assert np.ptp(ref["out:r"][-1]) > 0.01
    assert_same_results(ref, got, rtol=0.0)


def test_large_dense_rate_projection_without_tiled_copy_matches_numpy(cpp_paradigm):
    """Above 2**22 synapses no tiled copy is made (annstudio_runtime.h, TILE_MAX_SYN): the rows are
    summed from the weights themselves, with the same bits."""
    def run(paradigm, threads):
        ann.clear()
        ann.setup(dt=1.0, seed=4)
        leaky = ann.Neuron(parameters="tau = 10.0 : population\nB = 0.0",
                           equations="tau * dr/dt + r = sum(exc) + B : min=0.0", name="LeakyLarge")
        inp = ann.Population(2100, leaky, name="inp")
        out = ann.Population(2000, leaky, name="out")
        inp.B = np.linspace(-1.0, 1.0, 2100)
        ann.Projection(inp, out, "exc").connect_all_to_all(weights=ann.Uniform(-0.01, 0.01))
        ann.compile(paradigm=paradigm, num_threads=threads)
        ann.simulate(6.0)
        r = [np.array(out.r)]
        b = np.linspace(-1.0, 0.1, 2100)             # rectified: 1 input in 11 left > 0 (rows gathered)
        inp.B, inp.r = b, np.maximum(b, 0.0)
        ann.simulate(6.0)
        r.append(np.array(out.r))
        ann.clear()
        return r
    ref = run("numpy", 1)
    assert np.ptp(ref[0]) > 1e-3 and np.ptp(ref[1] - ref[0]) > 1e-4
    got = run(cpp_paradigm, 2)
    np.testing.assert_array_equal(got[0], ref[0])
    np.testing.assert_array_equal(got[1], ref[1])


def _rectified_inputs(paradigm, threads):
    """Rate-coded sums over rectified inputs: r = B + sin(f t) clipped at 0 makes all, most, few or none of
    the 61 inputs exactly 0 as time goes by, so the kernels leave zero-rate terms out (annstudio_runtime.h,
    active_ranks) on every path: tiles of 8 and 16 rows, a delayed copy, the 4-row remainder; negative
    weights make the left-out products -0.0.  Then one weight of a silent input is made infinite: the
    reference's sum is NaN there (inf * 0), and so must the kernels' be (the run stops with the error that
    names the neuron)."""
    ann.clear()
    ann.setup(dt=1.0, seed=3)
    rect = ann.Neuron(parameters="B = 0.0", equations="r = B + sin(0.21 * t) : min=0.0", name="Rectified")
    leaky = ann.Neuron(parameters="tau = 10.0 : population",
                       equations="tau * dr/dt + r = sum(exc) + sum(inh)", name="LeakySigned")
    inp = ann.Population(61, rect, name="inp")
    out = ann.Population(45, leaky, name="out")
    inp.B = np.linspace(-1.2, 0.2, 61)
    a = ann.Projection(inp, out, "exc", name="now")
    a.connect_all_to_all(weights=ann.Uniform(-0.5, 0.5))
    ann.Projection(inp, out, "inh", name="later").connect_all_to_all(weights=ann.Uniform(-0.5, 0.5), delays=3.0)
    m_out, m_in = ann.Monitor(out, "r"), ann.Monitor(inp, "r")
    ann.compile(paradigm=paradigm, num_threads=threads)
    ann.simulate(47.0)
    res = {"out:r": np.asarray(m_out.get("r")), "inp:r": np.asarray(m_in.get("r"))}
    w = np.array(a.w, dtype=float)
    w[7, 0] = np.inf                                # input 0 (B = -1.2) is always 0
    # from t = 46 to 58 ms every input is 0 (sin(0.21 t) < -0.2): only the weights' check keeps the NaN
    a.w = w.tolist()
    with pytest.raises(ann.SimulationError) as err:
        ann.simulate(10.0)
    res["error"] = str(err.value)
    ann.clear()
    return res


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_zero_rate_inputs_left_out_keep_every_bit(cpp_paradigm, threads):
    with np.errstate(invalid="ignore"):
        ref = _rectified_inputs("numpy", 1)
    active = (ref["inp:r"] != 0.0).sum(axis=1)
    assert active.min() == 0 and active.max() > 45 and ((active > 0) & (active < 15)).any()
    assert np.ptp(ref["out:r"]) > 0.1
    assert "'r' became nan (neuron 7, 1 neuron(s)" in ref["error"]
    got = _rectified_inputs(cpp_paradigm, threads)
    assert "'r' became nan (neuron 7, 1 neuron(s)" in got["error"]
    np.testing.assert_array_equal(got["inp:r"], ref["inp:r"])
    np.testing.assert_array_equal(got["out:r"], ref["out:r"])


def _normal_draws(paradigm, threads):
    ann.clear()
    ann.setup(dt=1.0, seed=11)
    pop = ann.Population(1003, ann.Neuron(equations="x = Normal(0.0, 1.0)\ny = Exponential(2.0)",
                                          name="Draws"), name="draws")
    mon = ann.Monitor(pop, ["x", "y"])
    ann.compile(paradigm=paradigm, num_threads=threads)
    ann.simulate(40.0)
    x, y = np.asarray(mon.get("x")), np.asarray(mon.get("y"))
    ann.clear()
    return x, y


def test_compiled_random_draws_are_distributed_right_and_thread_invariant(compiled_paradigm):
    """The compiled kernels draw normals by Box-Muller with their own branch-free log and cos (so that neuron
    loops vectorise; annstudio_runtime.h): the draws have the right distribution, and 1003 neurons (SIMD
    remainders at the end of the population and inside thread blocks) give the same bits on 1, 2 and 3
    threads."""
    import math
    x1, y1 = _normal_draws(compiled_paradigm, 1)
    for t in (2, 3):
        xt, yt = _normal_draws(compiled_paradigm, t)
        np.testing.assert_array_equal(xt, x1)
        np.testing.assert_array_equal(yt, y1)
    s = np.sort(x1.ravel())
    n = s.size
    cdf = 0.5 * (1.0 + np.array([math.erf(v / math.sqrt(2.0)) for v in s]))
    ks = max(np.max(np.arange(1, n + 1) / n - cdf), np.max(cdf - np.arange(n) / n))
    assert ks < 1.63 / math.sqrt(n) * 1.2          # far below: any slip in log or cos shows here
    assert abs(s.mean()) < 0.03 and abs(s.std() - 1.0) < 0.02
    assert abs(np.mean(s ** 4) - 3.0) < 0.15        # tails (kurtosis of a normal)
    e = y1.ravel()
    assert abs(e.mean() - 0.5) < 0.01 and e.min() >= 0.0 and abs(np.median(e) - math.log(2.0) / 2.0) < 0.01


def test_every_distribution_draws_its_law_in_neuron_loops(compiled_paradigm):
    """Neuron loops take their draws from the runtime library a block at a time (ann::fill_draws, one code
    per distribution, arguments in order): each variable follows its own law, with its own arguments, a
    fresh value per neuron and per step, whatever the thread count."""
    laws = {"u": ("Uniform(-1.0, 3.0)", 1.0, 16.0 / 12.0), "n": ("Normal(2.0, 0.5)", 2.0, 0.25),
            "l": ("LogNormal(0.0, 0.5)", np.exp(0.125), (np.exp(0.25) - 1.0) * np.exp(0.25)),
            "g": ("Gamma(2.0, 1.5)", 3.0, 4.5), "d": ("DiscreteUniform(1, 6)", 3.5, 35.0 / 12.0),
            "b": ("Binomial(10, 0.3)", 3.0, 2.1), "e": ("Exponential(4.0)", 0.25, 0.0625)}

    def run(threads):
        ann.clear()
        ann.setup(dt=1.0, seed=5)
        eqs = "\n".join(f"{v} = {law}" for v, (law, _, _) in laws.items())
        pop = ann.Population(1003, ann.Neuron(equations=eqs, name="Laws"), name="laws")
        mon = ann.Monitor(pop, list(laws))
        ann.compile(paradigm=compiled_paradigm, num_threads=threads)
        ann.simulate(30.0)
        out = {v: np.asarray(mon.get(v)) for v in laws}
        ann.clear()
        return out
    one = run(1)
    for v, (law, mean, var) in laws.items():
        x = one[v]
        n = x.size
        assert abs(x.mean() - mean) < 5.0 * np.sqrt(var / n), (law, x.mean())
        assert abs(x.var() / var - 1.0) < 0.05, (law, x.var())
        assert abs(np.corrcoef(x[1:].ravel(), x[:-1].ravel())[0, 1]) < 0.02, law   # fresh each step
        assert abs(np.corrcoef(x[:, 1:].ravel(), x[:, :-1].ravel())[0, 1]) < 0.02, law   # each neuron
    assert set(np.unique(one["d"])) == {1.0, 2.0, 3.0, 4.0, 5.0, 6.0}
    assert one["u"].min() >= -1.0 and one["u"].max() < 3.0 and one["g"].min() > 0.0
    three = run(3)
    for v in laws:
        np.testing.assert_array_equal(three[v], one[v])
