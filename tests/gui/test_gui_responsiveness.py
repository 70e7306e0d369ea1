"""The GUI stays responsive while COBA (4000 neurons) runs with a live raster:
event-loop latency is measured with a 10 ms probe timer during the run.

Latency = how late each probe tick fires.  The bound is on the 95th
percentile (under 50 ms) and the median (under 20 ms): the shared 2-core test
machines run other builds at the same time, and a single descheduled tick
says nothing about the studio.  The maximum and p99 are printed."""
import json
import time
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QTimer

from annstudio.core.runtime import available_paradigms
from annstudio.project.document import ProjectDocument

pytestmark = pytest.mark.gui

COBA = Path(__file__).resolve().parents[2] / "projects" / "coba.json"
PROBE_MS = 10


def coba_project(duration=2000.0):
    data = json.loads(COBA.read_text())
    data["protocol"] = [{"action": "simulate", "duration": duration}]
    data["settings"]["paradigm"] = "openmp"
    return data


@pytest.mark.compiler
@pytest.mark.skipif(available_paradigms().get("openmp") is not None, reason="no C++ toolchain")
def test_event_loop_latency_during_coba_run(window, qtbot):
    window.controller.set_document(ProjectDocument(coba_project(20000.0)))
    window.show_workspace()
    window.actions["build"].trigger()
    qtbot.waitUntil(lambda: window.run.state in ("ready", "failed"), timeout=240_000)
    assert window.run.state == "ready", window.log.toPlainText()
    ticks = []
    probe = QTimer()
    probe.setInterval(PROBE_MS)
    probe.timeout.connect(lambda: ticks.append(time.perf_counter()))
    probe.start()
    window.actions["run"].trigger()
    qtbot.waitUntil(lambda: window.run.state in ("finished", "failed"), timeout=120_000)
    probe.stop()
    assert window.run.state == "finished", window.log.toPlainText()
    raster = window.plots.plot_of("raster")
    assert raster is not None and raster.spike_count(window.run.current.feed) > 200_000
    gaps_ms = np.diff(ticks) * 1000.0
    latency = gaps_ms - PROBE_MS
    p50, p95, p99, worst = (np.percentile(latency, q) for q in (50, 95, 99, 100))
    per_refresh = 1000 * window.plots.refresh_seconds / max(window.plots.refresh_count, 1)
    print(f"\nevent-loop latency during COBA run: median {p50:.1f} ms, p95 {p95:.1f} ms, p99 {p99:.1f} ms, max {worst:.1f} ms; "
          f"{window.plots.refresh_count} plot refreshes, {per_refresh:.1f} ms each; "
          f"simulate {window.run.worker.simulate_seconds:.2f} s")
    assert raster.refreshes >= 5                       # the raster really was drawn live
    assert p95 < 50.0
    assert p50 < 20.0
