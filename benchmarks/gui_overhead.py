"""Plotting overhead of the studio on COBA (4000 neurons, live raster and rate), offscreen.

    python benchmarks/gui_overhead.py [--duration 10000] [--repeat 5] [--check]

Three ways to simulate the same network, interleaved ``--repeat`` times to
spread machine noise (medians reported):
- headless: the studio's run worker (``RunWorker``) with no Qt event loop;
- studio, live updates off: the real main window, plots drawn once at the end;
- studio, live updates on: the worker drains the monitors at every chunk
  boundary (~40 times a second) and the plots redraw on their ~30 Hz timer.
Plotting overhead (CPU) = the extra CPU of the live run (worker + GUI thread)
over the live-off run, relative to the simulation's CPU time; it does not
depend on how loaded the machine is.  Wall-clock slowdowns are reported too;
on a loaded 2-core machine every GUI cycle is taken from the simulation, so
they follow the CPU numbers plus noise.  The refresh rate is the number of
timer ticks that drew new data per second of the live run
(``refreshes_per_second``; ``timer_ticks_per_second`` counts every tick).
``--check`` exits 1 when the CPU plotting overhead is 10 % or more or the
refresh rate is under 25 a second.
"""
import argparse
import json
import time
import os
import statistics
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("ANNSTUDIO_STATE_DIR", tempfile.mkdtemp(prefix="annstudio-bench-"))
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QEventLoop  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from annstudio.gui.main_window import MainWindow  # noqa: E402
from annstudio.gui.plots.base import set_page  # noqa: E402
from annstudio.gui.run.worker import RunWorker, build_project  # noqa: E402
from annstudio.project.document import ProjectDocument  # noqa: E402


def coba(duration):
    data = json.loads((ROOT / "projects" / "coba.json").read_text())
    data["protocol"] = [{"action": "simulate", "duration": float(duration)}]
    data["settings"]["paradigm"] = "openmp"
    return data


def headless(data):
    built = build_project(data)
    done = []
    worker = RunWorker(built, lambda t, f: None, done.append, done.append, live=False)
    worker.start()
    worker.join()
    assert done == ["finished"], done
    return worker.simulate_seconds, worker.simulate_cpu_seconds


def studio(app, window, data, live=True):
    window.controller.set_document(ProjectDocument(data))
    window.plots.live.setChecked(live)
    window.build()
    while window.run.state != "ready":
        app.processEvents()
        time.sleep(0.01)
    panel = window.plots
    panel.refresh_seconds, panel.refresh_cpu_seconds, panel.refresh_count = 0.0, 0.0, 0
    panel.tick_count = panel.frame_count = 0
    cpu0 = time.thread_time()
    paint0, plot_cpu0, frame_cpu0 = panel.paint_seconds(), panel.plotting_cpu_seconds(), panel.frame_cpu_seconds
    loop = QEventLoop()
    window.run.finished.connect(loop.quit)
    window.run.failed.connect(loop.quit)
    window.run_simulation()
    if window.run.state not in ("finished", "failed"):
        loop.exec()
    window.run.finished.disconnect(loop.quit)
    window.run.failed.disconnect(loop.quit)
    assert window.run.state == "finished", window.log.toPlainText()[-2000:]
    gui_cpu = time.thread_time() - cpu0
    worker = window.run.worker
    spikes = window.run.current.feed.spikes["M"].times.size
    plotting = panel.refresh_seconds + panel.paint_seconds() - paint0
    return {"wall": worker.simulate_seconds, "worker_cpu": worker.simulate_cpu_seconds, "gui_cpu": gui_cpu,
            "plot": plotting, "plot_cpu": panel.plotting_cpu_seconds() - plot_cpu0,
            "frame_cpu": panel.frame_cpu_seconds - frame_cpu0,
            "ticks": panel.tick_count, "frames": panel.frame_count,
            "interval_ms": panel.timer.interval(), "spikes": spikes}


def page_turn_cost(app, window, turns):
    """CPU ms of one page turn of every live plot (new absolute times on the time axes, the plots
    repainted), measured on the last live run's plots; the time axis reuses its tick layout and only
    relabels (``plots.base.PixelAxis.generateDrawSpecs``)."""
    plots = [p for p in window.plots.plots if p._page is not None]
    if not plots or turns <= 0:
        return None
    width = plots[0]._page[1]
    for p in plots:
        p.view_start = None
    app.processEvents()
    cpu0 = time.thread_time()
    for k in range(turns):
        for p in plots:
            set_page(p, (k + 1000) * width, width)
        app.processEvents()
    return 1000 * (time.thread_time() - cpu0) / turns


