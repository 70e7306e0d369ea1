"""The project setting ``settings.precision`` ("float64", the default, or "float32"): validated with a located
error, kept through a save and load, honoured by ``run_project`` and the CLI (``annstudio run``, also
``--precision``), and a float32 run of the compiled backend gives the float32 NumPy reference's spikes."""
import copy
import json

import numpy as np
import pytest

from annstudio import cli
from annstudio.project.format import InvalidProject
from annstudio.project.runner import load_results, run_project
from annstudio.project.validate import check_document, load_project
from project_helpers import SMALL

pytestmark = pytest.mark.usefixtures("temp_cache")


_ABSENT = object()


def _doc(precision, paradigm="numpy"):
    doc = copy.deepcopy(SMALL)
    doc["settings"]["paradigm"] = paradigm
    if precision is not _ABSENT:
        doc["settings"]["precision"] = precision
    return doc


def _spikes(result, monitor):
    return {k: np.asarray(v) for k, v in result.recordings.items() if k.startswith(monitor) and "spike" in k}


def test_precision_round_trips_through_a_saved_project(tmp_path):
    path = tmp_path / "p.annproj.json"
    path.write_text(json.dumps(_doc("float32")))
    project = load_project(path)
    assert project.spec.settings.precision == "float32"
    assert json.loads(path.read_text())["settings"]["precision"] == "float32"
    assert check_document(_doc(_ABSENT)).spec.settings.precision == "float64"     # absent: the default


def test_float32_project_runs_and_matches_the_float32_reference(cpp_paradigm):
    ref = run_project(check_document(_doc("float32", "numpy")))
    got = run_project(check_document(_doc("float32", "openmp")))
    double = run_project(check_document(_doc("float64", "openmp")))
    assert ref.metadata["precision"] == got.metadata["precision"] == "float32"
    assert double.metadata["precision"] == "float64"
    spikes_ref, spikes_got = _spikes(ref, "mA"), _spikes(got, "mA")
    assert spikes_ref and sum(v.size for v in spikes_ref.values()) > 10
    for key, value in spikes_ref.items():
        assert np.array_equal(spikes_got[key], value), key
    v_ref = next(np.asarray(v) for k, v in ref.recordings.items() if k.startswith("mA") and k.endswith("v"))
    v_got = next(np.asarray(v) for k, v in got.recordings.items() if k.startswith("mA") and k.endswith("v"))
    v_dbl = next(np.asarray(v) for k, v in double.recordings.items() if k.startswith("mA") and k.endswith("v"))
    np.testing.assert_allclose(v_got, v_ref, rtol=2e-6, atol=1e-6)
    assert not np.array_equal(v_got.astype(np.float64), v_dbl.astype(np.float64))   # really single precision


@pytest.mark.parametrize("bad", ["float16", "single", "double", 32, None])
def test_bad_precision_is_a_located_error(bad):
    with pytest.raises(InvalidProject) as err:
        check_document(_doc(bad))
    where = " ".join(str(p.where) for p in err.value.problems)
    assert "settings" in where and "precision" in where


def test_cli_honours_the_setting_and_its_override(tmp_path, cpp_paradigm):
    path = tmp_path / "p.annproj.json"
    path.write_text(json.dumps(_doc("float32", "openmp")))
    out = tmp_path / "r.npz"
    assert cli.main(["run", str(path), "--out", str(out), "--quiet"]) == 0
    assert load_results(out)[1]["precision"] == "float32"
    assert cli.main(["run", str(path), "--out", str(out), "--quiet", "--precision", "float64"]) == 0
    assert load_results(out)[1]["precision"] == "float64"


@pytest.mark.parametrize("api,text", [(4, "precision='float'"), (5, "dtype=ann.float32")])
def test_exported_scripts_keep_single_precision(tmp_path, monkeypatch, api, text):
    """4.x scripts say ANNarchy 4.8's ``precision='float'``, 5.x ones ``config(dtype=ann.float32)``; both run
    on annstudio in float32."""
    from annstudio.project.export import export_script
    import annstudio.engine as ann
    script = export_script(_doc("float32", "numpy"), plot=False, api=api)
    assert text in script
    assert "precision" not in export_script(_doc(_ABSENT), plot=False, api=api)
    monkeypatch.chdir(tmp_path)
    ns = {"__name__": "__main__"}
    try:
        exec(compile(script, str(tmp_path / "s.py"), "exec"), ns)     # noqa: S102 - our own exported script
        pops = [v for v in ns.values() if type(v).__name__ == "Population"]
        assert pops and all(np.asarray(p.v).dtype == np.float32 for p in pops)
    finally:
        ann.clear()
        ann.setup(precision="float64")


def test_report_lists_the_precision():
    from annstudio.project.report import project_report
    assert "| precision | float32 |" in project_report(check_document(_doc("float32")))
