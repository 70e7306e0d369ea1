"""The CUDA backend against the NumPy reference.

Without a GPU, the generated kernels run on the CPU (``paradigm="cuda-emulated"``,
see conftest): the same CUDA source compiled by g++ against ``emulation.h``.  With
the default emulated launch shape, spikes are propagated one at a time, in the
reference's order, so spiking networks match the reference bit for bit; rate-coded
weighted sums use one warp per row with a shuffle-tree reduction (GPU order), so
they match to rounding.  Where a GPU is present, the real ``"cuda"`` paradigm runs
the same bodies with tolerances (atomic order differs on a GPU).

Every test network's generated CUDA is also compiled with ``nvcc -c`` here.
"""
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from annstudio import codegen
from annstudio.codegen.cuda import toolchain
from annstudio.codegen.cuda.build import compile_check
from annstudio.engine import (IBCM, STDP, STP, Izhikevich, IF_cond_exp, Monitor, Neuron, Oja, Population,
                              Projection, Uniform, clear, compile, setup, simulate)
from annstudio.engine import (CurrentInjection, DecodingProjection, HomogeneousCorrelatedSpikeTrains,
                              PoissonPopulation, SpikeSourceArray, TimedArray)
from annstudio.core.errors import BackendUnavailable
from annstudio.session.context import current_network
import reference_networks   # tests/reference_networks.py: benchmarks/networks.py


def gpu_present():
    return bool(toolchain.gpu_probe()[0])

IRS = {}   # network name -> IR, filled by the runs, compiled by nvcc in test_nvcc_compiles
_NVCC = ThreadPoolExecutor(max_workers=1)   # nvcc -c runs in the background while the emulated tests run
NVCC_JOBS = {}


def _spikes(d):
    return {int(k): list(v) for k, v in d.items()}


# ----------------------------------------------------------------------------- networks
def lif_delays(paradigm, launch=None, constant_weights=False):
    """Spiking LIF (explicit Euler), refractory period, random weights and per-synapse delays."""
    clear()
    setup(dt=0.1, seed=3)
    lif = Neuron(parameters="tau = 20.0 : population\n v_th = -50.0 : population\n I = 0.0",
                 equations="tau * dv/dt = -(v + 60.0) + g_exc - g_inh + I : init=-60.0\n"
                           "tau*dg_exc/dt = -g_exc\n 10.0*dg_inh/dt = -g_inh",
                 spike="v > v_th", reset="v = -60.0", refractory=5.0)
    pop = Population(200, lif)
    pop.I = np.linspace(5, 25, 200)
    exc = Projection(pop[:160], pop, "exc")
    exc.connect_fixed_probability(0.1, weights=0.3 if constant_weights else Uniform(0.1, 0.5),
                                  delays=Uniform(0.1, 2.0))
    inh = Projection(pop[160:], pop, "inh")
    inh.connect_fixed_probability(0.1, weights=1.0)
    _compile(paradigm, "lif_delays", launch)
    m = Monitor(pop, ["spike", "v", "g_exc"])
    simulate(100.0)
    return m.get(["spike", "v", "g_exc"])


def stdp_stp(paradigm):
    """Deterministic input neurons -> IF_cond_exp through STDP (event-driven traces) and STP synapses."""
    clear()
    setup(dt=0.5, seed=7)
    inp = Population(40, Neuron(parameters="I = 0.0", equations="dv/dt = (I - v)/10.0",
                                spike="v > 1.0", reset="v = 0.0"))
    inp.I = np.linspace(1.1, 3.0, 40)
    out = Population(10, IF_cond_exp)
    p = Projection(inp, out, "exc", synapse=STDP(A_plus=0.05, A_minus=0.06))
    p.connect_fixed_probability(0.7, weights=Uniform(0.0, 0.5))
    q = Projection(inp, out, "inh", synapse=STP())
    q.connect_all_to_all(weights=0.05)
    _compile(paradigm, "stdp_stp")
    m, mi = Monitor(out, ["spike", "v"]), Monitor(inp, "spike")
    simulate(200.0)
    d = m.get(["spike", "v"])
    d["input"] = mi.get("spike")
    d["w"] = np.concatenate([np.atleast_1d(x) for x in p.w])
    d["x"] = np.concatenate([np.atleast_1d(x) for x in q.x])
    return d