def main(argv=None):
    parser = argparse.ArgumentParser(description="studio plotting overhead on COBA")
    parser.add_argument("--duration", type=float, default=10000.0, help="simulated ms per run")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--page-turns", type=int, default=200,
                        help="page turns timed after the runs (CPU per turn of all plots)")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 when the overhead is 10%% or more or under 25 refreshes/s")
    args = parser.parse_args(argv)
    data = coba(args.duration)
    app = QApplication.instance() or QApplication(["annstudio-bench"])
    window = MainWindow()
    window.resize(1600, 1000)
    window.show()
    window.docks["Plots"].raise_()
    headless(data)                                   # warm the build cache
    runs = {"headless": [], "studio_live_off": [], "studio_live_on": []}
    for _ in range(args.repeat):                     # interleaved, to spread machine noise
        wall, cpu = headless(data)
        runs["headless"].append({"wall": wall, "worker_cpu": cpu, "gui_cpu": 0.0, "frames": 0, "ticks": 0,
                                 "plot": 0.0, "plot_cpu": 0.0, "frame_cpu": 0.0})
        for live in (False, True):
            runs["studio_live_on" if live else "studio_live_off"].append(studio(app, window, data, live))
    spikes = runs["studio_live_on"][-1]["spikes"]
    turn_ms = page_turn_cost(app, window, args.page_turns)
    window.controller.stack.setClean()
    window.close()

    def med(mode, key):
        return statistics.median(r[key] for r in runs[mode])

    def total_cpu(r):
        return r["worker_cpu"] + r["gui_cpu"]

    off, on = runs["studio_live_off"], runs["studio_live_on"]
    cpu_overheads = [(total_cpu(b) - total_cpu(a)) / a["worker_cpu"] for a, b in zip(off, on)]
    # its two parts: the GUI thread's extra CPU, and the worker's (draining ~40 times a second;
    # this one is mostly the run-to-run noise of the simulation's own CPU time)
    gui_overheads = [(b["gui_cpu"] - a["gui_cpu"]) / a["worker_cpu"] for a, b in zip(off, on)]
    worker_overheads = [(b["worker_cpu"] - a["worker_cpu"]) / a["worker_cpu"] for a, b in zip(off, on)]
    result = {
        "network": "COBA 4000 neurons, dt 0.1 ms, live raster + rate",
        "simulated_ms": args.duration, "repeat": args.repeat,
        "simulate_wall_s": {m: round(med(m, "wall"), 4) for m in runs},
        "simulate_cpu_s": {m: round(med(m, "worker_cpu"), 4) for m in runs},
        "gui_thread_cpu_s": {m: round(med(m, "gui_cpu"), 4) for m in runs if m != "headless"},
        "plotting_overhead_cpu": round(statistics.median(cpu_overheads), 4),
        "gui_thread_overhead_cpu": round(statistics.median(gui_overheads), 4),
        "worker_overhead_cpu": round(statistics.median(worker_overheads), 4),
        "plotting_overhead_wall": round(med("studio_live_on", "wall") / med("studio_live_off", "wall") - 1, 4),
        "studio_overhead_wall": round(med("studio_live_on", "wall") / med("headless", "wall") - 1, 4),
        "plot_time_in_gui_thread_s": round(med("studio_live_on", "plot"), 4),
        "plot_cpu_in_gui_thread_s": round(med("studio_live_on", "plot_cpu"), 4),
        # refreshes per second of the live run: timer ticks, and ticks that drew new data
        "refreshes_per_second": round(statistics.median(r["frames"] / r["wall"] for r in on), 1),
        "timer_ticks_per_second": round(statistics.median(r["ticks"] / r["wall"] for r in on), 1),
        "plot_cpu_per_refresh_ms": round(1000 * statistics.median(r["plot_cpu"] / max(r["frames"], 1) for r in on), 2),
        "frame_cpu_per_refresh_ms": round(1000 * statistics.median(r["frame_cpu"] / max(r["frames"], 1) for r in on), 2),
        "final_timer_interval_ms": [r["interval_ms"] for r in on],
        "spikes_per_run": spikes,
        # a page turn relabels the time axes; at COBA's pace (~8x real time) ~8 turns a second
        "page_turn_cpu_ms": None if turn_ms is None else round(turn_ms, 3),
        "page_turns_per_run": int(args.duration // 1000.0),
        "all_wall_s": {m: [round(r["wall"], 3) for r in runs[m]] for m in runs},
        "all_overheads_cpu": [round(x, 4) for x in cpu_overheads],
        "all_refreshes_per_second": [round(r["frames"] / r["wall"], 1) for r in on],
    }
    print(json.dumps(result, indent=2))
    if args.check and (result["plotting_overhead_cpu"] >= 0.10 or result["refreshes_per_second"] < 25):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
