"""CUDA backend: correctness against the NumPy reference, then COBA scaling against the C++ backend.

Run on a machine with an NVIDIA GPU:

    python benchmarks/cuda_scaling.py [--duration 1000] [--sizes 4000 40000 400000] [--skip-check]

1. Checks: a small spiking network with delays and a rate-coded network run with
   ``paradigm="cuda"`` and ``"numpy"``; spikes must agree, variables within 1e-9.
2. COBA (Vogels & Abbott 2005, as in ANNarchy's benchmark): N neurons (80 % excitatory),
   connection probability 80/N so every neuron keeps 80 synapses on average, dt 0.1 ms,
   no monitor during the timed run; compile time (cold/cached), simulated time per
   wall second and mean rate for CUDA and, where available, the C++ backend ("openmp").

Without a GPU, ``--emulate`` runs the checks with the CPU emulation of the kernels
(timings then mean nothing).
"""
import argparse
import sys
import time

import numpy as np

from annstudio.engine import (Monitor, Neuron, Population, Projection, Uniform, clear, compile, setup, simulate)
from annstudio.core.errors import BackendUnavailable
from annstudio.core.runtime import available_paradigms, register_backend
from networks import COBA_NEURON  # benchmarks/networks.py (this script runs from benchmarks/)

COBA = COBA_NEURON   # one definition, shared with compiled_bench.py


def _fixed_probability(npre, npost, p, w, rng):
    """Sparse (pre, post) matrix with connection probability ``p``, drawn per post neuron (the engine's
    fixed_probability connector draws a dense npost x npre mask: 1.3e11 numbers at 400 000 neurons)."""
    import scipy.sparse as sparse
    counts = rng.binomial(npre, p, npost)
    post = np.repeat(np.arange(npost), counts)
    pre = rng.integers(0, npre, post.size)
    key = np.unique(post.astype(np.int64) * npre + pre)
    post, pre = key // npre, key % npre
    return sparse.csr_matrix((np.full(pre.size, w), (pre, post)), shape=(npre, npost))


def coba(n, paradigm, duration, seed=42, monitor=False):
    clear()
    setup(dt=0.1, seed=seed)
    pop = Population(n, COBA)
    pop.v = Uniform(-60.0, -50.0)
    ne = int(0.8 * n)
    p = min(1.0, 80.0 / n)
    rng = np.random.default_rng(seed)
    # 80 inputs per neuron at every size, so the weights stay ANNarchy's (0.6 / 6.7 at N = 4000, p = 0.02)
    Projection(pop[:ne], pop, "exc").connect_from_sparse(_fixed_probability(ne, n, p, 0.6, rng))
    Projection(pop[ne:], pop, "inh").connect_from_sparse(_fixed_probability(n - ne, n, p, 6.7, rng))
    t0 = time.perf_counter()
    compile(paradigm=paradigm)
    t_compile = time.perf_counter() - t0
    m = Monitor(pop, "spike") if monitor else None
    t0 = time.perf_counter()
    simulate(duration)
    t_sim = time.perf_counter() - t0
    rate = None
    if m is not None:
        rate = sum(len(s) for s in m.get("spike").values()) / n / (duration / 1000.0)
    return t_compile, t_sim, rate, m


def check_small(paradigm):
    """Spikes and variables of two small networks, ``paradigm`` vs NumPy."""
    def spiking(par):
        clear()
        setup(dt=0.1, seed=3)
        lif = Neuron(parameters="tau = 20.0 : population\n I = 0.0",
                     equations="tau * dv/dt = -(v + 60.0) + g_exc - g_inh + I : init=-60.0\n"
                               "tau*dg_exc/dt = -g_exc\n 10.0*dg_inh/dt = -g_inh",
                     spike="v > -50.0", reset="v = -60.0", refractory=5.0)
        pop = Population(500, lif)
        pop.I = np.linspace(5, 25, 500)
        Projection(pop[:400], pop, "exc").connect_fixed_probability(0.05, weights=Uniform(0.1, 0.5),
                                                                     delays=Uniform(0.1, 2.0))
        Projection(pop[400:], pop, "inh").connect_fixed_probability(0.05, weights=1.0)
        compile(paradigm=par)
        m = Monitor(pop, ["spike", "v"])
        simulate(100.0)
        return m.get(["spike", "v"])

    def rate(par):
        clear()
        setup(dt=1.0, seed=5)
        neuron = Neuron(parameters="tau = 10.0 : population\n B = 0.0",
                        equations="tau*dmp/dt + mp = sum(exc) + B\n r = pos(mp)")
        a, c = Population(200, neuron), Population(100, neuron)
        a.B = np.linspace(0, 1, 200)
        Projection(a, c, "exc").connect_fixed_probability(0.3, weights=Uniform(0, 0.1), delays=2.0)
        compile(paradigm=par)
        m = Monitor(c, "r")
        simulate(100.0)
        return {"r": m.get("r")}

    ok = True
    for name, f in (("spiking", spiking), ("rate", rate)):
        ref, got = f("numpy"), f(paradigm)
        if "spike" in ref:
            same = {int(k): list(v) for k, v in ref["spike"].items()} == \
                   {int(k): list(v) for k, v in got["spike"].items()}
            print(f"  {name}: spikes {'identical' if same else 'DIFFER'} "
                  f"({sum(map(len, ref['spike'].values()))} reference spikes)")
            ok &= same
        for k in ("v", "r"):
            if k in ref:
                err = float(np.max(np.abs(np.asarray(ref[k]) - np.asarray(got[k]))))
                print(f"  {name}: max |{k} - reference| = {err:.3g}")
                ok &= err < 1e-9
    return ok


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duration", type=float, default=1000.0, help="simulated ms per timed run")
    ap.add_argument("--sizes", type=int, nargs="+", default=[4000, 40000, 400000])
    ap.add_argument("--skip-check", action="store_true")
    ap.add_argument("--emulate", action="store_true", help="check with the CPU emulation (no GPU needed)")
    args = ap.parse_args(argv)

    cuda = "cuda"
    if args.emulate:
        from annstudio.codegen.cuda.backend import CudaBackend
        register_backend("cuda-emulated", lambda ir, data, s, **kw: CudaBackend(ir, data, s, emulate=True, **kw))
        cuda = "cuda-emulated"
    avail = available_paradigms()
    if not args.emulate and avail.get("cuda"):
        print(f"CUDA backend unavailable: {avail['cuda']}")
        return 2
    if not args.skip_check:
        print(f"check against the NumPy reference ({cuda}):")
        if not check_small(cuda):
            print("MISMATCH")
            return 1
    if args.emulate:
        return 0
    others = [p for p in ("openmp",) if not avail.get(p)]
    print(f"\nCOBA, dt 0.1 ms, {args.duration:g} ms simulated, 80 synapses per neuron")
    print(f"{'N':>8} {'backend':>8} {'compile s':>10} {'cached s':>9} {'sim s':>8} {'x realtime':>10} {'rate Hz':>8}")
    for n in args.sizes:
        for par in [cuda] + others:
            try:
                tc, _, rate, _ = coba(n, par, 200.0, monitor=True)      # build (cold) + rate check
                tc2, ts, _, _ = coba(n, par, args.duration)             # cached build, timed run
            except BackendUnavailable as exc:
                print(f"{n:>8} {par:>8} unavailable: {exc}")
                continue
            print(f"{n:>8} {par:>8} {tc:>10.2f} {tc2:>9.2f} {ts:>8.3f} {args.duration / 1000.0 / ts:>10.2f} "
                  f"{rate:>8.1f}")
            sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