def rate_plasticity(paradigm):
    """Rate-coded: midpoint, a global operation, uniform delay (rate ring), Oja, IBCM (semiglobal)."""
    clear()
    setup(dt=1.0, seed=5)
    neuron = Neuron(parameters="tau = 10.0 : population\n B = 0.0",
                    equations="tau*dmp/dt + mp = sum(exc) - sum(inh) + B - 0.1*mean(r) : midpoint\n r = pos(mp)")
    a = Population(50, neuron)
    a.B = np.linspace(0, 1, 50)
    c = Population(30, neuron)
    p1 = Projection(a, c, "exc", synapse=Oja(eta=0.001))
    p1.connect_fixed_probability(0.5, weights=Uniform(0, 0.2), delays=3.0)
    p2 = Projection(c, c, "inh", synapse=IBCM(eta=0.0001, tau=50.0))
    p2.connect_all_to_all(weights=0.05)
    p3 = Projection(a, a, "exc")
    p3.connect_fixed_number_pre(5, weights=0.1)
    _compile(paradigm, "rate_plasticity")
    m, mw = Monitor(c, ["r", "mp"]), Monitor(p1, ["w"], period=10.0)
    simulate(100.0)
    d = m.get(["r", "mp"])
    d["w"] = np.array([np.concatenate([np.ravel(x) for x in rec]) for rec in mw.get("w")])   # (time, post, pre)
    d["theta"] = np.concatenate([np.atleast_1d(x) for x in p2.theta])
    return d


def methods(paradigm):
    """One ODE per numerical method (no connections): explicit, exponential, midpoint, rk4, implicit."""
    clear()
    setup(dt=0.5, seed=1)
    neuron = Neuron(parameters="a = 0.3\n tau = 8.0 : population",
                    equations="dx/dt = a - x*0.1 + sin(t/10.0) : explicit\n"
                              "tau*dy/dt = -y + x : exponential\n"
                              "dz/dt = -z/tau + x*0.01 : midpoint\n"
                              "du/dt = w - u*u*0.05 : rk4\n dw/dt = -u*0.1 : rk4\n"
                              "dq/dt = -q/tau + 1.0 : implicit\n r = clip(x + y, 0.0, 10.0)")
    pop = Population(20, neuron)
    pop.a = np.linspace(0.1, 1.0, 20)
    _compile(paradigm, "methods")
    m = Monitor(pop, ["x", "y", "z", "u", "w", "q", "r"])
    simulate(50.0)
    return m.get(["x", "y", "z", "u", "w", "q", "r"])


def izhikevich(paradigm, seed=1):
    """ANNarchy's pulse-coupled Izhikevich network, scaled down; noise from the per-neuron random streams."""
    clear()
    groups, _ = reference_networks.izhikevich(seed=seed, values_seed=0, n=400)
    pop = groups["exc"][0]
    _compile(paradigm, "izhikevich")
    m = Monitor(pop, "spike")
    simulate(500.0)
    return m.get("spike")


