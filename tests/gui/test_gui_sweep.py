"""The sweep dashboard: "Sweep this parameter" from the inspector, thumbnails filling live, the summary curve,
a run's plots, stop and resume."""
import copy

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from annstudio.project.document import ProjectDocument
from annstudio.gui.sweep.plots import RunView
from gui_helpers import spiking_project

pytestmark = pytest.mark.gui


def _open(window, duration=100.0):
    data = spiking_project(size=40, duration=duration, dt=0.5)
    window.controller.set_document(ProjectDocument(copy.deepcopy(data)))
    window.show_workspace()
    window.inspector.show_item(("population", "exc"))


def _sweep_action(window, var):
    form = window.inspector.population.initial_form
    for row in range(form.rowCount()):
        label = form.itemAt(row, form.ItemRole.LabelRole).widget()
        if isinstance(label, QLabel) and label.text() == var:
            return next(a for a in label.actions() if a.text().startswith("Sweep this parameter"))
    raise AssertionError(f"no initial-value row {var}")


def test_a_3x2_sweep_fills_six_thumbnails_and_the_summary_curve(window, qtbot):
    _open(window)
    _sweep_action(window, "I").trigger()
    panel = window.sweep_panel
    assert panel.parameter.text() == "exc.I" and window.docks["Sweep"].isVisible()
    panel.values.setText("1.1,1.5,2.2")
    panel.seeds.setValue(2)
    qtbot.mouseClick(panel.run_button, Qt.LeftButton)
    with qtbot.waitSignal(panel.finished, timeout=120_000) as done:
        pass
    result = done.args[0]
    assert result is not None and not result.failed and len(result.outcomes) == 6
    grid = panel.grid
    assert len(grid.thumbnails) == 6
    for run, thumb in grid.thumbnails.items():
        outcome = panel.outcomes[run]
        index = grid.grid.indexOf(thumb)
        assert grid.grid.getItemPosition(index)[:2] == (outcome["point"], outcome["replicate"])
        times = panel.recordings[run]["m_exc.spike.times"]
        assert thumb.kind == "raster" and len(thumb.item.data) == times.size > 0
    curve = panel.curve
    assert panel.metric.currentText() == "m_exc.rate"
    assert curve.getAxis("left").labelText == "m_exc: mean rate (Hz), ± s.d. over seeds"
    assert list(curve.x) == [1.1, 1.5, 2.2]
    rates = result.table["m_exc.rate"].reshape(3, 2)
    assert np.allclose(curve.mean, rates.mean(axis=1)) and np.allclose(curve.std, rates.std(axis=1))
    assert np.all(np.diff(curve.mean) > 0)                  # more drive, faster firing
    x, y = curve.curve.getData()
    assert list(x) == [1.1, 1.5, 2.2] and np.allclose(y, curve.mean)
    assert np.allclose(curve.bars.opts["height"], 2 * curve.std)
    # a thumbnail opens that run's plots
    thumb = grid.thumbnails[3]
    qtbot.mouseClick(thumb.viewport(), Qt.LeftButton)
    view = panel.views[-1]
    assert isinstance(view, RunView) and "seed" in view.windowTitle()
    assert set(view.plots) == {"m_exc.spike.times", "m_exc.v"}
    scatter = view.plots["m_exc.spike.times"].listDataItems()[0]
    assert len(scatter.data) == panel.recordings[3]["m_exc.spike.times"].size


def test_a_stopped_sweep_resumes_with_the_missing_runs(window, qtbot):
    # runs long enough (~1 s each) and enough of them that a stop after the first result leaves some pending
    _open(window, duration=6000.0)
    panel = window.sweep_panel
    panel.sweep_parameter("exc.I")
    panel.values.setText("1.1:2.3:12")
    seen = []
    original = panel._result

    def stop_after_first(outcome, done, total):
        seen.append(outcome["run"])
        original(outcome, done, total)
        if len(seen) == 1:
            panel.stop()

    panel._result = stop_after_first
    panel.start()
    with qtbot.waitSignal(panel.finished, timeout=120_000) as first:
        pass
    assert first.args[0].stopped and 1 <= len(panel.grid.thumbnails) < 12
    assert panel.resume_button.isEnabled()
    qtbot.mouseClick(panel.resume_button, Qt.LeftButton)
    with qtbot.waitSignal(panel.finished, timeout=120_000) as second:
        pass
    assert not second.args[0].stopped and len(second.args[0].outcomes) == 12
    assert sorted(seen) == list(range(12)) and len(panel.grid.thumbnails) == 12
    assert not panel.resume_button.isEnabled()
