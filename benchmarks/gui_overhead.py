"""Plotting overhead of the studio on COBA (4000 neurons, live raster and rate), offscreen.

    python benchmarks/gui_overhead.py [--duration 10000] [--repeat 5] [--check]

Three ways to simulate the same network, interleaved ``--repeat`` times to
spread machine noise (medians reported):
- headless: the studio's run worker (``RunWorker``) with no Qt event loop;
- studio, live updates off: the real main window, plots drawn once at the end;
- studio, live updates on: the worker drains the monitors ~30 times a second
  and the plots redraw on their adaptive timer.
Plotting overhead (CPU) = the extra CPU of the live run (worker + GUI thread)
over the live-off run, relative to the simulation's CPU time; it does not
depend on how loaded the machine is.  Wall-clock slowdowns are reported too;
on a loaded 2-core machine every GUI cycle is taken from the simulation, so
they follow the CPU numbers plus noise.  ``--check`` exits 1 when the CPU
plotting overhead is 10 % or more.
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
    window.plots.refresh_seconds, window.plots.refresh_cpu_seconds, window.plots.refresh_count = 0.0, 0.0, 0
    cpu0 = time.thread_time()
    paint0 = window.plots.paint_seconds()
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
    plotting = window.plots.refresh_seconds + window.plots.paint_seconds() - paint0
    return (worker.simulate_seconds, worker.simulate_cpu_seconds, plotting, gui_cpu,
            window.plots.refresh_count // max(len(window.plots.plots), 1), spikes)


def main(argv=None):
    parser = argparse.ArgumentParser(description="studio plotting overhead on COBA")
    parser.add_argument("--duration", type=float, default=10000.0, help="simulated ms per run")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--check", action="store_true", help="exit 1 when the overhead is 10%% or more")
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
        runs["headless"].append({"wall": wall, "worker_cpu": cpu, "gui_cpu": 0.0, "frames": 0, "plot": 0.0})
        for live in (False, True):
            wall, worker_cpu, plot_s, gui_cpu, frames, spikes = studio(app, window, data, live)
            runs["studio_live_on" if live else "studio_live_off"].append(
                {"wall": wall, "worker_cpu": worker_cpu, "gui_cpu": gui_cpu, "frames": frames, "plot": plot_s})
    window.controller.stack.setClean()
    window.close()

    def med(mode, key):
        return statistics.median(r[key] for r in runs[mode])

    def total_cpu(r):
        return r["worker_cpu"] + r["gui_cpu"]

    off, on = runs["studio_live_off"], runs["studio_live_on"]
    cpu_overheads = [(total_cpu(b) - total_cpu(a)) / a["worker_cpu"] for a, b in zip(off, on)]
    result = {
        "network": "COBA 4000 neurons, dt 0.1 ms, live raster + rate",
        "simulated_ms": args.duration, "repeat": args.repeat,
        "simulate_wall_s": {m: round(med(m, "wall"), 4) for m in runs},
        "simulate_cpu_s": {m: round(med(m, "worker_cpu"), 4) for m in runs},
        "gui_thread_cpu_s": {m: round(med(m, "gui_cpu"), 4) for m in runs if m != "headless"},
        "plotting_overhead_cpu": round(statistics.median(cpu_overheads), 4),
        "plotting_overhead_wall": round(med("studio_live_on", "wall") / med("studio_live_off", "wall") - 1, 4),
        "studio_overhead_wall": round(med("studio_live_on", "wall") / med("headless", "wall") - 1, 4),
        "plot_time_in_gui_thread_s": round(med("studio_live_on", "plot"), 4),
        "plot_frames_per_second": round(med("studio_live_on", "frames") / med("studio_live_on", "wall"), 1),
        "spikes_per_run": spikes,
        "all_wall_s": {m: [round(r["wall"], 3) for r in runs[m]] for m in runs},
    }
    print(json.dumps(result, indent=2))
    if args.check and result["plotting_overhead_cpu"] >= 0.10:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
