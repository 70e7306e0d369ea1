"""Forms, not JSON: initial values, input options and connector arguments edited as typed fields,
checked inline with a message in words, never silently discarded."""
import pytest
from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QLabel, QPushButton
from gui_helpers import choose as _choose, inspector_page, type_into as _type


pytestmark = pytest.mark.gui


def test_distribution_initial_value_is_a_chooser_with_named_fields(window, qtbot, project_file):
    window.open_path(str(project_file))
    doc = window.controller.document
    page = inspector_page(window, qtbot, "population", "exc")
    editor = page.initial_editors["v"]
    assert editor.mode.currentText() == "distribution"
    assert editor.fields["distribution"].currentText() == "Uniform"
    assert editor.fields["min"].text() == "0" and editor.fields["max"].text() == "1"
    assert not any("segments" in w.text() or "{" in w.text() for w in page.findChildren(QLabel))
    _type(editor.fields["max"], "2")
    assert doc.population("exc")["initial"]["v"] == {"distribution": "Uniform", "args": [0.0, 2.0]}
    # a Normal with its own named fields
    _choose(editor.fields["distribution"], "Normal")
    qtbot.wait(5)
    editor = page.initial_editors["v"]
    assert set(editor.fields) >= {"mean", "sd"}
    _type(editor.fields["mean"], "0.5")
    _type(editor.fields["sd"], "0.1")
    assert doc.population("exc")["initial"]["v"] == {"distribution": "Normal", "args": [0.5, 0.1]}


def test_bad_value_is_explained_in_words_and_keeps_the_document(window, qtbot, project_file):
    window.open_path(str(project_file))
    doc = window.controller.document
    page = inspector_page(window, qtbot, "population", "exc")
    editor = page.initial_editors["v"]
    before = doc.population("exc")["initial"]["v"]
    _type(editor.fields["max"], "1,5")
    msg = editor.fields["max"].error()
    assert "not a number" in msg and "not applied" in msg and "Expecting" not in msg
    assert editor.fields["max"].message.isVisible()
    assert doc.population("exc")["initial"]["v"] == before
    _type(editor.fields["max"], "1.5")
    assert editor.fields["max"].error() == ""
    assert doc.population("exc")["initial"]["v"]["args"] == [0.0, 1.5]


def test_constant_and_per_slice_initial_values(window, qtbot, project_file):
    window.open_path(str(project_file))
    doc = window.controller.document
    page = inspector_page(window, qtbot, "population", "exc")
    editor = page.initial_editors["v"]
    _choose(editor.mode, "constant")
    _type(editor.fields["value"], "-0.5")
    assert doc.population("exc")["initial"]["v"] == -0.5
    _choose(editor.mode, "per slice")
    qtbot.wait(5)
    ranks, value = editor.slices[0]
    _type(ranks, "0-99")
    _type(value, "0.3")
    add = next(b for b in editor.body.findChildren(QPushButton) if b.text() == "Add a slice")
    add.click()
    ranks2, value2 = editor.slices[1]
    _type(ranks2, "100-199")
    _type(value2, "0.9")
    assert doc.population("exc")["initial"]["v"] == {"segments": [{"slice": [0, 100], "value": 0.3},
                                                                  {"slice": [100, 200], "value": 0.9}]}
    assert doc.verdict().ok
    _type(ranks2, "abc")
    assert "not applied" in ranks2.error()
    _choose(editor.mode, "default")
    assert "v" not in (doc.population("exc").get("initial") or {})


def test_poisson_rate_and_spike_times_are_typed_fields(window, qtbot):
    window.new_project()
    doc = window.controller.document
    window.scene.drop_type("neurons", "PoissonPopulation", QPointF(0, 0))
    window.scene.drop_type("neurons", "SpikeSourceArray", QPointF(300, 0))
    poisson, array = [p["name"] for p in doc.data["populations"]]
    page = inspector_page(window, qtbot, "population", poisson)
    assert page.rate.isVisible() and page.rate.text() == "10.0"
    _type(page.rate, "25")
    assert doc.population(poisson)["options"]["rates"] == 25.0
    _type(page.rate, "-5")
    assert "at least 0" in page.rate.error()
    assert doc.population(poisson)["options"]["rates"] == 25.0
    page = inspector_page(window, qtbot, "population", array)
    assert page.spike_times.isVisible() and not page.rate.isVisible()
    assert page.spike_times.edit.toPlainText() == "10, 20, 30"
    page.spike_times.edit.setPlainText("5, 15\n2, x")
    page.spike_times.apply.click()
    assert "neuron 1" in page.spike_times.error() and "not a number" in page.spike_times.error()
    page.spike_times.edit.setPlainText("5, 15.5, 40")
    page.spike_times.apply.click()
    assert doc.population(array)["options"]["spike_times"] == [[5.0, 15.5, 40.0]]


def test_connector_arguments_are_checked_in_words(window, qtbot, project_file):
    window.open_path(str(project_file))
    doc = window.controller.document
    window.scene.select("rec")
    qtbot.waitUntil(lambda: window.inspector.current == ("projection", "rec"))
    page = window.inspector.projection
    from annstudio.gui.forms import CommitLineEdit
    prob = page.findChild(CommitLineEdit, "arg_probability")
    _type(prob, "1.5")
    qtbot.waitUntil(page.message.isVisible)
    assert "probability must be at most 1" in page.message.text() and "not applied" in page.message.text()
    assert doc.projection("rec")["connector"]["args"]["probability"] == 0.1
    _type(prob, "0.2")
    assert doc.projection("rec")["connector"]["args"]["probability"] == 0.2
    assert not page.message.isVisible()
    label = page.args_form.labelForField(prob)
    assert "chance" in label.toolTip()


def test_standard_type_shows_its_equations_read_only_with_a_one_click_copy(window, qtbot):
    from PySide6.QtWidgets import QPlainTextEdit

    from annstudio.project.gallery import GALLERY
    window.open_path(str(GALLERY / "izhikevich.json"))
    doc = window.controller.document
    assert doc.type_def("neurons", "Izh").get("standard") == "Izhikevich"
    window.tabs.setCurrentWidget(window.equations)
    window.equations.show_type("neurons", "Izh")
    qtbot.wait(5)
    views = {v.objectName(): v for v in window.equations.findChildren(QPlainTextEdit)
             if v.objectName().startswith("standard_") and v.isVisible()}
    assert "0.04 * v^2" in views["standard_equations"].toPlainText()
    assert views["standard_equations"].isReadOnly()
    assert window.equations.copy_button.isVisible()
    window.equations.copy_button.click()
    entry = doc.type_def("neurons", "Izh")
    assert "standard" not in entry and "0.04 * v^2" in entry["equations"]
    assert not window.equations.copy_button.isVisible()


def test_settings_explain_a_bad_value_and_say_their_unit(window, qtbot, project_file):
    window.open_path(str(project_file))
    doc = window.controller.document
    window.docks["Settings"].raise_()
    panel = window.settings_panel
    qtbot.waitUntil(panel.isVisible)
    _type(panel.fields["dt"], "-1")
    assert panel.message.isVisible() and "positive number of ms" in panel.message.text()
    assert doc.data["settings"]["dt"] == 0.5
    _type(panel.fields["seed"], "1.5")
    assert "whole number" in panel.message.text()
    _type(panel.fields["dt"], "0.25")
    assert doc.data["settings"]["dt"] == 0.25 and not panel.message.isVisible()
    tips = [w.toolTip() for w in panel.findChildren(QLabel)]
    assert any("time step, in ms" in t for t in tips)
