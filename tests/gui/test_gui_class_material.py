"""Class material that is hard to damage, and live controls that tell the truth: gallery
examples open as untitled copies (Save asks where; the shipped file is untouched), new
projects get a seed, the LIF template fires with its default weights, a failed run shows a
red bar stopped where it failed, dock tabs show whole titles, Quit -> Discard raises
nothing, per-slice parameters get one control per slice, projection weights can be set."""
import copy
import json
from pathlib import Path

import numpy as np
import pytest
import shiboken6
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QFileDialog, QTabBar

from annstudio.gui import files
from annstudio.project.document import ProjectDocument
from gui_helpers import drop_from_palette, spiking_project

pytestmark = pytest.mark.gui

ROOT = Path(__file__).resolve().parents[2]
RUN_TIMEOUT = 90_000


def test_gallery_example_opens_as_an_untitled_copy(window, qtbot, tmp_path, monkeypatch):
    shipped = ROOT / "projects" / "izhikevich.json"
    before = shipped.read_bytes()
    window.show_start_page()
    window.start_page.openRequested.emit(str(shipped))          # what a click on the gallery does
    doc = window.controller.document
    assert doc.path is None and doc.name == json.loads(before)["name"]
    assert str(shipped) not in files.recent_files()
    target = tmp_path / "my_izhikevich.json"
    asked = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (asked.append(a) or str(target), "")))
    window.actions["save"].trigger()                           # Ctrl+S asks where
    assert asked and target.exists()
    assert shipped.read_bytes() == before
    assert window.controller.document.path == str(target)


def test_new_project_has_a_seed(window, qtbot):
    window.actions["new"].trigger()
    seed = window.controller.document.data["settings"]["seed"]
    assert isinstance(seed, int) and seed > 0
    window.actions["new"].trigger()
    assert window.controller.document.data["settings"]["seed"] != seed or seed == 1   # drawn per project


def test_lif_template_fires_with_default_weights(window, qtbot):
    window.actions["new"].trigger()
    window.show_workspace()
    qtbot.wait(20)
    assert drop_from_palette(window.palette, window.canvas, "PoissonPopulation", QPointF(-200, 0))
    assert drop_from_palette(window.palette, window.canvas, "LIF", QPointF(200, 0))
    names = [p["name"] for p in window.controller.document.items("populations")]
    window.scene.connect_populations(names[0], names[1])
    window.controller.document.data["settings"]["paradigm"] = "numpy"
    window.scene.select(names[1])
    form = window.inspector.population.monitor
    form.variables.item(0).setCheckState(Qt.Checked)            # record spikes
    window.actions["run"].trigger()
    qtbot.waitUntil(lambda: window.run.state in ("finished", "failed"), timeout=RUN_TIMEOUT)
    assert window.run.state == "finished", window.log.toPlainText()[-1500:]
    feed = window.run.current.feed
    (buf,) = feed.spikes.values()
    assert buf.total / 100 > 5.0                                # > 5 Hz per neuron over 1 s


def test_failed_run_shows_a_red_bar_where_it_stopped(window, qtbot):
    data = spiking_project(duration=5000.0)
    data["neurons"]["LIF"]["equations"] = "tau * dv/dt = -v + I + g_exc - g_inh + 1e-9 * sqrt(50 - t)"
    data["neurons"]["LIF"]["spike"] = "v > 1e300"
    window.controller.set_document(ProjectDocument(data))
    window.show_workspace()
    window.progress_bar.setValue(window.progress_bar.maximum())        # a previous run ended
    window.actions["run"].trigger()
    qtbot.waitUntil(lambda: window.run.state in ("failed", "finished"), timeout=RUN_TIMEOUT)
    assert window.run.state == "failed"
    bar = window.progress_bar
    assert bar.value() < 0.1 * bar.maximum()                   # it failed near t = 50 of 5000 ms
    assert "#c0392b" in bar.styleSheet()
    window.controller.set_document(ProjectDocument(spiking_project(duration=50.0)))
    window.actions["run"].trigger()
    qtbot.waitUntil(lambda: window.run.state == "finished", timeout=RUN_TIMEOUT)
    assert bar.styleSheet() == ""


def test_dock_tabs_show_whole_titles(window, qtbot):
    qtbot.wait(50)
    bars = [b for b in window.findChildren(QTabBar) if b.parent() is window]
    assert bars
    seen = set()
    for bar in bars:
        assert bar.elideMode() == Qt.ElideNone
        for i in range(bar.count()):
            seen.add(bar.tabText(i))
    assert {"Inspector", "Settings", "History"} <= seen


def test_quit_discard_raises_nothing(window, qtbot):
    window.controller.set_document(ProjectDocument(spiking_project()))
    window.scene.select("exc")
    window.controller.push(__import__("annstudio.project.commands", fromlist=["SetField"])
                           .SetField("populations", "exc", "geometry", [10]))
    assert window.controller.dirty
    window.answers = ["discard"]
    with qtbot.captureExceptions() as exceptions:
        window.actions["quit"].trigger()
        assert not window.isVisible()
        shiboken6.delete(window.scene)                     # as at interpreter exit: children go first
        shiboken6.delete(window.controller.stack)
        qtbot.wait(10)
    assert exceptions == []
    window.controller.stack = type("Gone", (), {"setClean": lambda self: None})()   # for the fixture


def test_per_slice_parameter_gets_one_control_per_slice(window, qtbot):
    data = json.loads((ROOT / "projects" / "izhikevich.json").read_text())
    data["settings"]["paradigm"] = "numpy"
    window.controller.set_document(ProjectDocument(data))
    live = window.live_params
    live.refresh_choices()
    first = live.add_control("pop", "noise")
    controls = [c for c in live.controls.values() if c.parameter == "noise"]
    assert [c.value for c in controls] == [5.0, 2.0]            # not 0 for both groups
    assert all(c.hi >= 2 * c.value for c in controls)           # the slider reaches past the value
    assert first.field.text() == "5"
    window.actions["build"].trigger()
    qtbot.waitUntil(lambda: window.run.state in ("ready", "failed"), timeout=RUN_TIMEOUT)
    assert window.run.state == "ready", window.log.toPlainText()[-1500:]
    controls[1].field.setText("3.5")
    controls[1].field.editingFinished.emit()                   # typed: changes the second group only
    noise = np.asarray(window.run.current.sim.get("pop", "noise"))
    assert np.all(noise[:800] == 5.0) and np.all(noise[800:] == 3.5)


def test_projection_weights_can_be_controlled_live(window, qtbot):
    data = spiking_project(size=50, duration=100.0)
    window.controller.set_document(ProjectDocument(copy.deepcopy(data)))
    live = window.live_params
    choices = [live.chooser.itemText(i) for i in range(live.chooser.count())]
    assert "rec.w" in choices
    control = live.add_control("rec", "w")
    assert control.value == pytest.approx(0.02)
    window.actions["build"].trigger()
    qtbot.waitUntil(lambda: window.run.state in ("ready", "failed"), timeout=RUN_TIMEOUT)
    control.set_value(0.5)
    w = window.run.current.sim.weights("rec")
    assert w.size > 0 and np.all(w == 0.5)
