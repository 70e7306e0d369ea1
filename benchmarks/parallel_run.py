"""parallel_run: N copies of a network in a process pool vs N sequential runs.

Usage: python benchmarks/parallel_run.py [--number 4] [--duration 2000] [--paradigm openmp] [--repeat 3]
Prints the median wall-clock times and their ratio (run it on an idle machine: `uptime` is printed too).
"""
import argparse
import os
import statistics
import time

import annstudio.engine as ann

STATE = {}


def run_copy(idx, net, duration=1000.0):
    pop = net.get(STATE["pop"])
    pop.i_offset = 5.0 + idx
    net.simulate(duration)
    return idx, sum(len(v) for v in net.get(STATE["mon"]).get("spike").values())


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--number", type=int, default=4)
    ap.add_argument("--duration", type=float, default=2000.0)
    ap.add_argument("--paradigm", default="openmp")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    ann.setup(dt=1.0, seed=5, paradigm=args.paradigm)
    pop = ann.Population(1000, ann.Izhikevich(noise=3.0))
    ann.Projection(pop, pop, "exc").connect_fixed_probability(0.1, weights=0.1)
    STATE.update(pop=pop, mon=ann.Monitor(pop, "spike"))
    ann.compile()
    ann.parallel_run(method=run_copy, number=1, duration=10.0)   # warm the build cache
    seq, par = [], []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        a = ann.parallel_run(method=run_copy, number=args.number, sequential=True, duration=args.duration)
        seq.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        b = ann.parallel_run(method=run_copy, number=args.number, max_processes=2, duration=args.duration)
        par.append(time.perf_counter() - t0)
        assert a == b, "parallel and sequential runs must give the same per-run results"
    s, p = statistics.median(seq), statistics.median(par)
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print("runs | sequential s | parallel (2 processes) s | speed-up")
    print(f"{args.number} | {s:.2f} | {p:.2f} | {s / p:.2f}x")


if __name__ == "__main__":
    main()
