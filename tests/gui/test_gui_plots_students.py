"""Plots a student can read: units from the model on the axes, plain numbers (no SI-prefix
scaling, short ticks), legends naming neurons, a raster as tall as its population, rate axes
from 0, weight matrix / histogram / weights over time for a plastic projection, the activity
summary, print-quality export (SVG, PDF, PNG at 300 dpi, CSV); and the plot bugs of the
issue (weights after a run, the trace neuron field, the time window, a new project)."""
import copy
import csv
import json
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from annstudio.gui.plots.base import PixelAxis
from annstudio.project.document import ProjectDocument
from gui_helpers import spiking_project

pytestmark = pytest.mark.gui

ROOT = Path(__file__).resolve().parents[2]
RUN_TIMEOUT = 90_000


def _run(window, qtbot, data):
    window.resize(1400, 1000)
    window.resizeDocks([window.docks["Plots"]], [560], Qt.Vertical)
    window.controller.set_document(ProjectDocument(copy.deepcopy(data)))
    window.show_workspace()
    window.docks["Plots"].raise_()
    window.actions["run"].trigger()
    qtbot.waitUntil(lambda: window.run.state in ("finished", "failed"), timeout=RUN_TIMEOUT)
    assert window.run.state == "finished", window.log.toPlainText()[-2000:]
    qtbot.wait(50)
    return window.run.current.feed


def _stdp(duration=3000.0):
    data = json.loads((ROOT / "projects" / "stdp.json").read_text())
    data["settings"].update(paradigm="numpy", duration=duration)
    data["protocol"] = [{"action": "simulate", "duration": duration}]
    return data


def _if_cond_project():
    data = spiking_project(size=20, duration=300.0, dt=0.1)
    data["neurons"] = {"IFC": {"standard": "IF_cond_exp", "args": {"i_offset": 1.0}}}
    data["populations"][0]["neuron"] = "IFC"
    data["populations"][0]["initial"] = {}
    data["monitors"][0]["variables"] = ["spike", "v", "g_exc"]
    return data


def test_axes_carry_the_models_units_in_plain_numbers(window, qtbot):
    _run(window, qtbot, _if_cond_project())
    traces = {p.variable: p for p in window.plots.plots if p.kind == "trace"}
    assert traces["v"].plot.getAxis("left").labelText == "v (mV)"
    assert traces["g_exc"].plot.getAxis("left").labelText == "g_exc (uS)"
    rate = window.plots.plot_of("rate")
    assert rate.plot.getAxis("left").labelText == "population rate (Hz)"
    for plot in window.plots.plots:
        bottom = plot.plot.getAxis("bottom")
        assert bottom.labelText == "time (ms)"
        for side in ("left", "bottom"):
            axis = plot.plot.getAxis(side)
            assert not axis.autoSIPrefix and "x0.001" not in axis.labelString()
    axis = PixelAxis("left")
    assert axis.tickStrings([-70.000000000000028, -65.0, 1e-17], 1.0, 5.0) == ["-70", "-65", "0"]


def test_trace_legend_names_the_neurons_and_the_field_works_after_the_run(window, qtbot):
    feed = _run(window, qtbot, spiking_project(size=30, duration=400.0, dt=0.5))
    trace = window.plots.plot_of("trace")
    names = [label.text for _sample, label in trace.legend.items]
    assert names == [f"exc[{i}]" for i in range(8)]
    trace.neurons.setText("3, 17")
    trace.neurons.editingFinished.emit()              # typed after the run: the plot follows at once
    assert trace.columns == [3, 17]
    assert [label.text for _s, label in trace.legend.items] == ["exc[3]", "exc[17]"]
    with feed.lock:
        tb = feed.traces[trace.key]
        times = tb.times.view().copy()
        column = tb.values.view()[:, 17].copy()
    page = times >= 0.0
    np.testing.assert_allclose(trace.curves[1].yData, column[page])
    assert len(trace.curves[1].yData) > 100
    # kept for the next run of the same project (it used to reset to 0-7)
    window.actions["run"].trigger()
    qtbot.waitUntil(lambda: window.run.state == "finished", timeout=RUN_TIMEOUT)
    assert window.plots.plot_of("trace").columns == [3, 17]


def test_trace_field_while_paused_keeps_the_data(window, qtbot):
    window.controller.set_document(ProjectDocument(spiking_project(size=30, duration=5000.0, dt=0.5)))
    window.show_workspace()
    window.pace_box.set_pace(1.0)
    window.actions["run"].trigger()
    qtbot.waitUntil(lambda: window.run.state == "running" and window.run.worker.t > 200.0, timeout=RUN_TIMEOUT)
    window.run.pause()
    qtbot.waitUntil(lambda: window.run.state == "paused", timeout=RUN_TIMEOUT)
    qtbot.wait(100)
    trace = window.plots.plot_of("trace")
    trace.neurons.setText("5")
    trace.neurons.editingFinished.emit()
    assert trace.columns == [5] and len(trace.curves[0].yData) > 100      # not emptied
    window.run.stop()
    qtbot.waitUntil(lambda: window.run.state == "stopped", timeout=RUN_TIMEOUT)


