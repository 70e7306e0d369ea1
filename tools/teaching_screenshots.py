"""Screenshots of the teaching features from the real studio window, offscreen.

    python tools/teaching_screenshots.py [--out docs/screenshots]

Saves ``neuron_lab.png`` (the single-neuron lab: F-I curve of IF_curr_exp), ``neuron_lab_phase.png``
(the Izhikevich phase plane) and ``lab_sheet.png`` (the first lesson's sheet beside the network it
built, after a run).
"""
import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("ANNSTUDIO_STATE_DIR", tempfile.mkdtemp(prefix="annstudio-shots-"))

from PySide6.QtWidgets import QApplication  # noqa: E402

from annstudio.gui.main_window import MainWindow  # noqa: E402
from annstudio.gui.teaching import open_neuron_lab  # noqa: E402

SIZE = (1500, 950)


def pump(app, seconds=0.3):
    end = time.time() + seconds
    while time.time() < end:
        app.processEvents()
        time.sleep(0.01)


def wait(app, condition, timeout=120.0):
    end = time.time() + timeout
    while not condition():
        if time.time() > end:
            raise TimeoutError("the studio did not get there in time")
        app.processEvents()
        time.sleep(0.01)


def settle(app, lab):
    """Until the lab has no computation running or scheduled."""
    for _ in range(3):
        wait(app, lambda: not lab._busy and not lab.timer.isActive())
        pump(app, 0.4)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    out = Path(parser.parse_args().out)
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv)
    win = MainWindow()
    win.resize(*SIZE)
    win.show()
    win.new_project()
    pump(app)

    lab = win.neuron_lab
    open_neuron_lab(win, "IF_curr_exp", "fi")
    lab.param_fields["tau_refrac"].set_value(2.0)
    lab.lab.set_params({"tau_refrac": 2.0})
    wait(app, lambda: not lab._busy)
    lab.compute()
    settle(app, lab)
    lab.grab().save(str(out / "neuron_lab.png"))
    open_neuron_lab(win, "Izhikevich", "phase")
    lab.pp_start = (-70.0, -14.0)
    wait(app, lambda: not lab._busy)
    lab.compute()
    settle(app, lab)
    lab.grab().save(str(out / "neuron_lab_phase.png"))

    sheet = win.lab_sheet
    sheet.show_sheet("first_lesson")
    for k, action in enumerate(sheet.current.actions):
        if action.verb in ("run", "lab"):
            continue
        sheet.trigger(k)
    win.docks["Lab sheet"].raise_()
    win.tabs.setCurrentWidget(win.canvas)
    win.canvas.fit_all()
    win.run_simulation()
    wait(app, lambda: win.run.state in ("finished", "idle", "failed", "stopped"))
    pump(app, 1.0)
    win.grab().save(str(out / "lab_sheet.png"))
    win.run.stop_and_wait()
    win.controller.stack.setClean()
    print("saved", ", ".join(p.name for p in sorted(out.glob("*lab*.png"))))


if __name__ == "__main__":
    main()
