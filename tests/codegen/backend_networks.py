"""Test networks shared by the backend tests (each is built with the ANNarchy-style API).

The zoos are the tests' own; the COBA and Izhikevich reference networks come from benchmarks/networks.py
(their one definition, see tests/reference_networks.py), run smaller here.  Every network is deterministic
(no random draws during the run; initial values and connectivity are drawn from the seed at lowering,
identical for every backend) unless its name says ``noisy``.
``run(name, paradigm)`` returns ``{"<pop>:spike": [steps per neuron], "<pop>:<var>": array, ...}``.
"""
import numpy as np

import annstudio.engine as ann
import reference_networks as reference

METHODS = ("explicit", "implicit", "exponential", "midpoint", "rk4")


def _lif(method):
    # implicit needs equations linear in the solved variables: conductances stay explicit there
    gm = "explicit" if method == "implicit" else method
    return ann.Neuron(
        parameters="""
            tau = 10.0
            E_L = -65.0 : population
            v_th = -50.0 : population
            v_r = -70.0 : population
            tau_e = 4.0 : population
            tau_i = 8.0 : population
            I = 0.0
        """,
        equations=f"""
            tau * dv/dt = E_L - v + I + 0.1 * g_exc * (0.0 - v) + 0.05 * g_inh * (-80.0 - v) : init = -65.0, {method}
            tau_e * dg_exc/dt = -g_exc : {gm}
            tau_i * dg_inh/dt = -g_inh : {gm}
        """,
        spike="v > v_th", reset="v = v_r", refractory="if I > 20.0 then 1.0 else 2.0", name=f"LIF_{method}")


_GLOBAL_LIF = ann.Neuron(
    parameters="""
        tau = 12.0 : population
        I = 0.0
        k = 0.05 : population
    """,
    equations="""
        dx/dt = (max(v) - x) / 20.0 : population, init = -60.0
        tau * dv/dt = -65.0 - v + I + k * (mean(v) - v) + 0.01 * (x + 60.0) + 0.1 * g_exc * (0.0 - v) : init = -65.0
        dg_exc/dt = -g_exc / 5.0
        dd/dt = (norm2(v) / 100.0 - d) / 50.0 + (min(v) + norm1(v) / 30.0) / 1000.0 : init = 0.0
    """,
    spike="v > -52.0", reset="v = -68.0", name="GlobalLIF")


def spiking_zoo():
    """Spiking neurons under every numerical method, refractoriness, uniform and per-synapse delays,
    uniform and per-synapse weights, global operations, population-wide variables and STDP."""
    ann.setup(dt=0.5, seed=7)
    rng = np.random.default_rng(11)
    drv = ann.Population(100, _lif("explicit"), name="drv")
    drv.I = rng.uniform(16.0, 26.0, 100)
    drv.v = rng.uniform(-70.0, -52.0, 100)
    out = [("drv", drv, ["spike", "v", "g_exc"])]
    for k, m in enumerate(METHODS):
        p = ann.Population(40, _lif(m), name=f"p_{m}")
        p.I = rng.uniform(10.0, 19.0, 40)
        p.v = rng.uniform(-70.0, -55.0, 40)
        e = ann.Projection(drv, p, "exc", name=f"e_{m}")
        if m == "explicit":
            e.connect_fixed_probability(0.2, weights=0.8, delays=2.0)            # uniform delay
        elif m == "exponential":
            e.connect_fixed_probability(0.2, weights=0.8, delays=ann.Uniform(0.5, 4.0))   # per-synapse
        else:
            e.connect_fixed_probability(0.2, weights=0.8)
        i = ann.Projection(drv, p, "inh", name=f"i_{m}")
        i.connect_fixed_probability(0.1, weights=ann.Uniform(0.2, 1.5))
        out.append((p.name, p, ["spike", "v", "g_exc", "g_inh"]))
    rec = ann.Projection(out[1][1], out[1][1], "exc", name="rec")
    rec.connect_fixed_probability(0.1, weights=0.5, allow_self_connections=False)
    g = ann.Population(30, _GLOBAL_LIF, name="glob")
    g.I = rng.uniform(14.0, 24.0, 30)
    stdp = ann.Projection(drv, g, "exc", ann.STDP(A_plus=0.05, A_minus=0.06, w_max=2.0), name="stdp")
    stdp.connect_fixed_probability(0.3, weights=ann.Uniform(0.2, 1.0))
    out.append(("glob", g, ["spike", "v", "d"]))   # (recording a population-wide value fails in session)
    return out, [("stdp", stdp, ["w", "x", "y"])]


def _rate(method, extra=""):
    return ann.Neuron(
        parameters="""
            tau = 10.0 : population
            B = 0.0
        """,
        equations=f"""
            tau * dmp/dt + mp = sum(exc) - sum(inh) + B + 0.1 * sin(t / 7.0) {extra} : {method}
            r = if mp > 0.0 then mp / (1.0 + mp) else 0.05 * mp
        """, name=f"Rate_{method}")


# elementary functions: NumPy's SIMD loops and the C library may differ by 1 ulp (compared at 1e-9)
_FUNCTIONS = ann.Neuron(
    parameters="a = 0.5",
    equations="""
        dx/dt = 0.01 * (1.0 - x) + 0.001 * sin(t / 3.0) : init = 0.2
        r = exp(-x) + log(1.0 + x) + tanh(a * x) + cos(x) + pow(x + 1.0, 1.7) + atan(x) + x^3 + sqrt(x + a) + 10.0 ^ x
    """, name="Functions")


