"""Peer benchmark: time reference networks in ANNarchy (4.8 or 5.x).

Run with the Python of a venv that has ANNarchy installed, with that venv's
bin directory on PATH (ANNarchy calls cmake/cython/g++ while compiling):

    PATH=benchmarks/peers/.venvs/annarchy/bin:$PATH benchmarks/peers/.venvs/annarchy/bin/python \
        benchmarks/peers/annarchy_bench.py --bench coba

Prints exactly one JSON line on stdout:
    {"peer": ..., "bench": ..., "n": ..., "compile_s": ..., "simulate_s": ..., "rates_hz": {...}}
Everything ANNarchy prints itself goes to stderr.

ANNarchy 4.8 is driven through its global API (setup/Population/Projection/
Monitor/compile/simulate); ANNarchy 5.x through a Network object (5.x
deprecates compiling the global network).  The small `Sim` adapter hides this.
"""
import argparse
import json
import os
import shutil
import sys
import tempfile
import time


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bench", choices=["coba", "izhikevich", "rate", "stdp", "hybrid", "esn"], required=True)
    ap.add_argument("--n", type=int, default=1000, help="size of each population for --bench rate")
    ap.add_argument("--active", action="store_true",
                    help="--bench rate: inputs start at rates drawn from U(0, 1) instead of 0 (every term counts)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--dtype", choices=("float64", "float32"), default="float64",
                    help="floating point of the network (5.x: config(dtype=...), 4.8: setup(precision=...))")
    ap.add_argument("--seed", type=int, default=12345)
    ap.add_argument("--repeat", type=int, default=1,
                    help="timed runs on the same compiled network (state reset in between); median reported")
    ap.add_argument("--quick", action="store_true", help="short smoke run (simulated time / 10)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary build directory")
    return ap.parse_args()


def spike_rates(spikes, ranks, duration_ms):
    """Mean rate in Hz of the neurons in `ranks` from a {rank: [steps]} dict."""
    ranks = list(ranks)
    if not ranks or duration_ms <= 0:
        return 0.0
    count = sum(len(spikes.get(r, [])) for r in ranks)
    return 1000.0 * count / (len(ranks) * duration_ms)


class Sim:
    """Minimal adapter over the ANNarchy 4.8 global API and the 5.x Network API."""

    def __init__(self, ann, dt, seed, threads, dtype="float64"):
        self.ann = ann
        self.v5 = int(str(ann.__version__).split(".")[0]) >= 5
        if self.v5:
            self.net = ann.Network(dt=dt, seed=seed)
            self.net.config(num_threads=threads)
            if dtype == "float32":
                self.net.config(dtype=ann.float32)
        else:
            ann.setup(dt=dt, seed=seed, num_threads=threads)
            if dtype == "float32":
                ann.setup(precision="float")

    def population(self, geometry, neuron):
        if self.v5:
            return self.net.create(geometry=geometry, neuron=neuron)
        return self.ann.Population(geometry, neuron)

    def add(self, population):
        """Register an already built specific population (e.g. PoissonPopulation)."""
        return self.net.create(population) if self.v5 else population

    def projection(self, pre, post, target, synapse=None):
        if self.v5:
            return self.net.connect(pre, post, target, synapse=synapse)
        return self.ann.Projection(pre, post, target, synapse=synapse)

    def monitor(self, obj, variables, start=True):
        if self.v5:
            return self.net.monitor(obj, variables, start=start)
        return self.ann.Monitor(obj, variables, start=start)

    def compile(self):
        if self.v5:
            self.net.compile(directory="annarchy")
        else:
            self.ann.compile(directory="annarchy")

    def reset(self):
        if self.v5:
            self.net.reset(populations=True, projections=True, monitors=True)
        else:
            self.ann.reset(populations=True, projections=True, monitors=True)

    def simulate(self, duration):
        if self.v5:
            self.net.simulate(duration)
        else:
            self.ann.simulate(duration)


def build_coba(sim):
    ann = sim.ann
    cell = ann.Neuron(
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
        spike="v > Vt",
        reset="v = Vr",
        refractory=5.0,
    )
    pop = sim.population(4000, cell)
    exc, inh = pop[:3200], pop[3200:]
    pop.v = ann.Normal(-55.0, 5.0)
    sim.projection(exc, pop, "exc").connect_fixed_probability(probability=0.02, weights=0.6)
    sim.projection(inh, pop, "inh").connect_fixed_probability(probability=0.02, weights=6.7)
    mon = sim.monitor(pop, "spike", start=False)
    groups = {"exc": range(0, 3200), "inh": range(3200, 4000)}
    return mon, groups, 4000


