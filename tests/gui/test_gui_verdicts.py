"""The studio gives the verdict ``annstudio validate`` gives (one validator): a fault in a
type's text is shown by the equation editor with the validator's located message, and the
studio's Build refuses the same projects with the same messages (malformed_corpus.py)."""
import copy

import pytest

from annstudio.project.document import ProjectDocument
from annstudio.project.validate import verdict

from malformed_corpus import cases

pytestmark = pytest.mark.gui

RUN_TIMEOUT = 60_000
BY_ID = {c.id: c for c in cases()}
TYPE_CASES = [c for c in BY_ID.values() if c.type_key and c.id.startswith("small-")][::3]
BUILD_CASES = ["small-probability_above_1", "small-dog_missing", "small-until_without_stop_condition",
               "small-geometry_negative", "small-neuron_unknown"]


def _load(window, doc):
    window.controller.set_document(ProjectDocument(copy.deepcopy(doc)))
    window.show_workspace()


def _type_case(prefix):
    return next(c for c in BY_ID.values() if c.id.startswith(prefix))


@pytest.mark.parametrize("case", TYPE_CASES + [_type_case("small-synapses-S-pruning")], ids=lambda c: c.id)
def test_editor_shows_the_validators_message(window, qtbot, case):
    _load(window, case.doc)
    window.tabs.setCurrentWidget(window.equations)
    window.equations.show_type(*case.type_key)
    error = window.equations.validate()
    expected = [p for p in verdict(copy.deepcopy(case.doc)).errors
                if p.where.startswith(".".join(case.type_key))][0]
    assert error == expected
    assert "✗" in window.equations.status.text() and "✓" not in window.equations.status.text()
    assert expected.message in window.equations.status.text()
    field = expected.where[len(".".join(case.type_key)) + 1:]
    if field in window.equations.edits:                           # underlined on its block and line
        assert window.equations.error_block() == (field, expected.line or 1)


def test_pruning_syntax_error_no_longer_shows_a_check_mark(window, qtbot):
    case = _type_case("small-synapses-S-pruning")
    _load(window, case.doc)
    window.equations.show_type("synapses", "S")
    assert window.equations.error_block() == ("pruning", 1)
    assert "Pruning, line 1" in window.equations.status.text()
    window.equations._block_edited("pruning", "w < 0.0")          # the fix clears it
    assert window.equations.validate() is None
    assert "✓" in window.equations.status.text()


@pytest.mark.parametrize("case_id", BUILD_CASES)
def test_build_refuses_with_the_same_messages(window, qtbot, case_id):
    doc = BY_ID[case_id].doc
    _load(window, doc)
    before = window.controller.document.to_dict()
    window.actions["run"].trigger()
    qtbot.waitUntil(lambda: window.run.state == "failed", timeout=RUN_TIMEOUT)
    log = window.log.toPlainText()
    for problem in verdict(copy.deepcopy(doc)).errors:
        assert str(problem) in log
    assert window.controller.document.to_dict() == before


def test_synapse_kind_is_a_field_of_the_form_and_is_checked(window, qtbot):
    case = _type_case("small-synapses-S-pruning")
    doc = copy.deepcopy(case.doc)
    doc["synapses"]["S"]["pruning"] = ""
    _load(window, doc)
    editor = window.equations
    editor.show_type("synapses", "S")
    assert editor.validate() is None
    editor.kind.setCurrentText("rate-coded")
    editor.kind.activated.emit(editor.kind.currentIndex())        # as a user's choice
    assert window.controller.document.type_def("synapses", "S")["type"] == "rate"
    error = editor.validate()
    assert error is not None and error.where == "synapses.S" and "spiking projection" in error.message
    window.actions["undo"].trigger()
    assert editor.kind.currentText() == "automatic" and editor.validate() is None
