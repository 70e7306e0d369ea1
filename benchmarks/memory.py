"""Memory of a large spiking network: COBA scaled up with 80 inputs per neuron (p = 80 / n), 1 s with a spike
monitor, against the same script at 400 neurons (the interpreter, libraries and a small network).

    python benchmarks/memory.py [--neurons 40000] [--base 400] [--paradigm openmp] [--annarchy-python PY]

(``--neurons 400000``: COBA 400 000, 32 M synapses; ``--n`` is the same option.)

Each size runs in a fresh process; printed: peak resident memory (ru_maxrss) of the process (also as it
stood after the build and after the simulation, before ``Monitor.get`` builds the spike dict), the increment
over the small network, bytes per synapse of that increment, and annstudio's ``memory_footprint()`` when
the network offers it.  With ``--annarchy-python`` the same script runs in ANNarchy too (its compile takes
minutes).  Timings and memory on a shared machine are provisional.
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

ANNSTUDIO = r"""
import json, resource, sys, time
sys.path.insert(0, {here!r}); sys.path.insert(0, {root!r})
import annstudio.engine as ann
import networks
n = {n}
ann.clear()
t0 = time.perf_counter()
groups, _ = networks.coba(n=n, p=80.0 / n)
P = groups["exc"][0]
ann.compile(paradigm={paradigm!r}, num_threads=1)
build = time.perf_counter() - t0
rss_build = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
m = ann.Monitor(P, "spike")
t0 = time.perf_counter()
ann.simulate(1000.0)
sim = time.perf_counter() - t0
rss_sim = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
spikes = sum(len(v) for v in m.get("spike").values())
from annstudio.session.context import current_network
net = current_network()
syn = sum(p.nb_synapses for p in net.projections)
fp = net.memory_footprint() if hasattr(net, "memory_footprint") else None
print(json.dumps({{"n": n, "synapses": int(syn), "peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
                  "peak_rss_after_build": rss_build, "peak_rss_after_simulate": rss_sim, "build_s": build, "simulate_s": sim,
                  "rate_hz": spikes / n, "footprint": fp}}, default=str))
"""

ANNARCHY = r"""
import json, resource, sys, time, os, tempfile
import numpy as np
import ANNarchy as ann
n = {n}
os.chdir(tempfile.mkdtemp(prefix="annmem_"))
net = ann.Network(dt=0.1, seed=12345)
cell = ann.Neuron(parameters=dict(El=-60.0, Vr=-60.0, Erev_exc=0.0, Erev_inh=-80.0, Vt=-50.0, tau=20.0,
                                  tau_exc=5.0, tau_inh=10.0, I=20.0),
                  equations=["tau * dv/dt = (El - v) + g_exc * (Erev_exc - v) + g_inh * (Erev_inh - v) + I",
                             "tau_exc * dg_exc/dt = -g_exc", "tau_inh * dg_inh/dt = -g_inh"],
                  spike="v > Vt", reset="v = Vr", refractory=5.0)
P = net.create(geometry=n, neuron=cell)
P.v = ann.Normal(-55.0, 5.0)
ne = int(0.8 * n)
t0 = time.perf_counter()
net.connect(P[:ne], P, "exc").fixed_probability(probability=80.0 / n, weights=0.6)
net.connect(P[ne:], P, "inh").fixed_probability(probability=80.0 / n, weights=6.7)
m = net.monitor(P, "spike")
net.compile(directory="annarchy")
build = time.perf_counter() - t0
t0 = time.perf_counter()
net.simulate(1000.0)
sim = time.perf_counter() - t0
spikes = sum(len(v) for v in m.get("spike").values())
print(json.dumps({{"n": n, "peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
                  "build_s": build, "simulate_s": sim, "rate_hz": spikes / n}}))
"""


def run(code, python, env=None):
    res = subprocess.run([python, "-c", code], capture_output=True, text=True, env=env, timeout=3600)
    if res.returncode != 0:
        raise SystemExit(f"run failed:\n{res.stderr[-3000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--neurons", "--n", dest="n", type=int, default=40000)
    ap.add_argument("--base", type=int, default=400)
    ap.add_argument("--paradigm", default="openmp")
    ap.add_argument("--annarchy-python", default=None)
    args = ap.parse_args(argv)
    root = os.path.dirname(HERE)
    rows = {}
    for n in (args.base, args.n):
        rows[("annstudio", n)] = run(ANNSTUDIO.format(here=HERE, root=root, n=n, paradigm=args.paradigm),
                                     sys.executable)
        print(json.dumps({"annstudio": rows[("annstudio", n)]}, default=str), flush=True)
    if args.annarchy_python:
        env = dict(os.environ, PATH=os.path.dirname(os.path.abspath(args.annarchy_python)) + os.pathsep +
                   os.environ.get("PATH", ""))
        for n in (args.base, args.n):
            rows[("annarchy", n)] = run(ANNARCHY.format(n=n), args.annarchy_python, env)
            print(json.dumps({"annarchy": rows[("annarchy", n)]}), flush=True)
    print()
    print("simulator | n | synapses | peak RSS MB | increment MB | bytes/synapse at peak | build s | simulate s | Hz")
    print("--- | --- | --- | --- | --- | --- | --- | --- | ---")
    for sim in ("annstudio", "annarchy"):
        if (sim, args.n) not in rows:
            continue
        small, big = rows[(sim, args.base)], rows[(sim, args.n)]
        syn = rows[("annstudio", args.n)]["synapses"]
        inc = big["peak_rss"] - small["peak_rss"]
        for r in (small, big):
            print(f"{sim} | {r['n']} | {r.get('synapses', '~')} | {r['peak_rss'] / 1e6:.0f} | "
                  f"{(r['peak_rss'] - small['peak_rss']) / 1e6:.0f} | "
                  f"{(inc / syn if r is big else 0):.1f} | {r['build_s']:.2f} | {r['simulate_s']:.2f} | "
                  f"{r['rate_hz']:.1f}")
    if ("annarchy", args.n) in rows:
        a = rows[("annarchy", args.n)]["peak_rss"] - rows[("annarchy", args.base)]["peak_rss"]
        s = rows[("annstudio", args.n)]["peak_rss"] - rows[("annstudio", args.base)]["peak_rss"]
        print(f"\nincrement annstudio / ANNarchy: {s / a:.2f} (target <= 0.5)")


if __name__ == "__main__":
    main()
