"""Live plots: the raster image holds exactly the spikes of the run (binned
incrementally, refresh after refresh), neuron k's spikes are in row k, thinning
and rank ranges select the right neurons, the rate curve is the page's rate,
and the refresh timer settles at ~30 Hz for a 4000-neuron raster while backing
off when plotting is expensive."""
import copy

import numpy as np
import pytest
from PySide6.QtCore import Qt

from annstudio.gui.plots import panel as panel_module
from annstudio.gui.run.feed import SpikeBuffer
from annstudio.project.document import ProjectDocument
from gui_helpers import spiking_project

pytestmark = pytest.mark.gui

RUN_TIMEOUT = 60_000


def _show_plots(window, data):
    window.resize(1400, 1000)
    window.resizeDocks([window.docks["Plots"]], [560], Qt.Vertical)
    window.controller.set_document(ProjectDocument(copy.deepcopy(data)))
    window.show_workspace()
    window.docks["Plots"].raise_()


def _run(window, qtbot, data):
    _show_plots(window, data)
    window.actions["run"].trigger()
    qtbot.waitUntil(lambda: window.run.state in ("finished", "failed"), timeout=RUN_TIMEOUT)
    assert window.run.state == "finished", window.log.toPlainText()[-2000:]
    qtbot.wait(50)
    return window.plots.plot_of("raster"), window.run.current.feed


def _expected_counts(raster, feed):
    """The page's spikes binned independently of the raster's incremental code."""
    t0, window_ms, (lo, hi, stride), j0, j1, columns, rows = raster._layout
    times, ranks = feed.spikes[raster.monitor].window(t0, t0 + window_ms)
    j = ranks.astype(np.int64) - lo
    keep = (j >= j0 * stride) & (j < j1 * stride) & (j % stride == 0)
    times, j = times[keep], j[keep] // stride - j0
    row = j * rows // (j1 - j0)
    col = np.minimum(((times - t0) * columns / window_ms).astype(np.int64), columns - 1)
    expected = np.zeros((rows, columns), dtype=np.int64)
    np.add.at(expected, (row, col), 1)
    return expected, times, ranks[keep]


def test_raster_image_holds_the_spikes_of_the_run(window, qtbot):
    raster, feed = _run(window, qtbot, spiking_project(size=60, duration=2600.0))
    t0, window_ms, _sel, j0, j1, columns, rows = raster._layout
    assert (t0, window_ms) == (2000.0, 1000.0)            # the last page
    assert rows == 60 == j1 - j0                           # one row per neuron: the plot is taller than 60 px
    vb = raster.plot.getViewBox()
    (x0, x1), _ = vb.viewRange()
    assert columns == int(round(vb.width() * window_ms / (x1 - x0)))   # a column per pixel of the page
    counts = raster.image_counts()
    expected, times, ranks = _expected_counts(raster, feed)
    assert len(times) > 100
    assert counts.sum() == len(times) == raster.points_drawn
    np.testing.assert_array_equal(counts, expected)
    # neuron k's spikes are in row k, at their time's column, and coloured
    for t, k in zip(times[::37], ranks[::37]):
        row, col = raster.cell_of(t, int(k))
        assert row == k and col == int((t - t0) * columns / window_ms)
        assert counts[row, col] > 0
        assert raster.pixel(row, col) != raster.lut[0]
    assert np.all(raster.image.pixels[::-1][counts == 0] == raster.lut[0])
    assert np.all(raster.image.pixels[::-1][counts == 1] == raster.lut[1])
    # the image is placed so that row k is centred on neuron k, over the whole page
    rect = raster.image.boundingRect()
    assert rect.top() == pytest.approx(-0.5) and rect.height() == pytest.approx(60.0)
    assert rect.width() == pytest.approx(window_ms)


