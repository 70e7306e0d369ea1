"""A corpus of malformed and hostile project files: each one gives a located error and a
non-zero exit from the CLI, no traceback, never writes or overwrites anything, runs nothing."""
import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from annstudio import cli
from project_helpers import ROOT, SMALL

CORPUS = Path(__file__).with_name("corpus")
INJECT = "__import__('os').system('touch PWNED')"


def _doc(**changes):
    d = copy.deepcopy(SMALL)
    for path, value in changes.items():
        node = d
        keys = [int(k) if k.isdigit() else k for k in path.split("__")]
        for k in keys[:-1]:
            node = node[k]
        if value is _DELETE:
            del node[keys[-1]]
        else:
            node[keys[-1]] = value
    return json.dumps(d)


_DELETE = object()
VALID = json.dumps(SMALL)

# (case id, file text, text expected in the located message)
CASES = [
    ("empty", "", "line 1, column 1"),
    ("truncated", VALID[: len(VALID) // 2], "line 1, column"),
    ("not_json", "hello world", "line 1, column 1"),
    ("top_array", "[1, 2, 3]", "project: a project is a JSON object"),
    ("top_number", "42", "project: a project is a JSON object"),
    ("top_null", "null", "project: a project is a JSON object"),
    ("wrong_format", _doc(format="something-else"), "format: not an annstudio project"),
    ("missing_format", _doc(format=_DELETE), "format: not an annstudio project"),
    ("missing_version", _doc(schema_version=_DELETE), "schema_version: schema_version must be an integer"),
    ("version_string", _doc(schema_version="1"), "schema_version"),
    ("version_future", _doc(schema_version=99), "schema_version: written by a newer annstudio"),
    ("version_zero", _doc(schema_version=0), "schema_version: unknown"),
    ("version_float", _doc(schema_version=1.5), "schema_version"),
    ("populations_not_list", _doc(populations={"A": 1}), "populations"),
    ("population_no_name", _doc(populations__0__name=_DELETE), "populations[0]"),
    ("population_name_injection", _doc(populations__0__name='A"; import os #'), "populations[0].name"),
    ("population_name_spaces", _doc(populations__0__name="my pop"), "populations[0].name"),
    ("geometry_negative", _doc(populations__0__geometry=-5), "populations[0].geometry"),
    ("geometry_zero", _doc(populations__0__geometry=0), "populations[0].geometry"),
    ("geometry_string", _doc(populations__0__geometry="20"), "populations[0].geometry"),
    ("geometry_huge", _doc(populations__0__geometry=10 ** 12), "populations[0].geometry"),
    ("geometry_product_huge", _doc(populations__0__geometry=[100000000, 100000000]), "populations[0].geometry"),
    ("geometry_5d", _doc(populations__0__geometry=[1, 1, 1, 1, 1]), "populations[0].geometry"),
    ("neuron_unknown", _doc(populations__0__neuron="Ghost"), "populations[0].neuron"),
    ("equation_syntax", _doc(neurons__LIF__equations="tau * dv/dt = -v +"), "neurons.LIF.equations, line 1"),
    ("equation_injection_import", _doc(neurons__LIF__equations=f"tau * dv/dt = -v\nx = {INJECT}"),
     "neurons.LIF.equations, line 2"),
    ("equation_injection_exec", _doc(neurons__LIF__equations="tau * dv/dt = exec('import os') - v"),
     "neurons.LIF.equations, line 1"),
    ("equation_dunder_attribute", _doc(neurons__LIF__equations="tau * dv/dt = v.__class__ - v"),
     "neurons.LIF.equations, line 1"),
    ("equation_lambda", _doc(neurons__LIF__equations="tau * dv/dt = (lambda: 1)() - v"),
     "neurons.LIF.equations, line 1"),
    ("parameter_not_number", _doc(neurons__LIF__parameters="tau = ten"), "neurons.LIF.parameters, line 1"),
    ("spike_injection", _doc(neurons__LIF__spike="open('/etc/passwd')"), "neurons.LIF.spike"),
    ("reset_injection", _doc(neurons__LIF__reset=f"v = {INJECT}"), "neurons.LIF.reset"),
    ("functions_injection", _doc(neurons__LIF__functions=f"f(x) = {INJECT}"), "neurons.LIF.functions"),
    ("standard_unknown", _doc(neurons__LIF={"standard": "NotAModel", "args": {}}), "neurons.LIF.standard"),
    ("standard_bad_args", _doc(neurons__LIF={"standard": "Izhikevich", "args": {"zzz": 1.0}}), "neurons.LIF.args"),
    ("type_unknown_field", _doc(neurons__LIF__code="import os"), "neurons.LIF"),
    ("projection_pre_unknown", _doc(projections__0__pre="Nope"), "projections[0].pre"),
    ("projection_post_unknown", _doc(projections__0__post={"population": "Nope"}), "projections[0].post"),
    ("projection_slice_out_of_range", _doc(projections__0__pre={"population": "A", "slice": [0, 500]}),
     "projections[0].pre.slice"),
    ("projection_slice_empty", _doc(projections__0__pre={"population": "A", "slice": [5, 5]}),
     "projections[0].pre.slice"),
    ("projection_target_injection", _doc(projections__0__target="exc); import os; ("), "projections[0].target"),
    ("connector_unknown_method", _doc(projections__0__connector__method="with_func"), "projections[0].connector"),
    ("weights_string", _doc(projections__0__connector__weights="1.0"), "projections[0].connector.weights"),
    ("distribution_unknown", _doc(projections__0__connector__weights={"distribution": "Cauchy", "args": [0, 1]}),
     "projections[0].connector.weights"),
    ("distribution_bad_args", _doc(projections__0__connector__weights={"distribution": "Uniform", "args": [1, 0]}),
     "projections[0].connector.weights"),
    ("nan_literal", VALID.replace('"dt": 1.0', '"dt": NaN'), "invalid JSON: NaN is not allowed"),
    ("infinity_literal", VALID.replace('"dt": 1.0', '"dt": Infinity'), "invalid JSON: Infinity is not allowed"),
    ("overflowing_number", VALID.replace('"dt": 1.0', '"dt": 1e400'), "settings.dt"),
    ("duplicate_keys", VALID.replace('"name": "small"', '"name": "small", "name": "other"'), "duplicate key"),
    ("deep_nesting", '{"format": "annstudio-project", "x-deep": ' + "[" * 100000 + "]" * 100000 + "}",
     "nested deeper"),
    ("huge_description", _doc(description="x" * 30000), "description"),
    ("huge_equations", _doc(neurons__LIF__equations="tau * dv/dt = -v\n" * 20000), "neurons.LIF.equations"),
    ("unknown_top_level_key", _doc(script="import os"), "project: 'script' does not match"),
    ("monitor_target_unknown", _doc(monitors__0__target="Ghost"), "monitors[0].target"),
    ("monitor_variable_unknown", _doc(monitors__0__variables=["spike", "ghost"]), "monitors[0].variables[1]"),
    ("protocol_unknown_action", _doc(protocol__0={"action": "exec", "code": "print(1)"}), "protocol[0].action"),
    ("protocol_set_unknown_target", _doc(protocol__1__target="Ghost"), "protocol[1].target"),
    ("protocol_set_unknown_variable", _doc(protocol__1__variable="ghost"), "protocol[1].variable"),
    ("protocol_negative_duration", _doc(protocol__0__duration=-5), "protocol[0].duration"),
    ("protocol_until_unknown_population", _doc(protocol__0={"action": "simulate_until", "max_duration": 10,
                                                             "population": "Ghost"}), "protocol[0].population"),
    ("settings_dt_negative", _doc(settings__dt=-0.1), "settings.dt"),
    ("settings_paradigm_unknown", _doc(settings__paradigm="fortran"), "settings.paradigm"),
    ("settings_threads_zero", _doc(settings__num_threads=0), "settings.num_threads"),
    ("settings_seed_negative", _doc(settings__seed=-1), "settings.seed"),
    ("initial_array_wrong_size", _doc(populations__0__initial={"v": {"array": [1.0, 2.0]}}),
     "populations[0].initial.v"),
    ("initial_array_ragged", _doc(populations__0__initial={"v": {"array": [[1.0], [1.0, 2.0]]}}),
     "populations[0].initial.v"),
    ("segments_out_of_range", _doc(populations__1__initial={"I": {"segments": [{"slice": [0, 99], "value": 1}]}}),
     "populations[1].initial.I.segments[0].slice"),
    ("layout_bad_coordinates", _doc(layout={"A": {"x": "left", "y": 0}}), "layout.A.x"),
    ("name_not_string", _doc(name=12), "name"),
    ("standard_population_without_neuron", _doc(populations__0__neuron=None), "populations[0].neuron"),
    ("synapse_unknown_reference", _doc(projections__0__synapse="Ghost"), "projections[0].synapse"),
    ("duplicate_population_names", _doc(populations__1__name="A"), "populations[1].name"),
]


def _write(tmp_path, case_id, text):
    path = tmp_path / f"{case_id}.json"
    path.write_text(text, encoding="utf-8")
    return path


def _guard_files(tmp_path):
    out = tmp_path / "existing.npz"
    script = tmp_path / "existing.py"
    out.write_bytes(b"previous results")
    script.write_text("# previous script\n")
    return out, script


def _check_refused(capsys, argv, expected, tmp_path):
    code = cli.main(argv)
    err = capsys.readouterr().err
    assert code == cli.EXIT_INVALID, (code, err)
    assert expected in err, err
    assert "Traceback" not in err
    return err


def test_corpus_is_large_enough():
    files = list(CORPUS.glob("*.json"))
    assert len(CASES) + len(files) >= 50
    assert len({c[0] for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case_id,text,expected", CASES, ids=[c[0] for c in CASES])
def test_hostile_project_is_refused_with_a_located_error(tmp_path, capsys, monkeypatch, case_id, text, expected):
    monkeypatch.chdir(tmp_path)
    path = _write(tmp_path, case_id, text)
    out, script = _guard_files(tmp_path)
    _check_refused(capsys, ["validate", str(path)], expected, tmp_path)
    _check_refused(capsys, ["run", str(path), "--out", str(out), "--paradigm", "numpy", "--quiet"], expected,
                   tmp_path)
    _check_refused(capsys, ["export", str(path), "-o", str(script)], expected, tmp_path)
    assert out.read_bytes() == b"previous results"
    assert script.read_text() == "# previous script\n"
    assert not (tmp_path / "PWNED").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([path.name, out.name, script.name])


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.json")), ids=lambda p: p.stem)
def test_corpus_files_are_refused(tmp_path, capsys, monkeypatch, path):
    monkeypatch.chdir(tmp_path)
    expected = path.read_text(encoding="utf-8", errors="replace").split("\n", 1)[0]
    code = cli.main(["validate", str(path)])
    err = capsys.readouterr().err
    assert code == cli.EXIT_INVALID and "Traceback" not in err
    meta = json.loads((CORPUS / "expected.map").read_text())
    assert meta[path.name] in err, err
    assert not (tmp_path / "PWNED").exists()


def test_file_problems(tmp_path, capsys):
    assert cli.main(["validate", str(tmp_path / "missing.json")]) == cli.EXIT_FILE
    assert "no such file" in capsys.readouterr().err
    assert cli.main(["run", str(tmp_path)]) == cli.EXIT_FILE
    assert "not a regular file" in capsys.readouterr().err
    big = tmp_path / "big.json"
    with open(big, "wb") as f:
        f.truncate(65 * 1024 * 1024)
    assert cli.main(["validate", str(big)]) == cli.EXIT_FILE
    assert "limited to" in capsys.readouterr().err
    bad = tmp_path / "latin1.json"
    bad.write_bytes(b'{"name": "caf\xe9"}')
    assert cli.main(["validate", str(bad)]) == cli.EXIT_INVALID
    assert "byte 13: the file is not UTF-8" in capsys.readouterr().err


def test_subprocess_exit_codes_without_traceback(tmp_path):
    bad = _write(tmp_path, "bad", _doc(neurons__LIF__equations=f"x = {INJECT}"))
    env = {k: v for k, v in os.environ.items() if k != "ANNSTUDIO_DEBUG"}
    for argv, code in ([["validate", str(bad)], 4], [["validate", str(tmp_path / "none.json")], 3],
                       [["run", str(bad), "--duration", "x"], 2]):
        proc = subprocess.run([sys.executable, "-m", "annstudio", *argv], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == code, proc.stderr
        assert "Traceback" not in proc.stderr
    assert not (tmp_path / "PWNED").exists()
    assert ROOT.is_dir()
