"""The reference networks, built with annstudio's ANNarchy-style API (same models as ``peers/``).

The one definition of the COBA and Izhikevich reference networks: the benchmarks run them at full size and
the backend tests run them smaller (tests/reference_networks.py loads this file).

Each builder sets up the default network and returns ``(groups, extra)``: ``groups`` maps a name to
``(population, ranks)`` for firing rates; ``extra`` holds objects a benchmark inspects afterwards.
"""
import numpy as np

import annstudio.engine as ann

DT = {"coba": 0.1, "izhikevich": 1.0, "rate": 1.0, "stdp": 0.1, "hybrid": 0.1, "esn": 1.0}
DURATION = {"coba": 10000.0, "izhikevich": 1000.0, "rate": 1000.0, "stdp": 10000.0, "hybrid": 1000.0, "esn": 2000.0}

# The conductance-based LIF neuron of the COBA benchmark (Vogels & Abbott 2005; seed 003).
COBA_NEURON = ann.Neuron(
    parameters="""
        El = -60.0 : population
        Vr = -60.0 : population
        Erev_exc = 0.0 : population
        Erev_inh = -80.0 : population
        Vt = -50.0 : population
        tau = 20.0 : population
        tau_exc = 5.0 : population
        tau_inh = 10.0 : population
        I = 20.0 : population
    """,
    equations="""
        tau * dv/dt = (El - v) + g_exc * (Erev_exc - v) + g_inh * (Erev_inh - v) + I
        tau_exc * dg_exc/dt = -g_exc
        tau_inh * dg_inh/dt = -g_inh
    """,
    spike="v > Vt", reset="v = Vr", refractory=5.0, name="COBA")


def coba(seed=12345, n=4000, p=0.02):
    """The COBA benchmark (seed 003): 80 % excitatory, 20 % inhibitory conductance-based LIF neurons
    (``p = 80 / n`` keeps the 80 inputs per neuron at any size)."""
    ann.setup(dt=0.1, seed=seed)
    neuron = COBA_NEURON
    P = ann.Population(geometry=n, neuron=neuron, name="P")
    P.v = ann.Normal(-55.0, 5.0)
    ne = int(n * 0.8)
    Pe, Pi = P[:ne], P[ne:]
    ann.Projection(pre=Pe, post=P, target="exc").connect_fixed_probability(weights=0.6, probability=p)
    ann.Projection(pre=Pi, post=P, target="inh").connect_fixed_probability(weights=6.7, probability=p)
    return {"exc": (P, range(ne)), "inh": (P, range(ne, n))}, {}


def izhikevich(seed=12345, values_seed=None, n=1000):
    """The seed-000 pulse-coupled Izhikevich network (80 % excitatory, noisy; 1000 neurons as ANNarchy's).
    The per-neuron parameters are drawn from ``values_seed`` (default: ``seed``); a smaller network scales
    its weights so each neuron's mean input stays that of the 800 + 200 network."""
    ann.setup(dt=1.0, seed=seed)
    pop = ann.Population(geometry=n, neuron=ann.Izhikevich, name="pop")
    ne = int(n * 0.8)
    exc, inh = pop[:ne], pop[ne:]
    rng = np.random.default_rng(seed if values_seed is None else values_seed)
    re, ri = rng.random(ne), rng.random(n - ne)
    exc.noise, inh.noise = 5.0, 2.0
    exc.a, inh.a = 0.02, 0.02 + 0.08 * ri
    exc.b, inh.b = 0.2, 0.25 - 0.05 * ri
    exc.c, inh.c = -65.0 + 15.0 * re ** 2, -65.0
    exc.d, inh.d = 8.0 - 6.0 * re ** 2, 2.0
    exc.v, inh.v = -65.0, -65.0
    exc.u, inh.u = exc.v * exc.b, inh.v * inh.b
    ann.Projection(pre=exc, post=pop, target="exc").connect_all_to_all(weights=ann.Uniform(0.0, 0.5 * 800 / ne))
    ann.Projection(pre=inh, post=pop, target="inh").connect_all_to_all(
        weights=ann.Uniform(0.0, 1.0 * 200 / (n - ne)))
    return {"exc": (pop, range(ne)), "inh": (pop, range(ne, n))}, {}


def rate(n=1000, seed=12345, active=False):
    """The rate-coded benchmark of ANNarchy's paper (seed 003): every rate starts at 0 and stays 0, so
    the work is the weighted sums over silent inputs.  ``active=True`` starts the inputs at rates drawn
    from U(0, 1) instead: they decay (tau = 10 ms) but never reach 0 within the run, so every term counts."""
    ann.setup(dt=1.0, seed=seed)
    leaky = ann.Neuron(parameters="tau = 10.0 : population",
                       equations="tau * dr/dt + r = sum(exc) : min=0.0", name="Leaky")
    inp = ann.Population(n, leaky, name="inp")
    out = ann.Population(n, leaky, name="out")
    ann.Projection(inp, out, "exc").connect_all_to_all(weights=ann.Uniform(0.0, 1.0))
    if active:
        inp.r = np.random.default_rng(seed).uniform(0.0, 1.0, n)
    return {}, {"out": out}


