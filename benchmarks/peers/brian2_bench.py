"""Peer benchmark: time reference networks in Brian2 (C++ standalone mode).

Run with the Python of the Brian2 venv:

    benchmarks/peers/.venvs/brian2/bin/python benchmarks/peers/brian2_bench.py --bench coba

Prints exactly one JSON line on stdout:
    {"peer": ..., "bench": ..., "n": ..., "compile_s": ..., "simulate_s": ..., "rates_hz": {...}}

compile_s is code generation + C++ build (device.build with run=False);
simulate_s is the time of the simulation loop measured inside the binary
(Brian2's own last-run timer); run_total_s is the wall time of the whole
binary (connectivity generation, file I/O and the loop) and run_total_cpu_s
its CPU time (user+sys of the child process; robust on a loaded machine).
Rates come from a separate, untimed standalone run with a spike monitor.
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
    ap.add_argument("--bench", choices=["coba", "izhikevich", "rate", "stdp"], required=True)
    ap.add_argument("--n", type=int, default=1000, help="size of each population for --bench rate")
    ap.add_argument("--active", action="store_true",
                    help="--bench rate: inputs start at rates drawn from U(0, 1) instead of 0 (every term counts)")
    ap.add_argument("--threads", type=int, default=0, help="OpenMP threads (0: no OpenMP)")
    ap.add_argument("--seed", type=int, default=12345)
    ap.add_argument("--repeat", type=int, default=1,
                    help="timed runs of the same compiled binary; median reported")
    ap.add_argument("--quick", action="store_true", help="short smoke run (simulated time / 10)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary build directory")
    return ap.parse_args()


def build_coba(b2, with_monitor):
    ms, mV = b2.ms, b2.mV
    ns = dict(El=-60 * mV, Vr=-60 * mV, Ee=0 * mV, Ei=-80 * mV, Vt=-50 * mV,
              taum=20 * ms, taue=5 * ms, taui=10 * ms, I=20 * mV)
    eqs = """
    dv/dt = ((El - v) + ge * (Ee - v) + gi * (Ei - v) + I) / taum : volt (unless refractory)
    dge/dt = -ge / taue : 1
    dgi/dt = -gi / taui : 1
    """
    grp = b2.NeuronGroup(4000, eqs, threshold="v > Vt", reset="v = Vr",
                         refractory=5 * ms, method="euler", namespace=ns)
    grp.v = "-55*mV + 5*mV*randn()"
    se = b2.Synapses(grp[:3200], grp, on_pre="ge += 0.6")
    se.connect("i != j", p=0.02)
    si = b2.Synapses(grp[3200:], grp, on_pre="gi += 6.7")
    si.connect("i + 3200 != j", p=0.02)
    objs = [grp, se, si]
    mon = None
    if with_monitor:
        mon = b2.SpikeMonitor(grp)
        objs.append(mon)
    return objs, mon, {"exc": (0, 3200), "inh": (3200, 4000)}, 4000


def build_izhikevich(b2, with_monitor):
    # Pulse-coupled network (Izhikevich 2003), dt = 1 ms, explicit Euler,
    # instantaneous synapses arriving one step after the spike.
    ms = b2.ms
    eqs = """
    dv/dt = (0.04 * v**2 + 5 * v + 140 - u + I) / ms : 1
    du/dt = a * (b * v - u) / ms : 1
    I = Iin + noise * gauss : 1
    Iin : 1
    gauss : 1
    noise : 1
    a : 1
    b : 1
    c : 1
    d : 1
    """
    grp = b2.NeuronGroup(1000, eqs, threshold="v > 30", reset="v = c; u += d", method="euler")
    # A fresh standard normal sample each step, drawn before the neuron update.
    grp.run_regularly("gauss = randn()", when="before_groups")
    # Synaptic input is accumulated into Iin during step s (spikes of step s,
    # no delay) and used by the update of step s+1, then cleared: this matches
    # ANNarchy's default one-step transmission with instantaneous conductances.
    grp.run_regularly("Iin = 0", when="after_groups")
    ne = 800
    exc, inh = grp[:ne], grp[ne:]
    import numpy as np
    re = np.random.random(ne)
    ri = np.random.random(1000 - ne)
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
    grp.v = -65.0
    grp.u = "b * v"
    se = b2.Synapses(exc, grp, "w : 1", on_pre="Iin_post += w")
    se.connect("i != j")
    se.w = "0.5 * rand()"
    si = b2.Synapses(inh, grp, "w : 1", on_pre="Iin_post -= w")
    si.connect("i + 800 != j")
    si.w = "rand()"
    objs = [grp, se, si]
    mon = None
    if with_monitor:
        mon = b2.SpikeMonitor(grp)
        objs.append(mon)
    return objs, mon, {"exc": (0, 800), "inh": (800, 1000)}, 1000


def build_rate(b2, n, with_monitor, active=False):
    ms = b2.ms
    eqs = """
    dr/dt = (s - r) / (10 * ms) : 1
    s : 1
    """
    inp = b2.NeuronGroup(n, eqs, method="euler")
    out = b2.NeuronGroup(n, eqs, method="euler")
    syn = b2.Synapses(inp, out, "w : 1\ns_post = w * r_pre : 1 (summed)")
    syn.connect()
    syn.w = "rand()"
    if active:
        inp.r = "rand()"
    inp.run_regularly("r = clip(r, 0, inf)", when="after_groups")
    out.run_regularly("r = clip(r, 0, inf)", when="after_groups")
    return [inp, out, syn], None, {}, 2 * n


def build_stdp(b2, with_monitor):
    ms, mV, Hz = b2.ms, b2.mV, b2.Hz
    gmax = 0.01
    ns = dict(taum=10 * ms, taue=5 * ms, vt=-54 * mV, vr=-60 * mV, El=-74 * mV, Ee=0 * mV,
              taupre=20 * ms, taupost=20 * ms, gmax=gmax,
              dApre=0.01 * gmax, dApost=-0.0105 * gmax)
    eqs = """
    dv/dt = (ge * (Ee - vr) + El - v) / taum : volt
    dge/dt = -ge / taue : 1
    """
    inp = b2.PoissonGroup(1000, rates=15 * Hz)
    out = b2.NeuronGroup(100, eqs, threshold="v > vt", reset="v = vr", method="euler", namespace=ns)
    out.v = -60 * mV
    syn = b2.Synapses(inp, out,
                      """w : 1
                         dApre/dt = -Apre / taupre : 1 (event-driven)
                         dApost/dt = -Apost / taupost : 1 (event-driven)""",
                      on_pre="""ge += w
                                Apre += dApre
                                w = clip(w + Apost, 0, gmax)""",
                      on_post="""Apost += dApost
                                 w = clip(w + Apre, 0, gmax)""",
                      namespace=ns)
    syn.connect()
    syn.w = "rand() * gmax"
    objs = [inp, out, syn]
    mon = None
    if with_monitor:
        mon = b2.SpikeMonitor(out)
        objs.append(mon)
    return objs, mon, {"out": (0, 100)}, 1100, syn, gmax


def one_run(args, duration_ms, window_ms, build_dir, repeat=1):
    """Build and run one standalone project; returns timings and results.

    If window_ms > 0, a first run of window_ms with a spike monitor gives the
    rates; the monitor is then switched off and the timed run of duration_ms
    follows (Brian2's loop timer reports the last run only).  For STDP the
    monitor stays on during the timed run (100 cells, negligible cost).
    """
    with_monitor = window_ms > 0 or args.bench == "stdp"
    import brian2 as b2
    b2.device.reinit()
    b2.device.activate()
    b2.set_device("cpp_standalone", build_on_run=False, directory=build_dir)
    if args.threads > 0:
        b2.prefs.devices.cpp_standalone.openmp_threads = args.threads
    b2.prefs.codegen.cpp.extra_compile_args_gcc = ["-w", "-O3", "-march=native"]
    step_ms = {"coba": 0.1, "izhikevich": 1.0, "rate": 1.0, "stdp": 0.1}[args.bench]
    b2.defaultclock.dt = step_ms * b2.ms
    b2.seed(args.seed)
    import numpy as np
    np.random.seed(args.seed)
    syn = gmax = None
    if args.bench == "coba":
        objs, mon, groups, n = build_coba(b2, with_monitor)
    elif args.bench == "izhikevich":
        objs, mon, groups, n = build_izhikevich(b2, with_monitor)
    elif args.bench == "rate":
        objs, mon, groups, n = build_rate(b2, args.n, with_monitor, args.active)
    else:
        objs, mon, groups, n, syn, gmax = build_stdp(b2, with_monitor)
    net = b2.Network(*objs)
    if mon is not None and args.bench != "stdp":
        net.run(window_ms * b2.ms)
        mon.active = False
    net.run(duration_ms * b2.ms)
    t0 = time.perf_counter()
    b2.device.build(directory=build_dir, compile=True, run=False, clean=True)
    compile_s = time.perf_counter() - t0
    import resource
    loops, totals, cpu_totals = [], [], []
    for _ in range(max(1, repeat)):
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        b2.device.run(directory=build_dir)
        totals.append(time.perf_counter() - t0)
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu_totals.append((r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime))
        loops.append(float(getattr(b2.device, "_last_run_time", float("nan"))))
    res = {"compile_s": compile_s, "run_total_s": float(np.median(totals)),
           "run_total_cpu_s": float(np.median(cpu_totals)),
           "simulate_s": float(np.median(loops)), "simulate_runs_s": [round(x, 4) for x in loops], "n": n}
    if mon is not None:
        idx = np.asarray(mon.i[:])
        span = duration_ms if args.bench == "stdp" else window_ms
        res["rates_hz"] = {
            name: round(1000.0 * np.count_nonzero((idx >= lo) & (idx < hi)) / ((hi - lo) * span), 3)
            for name, (lo, hi) in groups.items()}
    if args.bench == "rate":
        res["rates_hz"] = {"mean_r_out": float(np.mean(np.asarray(objs[1].r[:])))}
    if syn is not None:
        res["mean_w_over_wmax"] = float(np.mean(np.asarray(syn.w[:])) / gmax)
    return res


def main():
    args = parse_args()
    sys.stdout.flush()
    saved_fd = os.dup(1)
    os.dup2(2, 1)  # everything but the final JSON line goes to stderr
    root = tempfile.mkdtemp(prefix="b2bench_")
    out = {}
    try:
        import brian2 as b2
        duration = {"coba": 10000.0, "izhikevich": 1000.0, "rate": 1000.0, "stdp": 10000.0}[args.bench]
        window = {"coba": 1000.0, "izhikevich": 1000.0}.get(args.bench, 0.0)
        if args.quick:
            duration /= 10.0
            window /= 10.0
        timed = one_run(args, duration, window, build_dir=os.path.join(root, "build"), repeat=args.repeat)
        rates = timed.get("rates_hz", {})
        out = {
            "peer": "brian2-%s-standalone" % b2.__version__,
            "bench": args.bench,
            "n": timed["n"],
            "compile_s": round(timed["compile_s"], 4),
            "simulate_s": round(timed["simulate_s"], 4),
            "rates_hz": rates,
            "run_total_s": round(timed["run_total_s"], 4),
            "run_total_cpu_s": round(timed["run_total_cpu_s"], 4),
            "simulate_runs_s": timed["simulate_runs_s"],
            "simulated_ms": duration,
            "threads": args.threads,
            "quick": args.quick,
        }
        if args.bench == "rate" and args.active:
            out["active"] = True
        if "mean_w_over_wmax" in timed:
            out["mean_w_over_wmax"] = timed["mean_w_over_wmax"]
    finally:
        sys.stdout.flush()
        os.dup2(saved_fd, 1)
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
        else:
            print("build directory kept in", root, file=sys.stderr)
    sys.stdout.write(json.dumps(out) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
