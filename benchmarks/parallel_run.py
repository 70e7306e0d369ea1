"""parallel_run: N copies of a network sequentially, on local processes and on a Dask cluster.

Usage: python benchmarks/parallel_run.py [--number 4] [--duration 2000] [--paradigm openmp] [--repeat 3]
                                         [--workers 2] [--modes sequential,local,dask]
Each copy is rebuilt from the network's snapshot and compiled where it runs (a build-cache hit).  Prints
the median wall-clock time of each mode and its speed-up over sequential; every mode must give the
per-run results of the sequential one.  Run it on an idle machine (the load average is printed too).
"""
import argparse
import os
import statistics
import time

import distributed

import annstudio.engine as ann

STATE = {}


def run_copy(idx, net, duration=1000.0):
    pop = net.get(STATE["pop"])
    pop.i_offset = 5.0 + idx
    net.simulate(duration)
    return idx, sum(len(v) for v in net.get(STATE["mon"]).get("spike").values())


def _time(args, **options):
    times, results = [], None
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        results = ann.parallel_run(method=run_copy, number=args.number, duration=args.duration, **options)
        times.append(time.perf_counter() - t0)
    return statistics.median(times), results


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--number", type=int, default=4)
    ap.add_argument("--duration", type=float, default=2000.0)
    ap.add_argument("--paradigm", default="openmp")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--modes", default="sequential,local,dask")
    args = ap.parse_args()
    ann.setup(dt=1.0, seed=5, paradigm=args.paradigm)
    pop = ann.Population(1000, ann.Izhikevich(noise=3.0))
    ann.Projection(pop, pop, "exc").connect_fixed_probability(0.1, weights=0.1)
    STATE.update(pop=pop, mon=ann.Monitor(pop, "spike"))
    ann.compile()
    ann.parallel_run(method=run_copy, number=1, duration=10.0)   # warm the build cache
    rows = {}
    for mode in args.modes.split(","):
        if mode == "sequential":
            rows[mode] = _time(args, sequential=True)
        elif mode == "local":
            rows[mode] = _time(args, max_processes=args.workers)
        elif mode == "dask":
            with distributed.LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                                          dashboard_address=None, host="127.0.0.1") as cluster, \
                    distributed.Client(cluster) as client:
                ann.parallel_run(method=run_copy, number=args.workers, executor=client, duration=10.0)  # warm
                rows[mode] = _time(args, executor=client)
        print(f"{mode}: {rows[mode][0]:.2f} s", flush=True)
    base = rows.get("sequential", (None,))[0]
    ref = next(iter(rows.values()))[1]
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print(f"{args.number} copies of Izhikevich 1000 ({args.paradigm}), {args.duration:g} ms each")
    print("| mode | wall (s) | speed-up |")
    print("|---|---|---|")
    for mode, (wall, _) in rows.items():
        print(f"| {mode} | {wall:.2f} | {f'{base / wall:.2f}x' if base else '-'} |")
    same = all(results == ref for _, results in rows.values())
    print(f"\nsame per-run results in every mode: {same}")
    if not same:
        raise SystemExit("parallel_run gave different results on different executors")


if __name__ == "__main__":
    main()
