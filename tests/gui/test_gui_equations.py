"""The equation editor: a typo shows an error underlined on its line, the fix
clears it; edits are undoable; completion offers the type's names."""
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from gui_helpers import open_lif_equations, spiking_project

pytestmark = pytest.mark.gui


def _type_at_end(edit, text):
    edit.setFocus()
    cursor = edit.textCursor()
    cursor.movePosition(cursor.MoveOperation.End)
    edit.setTextCursor(cursor)
    for i, line in enumerate(text.split("\n")):
        if i:
            QTest.keyClick(edit, Qt.Key_Return)
        QTest.keyClicks(edit, line)


def test_typo_shows_error_and_fix_clears_it(window, qtbot):
    editor = open_lif_equations(window, qtbot)
    assert editor.validate() is None
    assert "✓" in editor.status.text()
    equations = editor.edits["equations"]
    _type_at_end(equations, "\ndu/dt = -u + vv")          # typo: vv
    qtbot.waitUntil(lambda: editor.last_error is not None, timeout=3000)
    assert editor.error_block() == ("equations", 2)
    assert "unknown name 'vv'" in editor.status.text()
    assert "did you mean 'v'" in editor.status.text()
    assert equations.extraSelections()                      # the wavy underline
    doc = window.controller.document
    assert doc.type_def("neurons", "LIF")["equations"].endswith("vv")   # nothing lost
    QTest.keyClick(equations, Qt.Key_Backspace)             # the fix
    qtbot.waitUntil(lambda: editor.last_error is None, timeout=3000)
    assert editor.error_block() is None and not equations.extraSelections()
    assert "✓" in editor.status.text()


def test_error_in_another_block_is_located(window, qtbot):
    editor = open_lif_equations(window, qtbot)
    spike = editor.edits["spike"]
    spike.selectAll()
    QTest.keyClicks(spike, "v > v_thres")
    qtbot.waitUntil(lambda: editor.last_error is not None, timeout=3000)
    assert editor.error_block() == ("spike", 1)


def test_editing_is_undoable_in_one_step(window, qtbot):
    editor = open_lif_equations(window, qtbot)
    doc = window.controller.document
    original = doc.type_def("neurons", "LIF")["parameters"]
    _type_at_end(editor.edits["parameters"], "\nk = 2.0")
    assert doc.type_def("neurons", "LIF")["parameters"] == original + "\nk = 2.0"
    assert window.controller.stack.count() == 1            # keystrokes merged
    window.actions["undo"].trigger()
    assert doc.type_def("neurons", "LIF")["parameters"] == original
    assert editor.edits["parameters"].toPlainText() == original
    window.actions["redo"].trigger()
    assert editor.edits["parameters"].toPlainText().endswith("k = 2.0")


def test_completion_offers_known_names(window, qtbot):
    editor = open_lif_equations(window, qtbot)
    editor.validate()
    edit = editor.edits["equations"]
    words = edit.completer.model().stringList()
    assert {"v_thresh", "tau", "exp", "g_exc"} <= set(words)
    _type_at_end(edit, "\nx = v_th")
    assert edit.completer.completionPrefix() == "v_th"
    assert edit.completer.currentCompletion() == "v_thresh"
    edit.insert_completion("v_thresh")
    assert edit.toPlainText().endswith("x = v_thresh")


def test_new_type_and_standard_type(window, qtbot):
    editor = open_lif_equations(window, qtbot)
    editor.new_type("neurons", "Mine")
    assert editor.current == ("neurons", "Mine")
    assert editor.validate() is None
    editor.new_type("synapses", "Plastic")
    assert editor.current == ("synapses", "Plastic")
    assert "operation" not in editor.edits and "pre_spike" in editor.edits
    assert editor.validate() is None
