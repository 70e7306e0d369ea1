"""The plain-Python project document and its undo commands (no Qt)."""
import json

import pytest

from annstudio.project import commands as C
from annstudio.project.document import MISSING, ProjectDocument, new_project_dict


def _pop(name, size=10, neuron="LIF"):
    return {"name": name, "geometry": [size], "neuron": neuron, "kind": "standard",
            "initial": {}, "options": {}}


def _proj(name, pre, post, target="exc"):
    return {"name": name, "pre": pre, "post": post, "target": target, "synapse": None,
            "connector": {"method": "all_to_all", "weights": 1.0, "delays": None, "args": {}},
            "initial": {}}


@pytest.fixture
def doc():
    d = ProjectDocument(new_project_dict("t"))
    d.data["neurons"]["LIF"] = {"parameters": "tau = 10.0", "equations": "tau*dv/dt = -v",
                                "spike": "v > 1", "reset": "v = 0"}
    return d


@pytest.fixture
def stack(doc):
    return C.UndoStack(doc)


def test_normalise_fills_sections():
    d = ProjectDocument({"name": "x"})
    assert d.items("populations") == [] and d.settings["dt"] == 1.0
    assert d.data["format"] == "annstudio-project"


def test_add_population_emits_and_undoes(doc, stack):
    events = []
    doc.subscribe(events.append)
    stack.push(C.add_population(doc, _pop("A"), pos=(10, 20)))
    assert doc.population("A")["geometry"] == [10]
    assert doc.position("A") == (10.0, 20.0)
    assert [(e.section, e.key, e.action) for e in events] == [("populations", "A", "added"),
                                                              ("layout", "A", "changed")]
    assert doc.dirty
    stack.undo()
    assert doc.population("A") is None and doc.position("A") is None
    stack.redo()
    assert doc.population("A") is not None and doc.position("A") == (10.0, 20.0)


def test_duplicate_name_rejected_without_change(doc, stack):
    stack.push(C.add_population(doc, _pop("A")))
    with pytest.raises(ValueError):
        stack.push(C.add_population(doc, _pop("A", 5)))
    assert len(doc.items("populations")) == 1
    assert doc.population("A")["geometry"] == [10]


def test_remove_population_removes_projections_and_monitors(doc, stack):
    for name in ("A", "B"):
        stack.push(C.add_population(doc, _pop(name), pos=(0, 0)))
    stack.push(C.add_projection(doc, _proj("AB", "A", {"population": "B", "slice": [0, 5]})))
    stack.push(C.add_projection(doc, _proj("BB", "B", "B")))
    stack.push(C.InsertItem("monitors", {"name": "mA", "target": "A", "kind": "population",
                                         "variables": ["spike"]}))
    stack.push(C.InsertItem("monitors", {"name": "mAB", "target": "AB", "kind": "projection",
                                         "variables": ["w"]}))
    before = json.dumps(doc.data, sort_keys=True)
    stack.push(C.remove_population(doc, "A"))
    assert doc.population("A") is None and doc.projection("AB") is None
    assert doc.projection("BB") is not None
    assert doc.items("monitors") == []
    stack.undo()
    assert json.dumps(doc.data, sort_keys=True) == before
    stack.redo()
    assert [p["name"] for p in doc.items("populations")] == ["B"]


def test_remove_selection_shared_projection_once(doc, stack):
    for name in ("A", "B", "C"):
        stack.push(C.add_population(doc, _pop(name)))
    stack.push(C.add_projection(doc, _proj("AB", "A", "B")))
    stack.push(C.add_projection(doc, _proj("BC", "B", "C")))
    before = json.dumps(doc.data, sort_keys=True)
    stack.push(C.remove_selection(doc, populations=["A", "B"], projections=["AB"]))
    assert [p["name"] for p in doc.items("populations")] == ["C"]
    assert doc.items("projections") == []
    stack.undo()
    assert json.dumps(doc.data, sort_keys=True) == before
    stack.redo()
    stack.undo()
    assert json.dumps(doc.data, sort_keys=True) == before


