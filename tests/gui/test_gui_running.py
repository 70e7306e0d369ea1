"""Running from the studio: build and run off the GUI thread, live plots
receive data, stop/pause/step, live parameters change the activity, errors
are shown without losing the project."""
import copy

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from annstudio.project.document import ProjectDocument
from gui_helpers import spiking_project

pytestmark = pytest.mark.gui

RUN_TIMEOUT = 60_000


def _load(window, data):
    window.controller.set_document(ProjectDocument(copy.deepcopy(data)))
    window.show_workspace()


def _run_and_wait_for(window, qtbot, condition, timeout=RUN_TIMEOUT):
    window.actions["run"].trigger()
    qtbot.waitUntil(condition, timeout=timeout)


def test_run_fills_raster_and_traces(window, qtbot):
    _load(window, spiking_project(duration=500.0))
    before = window.controller.document.to_dict()
    _run_and_wait_for(window, qtbot, lambda: window.run.state == "finished")
    qtbot.wait(100)
    raster = window.plots.plot_of("raster", "exc")
    trace = window.plots.plot_of("trace", "exc")
    rate = window.plots.plot_of("rate", "exc")
    assert raster is not None and trace is not None and rate is not None
    feed = window.run.current.feed
    assert raster.spike_count(feed) > 100
    assert raster.points_drawn > 0 and raster.image_counts().sum() == raster.points_drawn
    assert trace.points_drawn > 0 and len(trace.curves) == 8
    assert rate.points_drawn > 0
    assert abs(feed.t - 500.0) < 1e-6
    assert window.progress_bar.value() == window.progress_bar.maximum()
    assert window.controller.document.to_dict() == before       # running never edits the project
    assert "Built in" in window.log.toPlainText()


def test_plots_export_png_and_svg(window, qtbot, tmp_path):
    _load(window, spiking_project(duration=200.0))
    _run_and_wait_for(window, qtbot, lambda: window.run.state == "finished")
    qtbot.wait(50)
    pngs = window.plots.export_all(str(tmp_path), "png")
    svgs = window.plots.export_all(str(tmp_path), "svg")
    assert pngs and all(p.endswith(".png") for p in pngs)
    assert all((tmp_path / p.split("/")[-1]).stat().st_size > 1000 for p in pngs + svgs)


def test_stop_mid_run(window, qtbot):
    _load(window, spiking_project(duration=1_000_000.0))
    _run_and_wait_for(window, qtbot, lambda: window.run.current is not None and window.run.current.feed.t > 200)
    assert window.run.state == "running"
    window.actions["stop"].trigger()
    qtbot.waitUntil(lambda: window.run.state == "stopped", timeout=10_000)
    t = window.run.current.sim.t
    assert 200 <= t < 1_000_000.0
    assert not window.run.worker.running


def test_pause_step_resume(window, qtbot):
    _load(window, spiking_project(duration=1_000_000.0))
    _run_and_wait_for(window, qtbot, lambda: window.run.current is not None and window.run.current.feed.t > 50)
    window.actions["pause"].trigger()
    assert window.run.state == "paused"
    qtbot.wait(150)
    t0 = window.run.current.sim.t
    qtbot.wait(200)
    assert window.run.current.sim.t == t0                     # really paused
    chunk = window.run.worker.chunk_ms                        # adapted to the machine's speed
    window.actions["step"].trigger()
    qtbot.waitUntil(lambda: window.run.current.sim.t > t0, timeout=5000)
    qtbot.wait(200)
    t1 = window.run.current.sim.t
    assert t1 - t0 == pytest.approx(chunk, abs=1e-6)          # exactly one chunk
    window.actions["resume"].trigger()
    qtbot.waitUntil(lambda: window.run.current.sim.t > t1 + 100, timeout=10_000)
    window.actions["stop"].trigger()
    qtbot.waitUntil(lambda: window.run.state == "stopped", timeout=10_000)


def test_live_parameter_changes_activity(window, qtbot):
    _load(window, spiking_project(duration=1_000_000.0))
    control = window.live_params.add_control("exc", "I")
    assert control.value == pytest.approx(1.2)
    _run_and_wait_for(window, qtbot, lambda: window.run.current is not None and window.run.current.feed.t > 600)
    feed = window.run.current.feed
    t_change = feed.t
    control.field.setFocus()
    control.field.selectAll()
    QTest.keyClicks(control.field, "0")
    QTest.keyClick(control.field, Qt.Key_Return)
    # the change lands at the next chunk boundary (chunks grow to 500 ms on a fast kernel): once the running
    # simulation shows it, its clock is at or past that boundary
    sim = window.run.current.sim
    qtbot.waitUntil(lambda: float(np.max(np.asarray(sim.get("exc", "I")))) == 0.0, timeout=RUN_TIMEOUT)
    t_applied = sim.t
    assert t_applied >= t_change
    qtbot.waitUntil(lambda: feed.t > t_applied + 600, timeout=RUN_TIMEOUT)
    window.actions["stop"].trigger()
    qtbot.waitUntil(lambda: window.run.state == "stopped", timeout=10_000)
    rate = window.plots.plot_of("rate", "exc")
    before = rate.mean_rate(feed, t_change - 400, t_change)
    after = rate.mean_rate(feed, t_applied + 200, t_applied + 600)
    assert before > 5.0
    assert after < 0.2 * before
    assert window.run.current.sim.get("exc", "I") == pytest.approx(0.0)
    # the project keeps its own value: live changes are not edits
    assert window.controller.document.type_def("neurons", "LIF")["parameters"].count("I = 1.2") == 1


