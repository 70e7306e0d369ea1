"""Pace and time travel: the speed control on the run toolbar, the worker's schedule (checked
on a simulated clock, no wall-clock asserts), live changes applied within one paced chunk,
and the time bar scrolling every plot back over the whole recorded run, during and after it,
on an absolute time axis."""
import copy

import numpy as np
import pytest
from PySide6.QtCore import Qt

from annstudio.gui.run import pace as pace_module
from annstudio.gui.run.pace import PACES, PaceClock, paced_chunk_ms
from annstudio.project.document import ProjectDocument
from gui_helpers import spiking_project

pytestmark = pytest.mark.gui

RUN_TIMEOUT = 60_000


class FakeClock:
    """A wall clock that only moves when the pace sleeps (or the test advances it)."""

    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def test_schedule_follows_the_pace_on_a_simulated_clock():
    clock = FakeClock()
    pace = PaceClock(1.0, clock=clock, sleep=clock.sleep)
    pace.wait_for(0.0)                       # anchors the schedule: simulated 0 ms = now
    start = clock.now
    for t in (20.0, 40.0, 60.0):             # three 20 ms chunks computed instantly
        pace.wait_for(t)
        assert clock.now == pytest.approx(start + t / 1000.0)
    pace.set(0.01)                           # slow motion: re-anchored at the next chunk
    pace.wait_for(60.2)
    anchor = clock.now
    pace.wait_for(60.4)                      # 0.2 ms of model time take 20 ms of wall time at 0.01x
    assert clock.now - anchor == pytest.approx(0.02)
    pace.set(None)                           # as fast as possible: no waiting at all
    before = clock.now
    pace.wait_for(1000.0)
    assert clock.now == before


def test_a_slow_network_is_not_made_to_catch_up_in_a_burst():
    clock = FakeClock()
    pace = PaceClock(1.0, clock=clock, sleep=clock.sleep)
    pace.wait_for(0.0)
    clock.now += 2.0                         # the chunk took 2 s of wall time for 20 ms of model time
    pace.wait_for(20.0)                      # behind by far more than MAX_LAG_S: re-anchored
    clock.now += 0.001
    before = clock.now
    pace.wait_for(40.0)                      # the next chunk then follows the pace again
    assert clock.now - before == pytest.approx(0.019)


def test_a_stop_interrupts_the_wait():
    clock = FakeClock()
    pace = PaceClock(0.01, clock=clock, sleep=clock.sleep)
    pace.wait_for(0.0)
    naps = []
    pace.wait_for(100.0, stopping=lambda: naps.append(1) or len(naps) > 3)   # would be 10 s of waiting
    assert clock.now - 100.0 < 4 * pace_module.SLEEP_SLICE_S + 1e-9


def test_paced_chunks_last_about_20_ms_of_wall_time():
    assert paced_chunk_ms(1.0, 0.1) == pytest.approx(20.0)
    assert paced_chunk_ms(0.1, 0.1) == pytest.approx(2.0)
    assert paced_chunk_ms(0.01, 0.1) == pytest.approx(0.2)
    assert paced_chunk_ms(0.01, 1.0) == pytest.approx(1.0)       # never less than one step


def _load(window, data):
    window.resize(1400, 1000)
    window.resizeDocks([window.docks["Plots"]], [560], Qt.Vertical)
    window.controller.set_document(ProjectDocument(copy.deepcopy(data)))
    window.show_workspace()


def test_speed_control_on_the_toolbar_paces_the_run_and_can_change_during_it(window, qtbot):
    box = window.pace_box
    assert [box.itemText(i) for i in range(box.count())] == [label for label, _ in PACES]
    assert box.parent() is window.run_toolbar or window.run_toolbar.isAncestorOf(box)
    box.setCurrentIndex(box.findData(0.1))                        # slow motion, as a user picks it
    assert window.run.pace == 0.1
    _load(window, spiking_project(size=50, duration=600.0, dt=0.5))
    window.actions["run"].trigger()
    qtbot.waitUntil(lambda: window.run.state == "running" and window.run.worker.t >= 20.0, timeout=RUN_TIMEOUT)
    worker = window.run.worker
    assert worker.pace.value == 0.1 and worker._chunk() == pytest.approx(2.0)
    qtbot.waitUntil(lambda: worker.pace.slept > 0.0, timeout=RUN_TIMEOUT)   # it waits for the wall clock
    assert window.run.state == "running"
    box.setCurrentIndex(box.findData(1.0))                        # real time, during the run
    assert worker.pace.value == 1.0 and worker._chunk() == pytest.approx(20.0)
    box.setCurrentIndex(box.findData(None))                       # as fast as possible
    assert worker.pace.value is None and worker._chunk() == worker.chunk_ms
    qtbot.waitUntil(lambda: window.run.state == "finished", timeout=RUN_TIMEOUT)
    assert window.run.current.sim.t == pytest.approx(600.0)