def test_raster_refreshes_incrementally(qtbot):
    """Spikes arriving in chunks (as the worker drains them) over several pages: after
    every refresh the image is exactly the page's spikes binned from scratch."""
    from annstudio.gui.plots.raster import RasterPlot
    from annstudio.gui.run.feed import LiveFeed
    feed = LiveFeed(0.1)
    feed.add_monitor("M", "P", 300, [300], ["spike"])
    raster = RasterPlot("M", "P", 300)
    qtbot.addWidget(raster)
    raster.resize(700, 260)
    raster.show()
    qtbot.waitExposed(raster)
    rng = np.random.default_rng(7)
    t, refreshes = 0.0, 0
    for step in rng.uniform(5.0, 400.0, 30):
        n = rng.poisson(300 * 20 * step / 1000)
        steps = np.sort(rng.integers(int(t * 10), int((t + step) * 10), n))
        feed.absorb("M", {"spike": (steps, rng.integers(0, 300, n)), "_steps": np.zeros(0)}, t + step)
        t += step
        raster.refresh(feed, 1000.0)
        refreshes += 1
        expected, times, _ = _expected_counts(raster, feed)
        np.testing.assert_array_equal(raster.image_counts(), expected)
        assert raster.points_drawn == len(times)
    t0, window_ms, _sel, j0, j1, columns, rows = raster._layout
    assert t > 3 * window_ms and raster.refreshes == refreshes
    assert rows < 300                                      # binned: more neurons than pixel rows
    # re-binning the whole page gives the same image as the incremental refreshes
    incremental = raster.image_counts().copy()
    raster._layout = raster._seen = None
    raster.refresh(feed, 1000.0)
    np.testing.assert_array_equal(raster.image_counts(), incremental)


def test_raster_range_and_thinning(window, qtbot):
    raster, feed = _run(window, qtbot, spiking_project(size=100, duration=600.0))
    raster.range_edit.setText("40-79")
    raster.max_rows.setValue(20)                           # every 2nd neuron of 40..79
    raster.refresh(feed, 1000.0)
    t0, window_ms, (lo, hi, stride), j0, j1, columns, rows = raster._layout
    assert (lo, hi, stride) == (40, 80, 2) and rows == 20
    expected, times, ranks = _expected_counts(raster, feed)
    assert set(np.unique(ranks)) <= set(range(40, 80, 2)) and len(times) > 20
    np.testing.assert_array_equal(raster.image_counts(), expected)
    assert raster.cell_of(times[0], 41) is None           # thinned out
    rect = raster.image.boundingRect()
    assert rect.top() == pytest.approx(39.0) and rect.height() == pytest.approx(40.0)


def test_raster_bins_many_neurons_per_row(window, qtbot):
    raster, feed = _run(window, qtbot, spiking_project(size=1500, duration=300.0))
    t0, window_ms, _sel, j0, j1, columns, rows = raster._layout
    assert j1 - j0 == 1500 and rows < 1500                 # more neurons than pixels: rows are shared
    expected, times, _ = _expected_counts(raster, feed)
    np.testing.assert_array_equal(raster.image_counts(), expected)
    assert raster.image_counts().sum() == len(times) > 1000


def test_rate_curve_is_the_page_rate(window, qtbot):
    _run(window, qtbot, spiking_project(size=100, duration=1500.0))
    rate = window.plots.plot_of("rate")
    feed = window.run.current.feed
    buf = feed.spikes[rate.monitor]
    times, expected = buf.rate_window(1000.0, 1500.0)
    np.testing.assert_allclose(rate.curve.xData, times - 1000.0)
    np.testing.assert_allclose(rate.curve.yData, expected)
    assert rate.points_drawn == 500
    # the curve's mean is the population's mean rate over the page (edges aside)
    assert rate.curve.yData[5:-5].mean() == pytest.approx(rate.mean_rate(feed, 1005.0, 1495.0), rel=0.05)


