"""Projection weights and delays as choosers (constant / distribution with named fields), checked
inline with a message in words and never silently discarded."""
import pytest
from PySide6.QtWidgets import QLineEdit
from gui_helpers import choose as _choose, inspector_page, type_into as _type


pytestmark = pytest.mark.gui


def test_weights_are_a_constant_or_a_distribution_with_named_fields(window, qtbot, project_file):
    window.open_path(str(project_file))
    doc = window.controller.document
    page = inspector_page(window, qtbot, "projection", "rec")
    assert page.weights.mode.currentText() == "constant"
    assert page.weights.fields["value"].text() == "0.02"
    assert not any("{" in e.text() for e in page.findChildren(QLineEdit))     # no JSON anywhere
    _type(page.weights.fields["value"], "0.05")
    assert doc.projection("rec")["connector"]["weights"] == 0.05
    _choose(page.weights.mode, "distribution")
    assert doc.projection("rec")["connector"]["weights"] == {"distribution": "Uniform", "args": [0, 1]}
    _choose(page.weights.fields["distribution"], "Normal")
    _type(page.weights.fields["mean"], "0.1")
    _type(page.weights.fields["sd"], "0.02")
    _type(page.weights.fields["clip_min"], "0")
    assert doc.projection("rec")["connector"]["weights"] == {"distribution": "Normal", "args": [0.1, 0.02],
                                                             "min": 0.0}
    # undo brings the previous weights back into the form
    window.controller.stack.undo()
    undone = doc.projection("rec")["connector"]["weights"]
    assert undone != {"distribution": "Normal", "args": [0.1, 0.02], "min": 0.0}
    qtbot.waitUntil(lambda: page.weights.current_value() == undone)


def test_bad_weights_are_explained_in_words_and_not_applied(window, qtbot, project_file):
    window.open_path(str(project_file))
    doc = window.controller.document
    page = inspector_page(window, qtbot, "projection", "rec")
    _type(page.weights.fields["value"], "0,5")
    assert "not a number" in page.weights.error() and "not applied" in page.weights.error()
    assert page.weights.fields["value"].message.isVisible()
    assert doc.projection("rec")["connector"]["weights"] == 0.02
    # a problem between two fields (min above max) is said under the form
    _choose(page.weights.mode, "distribution")
    _type(page.weights.fields["min"], "2")
    assert "min (2) must not be above max (1)" in page.weights.message.text()
    assert page.weights.message.isVisible()
    assert doc.projection("rec")["connector"]["weights"] == {"distribution": "Uniform", "args": [0, 1]}
    _type(page.weights.fields["max"], "3")
    assert not page.weights.message.isVisible()
    assert doc.projection("rec")["connector"]["weights"] == {"distribution": "Uniform", "args": [2.0, 3.0]}


def test_delays_none_constant_or_distribution_never_negative(window, qtbot, project_file):
    window.open_path(str(project_file))
    doc = window.controller.document
    page = inspector_page(window, qtbot, "projection", "rec")
    assert page.delays.mode.currentText() == "none"
    assert any(label.text() == "one time step (dt)" for label in page.delays.findChildren(type(page.title)))
    _choose(page.delays.mode, "constant")
    assert doc.projection("rec")["connector"]["delays"] == 0.0
    _type(page.delays.fields["value"], "-2")
    assert "at least 0" in page.delays.error()
    assert doc.projection("rec")["connector"]["delays"] == 0.0
    _type(page.delays.fields["value"], "2.5")
    assert doc.projection("rec")["connector"]["delays"] == 2.5
    _choose(page.delays.mode, "distribution")
    _choose(page.delays.fields["distribution"], "Normal")
    _type(page.delays.fields["mean"], "3")
    assert "set clip min to 0" in page.delays.message.text()
    _type(page.delays.fields["clip_min"], "0")
    assert doc.projection("rec")["connector"]["delays"] == {"distribution": "Normal", "args": [3.0, 0.0], "min": 0.0}
    _choose(page.delays.mode, "none")
    assert doc.projection("rec")["connector"]["delays"] is None


def test_the_weights_label_offers_a_sweep(window, qtbot, project_file):
    from PySide6.QtWidgets import QLabel
    window.open_path(str(project_file))
    page = inspector_page(window, qtbot, "projection", "rec")
    label = next(w for w in page.findChildren(QLabel) if w.text() == "Weights")
    next(a for a in label.actions() if a.text().startswith("Sweep this parameter")).trigger()
    assert window.sweep_panel.parameter.text() == "rec.w"
    assert window.docks["Sweep"].isVisible()