def test_rename_population_updates_references(doc, stack):
    for name in ("A", "B"):
        stack.push(C.add_population(doc, _pop(name), pos=(1, 2)))
    stack.push(C.add_projection(doc, _proj("AB", "A", {"population": "B", "slice": [0, 5]})))
    stack.push(C.add_projection(doc, _proj("BA", "B", "A")))
    stack.push(C.InsertItem("monitors", {"name": "m", "target": "A", "kind": "population",
                                         "variables": ["spike"]}))
    stack.push(C.SetProtocol([{"action": "set", "target": "A", "variable": "v", "value": 1.0},
                              {"action": "simulate", "duration": 10.0}]))
    before = json.dumps(doc.data, sort_keys=True)
    stack.push(C.RenameItem("populations", "A", "Exc"))
    assert doc.projection("AB")["pre"] == "Exc"
    assert doc.projection("BA")["post"] == "Exc"
    assert doc.projection("AB")["post"] == {"population": "B", "slice": [0, 5]}
    assert doc.monitor("m")["target"] == "Exc"
    assert doc.position("Exc") == (1.0, 2.0) and doc.position("A") is None
    assert doc.items("protocol")[0]["target"] == "Exc"
    stack.undo()
    assert json.dumps(doc.data, sort_keys=True) == before


def test_rename_to_taken_name_fails_cleanly(doc, stack):
    for name in ("A", "B"):
        stack.push(C.add_population(doc, _pop(name)))
    with pytest.raises(ValueError):
        stack.push(C.RenameItem("populations", "A", "B"))
    assert {p["name"] for p in doc.items("populations")} == {"A", "B"}


def test_set_field_merges_and_reverts(doc, stack):
    stack.push(C.add_population(doc, _pop("A")))
    stack.push(C.SetField("populations", "A", "geometry", [20]))
    stack.push(C.SetField("populations", "A", "geometry", [30]))
    assert len(stack.done) == 2  # the two size edits merged
    assert doc.population("A")["geometry"] == [30]
    stack.undo()
    assert doc.population("A")["geometry"] == [10]


def test_set_nested_field_path(doc, stack):
    stack.push(C.add_population(doc, _pop("A")))
    stack.push(C.SetField("populations", "A", ("initial", "v"), -65.0))
    assert doc.population("A")["initial"] == {"v": -65.0}
    stack.undo()
    assert doc.population("A")["initial"] == {}


def test_type_text_edits_merge(doc, stack):
    events = []
    doc.subscribe(events.append)
    stack.push(C.SetTypeField("neurons", "LIF", "equations", "tau*dv/dt = -v + 1"))
    stack.push(C.SetTypeField("neurons", "LIF", "equations", "tau*dv/dt = -v + 2"))
    assert len(stack.done) == 1
    assert events[-1].section == "neurons" and events[-1].field == "equations"
    stack.undo()
    assert doc.type_def("neurons", "LIF")["equations"] == "tau*dv/dt = -v"


def test_add_and_remove_type(doc, stack):
    stack.push(C.SetType("synapses", "Hebb", {"standard": "Hebb", "args": {}}))
    assert doc.type_def("synapses", "Hebb")["standard"] == "Hebb"
    stack.undo()
    assert doc.type_def("synapses", "Hebb") is None
    stack.redo()
    stack.push(C.SetType("synapses", "Hebb", MISSING))
    assert doc.type_def("synapses", "Hebb") is None
    stack.undo()
    assert doc.type_def("synapses", "Hebb") is not None


def test_settings_and_move(doc, stack):
    stack.push(C.SetSetting("dt", 0.1))
    stack.push(C.add_population(doc, _pop("A"), pos=(0, 0)))
    stack.push(C.move_nodes({"A": (50, 60)}))
    assert doc.settings["dt"] == 0.1 and doc.position("A") == (50.0, 60.0)
    stack.undo()
    assert doc.position("A") == (0.0, 0.0)
    stack.undo()
    stack.undo()
    assert doc.settings["dt"] == 1.0


def test_dirty_state_and_unique_names(doc, stack):
    assert not doc.dirty
    stack.push(C.add_population(doc, _pop("pop")))
    assert doc.dirty
    doc.mark_saved("/tmp/x.json")
    assert not doc.dirty and doc.path == "/tmp/x.json"
    assert doc.unique_name("pop") == "pop1"
    assert doc.unique_name("LIF", "neurons") == "LIF1"


def test_json_roundtrip(doc, stack, tmp_path):
    stack.push(C.add_population(doc, _pop("A"), pos=(3, 4)))
    path = tmp_path / "p.json"
    path.write_text(doc.to_json())
    again = ProjectDocument(json.loads(path.read_text()))
    assert again.data == doc.data