def special(paradigm):
    """Deterministic special populations/projections (issue 4 IR features): a SpikeSourceArray (with a
    schedule replaced between runs) into LIF neurons (hoisted 1/tau) and a decoding projection; a periodic
    TimedArray into a rate population, a current injection and a rate projection into a spiking
    population (``PopulationIR.sums`` of a spiking population)."""
    clear()
    setup(dt=0.5, seed=2)
    times = [[1.0, 5.0, 10.0, 10.5], [2.5, 3.0], [], [0.5, 1.0, 1.5, 2.0, 7.0], [4.0], [6.0, 9.5]]
    src = SpikeSourceArray(spike_times=times)
    lif = Population(4, Neuron(parameters="tau = 7.0 : population\n El = -60.0 : population\n I = 12.0",
                               equations="tau * dv/dt = El - v + g_exc + I : init=-60.0\n tau*dg_exc/dt = -g_exc",
                               spike="v > -55.0", reset="v = El", refractory=1.0))
    lif.I = [10.0, 12.0, 14.0, 16.0]
    Projection(src, lif, "exc").connect_all_to_all(weights=Uniform(1.0, 4.0))
    out = Population(3, Neuron(equations="r = sum(exc)"))
    dec = DecodingProjection(src, out, "exc", window=2.0)
    dec.connect_all_to_all(weights=Uniform(0.5, 1.5))
    ta = TimedArray(rates=np.array([[0.5, 1.0, 1.5], [2.0, 0.0, 1.0], [0.2, 0.4, 3.0]]), schedule=1.0, period=4.0)
    rate = Population(3, Neuron(parameters="tau = 4.0 : population", equations="tau*dx/dt = sum(exc) - x\n r = x"))
    Projection(ta, rate, "exc").connect_all_to_all(weights=Uniform(0.1, 1.0))
    inj = Population(3, Neuron(equations="I = g_exc", spike="false"))
    CurrentInjection(ta, inj, "exc").connect_current()
    spk = Population(3, Neuron(parameters="tau = 3.0 : population",
                               equations="tau*dv/dt = -v + sum(exc)", spike="v > 0.6", reset="v = 0.0"))
    Projection(ta, spk, "exc").connect_all_to_all(weights=Uniform(0.2, 0.6))
    _compile(paradigm, "special")
    mons = {"src": Monitor(src, "spike"), "lif": Monitor(lif, ["spike", "v"]), "out": Monitor(out, "r"),
            "ta": Monitor(ta, "r"), "rate": Monitor(rate, "r"), "inj": Monitor(inj, "I"),
            "spk": Monitor(spk, ["spike", "v"])}
    simulate(8.0)
    src.spike_times = [[9.0, 9.5], [], [12.0], [8.5, 10.0, 11.0, 11.5], [], [13.0]]   # absolute times
    simulate(8.0)
    d = {}
    d["src"] = mons["src"].get("spike")
    d["lif_spike"], d["lif_v"] = mons["lif"].get("spike"), mons["lif"].get("v")
    d["out"], d["ta"], d["rate"] = mons["out"].get("r"), mons["ta"].get("r"), mons["rate"].get("r")
    d["inj"] = mons["inj"].get("I")
    d["spk_spike"], d["spk_v"] = mons["spk"].get("spike"), mons["spk"].get("v")
    return d


def randoms_once_per_step(paradigm, seed=4):
    """``PopulationIR.global_randoms``: one draw per step for a population (a population-wide Normal and
    the shared rate of HomogeneousCorrelatedSpikeTrains); a PoissonPopulation driven by a target."""
    clear()
    setup(dt=1.0, seed=seed)
    g = Population(5, Neuron(parameters="s = 2.0 : population",
                             equations="x = s * Normal(0.0, 1.0) : population\n r = x + 0.0 * Uniform(0.0, 1.0)"))
    corr = HomogeneousCorrelatedSpikeTrains(100, rates=30.0, corr=0.3, tau=10.0)
    base = Population(1, Neuron(parameters="b = 40.0", equations="r = b"))
    poisson = PoissonPopulation(200, target="exc")
    Projection(base, poisson, "exc").connect_all_to_all(weights=1.0)
    _compile(paradigm, "randoms_once_per_step")
    mg, mc, mp = Monitor(g, ["x", "r"]), Monitor(corr, "spike"), Monitor(poisson, "spike")
    simulate(300.0)
    return {"x": np.asarray(mg.get("x"), dtype=float), "r": mg.get("r"), "corr": mc.get("spike"),
            "poisson": mp.get("spike")}