def build_izhikevich(sim):
    import numpy as np
    ann = sim.ann
    pop = sim.population(1000, ann.Izhikevich)
    exc, inh = pop[:800], pop[800:]
    re, ri = np.random.random(800), np.random.random(200)
    exc.noise = 5.0
    inh.noise = 2.0
    exc.a = 0.02
    inh.a = 0.02 + 0.08 * ri
    exc.b = 0.2
    inh.b = 0.25 - 0.05 * ri
    exc.c = -65.0 + 15.0 * re ** 2
    inh.c = -65.0
    exc.d = 8.0 - 6.0 * re ** 2
    inh.d = 2.0
    exc.v = -65.0
    inh.v = -65.0
    exc.u = exc.v * exc.b
    inh.u = inh.v * inh.b
    sim.projection(exc, pop, "exc").connect_all_to_all(weights=ann.Uniform(0.0, 0.5))
    sim.projection(inh, pop, "inh").connect_all_to_all(weights=ann.Uniform(0.0, 1.0))
    mon = sim.monitor(pop, "spike", start=False)
    groups = {"exc": range(0, 800), "inh": range(800, 1000)}
    return mon, groups, 1000


def build_rate(sim, n):
    ann = sim.ann
    leaky = ann.Neuron(
        parameters="tau = 10.0 : population",
        equations="tau * dr/dt + r = sum(exc) : min=0.0",
    )
    inp = sim.population(n, leaky)
    out = sim.population(n, leaky)
    sim.projection(inp, out, "exc").connect_all_to_all(weights=ann.Uniform(0.0, 1.0))
    return (inp, out), None, 2 * n


def build_stdp(sim):
    ann = sim.ann
    # Song, Miller & Abbott (2000)-style: Poisson inputs onto conductance LIF cells.
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
        spike="v > vt",
        reset="v = vr",
    )
    inp = sim.add(ann.PoissonPopulation(1000, rates=15.0))
    out = sim.population(100, cell)
    rule = ann.STDP(tau_plus=20.0, tau_minus=20.0, A_plus=0.01, A_minus=0.0105, w_min=0.0, w_max=gmax)
    proj = sim.projection(inp, out, "exc", synapse=rule)
    proj.connect_all_to_all(weights=ann.Uniform(0.0, gmax))
    mon = sim.monitor(out, "spike", start=False)
    return (mon, proj, gmax), {"out": range(100)}, 1100


def build_hybrid(sim):
    """Seed 003's hybrid network: a rate input drives 1000 Poisson neurons decoded by 1000 rate neurons
    (DecodingProjection, window 10 ms, post k reads the first k + 1 Poisson neurons), the seed's monitors;
    the protocol: 250 ms at each of 0, 10, 50, 100 Hz."""
    import numpy as np
    ann = sim.ann
    pop1 = sim.population(1, ann.Neuron(parameters="baseline = 0.0", equations="r = baseline"))
    pop2 = sim.add(ann.PoissonPopulation(geometry=1000, target="exc"))
    sim.projection(pop1, pop2, "exc").connect_all_to_all(weights=1.0)
    pop3 = sim.population(1000, ann.Neuron(equations="r = sum(exc)"))
    dec = ann.DecodingProjection(pop2, pop3, "exc", window=10.0)
    dec = sim.net.connect(projection=dec) if sim.v5 else dec
    w = np.full((1000, 1000), None)
    for k in range(1000):
        w[k, :k + 1] = 1.0
    dec.connect_from_matrix(w) if hasattr(dec, "connect_from_matrix") else dec.from_matrix(w)
    monitors = [sim.monitor(pop1, "r"), sim.monitor(pop2, "spike"), sim.monitor(pop3, "r")]
    schedule = [(250.0, v) for v in (0.0, 10.0, 50.0, 100.0)]
    return (pop1, "baseline", schedule, monitors, pop3), 2001


def build_esn(sim):
    """Seed 002's echo-state network, twice: two reservoirs of 400 tanh units (all-to-all recurrent weights
    Normal(0, 1.5 / sqrt(400))) driven by one input unit (a 50 ms pulse after 100 ms), rates recorded."""
    import numpy as np
    ann = sim.ann
    esn = ann.Neuron(parameters="tau = 30.0 : population\nnoise = 0.01 : population",
                     equations="tau * dx/dt + x = sum(input) + sum(exc) + noise * Uniform(-1.0, 1.0)\nr = tanh(x)")
    inp = sim.population(1, ann.Neuron(parameters="baseline = 0.0", equations="r = baseline"))
    monitors, outs = [], []
    for _ in range(2):
        res = sim.population(400, esn)
        res.x = ann.Uniform(-0.1, 0.1)
        sim.projection(inp, res, "input").connect_all_to_all(weights=ann.Uniform(-1.0, 1.0))
        sim.projection(res, res, "exc").connect_all_to_all(weights=ann.Normal(0.0, 1.5 / np.sqrt(400)))
        monitors.append(sim.monitor(res, "r"))
        outs.append(res)
    schedule = [(100.0, 0.0), (50.0, 1.0), (1850.0, 0.0)]
    return (inp, "baseline", schedule, monitors, outs), 801