_RATE_GLOBAL = ann.Neuron(
    parameters="tau = 20.0 : population",
    equations="""
        tau * dmp/dt + mp = sum(exc) + sum(mx) + sum(mn) - 0.5 * mean(r) + 0.1 * max(r) - 0.1 * min(r)
        r = clip(mp, -1.0, 1.0) + 0.01 * sqrt(mp * mp + 1.0) + 0.001 * norm1(r) - 0.001 * norm2(r)
        dz/dt = mean(r) - z : population
    """, name="RateGlobal")

_MAX = ann.Synapse(psp="w * pre.r", operation="max", name="MaxSyn")
_MIN = ann.Synapse(psp="w * pre.r", operation="min", name="MinSyn")
_MEAN = ann.Synapse(psp="w * pre.r", operation="mean", name="MeanSyn")


def rate_zoo():
    """Rate-coded units under every numerical method, sum/max/min/mean operations, a delayed
    projection, global operations, Oja and IBCM learning, dense all-to-all and sparse rows."""
    ann.setup(dt=1.0, seed=5)
    rng = np.random.default_rng(3)
    inp = ann.Population(60, ann.Neuron(parameters="B = 0.0", equations="r = B + 0.3 * sin(t / (5.0 + B))"),
                         name="inp")
    inp.B = rng.uniform(0.0, 1.0, 60)
    out = [("inp", inp, ["r"])]
    for m in METHODS:
        p = ann.Population(24, _rate(m), name=f"r_{m}")
        p.B = rng.uniform(-0.2, 0.4, 24)
        a = ann.Projection(inp, p, "exc", name=f"a_{m}")
        a.connect_all_to_all(weights=ann.Uniform(0.0, 0.1))
        b = ann.Projection(p, p, "inh", name=f"b_{m}")
        b.connect_fixed_probability(0.3, weights=0.2)
        out.append((p.name, p, ["r", "mp"]))
    d = ann.Projection(inp, ann_pop(out, "r_explicit"), "inh", name="delayed")
    d.connect_fixed_probability(0.5, weights=ann.Uniform(0.0, 0.2), delays=3.0)
    g = ann.Population(20, _RATE_GLOBAL, name="glob")
    ann.Projection(inp, g, "exc", ann.Oja(eta=0.01), name="oja").connect_all_to_all(
        weights=ann.Uniform(0.0, 0.1))
    ann.Projection(inp, g, "mx", _MAX, name="mx").connect_fixed_probability(0.4, weights=ann.Uniform(0.0, 1.0))
    ann.Projection(inp, g, "mn", _MIN, name="mn").connect_fixed_probability(0.4, weights=ann.Uniform(0.0, 1.0))
    out.append(("glob", g, ["r", "mp"]))
    fn = ann.Population(10, _FUNCTIONS, name="fn")
    fn.a = rng.uniform(0.1, 2.0, 10)
    out.append(("fn", fn, ["r", "x"]))
    post = ann_pop(out, "r_rk4")
    ib = ann.Projection(inp, post, "exc", ann.IBCM(eta=0.05, tau=50.0), name="ibcm")
    ib.connect_fixed_probability(0.5, weights=ann.Uniform(0.0, 0.2))
    return out, [("oja", ann_proj("oja"), ["w"]), ("ibcm", ib, ["w", "theta"])]


def ann_pop(out, name):
    return next(p for n, p, _ in out if n == name)


def ann_proj(name):
    from annstudio.session.context import current_network
    return current_network().get_projection(name)


def _spikes_of(groups):
    """The population of a reference builder's ``groups``, its spikes recorded."""
    pop = next(iter(groups.values()))[0]
    return [(pop.name, pop, ["spike"])], []


def izhikevich_noisy():
    """The seed-000 pulse-coupled Izhikevich network (noise: statistics only)."""
    return _spikes_of(reference.izhikevich(seed=3, values_seed=42)[0])


def coba_small():
    """The COBA benchmark with 1000 neurons (800 excitatory, 200 inhibitory)."""
    return _spikes_of(reference.coba(seed=12345, n=1000)[0])


BUILDERS = {"spiking_zoo": (spiking_zoo, 300.0), "rate_zoo": (rate_zoo, 200.0),
            "izhikevich_noisy": (izhikevich_noisy, 1000.0), "coba_small": (coba_small, 200.0)}


def run(name, paradigm, num_threads=1, duration=None):
    builder, default = BUILDERS[name]
    ann.clear()
    pops, projs = builder()
    monitors = [(n, ann.Monitor(p, vs), vs) for n, p, vs in pops]
    pmon = [(n, ann.Monitor(p, vs), vs) for n, p, vs in projs]
    ann.compile(paradigm=paradigm, num_threads=num_threads)
    ann.simulate(duration or default)
    out = {}
    for n, m, vs in monitors:
        data = m.get(vs, force_dict=True)
        for v in vs:
            if v == "spike":
                out[f"{n}:spike"] = [data[v][r] for r in sorted(data[v])]
            else:
                out[f"{n}:{v}"] = np.asarray(data[v])
    for n, m, vs in pmon:
        data = m.get(vs, force_dict=True)
        for v in vs:
            out[f"{n}:{v}"] = np.asarray([np.concatenate([np.ravel(np.asarray(d, dtype=float))   # (post, pre) rows
                                                          for d in np.atleast_1d(np.asarray(x, dtype=object))])
                                          for x in data[v]])
    ann.clear()
    return out