def _compile(paradigm, name, launch=None):
    if name not in IRS:
        IRS[name] = codegen.lower(current_network().spec)[0]
        NVCC_JOBS[name] = _NVCC.submit(compile_check, IRS[name])
    compile(paradigm=paradigm)
    if launch:
        current_network()._sim.backend.inst.set_launch(**launch)


def _close(a, b, exact, rtol=1e-12, atol=1e-12):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    assert a.shape == b.shape
    if exact:
        np.testing.assert_array_equal(a, b)
    else:
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


# ----------------------------------------------------------------------------- tests
def test_spiking_delays_refractory(backend):
    ref, got = lif_delays("numpy"), lif_delays(backend)
    assert sum(map(len, ref["spike"].values())) > 300
    assert _spikes(got["spike"]) == _spikes(ref["spike"])
    for v in ("v", "g_exc"):
        _close(got[v], ref[v], exact=backend == "cuda-emulated", rtol=1e-9, atol=1e-9)


def test_gpu_launch_shape_in_emulation():
    """Many blocks and threads for propagation (GPU shape): same results where accumulation order cannot
    matter (one constant weight), and the warp reduction is independent of the block size."""
    ref = lif_delays("numpy", constant_weights=True)
    got = lif_delays("cuda-emulated", launch={"threads": 256, "prop_blocks": 7, "prop_threads": 32},
                     constant_weights=True)
    assert _spikes(got["spike"]) == _spikes(ref["spike"])
    _close(got["v"], ref["v"], exact=True)


def test_stdp_stp_event_driven(backend):
    ref, got = stdp_stp("numpy"), stdp_stp(backend)
    assert sum(map(len, ref["spike"].values())) > 100
    assert _spikes(got["spike"]) == _spikes(ref["spike"])
    assert _spikes(got["input"]) == _spikes(ref["input"])
    for k in ("v", "w"):
        _close(got[k], ref[k], exact=backend == "cuda-emulated", rtol=1e-9, atol=1e-9)
    _close(got["x"], ref["x"], exact=False, rtol=1e-12, atol=1e-14)   # exp(): NumPy's SIMD exp vs libm, 1 ulp


def test_rate_plasticity_delays_global_ops(backend):
    ref, got = rate_plasticity("numpy"), rate_plasticity(backend)
    assert np.abs(ref["r"]).max() > 0.1
    for k in ("r", "mp", "w", "theta"):
        _close(got[k], ref[k], exact=False, rtol=1e-10, atol=1e-12)


def test_numerical_methods(backend):
    ref, got = methods("numpy"), methods(backend)
    for k in ref:
        _close(got[k], ref[k], exact=False, rtol=1e-12, atol=1e-13)


def test_random_streams(backend):
    """Counter-based streams: reproducible for a seed, different across seeds, statistically like NumPy."""
    ref = izhikevich("numpy")
    a, b, c = izhikevich(backend), izhikevich(backend), izhikevich(backend, seed=2)
    assert _spikes(a) == _spikes(b)
    assert _spikes(a) != _spikes(c)
    rate_ref = sum(map(len, ref.values())) / 400 / 0.5
    rate = sum(map(len, a.values())) / 400 / 0.5
    assert rate_ref > 2.0
    assert abs(rate - rate_ref) < 0.25 * rate_ref


def test_special_populations_and_projections(backend):
    ref, got = special("numpy"), special(backend)
    exact = backend == "cuda-emulated"
    assert sum(map(len, ref["lif_spike"].values())) > 5 and sum(map(len, ref["spk_spike"].values())) > 3
    assert np.abs(ref["out"]).max() > 0 and np.abs(ref["inj"]).max() > 0
    for k in ("src", "lif_spike", "spk_spike"):
        assert _spikes(got[k]) == _spikes(ref[k]), k
    for k in ("lif_v", "out", "ta", "rate", "inj", "spk_v"):
        tol = 1e-12 if exact else 1e-9   # on a GPU, atomic accumulation order differs
        _close(got[k], ref[k], exact=exact and k not in ("rate", "spk_v"), rtol=tol, atol=tol)