def main():
    args = parse_args()
    os.environ["OMP_NUM_THREADS"] = str(args.threads)
    # Route everything (Python prints and C++ output on fd 1) to stderr while
    # the simulator runs; only the final JSON line goes to the real stdout.
    sys.stdout.flush()
    saved_fd = os.dup(1)
    os.dup2(2, 1)
    workdir = tempfile.mkdtemp(prefix="annbench_")
    old_cwd = os.getcwd()
    os.chdir(workdir)
    result = {}
    try:
        result = run(args)
    finally:
        sys.stdout.flush()
        os.dup2(saved_fd, 1)
        os.chdir(old_cwd)
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print("build directory kept in", workdir, file=sys.stderr)
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()


def run(args):
    import numpy as np
    t_import = time.perf_counter()
    import ANNarchy as ann
    import_s = time.perf_counter() - t_import
    version = getattr(ann, "__release__", None) or getattr(ann, "__version__", "?")
    np.random.seed(args.seed)

    dt = {"coba": 0.1, "izhikevich": 1.0, "rate": 1.0, "stdp": 0.1, "hybrid": 0.1, "esn": 1.0}[args.bench]
    duration = {"coba": 10000.0, "izhikevich": 1000.0, "rate": 1000.0, "stdp": 10000.0, "hybrid": 1000.0,
                "esn": 2000.0}[args.bench]
    rate_window = {"coba": 1000.0, "izhikevich": 1000.0, "stdp": 1000.0}.get(args.bench, 0.0)
    if args.quick:
        duration /= 10.0
        rate_window /= 10.0
    sim = Sim(ann, dt, args.seed, args.threads, args.dtype)

    extra = {}
    if args.bench == "coba":
        mon, groups, n = build_coba(sim)
    elif args.bench == "izhikevich":
        mon, groups, n = build_izhikevich(sim)
    elif args.bench == "rate":
        pops, groups, n = build_rate(sim, args.n)
        mon = None
    elif args.bench in ("hybrid", "esn"):       # the seeds' protocols, with their monitors recording
        protocol, n = (build_hybrid if args.bench == "hybrid" else build_esn)(sim)
        mon, groups = None, {}
    else:
        (mon, proj, gmax), groups, n = build_stdp(sim)

    t0 = time.perf_counter()
    sim.compile()
    compile_s = time.perf_counter() - t0

    # Timed runs, no recording.
    walls, cpus = [], []
    def start_inputs():
        if args.bench == "rate" and args.active:
            pops[0].r = np.random.default_rng(args.seed).uniform(0.0, 1.0, args.n)

    start_inputs()
    for i in range(max(1, args.repeat)):
        if i > 0:
            sim.reset()
            start_inputs()
        c0 = time.process_time()
        t0 = time.perf_counter()
        if args.bench in ("hybrid", "esn"):
            setter, var, schedule, monitors, _ = protocol
            for seg, value in schedule:
                setattr(setter, var, value)
                sim.simulate(seg / 10.0 if args.quick else seg)
            for m in monitors:                   # the recordings, fetched as a script would
                m.get()
        else:
            sim.simulate(duration)
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    simulate_s = float(np.median(walls))
    simulate_cpu_s = float(np.median(cpus))

    rates = {}
    if args.bench == "stdp":
        w = np.concatenate([np.asarray(d.w, dtype=float).ravel() for d in proj.dendrites])
        extra["mean_w_over_wmax"] = float(w.mean() / gmax)
    if mon is not None:
        # Separate, untimed run with the spike monitor on.
        mon.start()
        sim.simulate(rate_window)
        spikes = mon.get("spike")
        for name, ranks in groups.items():
            rates[name] = round(spike_rates(spikes, ranks, rate_window), 3)
    elif args.bench == "hybrid":
        rates["decoded_last_hz"] = float(np.asarray(protocol[4].r)[-1])
    elif args.bench == "esn":
        rates["mean_abs_r"] = float(np.mean([np.mean(np.abs(np.asarray(o.r))) for o in protocol[4]]))
    else:
        inp, out = pops
        rates["mean_r_out"] = float(np.mean(out.r))

    out = {
        "peer": "annarchy-%s" % version,
        "bench": args.bench,
        "n": n,
        "compile_s": round(compile_s, 4),
        "simulate_s": round(simulate_s, 4),
        "rates_hz": rates,
        "simulate_cpu_s": round(simulate_cpu_s, 4),
        "simulate_runs_s": [round(x, 4) for x in walls],
        "simulated_ms": duration,
        "dt": dt,
        "threads": args.threads,
        "import_s": round(import_s, 3),
        "quick": args.quick,
    }
    if args.bench == "rate" and args.active:
        out["active"] = True
    if args.dtype != "float64":
        out["dtype"] = args.dtype
    out.update(extra)
    return out


if __name__ == "__main__":
    main()
