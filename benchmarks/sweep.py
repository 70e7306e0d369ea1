"""Sweep executors: 16 variants of COBA 4000 (1 s each), sequential vs 2 local processes vs a 2-worker Dask cluster.

Usage: python benchmarks/sweep.py [--variants 16] [--duration 1000] [--workers 2] [--paradigm openmp]
                                  [--vary Ce.w=0.4:0.8:16] [--modes sequential,local,dask] [--size 4000]
                                  [--dask processes|local] [--rounds 5] [--cold]

The project is projects/coba.json (``--size`` scales it, keeping 80 inputs per neuron); every variant sets its
value on the compiled network: one kernel build in all (warmed first), then each worker opens the library once
and every later variant reuses it (``opens``: library opens per mode, at most one per worker).  ``--rounds``
(default 5) interleaves the modes, each round with its own seed (so every mode lowers the network afresh);
the table gives median walls and the speed-up of the medians with its range over rounds.  Workers are
started before the clock starts and every process starts as warm as the sequential mode's: each worker has run
the warm-up sweep (10 ms of the same network, so the kernel library is open), as this process has before the
sequential runs; the wall time is what a sweep costs on a cluster that has run one before.  ``--cold`` warms
the workers with an import only (their first variant opens the library and pays first-run costs, which the
sequential process has already paid).  Per mode it prints the wall time, the speed-up over sequential, the mean simulation time
of a run and the per-variant overhead split out (means over the variants): ``compile`` (lowering,
connectivity, kernel cache hit, instance and monitors; variants that did not open the library, whose
first-open cost is shown with ``opens``), ``set-up`` (the varied values), ``result`` (recordings
and summary numbers on the worker), ``transfer`` (the worker's return to the caller's receipt) and
``overhead`` = ``(wall * workers - sum(run_s)) / variants``, everything a variant costs beyond its simulation
(idle workers at the end included).  The Dask cluster is a ``distributed.LocalCluster`` (its scheduler in this
process, a nanny process per worker); ``--dask processes`` starts a ``dask scheduler`` and single-threaded
``dask worker --no-nanny`` processes on 127.0.0.1 instead, as a cluster's hosts would run them.  Run it on an idle machine (``uptime`` is printed too).
"""
import argparse
import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import distributed
import numpy as np

from annstudio.project.sweeps import project_sweep
from annstudio.project.validate import check_document, load_project
from annstudio.session.executors import DaskExecutor, ProcessExecutor, SequentialExecutor

ROOT = Path(__file__).resolve().parents[1]


def _import_engine(_):
    """What a worker that has run a sweep before holds: annstudio imported (not timed as a variant's cost).
    Takes 50 ms, so that a batch of these spreads over every worker."""
    import annstudio.session.sweep_run  # noqa: F401
    time.sleep(0.05)
    return os.getpid()


def _warm_run(task):
    """The warm-up sweep's run on a worker (what the sequential mode's process has run before its sweeps)."""
    from annstudio.session.sweep_run import run_packed
    run_packed(task)
    return os.getpid()


def _warm(executor, task=None):
    """Until every worker has run ``task`` (imported annstudio only, with ``task`` None).  A batch can land on
    one worker only: the other would then pay its first run inside the timed sweep."""
    seen = set()
    fn, tasks = (_import_engine, [0]) if task is None else (_warm_run, [task])
    for _ in range(20):
        seen.update(pid for _, pid in executor.results(fn, tasks * (2 * executor.workers)))
        if len(seen) >= executor.workers:
            return
    raise SystemExit(f"only {len(seen)} of {executor.workers} workers answered")


def _measure(sweep, executor, warm_task=None):
    if not isinstance(executor, SequentialExecutor):
        _warm(executor, warm_task)
    t0 = time.perf_counter()
    result = sweep.run(executor=executor)
    wall = time.perf_counter() - t0
    outcomes = list(result.outcomes.values())
    timing = {k: np.array([o["timings"].get(k, np.nan) for o in outcomes])
              for k in ("build_s", "set_s", "run_s", "result_s", "transfer_s")}
    opened = np.array([o.get("kernel_loads", 0) > 0 for o in outcomes])
    means = {k: float(np.mean(v)) for k, v in timing.items()}
    means["build_s"] = float(np.mean(timing["build_s"][~opened])) if (~opened).any() else float("nan")
    means["first_s"] = float(np.mean(timing["build_s"][opened])) if opened.any() else float("nan")
    return {"wall": wall, "means": means,
            "overhead": (wall * executor.workers - timing["run_s"].sum()) / len(outcomes),
            "builds": sum(o["kernel_builds"] for o in outcomes),
            "opens": sum(o.get("kernel_loads", 0) for o in outcomes),
            "rates": result.table["M.rate"], "n": len(outcomes), "workers": executor.workers,
            "failed": len(result.failed)}


