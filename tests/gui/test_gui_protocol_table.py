"""The run protocol as a table of typed cells: choosers for the action, target and variable, a
value checked in words; an edit changes its own step only and never discards silently."""
import copy

import pytest
from PySide6.QtWidgets import QComboBox

from annstudio.project.document import ProjectDocument
from protocol_helpers import protocol_doc
from gui_helpers import choose as _choose

pytestmark = pytest.mark.gui


def _panel(window, qtbot):
    doc = protocol_doc()
    window.controller.set_document(ProjectDocument(copy.deepcopy(doc)))
    panel = window.settings_panel
    panel.refresh()
    return doc, panel


def test_cells_are_choosers_of_what_the_project_has(window, qtbot):
    doc, panel = _panel(window, qtbot)
    table = panel.table
    assert table.rowCount() == len(doc["protocol"])
    action = table.cellWidget(0, 0)
    assert isinstance(action, QComboBox) and action.currentText() == "set"
    targets = table.cellWidget(0, 1)
    assert {targets.itemText(i) for i in range(targets.count())} >= {"inp", "out", "lif", "proj"}
    variables = table.cellWidget(0, 2)
    assert variables.currentText() == "I"
    assert "I" in [variables.itemText(i) for i in range(variables.count())]
    monitor_row = next(i for i, st in enumerate(doc["protocol"]) if st["action"] == "pause_monitor")
    monitors = table.cellWidget(monitor_row, 1)
    assert {monitors.itemText(i) for i in range(monitors.count())} == {m["name"] for m in doc["monitors"]}
    assert table.cellWidget(monitor_row, 2) is None           # no variable for a monitor step
    reset_row = next(i for i, st in enumerate(doc["protocol"]) if st["action"] == "reset" and "populations" in st)
    assert table.cell_text(reset_row, 3) == "projections"
    assert table.item(reset_row, 3).toolTip() == "resets projections"
    # shown across the target, variable and value cells (a reset names neither), so it is never cut
    assert table.columnSpan(reset_row, 1) == 3 and table.cell_text(reset_row, 1) == "projections"
    simulate_row = next(i for i, st in enumerate(doc["protocol"]) if st["action"] == "simulate")
    assert table.columnSpan(simulate_row, 1) == 1


def test_an_edit_changes_its_own_step_and_keeps_the_others_keys(window, qtbot):
    doc, panel = _panel(window, qtbot)
    table = panel.table
    sim = next(i for i, st in enumerate(doc["protocol"]) if st["action"] == "simulate")
    table.item(sim, 3).setText("25")
    steps = window.controller.document.items("protocol")
    assert steps[sim]["duration"] == 25.0
    expected = copy.deepcopy(doc["protocol"])
    expected[sim]["duration"] = 25.0
    assert steps == expected                                   # labels, reset flags, operators kept
    _choose(table.cellWidget(0, 1), "out")
    assert window.controller.document.items("protocol")[0]["target"] == "out"
    assert window.controller.document.items("protocol")[0]["label"] == "drive the inputs"
    # a new action gives a step of that kind, ready to run
    qtbot.wait(5)
    _choose(panel.table.cellWidget(sim, 0), "pause_monitor")
    assert window.controller.document.items("protocol")[sim] == {"action": "pause_monitor",
                                                                  "monitor": doc["monitors"][0]["name"]}


def test_a_bad_value_is_explained_and_not_applied(window, qtbot):
    doc, panel = _panel(window, qtbot)
    table = panel.table
    sim = next(i for i, st in enumerate(doc["protocol"]) if st["action"] == "simulate")
    table.item(sim, 3).setText("-5")
    assert panel.message.isVisible()
    assert f"step {sim + 1}" in panel.message.text() and "positive" in panel.message.text()
    assert "not applied" in panel.message.text()
    assert window.controller.document.items("protocol") == doc["protocol"]
    assert table.item(sim, 3).text() == "-5"                   # kept for correcting, pink
    assert table.item(sim, 3).background().color().name() == "#fde0dc"
    table.item(0, 3).setText("fast")
    assert "not a number" in panel.message.text()
    table.item(0, 3).setText("Uniform(0, 2)")
    assert window.controller.document.items("protocol")[0]["value"] == {"distribution": "Uniform", "args": [0, 2]}
    assert not panel.message.isVisible()
