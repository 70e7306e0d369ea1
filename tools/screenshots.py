"""Take the README screenshots from the real studio (offscreen, or under X).

    python tools/screenshots.py [--out docs/screenshots]

Opens the main window with ``QT_QPA_PLATFORM=offscreen``, loads example
projects from ``projects/`` and saves PNGs of: the network canvas with the
inspector, the equation editor (clean, then with two typos, each underlined and
listed), the protocol table, and the live plots during a COBA run (grabbed mid-run).
Under a real X server: ``Xvfb :99 & DISPLAY=:99 QT_QPA_PLATFORM=xcb python tools/screenshots.py``.
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

from PySide6.QtCore import QPointF, Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from annstudio.gui.main_window import MainWindow  # noqa: E402
from annstudio.gui.run import worker as worker_module  # noqa: E402
from annstudio.project import commands as C  # noqa: E402

SIZE = (1600, 1000)


def wait(app, condition, timeout=300.0):
    end = time.time() + timeout
    while not condition():
        if time.time() > end:
            raise TimeoutError("the studio did not get there in time")
        app.processEvents()
        time.sleep(0.005)


def settle(app, seconds=0.3):
    end = time.time() + seconds
    while time.time() < end:
        app.processEvents()
        time.sleep(0.01)


def build_ei_network(window, app):
    """Input -> excitatory <-> inhibitory, made with palette drops and arrows."""
    window.new_project()
    scene, push = window.scene, window.controller.push
    for name, pos in (("PoissonPopulation", (-330, 0)), ("LIF", (0, -90)), ("LIF", (0, 120))):
        scene.drop_type("neurons", name, QPointF(*pos))
    for old, new in (("pop", "input"), ("pop1", "exc"), ("pop2", "inh")):
        push(C.RenameItem("populations", old, new))
    push(C.SetField("populations", "exc", "geometry", [800]))
    push(C.SetField("populations", "inh", "geometry", [200]))
    scene.connect_populations("input", "exc")
    scene.connect_populations("exc", "exc")
    scene.connect_populations("exc", "inh")
    scene.connect_populations("inh", "exc", target="inh")
    settle(app)
    window.canvas.fit_all()
    scene.select("exc")
    settle(app)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(["annstudio"])
    window = MainWindow()
    window.resize(*SIZE)
    window.show()
    settle(app)
    saved = []

    def shoot(name, widget=None):
        settle(app)
        path = out / name
        (widget or window).grab().save(str(path))
        saved.append(path)
        print("wrote", path)

    window.show_start_page()
    shoot("start_page.png")

    # 1. the canvas: an example with its projection in the inspector, then a network
    #    built from the palette the way a user does (drops, arrows, renames)
    window.open_path(str(ROOT / "projects" / "stdp.json"))
    window.resizeDocks([window.docks["Plots"]], [220], Qt.Vertical)
    settle(app)
    window.canvas.fit_all()
    settle(app)
    scene = window.scene
    first_projection = next(iter(scene.edges), None)
    if first_projection:
        scene.select(first_projection)
    shoot("canvas_example.png")
    build_ei_network(window, app)
    shoot("canvas.png")

    # 2. the equation editor on the COBA neuron, then a typo underlined
    window.controller.stack.setClean()
    window.open_path(str(ROOT / "projects" / "coba.json"))
    settle(app)
    window.tabs.setCurrentWidget(window.equations)
    editor = window.equations
    editor.show_type("neurons", "COBA")
    editor.validate()
    shoot("equation_editor.png")
    equations = editor.edits["equations"]
    text = equations.toPlainText()
    equations.setPlainText(text.replace("g_exc * (Erev_exc - v)", "g_exc * (Erev_ex - v)", 1))
    spike = editor.edits["spike"]
    spike.setPlainText(spike.toPlainText().replace("Vt", "V_t", 1))       # a second typo: both are listed
    wait(app, lambda: editor.last_error is not None and "V_t" in editor.status.text(), 10)
    shoot("equation_error.png")
    window.controller.stack.undo()
    window.controller.stack.undo()
    editor.validate()

    # 2b. the protocol as a table of typed cells (Settings dock)
    window.tabs.setCurrentWidget(window.canvas)
    push = window.controller.push
    push(C.SetProtocol([{"action": "simulate", "duration": 500.0, "label": "warm up"},
                        {"action": "set", "target": "P", "variable": "I", "value": 25.0},
                        {"action": "simulate", "duration": 500.0},
                        {"action": "reset"}]))
    window.docks["Settings"].raise_()
    settle(app)
    shoot("protocol_table.png")
    window.controller.stack.undo()
    window.docks["Inspector"].raise_()

    # 3. live plots during a COBA run (4000-neuron raster), grabbed mid-run
    window.tabs.setCurrentWidget(window.canvas)
    window.canvas.fit_all()
    document = window.controller.document
    document.data["protocol"] = [{"action": "simulate", "duration": 4000.0}]
    window.resizeDocks([window.docks["Plots"]], [520], Qt.Vertical)
    settle(app)
    window.canvas.fit_all()
    # chunks of at most 10 simulated ms, so that the pause lands where asked: the worker
    # sizes its chunks to ~25 ms of wall time, ~400 simulated ms of COBA (a whole new page)
    worker_module.MAX_CHUNK_MS = 10.0
    window.run_simulation()
    wait(app, lambda: window.run.state in ("running", "failed"), 600)
    wait(app, lambda: window.run.state != "running" or window.run.current.feed.t >= 1600.0, 120)
    window.run.pause()
    settle(app, 0.5)
    window.plots.refresh()
    shoot("live_plots.png")
    shoot("plots_panel.png", window.plots)
    window.run.stop()
    wait(app, lambda: window.run.state in ("stopped", "finished", "failed"), 60)
    window.controller.stack.setClean()
    window.close()
    return saved


if __name__ == "__main__":
    main()
