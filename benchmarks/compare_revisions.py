"""Speed of two source trees of annstudio side by side: did a change keep the compiled engine's speed?

    python benchmarks/compare_revisions.py --base DIR --head DIR [--bench coba izhikevich rate1000 stdp]
                                           [--rounds 5] [--threads 1]

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


def run_once(tree, bench, threads, cache):
    env = dict(os.environ, ANNSTUDIO_CACHE=cache, PYTHONPATH=tree)
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
    args = ap.parse_args()
    trees = {"base": os.path.abspath(args.base), "head": os.path.abspath(args.head)}
    tmp = tempfile.mkdtemp(prefix="annstudio-compare-")
    caches = {k: os.path.join(tmp, k) for k in trees}
    times = {(k, b): [] for k in trees for b in args.bench}
    for r in range(args.rounds):
        order = ["base", "head"] if r % 2 == 0 else ["head", "base"]
        for b in args.bench:
            for k in order:
                s, _ = run_once(trees[k], b, args.threads, caches[k])
                times[(k, b)].append(s)
                print(json.dumps({"round": r, "tree": k, "bench": b, "simulate_s": s}), flush=True)
    print()
    print(f"{args.threads} thread(s), {args.rounds} interleaved rounds, median of 3 runs per round")
    print("| bench | base s | head s | head/base (median of rounds) | range |")
    print("|---|---|---|---|---|")
    for b in args.bench:
        base, head = np.array(times[("base", b)]), np.array(times[("head", b)])
        ratios = head / base
        print(f"| {b} | {np.median(base):.4f} | {np.median(head):.4f} | {np.median(ratios):.3f} | "
              f"{ratios.min():.3f}-{ratios.max():.3f} |")


if __name__ == "__main__":
    main()
