"""The scripted first lesson, through the studio's own actions and gestures: from an empty
project build Poisson input -> LIF, record the LIF spikes, run at real time, raise the
input weight during the run and see the LIF rate change within 100 ms (simulated time
measured against the pace's wall-clock schedule, no wall-clock assert), scroll back to
t = 0, and open the F-I curve of the LIF type in the single-neuron lab."""
import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from gui_helpers import drag_on_canvas, drop_from_palette

pytestmark = pytest.mark.gui

RUN_TIMEOUT = 90_000


def test_first_lesson(window, qtbot):
    # an empty project
    window.actions["new"].trigger()
    window.show_workspace()
    window.resize(1400, 1000)
    window.resizeDocks([window.docks["Plots"]], [500], Qt.Vertical)
    qtbot.wait(20)
    doc = window.controller.document
    assert doc.items("populations") == [] and isinstance(doc.data["settings"]["seed"], int)
    doc.data["settings"]["paradigm"] = "numpy"        # (no compiler needed for the lesson's 100 neurons)
    # Poisson input -> LIF, by drag and drop and a shift-drag between the nodes
    assert drop_from_palette(window.palette, window.canvas, "PoissonPopulation", QPointF(-250, 0))
    assert drop_from_palette(window.palette, window.canvas, "LIF", QPointF(250, 0))
    source, lif = [p["name"] for p in doc.items("populations")]
    drag_on_canvas(window.canvas, QPointF(-250, 0), QPointF(250, 0), modifiers=Qt.ShiftModifier)
    (proj,) = doc.items("projections")
    assert (proj["pre"], proj["post"]) == (source, lif)
    # record the LIF population's spikes (inspector, Recording)
    window.scene.select(lif)
    window.inspector.population.monitor.variables.item(0).setCheckState(Qt.Checked)
    assert doc.monitors_of(lif)
    # real time, run
    window.pace_box.set_pace(1.0)
    window.actions["run"].trigger()
    qtbot.waitUntil(lambda: window.run.state == "running" and window.run.worker.t >= 500.0, timeout=RUN_TIMEOUT)
    # raise the input weight during the run (live parameters: projection weight)
    window.live_params.refresh_choices()
    control = window.live_params.add_control(proj["name"], "w")
    control.field.setText("10")
    control.field.editingFinished.emit()
    qtbot.waitUntil(lambda: window.run.state == "finished", timeout=RUN_TIMEOUT)
    worker = window.run.worker
    (change,) = worker.applied
    assert change["target"] == proj["name"] and change["value"] == 10.0
    lag_ms = change["applied_t"] - change["posted_schedule_t"]     # at real time: ms of wall time
    assert lag_ms <= 100.0
    t = change["applied_t"]
    rate = window.plots.plot_of("rate", lif)
    feed = window.run.current.feed
    before, after = rate.mean_rate(feed, t - 400.0, t), rate.mean_rate(feed, t, t + 100.0)
    print(f"\nfirst lesson: change applied {lag_ms:.1f} ms of simulated time after the pace's schedule "
          f"({1000 * (change['applied_wall'] - change['posted_wall']):.1f} ms of wall time); "
          f"LIF rate {before:.1f} Hz before, {after:.1f} Hz in the 100 ms after")
    assert before > 5.0 and after > 1.5 * before                   # within 100 ms of the change
    # scroll back to t = 0
    window.plots.timebar.bar.setValue(0)
    raster = window.plots.plot_of("raster", lif)
    assert raster._layout[0] == 0.0
    with feed.lock:
        first_page = len(feed.spikes[raster.monitor].window(0.0, 1000.0)[0])
    assert raster.image_counts().sum() == first_page > 0
    assert raster.plot.getAxis("bottom").tickStrings([0.0], 1.0, 100.0) == ["0"]
    # the F-I curve of the LIF type
    window.scene.select(lif)
    window.actions["neuron_lab"].trigger()
    lab = window.neuron_lab
    qtbot.waitUntil(lambda: "fi" in lab.results, timeout=RUN_TIMEOUT)
    fi = lab.results["fi"]
    assert lab.lab.neuron.name == "LIF"
    rates = np.asarray(fi.rates)
    assert rates[0] == 0.0 and rates[-1] > 10.0 and np.all(np.diff(rates) >= -1e-9)