def stdp(seed=12345):
    ann.setup(dt=0.1, seed=seed)
    gmax = 0.01
    cell = ann.Neuron(
        parameters="""
            tau_m = 10.0 : population
            tau_e = 5.0 : population
            vt = -54.0 : population
            vr = -60.0 : population
            El = -74.0 : population
            Ee = 0.0 : population
        """,
        equations="""
            tau_m * dv/dt = El - v + g_exc * (Ee - vr) : init = -60.0
            tau_e * dg_exc/dt = -g_exc
        """,
        spike="v > vt", reset="v = vr", name="STDPCell")
    inp = ann.PoissonPopulation(1000, rates=15.0, name="inp")
    out = ann.Population(100, cell, name="out")
    proj = ann.Projection(inp, out, "exc", ann.STDP(tau_plus=20.0, tau_minus=20.0, A_plus=0.01, A_minus=0.0105,
                                                  w_min=0.0, w_max=gmax), name="stdp")
    proj.connect_all_to_all(weights=ann.Uniform(0.0, gmax))
    return {"out": (out, range(100)), "inp": (inp, range(1000))}, {"proj": proj, "gmax": gmax}


def triangular(pre, post, weights):
    """Seed 003's decoding pattern: post neuron k reads the first k + 1 Poisson neurons."""
    csr = ann.CSR()
    for rk_post in range(post.size):
        csr.add(rk_post, range(rk_post + 1), [weights], [0])
    return csr


def hybrid(seed=12345, n=1000):
    """Seed 003's hybrid network (Fig. 4): a rate-coded input unit sets the rate of ``n`` Poisson neurons,
    decoded by ``n`` rate neurons through a DecodingProjection (window 10 ms) with the triangular pattern
    built by ``connect_with_func``; the three monitors of the seed's script.  ``extra["steps"]``: the input
    rates of the seed's protocol (run each for DURATION / 4)."""
    ann.setup(dt=0.1, seed=seed)
    inp_neuron = ann.Neuron(parameters="baseline = 0.0", equations="r = baseline", name="HybridInput")
    decoder = ann.Neuron(equations="r = sum(exc)", name="HybridDecoder")
    pop1 = ann.Population(1, inp_neuron, name="pop1")
    pop2 = ann.PoissonPopulation(n, target="exc", name="pop2")
    ann.Projection(pop1, pop2, "exc").connect_all_to_all(weights=1.0)
    pop3 = ann.Population(n, decoder, name="pop3")
    ann.DecodingProjection(pop2, pop3, "exc", window=10.0).connect_with_func(method=triangular, weights=1.0)
    monitors = [ann.Monitor(pop1, "r"), ann.Monitor(pop2, "spike"), ann.Monitor(pop3, "r")]
    return {}, {"set": (pop1, "baseline"), "steps": [0.0, 10.0, 50.0, 100.0], "monitors": monitors,
                "out": pop3}


ESN_NEURON = ann.Neuron(
    parameters="tau = 30.0 : population\nnoise = 0.01 : population",
    equations="tau * dx/dt + x = sum(input) + sum(exc) + noise * Uniform(-1.0, 1.0)\nr = tanh(x)",
    name="BenchESN")


def esn(seed=12345, n=400, reservoirs=2, g=1.5):
    """Seed 002's echo-state network, twice: ``reservoirs`` reservoirs of ``n`` leaky tanh units with
    all-to-all recurrent weights Normal(0, g / sqrt(n)), driven by one input unit (50 ms pulse after 100 ms:
    ``extra["steps"]``), each reservoir's rates recorded."""
    ann.setup(dt=1.0, seed=seed)
    inp_neuron = ann.Neuron(parameters="baseline = 0.0", equations="r = baseline", name="ESNInput")
    inp = ann.Population(1, inp_neuron, name="inp")
    monitors, outs = [], {}
    for k in range(reservoirs):
        res = ann.Population(n, ESN_NEURON, name=f"reservoir{k}")
        res.x = ann.Uniform(-0.1, 0.1)
        ann.Projection(inp, res, "input").connect_all_to_all(weights=ann.Uniform(-1.0, 1.0))
        ann.Projection(res, res, "exc").connect_all_to_all(weights=ann.Normal(0.0, g / np.sqrt(n)))
        monitors.append(ann.Monitor(res, "r"))
        outs[f"reservoir{k}"] = res
    return {}, {"set": (inp, "baseline"), "schedule": [(100.0, 0.0), (50.0, 1.0), (1850.0, 0.0)],
                "monitors": monitors, "out": outs}


BUILDERS = {"coba": coba, "izhikevich": izhikevich, "rate": rate, "stdp": stdp, "hybrid": hybrid, "esn": esn}