def test_refresh_timer_settles_at_30_hz(window, qtbot):
    """A frame of a 4000-neuron raster and rate costs far less than DUTY of 33 ms of
    simulation, so with the simulation on its own core the timer stays at ~33 ms
    (the old panel settled at 100-200 ms).  On a machine so loaded that the
    simulation itself gets a fraction of a core, the panel rightly slows down in
    proportion (it never takes more than DUTY of what the simulation gets): the
    interval itself is then only checked against that.

    (A network of a few hundred neurons makes a poor probe: on the numpy paradigm
    its simulation thread runs Python nearly all the time and every GUI callback
    queues for the GIL, which inflates the GUI's CPU time several fold; compiled,
    it simulates ~500 s a second and every frame is a new page.)"""
    data = spiking_project(size=4000, duration=10_000_000.0)
    data["monitors"][0]["variables"] = ["spike"]           # a live raster and rate
    _show_plots(window, data)
    window.actions["run"].trigger()
    panel = window.plots
    qtbot.waitUntil(lambda: window.run.state in ("running", "failed"), timeout=RUN_TIMEOUT)
    assert window.run.state == "running", window.log.toPlainText()[-2000:]
    qtbot.waitUntil(lambda: panel.tick_count >= 30, timeout=RUN_TIMEOUT)
    interval, frames, ticks = panel.timer.interval(), panel.frame_count, panel.tick_count
    cost, rate, duty = panel.frame_cost, panel.sim_rate, panel.duty
    window.actions["stop"].trigger()
    qtbot.waitUntil(lambda: window.run.state == "stopped", timeout=10_000)
    print(f"\n4000 neurons (numpy): timer interval {interval} ms, {1000 * cost:.2f} ms of plotting a frame, "
          f"simulation {rate:.2f} CPU s per s, plotting duty {duty:.4f}, {frames}/{ticks} ticks drew")
    # ~1-2 ms measured (33 ms intervals); the bounds leave room for a loaded machine
    assert cost <= 0.050 * panel_module.DUTY               # 4 ms: 50 ms or less at a full core
    expected = max(panel_module.REFRESH_MS, min(panel_module.MAX_INTERVAL_MS, 1000 * cost / (panel_module.DUTY * rate)))
    assert interval == pytest.approx(expected, abs=1)
    if rate >= 0.7:                                        # the simulation had (most of) a core
        assert interval <= 50
    assert frames >= 0.5 * ticks                           # the worker drains often enough to feed every tick


def test_refresh_interval_backs_off_when_plotting_is_expensive(window):
    panel = window.plots

    def frame(cost_s, sim_cpu_s=0.033, wall_s=0.033):
        return cost_s, sim_cpu_s, wall_s
    panel._recent = [frame(0.001)] * 6                     # 1 ms a frame: 3 % of the simulation at 30 Hz
    assert panel._next_interval() == panel_module.REFRESH_MS
    panel._recent = [frame(0.010)] * 6                     # 10 ms a frame: slow down to keep DUTY
    assert panel._next_interval() == pytest.approx(1000 * 0.010 / panel_module.DUTY, abs=1)
    panel._recent = [frame(0.5)] * 6                       # a huge network: never below 5 frames a second
    assert panel._next_interval() == panel_module.MAX_INTERVAL_MS
    panel._recent = [frame(0.001)] * 5 + [frame(0.2)]      # one slow frame (a resize) is left out
    assert panel._next_interval() == panel_module.REFRESH_MS
    panel._recent = [frame(0.00001, 0.0)] * 6              # paused: nothing to draw, stay ready
    assert panel._next_interval() == panel_module.REFRESH_MS
    panel._recent = [frame(0.004, 0.016)] * 6              # the simulation gets half a core: so do the plots
    assert panel._next_interval() == pytest.approx(1000 * 0.004 / (panel_module.DUTY * 0.016 / 0.033), abs=1)
    panel._recent = []