@contextlib.contextmanager
def _dask_client(kind, workers):
    """A 2-worker cluster: ``local`` is a ``distributed.LocalCluster`` (scheduler in this process, nanny
    processes); ``processes`` starts ``dask scheduler`` and ``workers`` single-threaded ``dask worker --no-nanny``
    processes on 127.0.0.1, as a cluster's hosts would run them, and stops them afterwards."""
    if kind == "local":
        with distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                      dashboard_address=None, host="127.0.0.1") as cluster, \
                distributed.Client(cluster) as client:
            yield client
        return
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"

    def start(*args):
        return subprocess.Popen([sys.executable, "-m", "dask", *args], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
    procs = [start("scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard")]
    try:
        procs += [start("worker", address, "--nthreads", "1", "--no-nanny", "--host", "127.0.0.1",
                        "--no-dashboard", "--name", f"w{i}") for i in range(workers)]
        deadline = time.monotonic() + 120
        while True:
            try:
                client = distributed.Client(address, timeout=10)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        with client:
            client.wait_for_workers(workers, timeout=120)
            yield client
    finally:
        for proc in procs[::-1]:                  # workers first, then the scheduler
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


def _num(value):
    return "-" if not np.isfinite(value) else f"{value:.3f}"


def _opens(row):
    return f"{row['opens']} ({row['means']['first_s']:.2f})" if row["opens"] else "0"


def _project(size):
    """projects/coba.json, or the same network with ``size`` neurons (80 % excitatory, 80 inputs per neuron)."""
    path = ROOT / "projects" / "coba.json"
    if size is None:
        return load_project(path)
    doc = json.loads(path.read_text())
    ne = int(0.8 * size)
    doc["populations"][0]["geometry"] = int(size)
    for proj, part in zip(doc["projections"], ([0, ne], [ne, int(size)])):
        proj["pre"]["slice"] = part
        proj["connector"]["args"]["probability"] = min(1.0, 80.0 / size)
    return check_document(doc, path=path)


def _round(args, project, vary, seed, warm_task):
    """One round: every mode on the sweep of this round's seed (its own lowering: no mode starts warm)."""
    sweep = project_sweep(project, [vary], limit=args.duration, paradigm=args.paradigm, seed=seed)
    rows = {}
    for mode in args.modes.split(","):
        if mode == "sequential":
            rows[mode] = _measure(sweep, SequentialExecutor())
        elif mode == "local":
            with ProcessExecutor(args.workers) as executor:
                rows[mode] = _measure(sweep, executor, warm_task)
        elif mode == "dask":
            with _dask_client(args.dask, args.workers) as client, DaskExecutor(client=client) as executor:
                rows[mode] = _measure(sweep, executor, warm_task)
    ref = next(iter(rows.values()))["rates"]
    same = all(np.array_equal(r["rates"], ref) for r in rows.values())
    complete = all(r["n"] == sweep.total and not r["failed"] for r in rows.values())
    if not (same and complete):
        raise SystemExit(f"round with seed {seed}: the modes disagree or runs are missing")
    return sweep, rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--variants", type=int, default=16)
    ap.add_argument("--duration", type=float, default=1000.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--paradigm", default="openmp")
    ap.add_argument("--vary", default=None, help="NAME=VALUES (default Ce.w=0.4:0.8:VARIANTS)")
    ap.add_argument("--modes", default="sequential,local,dask")
    ap.add_argument("--size", type=int, default=None, help="neurons (default: the project's 4000)")
    ap.add_argument("--rounds", type=int, default=5, help="interleaved rounds (each mode once per round)")
    ap.add_argument("--dask", choices=("local", "processes"), default="local",
                    help="the Dask cluster: a LocalCluster in this process (default), or a scheduler and no-nanny "
                         "workers as separate processes")
    ap.add_argument("--cold", action="store_true",
                    help="workers warmed with an import only (not with the warm-up sweep the sequential process ran)")
    args = ap.parse_args()
    print("uptime:", os.popen("uptime").read().strip())
    project = _project(args.size)
    vary = args.vary or f"Ce.w=0.4:0.8:{args.variants}"
    warm = project_sweep(project, [vary.split("=")[0] + "=0.5"], limit=10.0, paradigm=args.paradigm, seed=1)
    warm.run(executor=SequentialExecutor())                    # the kernel into the build cache, and open here
    warm_task = None if args.cold else warm.tasks()[0]        # ... and on every worker
    rounds = []
    for k in range(args.rounds):
        sweep, rows = _round(args, project, vary, 1000 + k, warm_task)
        rounds.append(rows)
        print(f"round {k + 1}: " + ", ".join(f"{m} {r['wall']:.3f} s" for m, r in rows.items()), flush=True)
    modes = list(rounds[0])
    walls = {m: np.array([r[m]["wall"] for r in rounds]) for m in modes}
    median_round = {m: rounds[int(np.argsort(walls[m])[len(rounds) // 2])][m] for m in modes}
    base = walls.get("sequential")
    size = project.spec.populations[0].size
    print(f"\n{sweep.total} variants of COBA {size} ({args.paradigm}), {args.duration:g} ms each, varying {vary}; "
          f"{args.rounds} interleaved rounds (own seed each), medians; per-variant columns from the median round; "
          f"workers warmed with {'an import only (--cold)' if args.cold else 'the warm-up sweep, as this process'}")
    print("| mode | workers | wall (s), median | speed-up (of medians) | speed-up per round (min-max) | mean run (s) | "
          "compile, cache hit (s) | set-up (s) | result (s) | transfer (s) | overhead/variant (s) | builds | "
          "opens (s each) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for mode in modes:
        r, m = median_round[mode], median_round[mode]["means"]
        wall = float(np.median(walls[mode]))
        if base is not None:
            per = base / walls[mode]
            speed, spread = f"{float(np.median(base)) / wall:.2f}x", f"{per.min():.2f}-{per.max():.2f}x"
        else:
            speed = spread = "-"
        print(f"| {mode} | {r['workers']} | {wall:.3f} | {speed} | {spread} | {m['run_s']:.3f} | "
              f"{_num(m['build_s'])} | {m['set_s']:.4f} | {m['result_s']:.3f} | {m['transfer_s']:.3f} | "
              f"{r['overhead']:.3f} | {r['builds']} | {_opens(r)} |")
    print(f"\nevery run in every mode and round: True; same rates in every mode (per round): True; "
          f"rates of the last round (Hz): {np.round(next(iter(rounds[-1].values()))['rates'], 2).tolist()}")


if __name__ == "__main__":
    main()
