"""Equation editor bugs that taught the wrong thing: the first type dropped into a new project
is shown for editing (not "No type to edit"), the type box names the type the form edits
after "New neuron type", the offending token (not the whole line) is underlined, and every
problem the validator reports is listed and underlined."""
import pytest
from PySide6.QtCore import QPointF

from annstudio.gui import catalog
from annstudio.project.document import ProjectDocument
from annstudio.project.format import Problem
from gui_helpers import drop_from_palette, spiking_project

pytestmark = pytest.mark.gui


def test_first_type_of_a_new_project_is_shown_for_editing(window, qtbot):
    window.actions["new"].trigger()
    window.show_workspace()
    assert drop_from_palette(window.palette, window.canvas, "LIF", QPointF(0, 0))
    editor = window.equations
    assert editor.chooser.currentText() == "Neuron: LIF"
    assert editor.current == ("neurons", "LIF")
    assert "No type to edit" not in editor.status.text()
    assert editor.edits["equations"].toPlainText() == catalog.TEMPLATES["neurons"]["LIF"]["equations"]


def test_type_box_names_the_type_the_form_edits(window, qtbot):
    window.controller.set_document(ProjectDocument(spiking_project()))
    editor = window.equations
    editor.show_type("neurons", "LIF")
    editor.new_type("neurons", "MyNeuron")
    assert editor.current == ("neurons", "MyNeuron")
    assert editor.chooser.currentText() == "Neuron: MyNeuron"
    editor.edits["equations"].setPlainText("tau * dv/dt = v_rest - v + 2 * I")
    editor.edits["equations"].edited.emit(editor.edits["equations"].toPlainText())
    doc = window.controller.document
    assert doc.type_def("neurons", "MyNeuron")["equations"] == "tau * dv/dt = v_rest - v + 2 * I"
    assert doc.type_def("neurons", "LIF")["equations"] == catalog.TEMPLATES["neurons"]["LIF"]["equations"]


def test_the_offending_token_is_underlined(window, qtbot):
    data = spiking_project()
    data["neurons"]["LIF"]["equations"] = "tau * dv/dt = v_rest - v + I + g_exc - g_inh + foo"
    window.controller.set_document(ProjectDocument(data))
    editor = window.equations
    editor.show_type("neurons", "LIF")
    edit = editor.edits["equations"]
    assert edit.error_line == 1 and edit.underlined == ["foo"]
    assert "unknown name 'foo'" in editor.status.text()


def test_every_reported_problem_is_listed_and_underlined(window, qtbot, monkeypatch):
    data = spiking_project()
    data["neurons"]["LIF"]["spike"] = "v > v_thresh"
    window.controller.set_document(ProjectDocument(data))
    problems = [Problem("neurons.LIF.equations", "unknown name 'g_exc'", line=1),
                Problem("neurons.LIF.spike", "unknown name 'v_thresh'", line=1)]
    monkeypatch.setattr(catalog, "type_problems", lambda *_a: list(problems))
    editor = window.equations
    editor.show_type("neurons", "LIF")
    status = editor.status.text()
    assert "'g_exc'" in status and "'v_thresh'" in status
    assert editor.edits["equations"].underlined == ["g_exc"]
    assert editor.edits["spike"].underlined == ["v_thresh"]