def test_live_updates_switch(window, qtbot):
    _load(window, spiking_project(duration=300.0))
    window.plots.live.setChecked(False)
    _run_and_wait_for(window, qtbot, lambda: window.run.state == "finished")
    qtbot.wait(100)
    raster = window.plots.plot_of("raster", "exc")
    assert raster.refreshes >= 1 and raster.points_drawn > 0     # drawn once, at the end
    assert window.run.worker.live is False


def test_equation_error_on_build_is_shown_in_place(window, qtbot):
    data = spiking_project(duration=100.0)
    data["neurons"]["LIF"]["equations"] += "\ndw/dt = -w + oops"
    _load(window, data)
    before = window.controller.document.to_dict()
    window.actions["run"].trigger()
    qtbot.waitUntil(lambda: window.run.state == "failed", timeout=RUN_TIMEOUT)
    assert "oops" in window.log.toPlainText()
    assert window.tabs.currentWidget() is window.equations
    assert window.equations.current == ("neurons", "LIF")
    assert window.equations.error_block() == ("equations", 2)
    assert window.controller.document.to_dict() == before
    # fix it and run again
    window.equations.edits["equations"].set_text_quiet("")
    window.equations._block_edited("equations", data["neurons"]["LIF"]["equations"].split("\n")[0])
    _run_and_wait_for(window, qtbot, lambda: window.run.state == "finished")


def test_nan_is_reported_and_stops(window, qtbot):
    data = spiking_project(duration=5000.0)
    data["neurons"]["LIF"]["equations"] = "tau * dv/dt = -v + I + g_exc - g_inh + 1e-9 * sqrt(50 - t)"
    data["neurons"]["LIF"]["spike"] = "v > 1e300"
    _load(window, data)
    window.actions["run"].trigger()
    qtbot.waitUntil(lambda: window.run.state in ("failed", "finished"), timeout=RUN_TIMEOUT)
    assert window.run.state == "failed"
    assert "NaN" in window.log.toPlainText() or "nan" in window.log.toPlainText().lower()
    assert window.run.current.sim.t < 5000.0


def test_weights_view(window, qtbot):
    _load(window, spiking_project(duration=200.0))
    window.run.watch_projection("rec")
    _run_and_wait_for(window, qtbot, lambda: window.run.state == "finished")
    qtbot.wait(100)
    plot = window.plots.plot_of("weights")
    assert plot is not None and plot.points_drawn == 200 * 200


def test_activity_map_for_2d_rate_population(window, qtbot):
    from annstudio.gui.catalog import TEMPLATES
    data = spiking_project(duration=100.0, dt=1.0)
    data["neurons"]["Rate"] = copy.deepcopy(TEMPLATES["neurons"]["RateNeuron"])
    data["populations"].append({"name": "sheet", "geometry": [8, 12], "neuron": "Rate", "kind": "standard",
                                "initial": {"baseline": {"distribution": "Uniform", "args": [0.0, 1.0]}},
                                "options": {}})
    data["monitors"].append({"name": "m_sheet", "target": "sheet", "kind": "population", "variables": ["r"],
                             "ranks": None, "period": None, "start": True})
    _load(window, data)
    _run_and_wait_for(window, qtbot, lambda: window.run.state == "finished")
    qtbot.wait(50)
    amap = window.plots.plot_of("map", "sheet")
    assert amap is not None and amap.points_drawn == 96
    assert amap.image.image.shape == (8, 12)
    assert window.plots.plot_of("trace", "sheet.r") is not None


def test_layout_moves_keep_the_build_and_model_edits_rebuild(window, qtbot):
    from annstudio.project import commands as C
    _load(window, spiking_project(duration=100.0))
    window.actions["build"].trigger()
    qtbot.waitUntil(lambda: window.run.state == "ready", timeout=RUN_TIMEOUT)
    window.controller.push(C.move_nodes({"exc": (120.0, 40.0)}))
    assert not window._needs_build()
    window.controller.push(C.SetField("populations", "exc", "geometry", [150]))
    assert window._needs_build()


def test_a_streamed_monitor_writes_beside_the_saved_project(window, qtbot, tmp_path, monkeypatch):
    """A saved project's streaming monitor writes its HDF5 file in the project's folder (as ``annstudio run``
    does), not in the studio's current folder, with the run's numbers."""
    import h5py
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    data = spiking_project(duration=100.0)
    data["monitors"][0]["stream"] = "rec/stream.h5"
    folder = tmp_path / "project"
    folder.mkdir()
    window.controller.set_document(ProjectDocument(copy.deepcopy(data), path=str(folder / "p.json")))
    window.show_workspace()
    _run_and_wait_for(window, qtbot, lambda: window.run.state == "finished")
    qtbot.wait(50)
    path = folder / "rec" / "stream.h5"
    assert path.is_file() and not (elsewhere / "rec").exists()
    with h5py.File(path, "r") as f:
        assert f["steps"].shape[0] == 200                    # 100 ms at dt 0.5
        assert set(data["monitors"][0]["variables"]) - {"spike"} <= set(f)
