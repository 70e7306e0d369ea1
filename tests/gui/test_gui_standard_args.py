"""A standard type's arguments as typed fields with units (not JSON), checked in words; the
editable copy keeps them."""
import pytest
from PySide6.QtWidgets import QLineEdit

from annstudio.project.gallery import GALLERY
from gui_helpers import type_into as _type

pytestmark = pytest.mark.gui


def _izhikevich(window, qtbot):
    window.open_path(str(GALLERY / "izhikevich.json"))
    window.tabs.setCurrentWidget(window.equations)
    window.equations.show_type("neurons", "Izh")
    qtbot.wait(5)
    return window.equations


def test_standard_arguments_are_named_number_fields_with_units(window, qtbot):
    editor = _izhikevich(window, qtbot)
    doc = window.controller.document
    form = editor.standard_args
    assert list(form.fields)[:4] == ["a", "b", "c", "d"]
    assert form.fields["a"].text() == "0.02"
    labels = {form.layout().itemAt(0).layout().labelForField(f).text() for f in form.fields.values()}
    assert "c (mV)" in labels and "noise (mV/ms)" in labels
    assert not any(e.text().startswith("{") for e in editor.findChildren(QLineEdit))      # no JSON
    _type(form.fields["d"], "2")
    assert doc.type_def("neurons", "Izh")["args"]["d"] == 2.0
    qtbot.wait(5)
    form = editor.standard_args                       # rebuilt from the document
    assert form.fields["d"].text() == "2"
    # the read-only equations follow the arguments
    from PySide6.QtWidgets import QPlainTextEdit
    params = next(v for v in editor.findChildren(QPlainTextEdit) if v.objectName() == "standard_parameters"
                  and v.isVisible())
    assert "d = 2" in params.toPlainText()
    # back to the default: the argument leaves the file
    _type(form.fields["d"], "8")
    assert "d" not in doc.type_def("neurons", "Izh")["args"]


def test_bad_standard_argument_is_explained_and_not_applied(window, qtbot):
    editor = _izhikevich(window, qtbot)
    doc = window.controller.document
    before = dict(doc.type_def("neurons", "Izh")["args"])
    form = editor.standard_args
    _type(form.fields["a"], "fast")
    assert "not a number" in form.error() and "not applied" in form.error()
    assert form.fields["a"].message.isVisible()
    assert doc.type_def("neurons", "Izh")["args"] == before
    # an expression argument goes through the equation parser: an unknown name is refused in words
    _type(form.fields["conductance"], "g_exc - nothing_here")
    assert "nothing_here" in form.message.text() and "not applied" in form.message.text()
    assert form.message.isVisible()
    assert doc.type_def("neurons", "Izh")["args"] == before


def test_editable_copy_keeps_the_arguments(window, qtbot):
    editor = _izhikevich(window, qtbot)
    doc = window.controller.document
    _type(editor.standard_args.fields["d"], "2")
    qtbot.wait(5)
    editor.copy_button.click()
    entry = doc.type_def("neurons", "Izh")
    assert "standard" not in entry
    assert any(line.replace(" ", "").startswith("d=2") for line in entry["parameters"].splitlines())
