"""The equation editor lists every error of a type, from the real checker (the parser stops at its
first): each underlined at its token, in its block, and the list shrinks as they are fixed."""
import pytest

from annstudio.project.document import ProjectDocument
from gui_helpers import spiking_project

pytestmark = pytest.mark.gui


def test_every_error_of_a_type_is_listed_and_underlined_at_its_token(window, qtbot):
    data = spiking_project()
    lif = data["neurons"]["LIF"]
    lif["parameters"] = lif["parameters"] + "\nq = foo + 1"
    lif["equations"] = "tau * dv/dt = v_rest - v + I + bar + q\ndu/dt = -u + baz"
    lif["spike"] = "v > qux"
    window.controller.set_document(ProjectDocument(data))
    editor = window.equations
    editor.show_type("neurons", "LIF")
    status = editor.status.text()
    for name in ("foo", "bar", "baz", "qux"):
        assert f"unknown name '{name}'" in status, (name, status)
    assert status.count("✗") == 4
    assert editor.edits["parameters"].underlined == ["foo"]
    assert editor.edits["equations"].underlined == ["bar", "baz"]
    assert editor.edits["spike"].underlined == ["qux"]
    # fixing one leaves the others, found again by the real checker
    lines = lif["equations"].split("\n")
    editor.edits["equations"].setPlainText("tau * dv/dt = v_rest - v + I + q\n" + lines[1])
    qtbot.waitUntil(lambda: "'bar'" not in editor.status.text(), timeout=5000)
    status = editor.status.text()
    assert status.count("✗") == 3 and "'baz'" in status and "'foo'" in status and "'qux'" in status
    assert editor.edits["equations"].underlined == ["baz"]
