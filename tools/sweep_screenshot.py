"""Take the README's sweep dashboard screenshot from the real studio, offscreen.

    python tools/sweep_screenshot.py [--out docs/screenshots] [--duration 500] [--workers 2]

Opens ``projects/coba.json`` (COBA, 4000 neurons), selects the excitatory projection ``Ce`` in the
inspector and uses its Weights row's "Sweep this parameter..." (the path a user takes); sweeps ``Ce.w``
over 0.4:0.8:5 with 2 seeds on local worker processes, each run ``--duration`` ms, and saves
``sweep_dashboard.png`` once all ten thumbnails and the summary curve are drawn.
"""
import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))
os.environ.setdefault("ANNSTUDIO_STATE_DIR", tempfile.mkdtemp(prefix="annstudio-shots-"))

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication, QLabel  # noqa: E402

from annstudio.gui.main_window import MainWindow  # noqa: E402
from screenshots import SIZE, settle, wait  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--duration", type=float, default=500.0)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(["annstudio"])
    window = MainWindow()
    window.resize(*SIZE)
    window.show()
    settle(app)
    window.open_path(str(ROOT / "projects" / "coba.json"))
    window.controller.document.data["protocol"] = [{"action": "simulate", "duration": args.duration}]
    settle(app)
    window.canvas.fit_all()
    window.scene.select("Ce")
    window.inspector.show_item(("projection", "Ce"))
    settle(app)
    weights = next(w for w in window.inspector.projection.findChildren(QLabel) if w.text() == "Weights")
    next(a for a in weights.actions() if a.text().startswith("Sweep this parameter")).trigger()
    panel = window.sweep_panel
    panel.values.setText("0.4:0.8:5")
    panel.seeds.setValue(2)
    panel.workers.setValue(args.workers)
    window.resizeDocks([window.docks["Sweep"]], [520], Qt.Vertical)
    settle(app)
    panel.start()
    results = []
    panel.finished.connect(results.append)
    wait(app, lambda: results, 900)
    if results[0] is None or len(results[0].outcomes) != 10:
        raise SystemExit(f"the sweep did not finish: {panel.status.text()}")
    window.canvas.fit_all()
    settle(app, 1.0)
    path = out / "sweep_dashboard.png"
    window.grab().save(str(path))
    print("wrote", path)
    panel.shutdown()
    window.controller.stack.setClean()
    window.close()
    return path


if __name__ == "__main__":
    main()
