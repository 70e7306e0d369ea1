"""The settings panel's Precision choice writes the project setting ``settings.precision`` (undoable), and
shows the project's value when a project is opened."""
import json


def test_precision_choice_writes_the_setting_and_undoes(window, qtbot, project_file):
    window.open_path(str(project_file))
    doc = window.controller.document
    window.docks["Settings"].raise_()
    panel = window.settings_panel
    qtbot.waitUntil(panel.isVisible)
    assert panel.precision.currentText() == "float64" and "precision" not in doc.data["settings"]
    panel.precision.setCurrentText("float32")
    panel.precision.activated.emit(panel.precision.currentIndex())
    assert doc.data["settings"]["precision"] == "float32"
    assert "half the memory" in panel.precision.toolTip()
    window.controller.stack.undo()
    assert "precision" not in doc.data["settings"]
    qtbot.waitUntil(lambda: panel.precision.currentText() == "float64")


def test_an_opened_float32_project_shows_float32(window, qtbot, project_file):
    data = json.loads(project_file.read_text())
    data["settings"]["precision"] = "float32"
    project_file.write_text(json.dumps(data))
    window.open_path(str(project_file))
    panel = window.settings_panel
    qtbot.waitUntil(lambda: panel.precision.currentText() == "float32")