def test_live_change_applies_within_one_paced_chunk(window, qtbot):
    """At real time a change posted during the run takes effect at most one 20 ms chunk of
    simulated (= wall) time later; the activity after it differs (the input current is cut)."""
    window.pace_box.set_pace(1.0)
    _load(window, spiking_project(size=80, duration=1200.0, dt=0.5))
    window.actions["run"].trigger()
    qtbot.waitUntil(lambda: window.run.state == "running" and window.run.worker.t >= 400.0, timeout=RUN_TIMEOUT)
    control = window.live_params.add_control("exc", "I")
    control.set_value(0.0)
    qtbot.waitUntil(lambda: window.run.state == "finished", timeout=RUN_TIMEOUT)
    change = window.run.worker.applied[0]
    assert change["variable"] == "I" and change["value"] == 0.0
    lag_ms = change["applied_t"] - change["posted_schedule_t"]      # simulated ms = wall ms at real time
    assert lag_ms <= 100.0
    assert change["applied_t"] - change["posted_t"] <= paced_chunk_ms(1.0, 0.5) + 1e-9
    rate = window.plots.plot_of("rate")
    feed = window.run.current.feed
    t = change["applied_t"]
    before = rate.mean_rate(feed, t - 300.0, t)
    after = rate.mean_rate(feed, t + 100.0, t + 400.0)          # past the refractory/decay of the last spikes
    assert before > 20.0 and after < 0.2 * before


def test_time_bar_scrolls_every_plot_back_during_and_after_the_run(window, qtbot):
    window.pace_box.set_pace(None)
    _load(window, spiking_project(size=60, duration=3500.0, dt=0.5))
    window.actions["run"].trigger()
    qtbot.waitUntil(lambda: window.run.state == "finished", timeout=RUN_TIMEOUT)
    qtbot.wait(50)
    panel = window.plots
    raster, rate, trace = panel.plot_of("raster"), panel.plot_of("rate"), panel.plot_of("trace")
    assert raster._layout[0] == 3000.0                              # following: the last page
    assert panel.timebar.bar.maximum() == 2500                       # 3500 ms recorded, 1000 ms shown
    panel.timebar.bar.setValue(0)                                   # drag the bar back to t = 0
    qtbot.wait(20)
    feed = window.run.current.feed
    assert raster._layout[0] == 0.0
    times, ranks = feed.spikes[raster.monitor].window(0.0, 1000.0)
    assert raster.image_counts().sum() == len(times) > 100
    for plot in (raster, rate, trace):                               # absolute time on the axes
        assert plot.plot.getAxis("bottom").tickStrings([0.0, 500.0], 1.0, 500.0) == ["0", "500"]
    assert rate.curve.xData[0] == 0.0 and rate.curve.xData[-1] < 1000.0
    assert 0.0 <= trace.curves[0].xData[0] <= 0.5 and 999.0 <= trace.curves[0].xData[-1] < 1000.0
    np.testing.assert_allclose(rate.curve.yData, feed.spikes[rate.monitor].rate_window(0.0, 1000.0)[1])
    panel.scroll_to(1700.0)                                          # any window, not only pages
    assert raster._layout[0] == 1700.0
    np.testing.assert_allclose(rate.curve.yData, feed.spikes[rate.monitor].rate_window(1700.0, 2700.0)[1])
    for plot in (raster, rate, trace):
        assert plot.plot.getAxis("bottom").tickStrings([0.0, 500.0], 1.0, 500.0) == ["1700", "2200"]
    panel.timebar.follow.setChecked(True)
    assert raster._layout[0] == 3000.0


def test_time_bar_scrolls_back_while_the_run_goes_on(window, qtbot):
    window.pace_box.set_pace(1.0)
    _load(window, spiking_project(size=40, duration=2600.0, dt=0.5))
    window.actions["run"].trigger()
    qtbot.waitUntil(lambda: window.run.state == "running" and window.run.worker.t >= 1200.0, timeout=RUN_TIMEOUT)
    window.plots.scroll_to(0.0)
    t_then = window.run.worker.t
    qtbot.waitUntil(lambda: window.run.worker.t >= t_then + 300.0, timeout=RUN_TIMEOUT)
    qtbot.wait(100)
    raster = window.plots.plot_of("raster")
    assert window.run.state == "running"
    assert raster._layout[0] == 0.0                                  # still at t = 0 while the run goes on
    feed = window.run.current.feed
    with feed.lock:
        expected = len(feed.spikes[raster.monitor].window(0.0, 1000.0)[0])
    assert raster.image_counts().sum() == expected > 0
    window.run.stop()
    qtbot.waitUntil(lambda: window.run.state == "stopped", timeout=RUN_TIMEOUT)
