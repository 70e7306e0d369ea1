"""Speed of two source trees of annstudio side by side: did a change keep the compiled engine's speed?

    python benchmarks/compare_revisions.py --base DIR --head DIR [--bench coba izhikevich rate1000 stdp]
                                           [--rounds 5] [--threads 1] [--scale 1]

``DIR`` is the root of a checkout (for example ``git worktree add /tmp/base <commit>``).  Each round runs
``benchmarks/compiled_bench.py`` of *each* tree once per benchmark, base and head in turns (the order swaps every
round), so the machine's slow spells fall on both alike.  Each tree keeps its own build cache for the whole
comparison (``ANNSTUDIO_CACHE`` under a temporary folder), so neither reuses the other's kernels.  Printed: per
benchmark the median simulate time of each tree, and head/base as the median of the per-round ratios with its
range.  Times are wall-clock seconds of the timed ``backend.run`` of compiled_bench (no recording).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np


# --scale K: the same network run K times as long by this driver, with each tree's own annstudio and
# benchmarks/networks.py (short benchmarks such as izhikevich, 14 ms, cannot tell a 5 % change otherwise)
DRIVER = """
import json, sys, time
import numpy as np
sys.path.insert(0, sys.argv[1] + '/benchmarks')
import annstudio.engine as ann
import compiled_bench, networks
name, kw = compiled_bench.CASES[sys.argv[2]]
threads, scale = int(sys.argv[3]), float(sys.argv[4])
ann.clear()
networks.BUILDERS[name](**kw)
net = ann.Network(everything=True)
net.compile(paradigm='openmp', num_threads=threads)
sim = net._sim
steps = int(round(scale * networks.DURATION[name] / sim.dt))
sim.backend.run(steps // 10)
walls = []
for _ in range(3):
    t0 = time.perf_counter()
    sim.backend.run(steps)
    walls.append(time.perf_counter() - t0)
print(json.dumps({'simulate_s': float(np.median(walls))}))
"""


def run_once(tree, bench, threads, cache, scale=1.0):
    env = dict(os.environ, ANNSTUDIO_CACHE=cache, PYTHONPATH=tree)
    if scale != 1.0:
        cmd = [sys.executable, "-c", DRIVER, tree, bench, str(threads), str(scale)]
        out = subprocess.run(cmd, cwd=tree, env=env, capture_output=True, text=True, check=True).stdout
        return json.loads(out.strip().splitlines()[-1])["simulate_s"], None
    cmd = [sys.executable, os.path.join(tree, "benchmarks", "compiled_bench.py"), "--bench", bench, "--repeat", "3",
           "--threads", str(threads), "--peers", "none"]
    out = subprocess.run(cmd, cwd=tree, env=env, capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        if line.startswith("{") and '"bench"' in line:
            d = json.loads(line)
            return d[f"threads{threads}"]["simulate_s"], d["compile_cached_s"]
    raise RuntimeError(f"no result line from {tree} for {bench}:\n{out[-2000:]}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--base", required=True)
    ap.add_argument("--head", required=True)
    ap.add_argument("--bench", nargs="+", default=["coba", "izhikevich", "rate1000", "stdp"])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--scale", type=float, default=1.0,
                    help="run each network SCALE times its benchmark duration (through DRIVER, each tree's code)")
    args = ap.parse_args()
    trees = {"base": os.path.abspath(args.base), "head": os.path.abspath(args.head)}
    tmp = tempfile.mkdtemp(prefix="annstudio-compare-")
    caches = {k: os.path.join(tmp, k) for k in trees}
    times = {(k, b): [] for k in trees for b in args.bench}
    for r in range(args.rounds):
        order = ["base", "head"] if r % 2 == 0 else ["head", "base"]
        for b in args.bench:
            for k in order:
                s, _ = run_once(trees[k], b, args.threads, caches[k], args.scale)
                times[(k, b)].append(s)
                print(json.dumps({"round": r, "tree": k, "bench": b, "simulate_s": s}), flush=True)
    print()
    print(f"{args.threads} thread(s), {args.rounds} interleaved rounds, median of 3 runs per round"
          + (f", {args.scale:g} x each benchmark's duration" if args.scale != 1.0 else ""))
    print("| bench | base s | head s | head/base (median of rounds) | range |")
    print("|---|---|---|---|---|")
    for b in args.bench:
        base, head = np.array(times[("base", b)]), np.array(times[("head", b)])
        ratios = head / base
        print(f"| {b} | {np.median(base):.4f} | {np.median(head):.4f} | {np.median(ratios):.3f} | "
              f"{ratios.min():.3f}-{ratios.max():.3f} |")


if __name__ == "__main__":
    main()