def test_spike_buffer_appends_and_rates():
    rng = np.random.default_rng(3)
    times = np.round(np.sort(rng.uniform(0, 300, 5000)), 1)
    ranks = rng.integers(0, 100, 5000)
    buf = SpikeBuffer(100)
    buf.append(times[:2000], ranks[:2000])
    buf.append(times[2000:][::-1].copy(), ranks[2000:][::-1].copy())       # an unsorted chunk
    assert np.all(np.diff(buf.times.view()) >= 0) and buf.times.size == 5000
    reference = np.bincount(times.astype(np.int64), minlength=300).astype(float)
    np.testing.assert_array_equal(buf.counts.view(), reference)
    t, rate = buf.rate_window(100.0, 200.0)
    smooth = np.convolve(reference, np.ones(5) / 5, mode="same") * 1000.0 / 100
    np.testing.assert_allclose(t, np.arange(100, 200))
    np.testing.assert_allclose(rate, smooth[100:200])
    tail_t, tail_r = buf.tail(4990)
    assert len(tail_t) == 10 and buf.index_at(tail_t[0]) <= 4990


def test_long_runs_keep_bounded_memory(monkeypatch):
    """Beyond MAX_SPIKES / MAX_TRACE_ROWS the oldest half is forgotten; absolute indices (raster
    bookkeeping) stay valid, views handed out before keep their data, rate bins are all kept."""
    from annstudio.gui.run import feed as feed_module
    monkeypatch.setattr(feed_module, "MAX_SPIKES", 1000)
    monkeypatch.setattr(feed_module, "MAX_TRACE_ROWS", 400)
    buf = SpikeBuffer(10)
    held = None
    for c in range(10):                                  # 10 chunks of 300 spikes, 30 ms each
        times = c * 30.0 + np.arange(300) * 0.1
        buf.append(times, np.arange(300) % 10)
        if c == 2:
            held = buf.tail(0)
    assert buf.times.size <= 1000 and buf.total == 3000 and buf.dropped == 3000 - buf.times.size
    assert buf.times.view()[-1] == pytest.approx(9 * 30.0 + 29.9)
    t, r = buf.tail(2900)                                # the last 100 spikes, by absolute index
    np.testing.assert_allclose(t, 9 * 30.0 + np.arange(200, 300) * 0.1)
    assert buf.index_at(t[0]) == 2900
    assert len(buf.window(0.0, 30.0)[0]) == 0            # forgotten
    assert held[0].size == 900 and held[0][0] == 0.0     # an old view is untouched
    assert buf.counts.view().sum() == 3000               # the rate keeps the whole history
    trace = feed_module.TraceBuffer([0, 1, 2])
    for c in range(5):
        trace.append(c * 200.0 + np.arange(200), np.full((200, 3), float(c)))
    assert trace.times.size <= 400 and trace.times.view()[-1] == 999.0 and trace.values.view()[-1, 0] == 4.0


@pytest.mark.parametrize("size", [100, 3000])       # fewer neurons than pixel rows (scaled), more (blit)
def test_raster_draws_spikes_where_the_axes_say(qtbot, size):
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QColor
    from annstudio.gui.plots.raster import RasterPlot
    from annstudio.gui.run.feed import LiveFeed
    feed = LiveFeed(0.1)
    feed.add_monitor("M", "P", size, [size], ["spike"])
    raster = RasterPlot("M", "P", size)
    qtbot.addWidget(raster)
    raster.resize(700, 300)
    raster.show()
    qtbot.waitExposed(raster)
    spikes = [(100.0, 2), (400.0, size // 2), (850.0, size - 3)]
    steps = np.array([int(t * 10) for t, _ in spikes])
    feed.absorb("M", {"spike": (steps, np.array([k for _, k in spikes])), "_steps": np.zeros(0)}, 900.0)
    raster.refresh(feed, 1000.0)
    qtbot.wait(20)
    image = raster.plot.grab().toImage()
    vb = raster.plot.getViewBox()
    for t, k in spikes:
        point = raster.plot.mapFromScene(vb.mapViewToScene(QPointF(t + 0.5, k)))
        colours = {QColor(image.pixel(point.x() + dx, point.y() + dy)).name()
                   for dx in (-1, 0, 1) for dy in (-1, 0, 1)}
        assert colours & {"#4a6fb5", "#1f3b73", "#0b1a3a"}, (t, k, colours)
    # and nothing elsewhere: the image holds exactly these three spikes
    assert raster.image_counts().sum() == 3
    assert np.count_nonzero(raster.image.pixels != raster.lut[0]) == 3
