"""Units for a user's own neuron type: declared in the equation editor (kept at the project's root,
never simulated), shown on the plot axes and written to the CSV and HDF5 exports."""
import csv

import h5py
import pytest

from annstudio.project.results import Results, load, save
from annstudio.project.runner import run_project
from annstudio.project.validate import check_document
from gui_helpers import open_lif_equations, spiking_project, type_into as _type

pytestmark = pytest.mark.gui


def _project():
    data = spiking_project(size=10, duration=100.0, dt=0.5)
    data["settings"]["paradigm"] = "numpy"
    data["monitors"][0]["variables"] = ["spike", "v"]
    return data


def test_units_of_a_user_type_label_plots_and_exports(window, qtbot, tmp_path):
    editor = open_lif_equations(window, qtbot, _project())
    form = editor.units_form
    assert {"v", "tau"} <= set(form.fields)
    _type(form.fields["v"], "mV<b>")
    assert "a unit is at most 32" in form.fields["v"].error() and "not applied" in form.fields["v"].error()
    doc = window.controller.document
    assert "units" not in doc.data
    _type(editor.units_form.fields["v"], "mV")
    assert doc.data["units"] == {"LIF": {"v": "mV"}}
    qtbot.wait(5)
    _type(editor.units_form.fields["tau"], "ms")
    assert doc.data["units"] == {"LIF": {"v": "mV", "tau": "ms"}}
    # undo takes the last one back, in the form too
    window.controller.stack.undo()
    qtbot.waitUntil(lambda: editor.units_form.fields["tau"].text() == "")
    assert doc.data["units"] == {"LIF": {"v": "mV"}}
    # the run's trace of v is labelled in mV, its CSV too
    window.docks["Plots"].raise_()
    window.actions["run"].trigger()
    qtbot.waitUntil(lambda: window.run.state in ("finished", "failed"), timeout=90_000)
    assert window.run.state == "finished", window.log.toPlainText()[-2000:]
    trace = next(p for p in window.plots.plots if p.kind == "trace" and p.variable == "v")
    assert trace.plot.getAxis("left").labelText == "v (mV)"
    path = trace.export(str(tmp_path / "v.csv"))
    header = next(csv.reader(open(path, encoding="utf-8")))
    assert header[1].endswith(".v (mV)")


def test_declared_units_reach_the_hdf5_results(tmp_path):
    data = _project()
    data["units"] = {"LIF": {"v": "mV"}}
    project = check_document(data)
    result = run_project(project)
    results = Results.from_run(result, project.spec)
    monitor = data["monitors"][0]["name"]
    assert results.unit(monitor, "v") == "mV"
    path = tmp_path / "run.h5"
    save(results, path)
    with h5py.File(path, "r") as f:
        units = []
        f.visititems(lambda name, obj: units.append((name, obj.attrs.get("unit"))) if "unit" in obj.attrs else None)
    assert any(name.endswith("v/values") or name.endswith("v/records") for name, unit in units if unit == "mV"), units
    assert load(path).unit(monitor, "v") == "mV"


def test_units_naming_what_the_type_lacks_are_located_errors():
    from annstudio.project.validate import verdict
    data = _project()
    data["units"] = {"LIF": {"vv": "mV"}, "Other": {"v": "mV"}}
    where = {p.where: p.message for p in verdict(data).errors}
    assert "no parameter or variable named 'vv'" in where["units.LIF.vv"]
    assert "no neuron type named 'Other'" in where["units.Other"]


def test_a_name_typed_into_the_type_gets_its_unit_field_at_once(window, qtbot):
    """The Units form follows the equations as they are typed: a new parameter gets its field when the
    check passes, without reopening the type; removing it takes the field away."""
    editor = open_lif_equations(window, qtbot, _project())
    assert "I_ext" not in editor.units_form.fields
    params = editor.edits["parameters"]
    before = params.toPlainText()
    params.setPlainText(before + "\nI_ext = 0.5")
    qtbot.waitUntil(lambda: "I_ext" in editor.units_form.fields, timeout=5000)
    _type(editor.units_form.fields["I_ext"], "nA")
    assert window.controller.document.data["units"]["LIF"]["I_ext"] == "nA"
    params.setPlainText(before)
    qtbot.waitUntil(lambda: "I_ext" not in editor.units_form.fields, timeout=5000)
