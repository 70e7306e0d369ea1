"""Lab sheets: every shipped sheet parses, follows its example, and its buttons do what they say."""
import json

import pytest

from annstudio.gui.lab.sheets import load_sheet, parse_action, sheet_paths
from annstudio.project.gallery import GALLERY

pytestmark = pytest.mark.gui


def test_at_least_five_examples_have_a_sheet_and_every_action_parses():
    stems = [p.stem for p in sheet_paths()]
    examples = {p.stem for p in GALLERY.glob("*.json")}
    assert "first_lesson" in stems
    assert len(set(stems) & examples) >= 5
    for path in sheet_paths():
        sheet = load_sheet(path)          # raises on an unknown action
        assert sheet.actions and sheet.title != path.stem


def test_bad_action_is_refused_with_a_located_message(tmp_path):
    with pytest.raises(ValueError, match="unknown lab-sheet action"):
        parse_action("explode now")
    bad = tmp_path / "x.md"
    bad.write_text("# X\n::: try connect a b\n")
    with pytest.raises(ValueError, match="x.md, line 2"):
        load_sheet(bad)


def test_sheet_actions_name_things_that_exist_in_their_example():
    for path in sheet_paths():
        project = GALLERY / f"{path.stem}.json"
        if not project.exists():
            continue
        data = json.loads(project.read_text())
        names = {"population": {p["name"] for p in data["populations"]},
                 "projection": {p["name"] for p in data["projections"]}}
        for action in load_sheet(path).actions:
            if action.verb == "set":
                assert action.args[1] in names[action.args[0]], (path.name, action)
            if action.verb == "record":
                assert action.args[0] in names["population"], (path.name, action)


def test_opening_an_example_shows_its_sheet(window):
    window.open_path(str(GALLERY / "coba.json"))
    assert window.lab_sheet.current.stem == "coba"
    assert "balanced" in window.lab_sheet.browser.toPlainText()
    assert "Try this" in window.lab_sheet.browser.toPlainText()


def test_first_lesson_builds_poisson_to_lif_and_opens_the_fi_curve(window, qtbot):
    panel = window.lab_sheet
    panel.show_sheet("first_lesson")
    actions = panel.current.actions
    for k, action in enumerate(actions):
        if action.verb == "run":
            continue
        panel.trigger(k)
        if action.verb == "set" and action.args[0] == "projection":
            break
    doc = window.controller.document
    pops = {p["name"]: p for p in doc.data["populations"]}
    assert pops["inputs"]["kind"] == "poisson" and pops["inputs"]["options"]["rates"] == 20
    assert pops["neurons"]["neuron"] == "IF_curr_exp" and pops["neurons"]["geometry"] == [20]
    proj = doc.projection("inputs_neurons")
    assert proj["connector"]["weights"] == 0.3 and proj["connector"]["args"]["probability"] == 0.5
    assert doc.data["monitors"][0]["variables"] == ["spike", "v"]
    assert doc.verdict().ok
    assert "Done" in panel.status.text()
    # the last button opens the lab on the F-I curve of the neurons' type
    panel.trigger(len(actions) - 1)
    assert window.tabs.currentWidget() is window.neuron_lab
    assert window.neuron_lab.type_box.currentText() == "IF_curr_exp"
    assert window.neuron_lab.tabs.currentIndex() == 0


def test_first_lesson_end_to_end_through_its_buttons(window, qtbot):
    """Empty project -> Poisson -> LIF -> run -> raster -> stronger weight -> more spikes -> F-I curve."""
    panel = window.lab_sheet
    panel.show_sheet("first_lesson")
    actions = panel.current.actions
    counts = []
    for k, action in enumerate(actions):
        if action.verb == "run":
            panel.trigger(k)
            qtbot.waitUntil(lambda: window.run.state == "finished", timeout=120000)
            qtbot.wait(50)
            raster = window.plots.plot_of("raster", "neurons")
            counts.append(raster.spike_count(window.run.current.feed))
        elif action.verb == "lab":
            with qtbot.waitSignal(window.neuron_lab.computed, timeout=30000):
                panel.trigger(k)
        else:
            panel.trigger(k)
    assert window.controller.document.data["settings"]["paradigm"] == "numpy"
    assert len(counts) == 2
    # 20 neurons for 1 s: a weight of 0.1 nA gives a mean input current (0.5 nA) below the rheobase
    # (0.75 nA), 0.3 nA one well above it (1.5 nA, about 65 Hz by the F-I curve)
    assert counts[0] < 20 * 10
    assert counts[1] > 20 * 40 and counts[1] > 5 * counts[0]
    currents, rates = window.neuron_lab.fi_curve.getData()
    assert window.neuron_lab.type_box.currentText() == "IF_curr_exp"
    assert rates[currents < 0.7].max() == 0 and rates[-1] > 50