def test_raster_of_one_neuron_is_one_row_and_rates_start_at_zero(window, qtbot):
    data = spiking_project(size=1, duration=300.0, dt=0.5)
    data["populations"][0]["initial"] = {"I": 0.0}       # a silent neuron
    data["projections"] = []
    _run(window, qtbot, data)
    raster = window.plots.plot_of("raster")
    _, (y0, y1) = raster.plot.getViewBox().viewRange()
    assert -1.0 < y0 < 0.0 < y1 < 1.0                    # neuron 0 only, not -400 .. 400
    assert raster._layout[-1] == 1                        # one row
    assert raster.maximumHeight() < 200                   # the plot is as small as its population
    rate = window.plots.plot_of("rate")
    _, (r0, r1) = rate.plot.getViewBox().viewRange()
    assert r1 > 0 and -0.05 * r1 < r0 <= 0.0              # a silent population: 0 at the bottom
    ticks = [v for level in rate.plot.getAxis("left").tickValues(r0, r1, 200) for v in level[1]]
    assert min(ticks) >= 0.0


def test_plastic_projection_gets_matrix_histogram_and_timeline(window, qtbot):
    feed = _run(window, qtbot, _stdp(3000.0))
    panel = window.plots
    matrix = panel.plot_of("weights")
    hist = panel.plot_of("weight_histogram")
    timeline = panel.plot_of("weight_timeline")
    assert matrix is not None and hist is not None and timeline is not None
    assert matrix.array.shape == (1, 300)                                 # 1 x 1000, binned
    assert not matrix.plot.getViewBox().state["aspectLocked"]              # not a one-pixel strip
    rect = matrix.image.mapRectToScene(matrix.image.boundingRect())
    view = matrix.plot.getViewBox().mapRectToScene(matrix.plot.getViewBox().boundingRect())
    assert rect.height() > 0.5 * view.height()
    w = window.run.current.sim.weights("proj")
    assert hist.counts.sum() == w.size == 1000
    assert hist.edges[0] == pytest.approx(w.min()) and hist.edges[-1] == pytest.approx(w.max())
    history = feed.weight_history["proj"]
    assert len(history) >= 2 and history[-1]["t"] == 3000.0
    assert history[-1]["mean"] == pytest.approx(w.mean())
    assert len(timeline.mean.xData) == len(history)
    # scrolling back shows the weights as they were then
    panel.scroll_to(0.0)
    assert hist.page_label.text().startswith("t = ") and hist.page_label.text() != f"t = {3000:g} ms"


def test_show_weights_after_a_finished_run_is_not_empty(window, qtbot):
    _run(window, qtbot, spiking_project(size=50, duration=100.0, dt=0.5))
    window.plots.weights.setCurrentText("rec")
    window.plots.show_weights("rec")
    plot = window.plots.plot_of("weights")
    conn = window.run.current.sim.connectivity("rec")
    assert plot.points_drawn == 50 * 50
    assert np.nansum(plot.array > 0) == len(set(zip(conn.post.tolist(), conn.pre.tolist())))


def test_activity_summary_mean_rate_and_cv(window, qtbot):
    feed = _run(window, qtbot, spiking_project(size=40, duration=1500.0, dt=0.5))
    rate = window.plots.plot_of("rate")
    times, ranks = feed.spikes[rate.monitor].window(1000.0, 1500.0)
    assert rate.mean_hz == pytest.approx(len(times) / 40 / 0.5)
    cvs = []
    for n in set(ranks.tolist()):
        isi = np.diff(np.sort(times[ranks == n]))
        if len(isi) >= 2:
            cvs.append(isi.std() / isi.mean())
    assert rate.cv_isi == pytest.approx(np.mean(cvs))
    assert f"{rate.mean_hz:.3g} Hz" in rate.summary.text()


def test_export_print_quality_and_csv(window, qtbot, tmp_path):
    feed = _run(window, qtbot, spiking_project(size=30, duration=600.0, dt=0.5))
    window.plots._export_dialog(str(tmp_path))
    raster = window.plots.plot_of("raster")
    stem = "00_Spikes__exc"
    for ext in ("svg", "pdf", "png", "csv"):
        assert (tmp_path / f"{stem}.{ext}").stat().st_size > 100
    image = QImage(str(tmp_path / f"{stem}.png"))
    assert round(image.dotsPerMeterX() * 0.0254) == 300
    assert image.width() >= 3 * raster.plot.width()
    assert (tmp_path / f"{stem}.pdf").read_bytes().startswith(b"%PDF")
    with open(tmp_path / f"{stem}.csv", newline="") as fh:
        rows = list(csv.reader(fh))
    times, ranks = feed.spikes[raster.monitor].window(0.0, 1000.0)
    assert rows[0] == ["time (ms)", "neuron"] and len(rows) - 1 == len(times) > 50
    assert [float(rows[1][0]), int(rows[1][1])] == [times[0], ranks[0]]
    one = raster.export_dialog(str(tmp_path / "one.pdf"))          # the plot's own Export button
    assert Path(one).read_bytes().startswith(b"%PDF")


def test_window_change_after_a_run_applies_to_every_plot(window, qtbot):
    _run(window, qtbot, spiking_project(size=30, duration=2500.0, dt=0.5))
    window.plots.window.setValue(10_000)
    rate, raster = window.plots.plot_of("rate"), window.plots.plot_of("raster")
    assert raster._layout[:2] == (0.0, 10_000.0)
    assert rate._page == (0.0, 10_000.0) and rate.curve.xData[0] == 0.0 and len(rate.curve.xData) == 2500


def test_new_project_starts_without_the_previous_plots(window, qtbot):
    _run(window, qtbot, spiking_project(size=30, duration=200.0, dt=0.5))
    assert window.plots.plots
    window.actions["new"].trigger()
    assert window.plots.plots == [] and window.plots.feed is None
