"""The studio plays a protocol as the CLI does: for every gallery project and a protocol using every step
(sets of numbers, distributions and segments, reset with flags, simulate_until, monitor pause/resume),
the run started from the studio records arrays identical to ``run_project``'s, on NumPy and C++."""
import copy
import json

import numpy as np
import pytest

from annstudio.gui.run.worker import build_project
from annstudio.project.document import ProjectDocument
from annstudio.project.runner import run_project
from annstudio.project.validate import check_document

from project_helpers import GALLERY, trimmed
from protocol_helpers import GALLERY_MS, assert_identical, protocol_doc, reset_doc, uniform

pytestmark = pytest.mark.gui


def studio_recordings(window, qtbot, doc, chunk_ms=None):
    """Load ``doc``, press Run, wait for the end; what the studio's run recorded (kept in full)."""
    window.run.keep_recordings = True
    if chunk_ms is not None:
        window.run.chunk_ms = chunk_ms
    window.controller.set_document(ProjectDocument(copy.deepcopy(doc)))
    window.show_workspace()
    window.actions["run"].trigger()
    qtbot.waitUntil(lambda: window.run.state in ("finished", "failed", "stopped"), timeout=120_000)
    assert window.run.state == "finished", window.log.toPlainText()[-3000:]
    return window.run.current.run.recordings()


def cli_recordings(doc):
    return run_project(check_document(copy.deepcopy(doc))).recordings


@pytest.mark.parametrize("path", GALLERY, ids=lambda p: p.stem)
def test_gallery_studio_records_as_the_cli(window, qtbot, path, paradigm):
    doc = trimmed(json.loads(path.read_text()), GALLERY_MS[path.stem], paradigm)
    ours = studio_recordings(window, qtbot, doc)
    assert window.run.current.sim.paradigm == paradigm
    assert_identical(cli_recordings(doc), ours)


def test_every_step_studio_records_as_the_cli(window, qtbot, paradigm):
    doc = protocol_doc(paradigm)
    ours = studio_recordings(window, qtbot, doc, chunk_ms=1.0)     # small chunks: the worker re-sizes them
    assert_identical(cli_recordings(doc), ours)
    assert ours["m_lif.spike.times"].size > 5
    feed = window.run.current.feed
    assert feed.t == window.run.current.sim.t and feed.spikes["m_lif"].total > 0, "the live plots were fed too"


def test_reset_keeps_the_set_value_in_the_studio(window, qtbot):
    """``set I = 1; simulate 5; reset; simulate 5``: the studio ended at r = 0 (it rebuilt the backend)."""
    doc = reset_doc(1.0)
    ours = studio_recordings(window, qtbot, doc)
    cli = cli_recordings(doc)
    assert_identical(cli, ours)
    r = window.run.current.sim.get("P", "r")
    assert np.array_equal(r, cli["m.r"][-1]) and r.min() > 0.4
    assert window.run.current.sim.get("P", "I") == pytest.approx(1.0)


def test_a_distribution_set_runs_in_the_studio(window, qtbot):
    """A ``set`` to a distribution raised TypeError in the studio's worker."""
    doc = reset_doc(uniform(0.0, 1.0))
    ours = studio_recordings(window, qtbot, doc)
    assert_identical(cli_recordings(doc), ours)
    drive = window.run.current.sim.get("P", "I")
    assert np.unique(drive).size == 3 and 0 < drive.min() and drive.max() < 1


def test_a_build_error_is_not_retried():
    """The worker used to catch any TypeError around compile() and silently build a second time."""
    calls = []

    class Failing:
        def compile(self, log=None):
            calls.append(log)
            raise TypeError("inside the build")

    def factory(data, keep_recordings=False):
        return check_document(data), Failing()

    with pytest.raises(TypeError, match="inside the build"):
        build_project(reset_doc(1.0), factory, log=print)
    assert calls == [print]


def test_the_protocol_table_keeps_monitor_steps(window, qtbot):
    doc = protocol_doc()
    window.controller.set_document(ProjectDocument(copy.deepcopy(doc)))
    panel = window.settings_panel
    panel.refresh()
    row = next(i for i, st in enumerate(doc["protocol"]) if st["action"] == "pause_monitor")
    assert [panel.table.cell_text(row, c) for c in range(2)] == ["pause_monitor", "m_inp"]
    panel.table.item(0, 3).setText("2.0")              # an edit elsewhere rewrites the protocol from the table
    steps = window.controller.document.items("protocol")
    assert steps[0]["value"] == 2.0
    assert [st for st in steps if "monitor" in st] == [st for st in doc["protocol"] if "monitor" in st]