def test_global_randoms_once_per_step(backend):
    ref, got = randoms_once_per_step("numpy"), randoms_once_per_step(backend)
    again = randoms_once_per_step(backend)
    assert _spikes(got["corr"]) == _spikes(again["corr"])
    r = np.asarray(got["r"])
    np.testing.assert_array_equal(r, np.repeat(got["x"].reshape(-1, 1), r.shape[1], axis=1))   # one value a step
    assert abs(got["x"].mean()) < 0.4 and abs(got["x"].std() - 2.0) < 0.35
    assert np.unique(got["x"]).size > 290

    def rate(sp, n):
        return sum(map(len, sp.values())) / n
    # the shared rate is an OU process (std 21 Hz): its mean over 0.3 s varies by ~5.5 Hz (sanity bounds)
    for d in (got, ref):
        assert 10.0 < rate(d["corr"], 100) / 0.3 < 60.0
        assert abs(rate(d["poisson"], 200) / 0.3 - 40.0) < 4.0

    def pair_corr(sp, n):   # spike counts in 5 ms bins: neurons share the rate -> correlated counts
        counts = np.zeros((n, 60))
        for k, steps in sp.items():
            np.add.at(counts[int(k)], np.asarray(steps, dtype=int) // 5, 1)
        c = np.corrcoef(counts)
        return c[np.triu_indices(n, 1)].mean()
    for d in (got, ref):
        assert pair_corr(d["corr"], 100) > 0.02 and abs(pair_corr(d["poisson"], 200)) < 0.02


@pytest.mark.parametrize("name", ["lif_delays", "stdp_stp", "rate_plasticity", "methods", "izhikevich", "special",
                                  "randoms_once_per_step"])
def test_nvcc_compiles(name):
    """The generated CUDA of every test network compiles with nvcc (device and host code, ``-c``)."""
    if name not in IRS:
        {"lif_delays": lif_delays, "stdp_stp": stdp_stp, "rate_plasticity": rate_plasticity,
         "methods": methods, "izhikevich": izhikevich, "special": special,
         "randoms_once_per_step": randoms_once_per_step}[name]("numpy")
    NVCC_JOBS[name].result()


def test_setter_getter_roundtrip():
    clear()
    setup(dt=1.0, seed=1)
    pop = Population(5, Neuron(parameters="b = 1.0", equations="dx/dt = b"))
    _compile("cuda-emulated", "roundtrip")
    pop.b = [1.0, 2.0, 3.0, 4.0, 5.0]
    simulate(3.0)
    np.testing.assert_allclose(pop.x, 3.0 * np.arange(1, 6))
    pop.x = 0.0
    simulate(1.0)
    np.testing.assert_allclose(pop.x, np.arange(1, 6))


@pytest.mark.skipif(gpu_present(), reason="a GPU is present")
def test_no_gpu_clear_error():
    clear()
    setup(paradigm="cuda")
    Population(10, Izhikevich)
    with pytest.raises(BackendUnavailable) as info:
        compile()
    assert "no NVIDIA GPU found" in str(info.value)
    assert "paradigm='openmp'" in str(info.value)


def test_no_nvcc_clear_error(monkeypatch):
    monkeypatch.setenv(toolchain.NVCC_ENV, "/nonexistent/nvcc")
    toolchain.find_nvcc.cache_clear()
    try:
        assert "nvcc" in toolchain.missing()
        clear()
        setup(paradigm="cuda")
        Population(10, Izhikevich)
        with pytest.raises(BackendUnavailable, match="nvcc"):
            compile()
    finally:
        monkeypatch.delenv(toolchain.NVCC_ENV)
        toolchain.find_nvcc.cache_clear()
