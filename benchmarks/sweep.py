"""Sweep executors: 16 variants of COBA 4000 (1 s each), sequential vs 2 local processes vs a 2-worker Dask cluster.

Usage: python benchmarks/sweep.py [--variants 16] [--duration 1000] [--workers 2] [--paradigm openmp]
                                  [--vary Ce.w=0.4:0.8:16] [--modes sequential,local,dask]

The project is projects/coba.json; every variant sets its value on the compiled network (one kernel build in
all, warmed first).  Workers are started (and warmed with one trivial task each) before the clock starts, so
the wall time is what a sweep costs on running workers.  Per mode it prints the wall time, the speed-up over
sequential, the mean simulation time of a run, and the per-variant overhead
``(wall * workers - sum(run_s)) / variants``: lowering + cache hit + set-up (``build_s + set_s``), the
protocol player, summary numbers and the result's transfer and bookkeeping.  Run it on an idle machine
(``uptime`` is printed too).
"""
import argparse
import os
import time
from pathlib import Path

import distributed
import numpy as np

from annstudio.project.sweeps import project_sweep
from annstudio.project.validate import load_project
from annstudio.session.executors import DaskExecutor, ProcessExecutor, SequentialExecutor

ROOT = Path(__file__).resolve().parents[1]


def _warm(executor):
    for _ in executor.results(abs, [0] * executor.workers):
        pass


def _measure(sweep, executor):
    _warm(executor)
    t0 = time.perf_counter()
    result = sweep.run(executor=executor)
    wall = time.perf_counter() - t0
    outcomes = list(result.outcomes.values())
    run_s = np.array([o["timings"]["run_s"] for o in outcomes])
    setup_s = np.array([o["timings"]["build_s"] + o["timings"]["set_s"] for o in outcomes])
    return {"wall": wall, "run_s": float(run_s.mean()), "setup_s": float(setup_s.mean()),
            "overhead": (wall * executor.workers - run_s.sum()) / len(outcomes),
            "builds": sum(o["kernel_builds"] for o in outcomes), "rates": result.table["M.rate"],
            "n": len(outcomes), "workers": executor.workers}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--variants", type=int, default=16)
    ap.add_argument("--duration", type=float, default=1000.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--paradigm", default="openmp")
    ap.add_argument("--vary", default=None, help="NAME=VALUES (default Ce.w=0.4:0.8:VARIANTS)")
    ap.add_argument("--modes", default="sequential,local,dask")
    args = ap.parse_args()
    print("uptime:", os.popen("uptime").read().strip())
    project = load_project(ROOT / "projects" / "coba.json")
    vary = args.vary or f"Ce.w=0.4:0.8:{args.variants}"
    sweep = project_sweep(project, [vary], limit=args.duration, paradigm=args.paradigm)
    warm = project_sweep(project, [vary.split("=")[0] + "=0.5"], limit=10.0, paradigm=args.paradigm)
    warm.run(executor=SequentialExecutor())                    # the kernel into the build cache
    rows = {}
    for mode in args.modes.split(","):
        if mode == "sequential":
            rows[mode] = _measure(sweep, SequentialExecutor())
        elif mode == "local":
            with ProcessExecutor(args.workers) as executor:
                rows[mode] = _measure(sweep, executor)
        elif mode == "dask":
            with distributed.LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                                          dashboard_address=None, host="127.0.0.1") as cluster, \
                    distributed.Client(cluster) as client, DaskExecutor(client=client) as executor:
                rows[mode] = _measure(sweep, executor)
        print(f"{mode}: {rows[mode]['wall']:.2f} s", flush=True)
    base = rows.get("sequential", {}).get("wall")
    print(f"\n{sweep.total} variants of COBA 4000 ({args.paradigm}), {args.duration:g} ms each, varying {vary}")
    print(f"| mode | workers | wall (s) | speed-up | mean run (s) | mean set-up (s) | overhead/variant (s) | builds |")
    print("|---|---|---|---|---|---|---|---|")
    for mode, r in rows.items():
        speed = f"{base / r['wall']:.2f}x" if base else "-"
        print(f"| {mode} | {r['workers']} | {r['wall']:.2f} | {speed} | {r['run_s']:.3f} | {r['setup_s']:.3f} | "
              f"{r['overhead']:.3f} | {r['builds']} |")
    ref = next(iter(rows.values()))["rates"]
    same = all(np.array_equal(r["rates"], ref) for r in rows.values())
    print(f"\nsame rates in every mode: {same}; rates (Hz): {np.round(ref, 2).tolist()}")


if __name__ == "__main__":
    main()
