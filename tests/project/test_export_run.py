"""Headless runs, the exported script's equivalence, the gallery's known behaviour, the CLI."""
import ast
import copy
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from annstudio import cli
from annstudio.project.export import export_script, py_str
from annstudio.project.format import InvalidProject, save_document
from annstudio.project.graph import auto_layout
from annstudio.project.runner import load_results, run_project, save_results
from annstudio.project.validate import check_document, load_project
from project_helpers import GALLERY, ROOT, trimmed

SHORT_MS = {"izhikevich": 200.0, "coba": 20.0, "echo_state": 200.0, "stdp": 500.0, "oja": 300.0, "stp": 300.0,
            "hybrid": 300.0}


def _runnable(path):
    """The gallery project, loaded and checked: a gallery file that does not load fails (InvalidProject)."""
    return load_project(path)


def _run_script(tmp_path, doc, name):
    script = tmp_path / f"{name}.py"
    script.write_text(export_script(doc))
    out = tmp_path / f"{name}_script.npz"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, str(script), str(out)], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return load_results(out)[0]


@pytest.mark.parametrize("path", GALLERY, ids=lambda p: p.stem)
def test_exported_script_runs_identically(tmp_path, path):
    _runnable(path)
    doc = trimmed(json.loads(path.read_text()), SHORT_MS[path.stem])
    project = check_document(doc)
    ours = run_project(project).recordings
    theirs = _run_script(tmp_path, doc, path.stem)
    assert sorted(ours) == sorted(theirs)
    for key in ours:
        assert np.array_equal(ours[key], theirs[key]), key
    assert any(v.size for v in ours.values()), "something was recorded"


def test_small_project_equivalence_with_views_segments_and_protocol(tmp_path, small_doc):
    project = check_document(small_doc)
    ours = run_project(project).recordings
    theirs = _run_script(tmp_path, small_doc, "small")
    assert sorted(ours) == sorted(theirs)
    for key in ours:
        assert np.array_equal(ours[key], theirs[key]), key


def _gallery(stem, limit=None):
    path = ROOT / "projects" / f"{stem}.json"
    _runnable(path)
    doc = trimmed(json.loads(path.read_text()), limit or SHORT_MS[stem])
    return run_project(check_document(doc)).recordings


def test_izhikevich_fires_in_population_bursts():
    rec = _gallery("izhikevich", 500.0)
    times, ranks = rec["M.spike.times"], rec["M.spike.ranks"]
    rate = len(times) / 1000 / 0.5
    assert 2.0 < rate < 30.0
    counts = np.bincount(times, minlength=500)
    assert counts.max() > 5 * counts.mean(), "synchronous bursts stand out of the background"
    assert set(np.unique(ranks)) & set(range(800, 1000)), "inhibitory neurons fire too"


def test_coba_is_asynchronous_irregular():
    rec = _gallery("coba", 100.0)
    rate = len(rec["M.spike.times"]) / 4000 / 0.1
    assert 5.0 < rate < 60.0


def test_echo_state_activity_outlasts_the_pulse():
    rec = _gallery("echo_state", 400.0)
    r = rec["m_res.r"]
    assert np.abs(r[95]).mean() < 0.2
    assert np.abs(r[350:400]).mean() > 0.2, "self-sustained activity 200 ms after the pulse"


def test_oja_normalises_the_weights():
    rec = _gallery("oja", 1500.0)
    w = rec["m_w.w"].reshape(rec["m_w.w"].shape[0], -1)
    norms = np.linalg.norm(w, axis=1)
    assert norms[0] < 0.5 and abs(norms[-1] - 1.0) < 0.1


def test_stp_responses_depress():
    rec = _gallery("stp", 300.0)
    g = rec["m_post.g_exc"][:, 0]
    peaks = [g[int(t / 0.5) - 1:int(t / 0.5) + 3].max() for t in (10, 60, 110, 160, 210)]
    assert all(a > b for a, b in zip(peaks, peaks[1:]))
    assert peaks[-1] < 0.6 * peaks[0]


def test_stdp_weights_spread_to_the_bounds():
    rec = _gallery("stdp", 2000.0)
    w = rec["m_w.w"].reshape(rec["m_w.w"].shape[0], -1)
    assert w.min() >= 0.0 and w.max() <= 0.01 + 1e-12, "weights stay clipped to [0, w_max]"
    assert np.abs(w[-1] - w[0]).mean() > 1e-4, "STDP changes the weights"
    assert len(rec["m_out.spike.times"]) > 20, "the output neuron fires"


def test_hybrid_decodes_the_input_rate():
    rec = _gallery("hybrid", 1000.0)
    r = rec["m3.r"]
    last = r[-1000:].mean(axis=0)            # 100 Hz phase
    assert abs(last[2] - 100.0) < 20.0
    assert np.abs(r[-1000:, 2] - 100).mean() < np.abs(r[-1000:, 0] - 100).mean()


def test_run_duration_caps_the_protocol(small_doc):
    result = run_project(check_document(small_doc), duration=25.0)
    assert result.metadata["simulated_ms"] == 25.0
    assert result.recordings["mA.v"].shape == (25, 20)


def test_results_file_has_metadata(tmp_path, small_doc):
    project = check_document(small_doc)
    result = run_project(project)
    save_results(result, tmp_path / "r.npz")
    rec, meta = load_results(tmp_path / "r.npz")
    assert meta["project_digest"] == project.digest and meta["seed"] == 7
    assert {"build_s", "run_s", "total_s"} <= set(meta["timings"])
    assert meta["annstudio_version"]


def test_cli_run_report_export(tmp_path, small_file, capsys):
    out, png = tmp_path / "r.npz", tmp_path / "fig.png"
    assert cli.main(["run", str(small_file), "--out", str(out), "--plot", str(png), "--quiet"]) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "mA.spike.times" in load_results(out)[0]
    capsys.readouterr()
    assert cli.main(["report", str(small_file)]) == 0
    report = capsys.readouterr().out
    assert report.startswith("# small") and "## Populations" in report and "```mermaid" in report
    script = tmp_path / "s.py"
    assert cli.main(["export", str(small_file), "-o", str(script)]) == 0
    ast.parse(script.read_text())
    assert cli.main(["validate", str(small_file)]) == 0
    assert cli.main(["gallery"]) == 0
    assert "izhikevich.json" in capsys.readouterr().out
    assert cli.main(["run", str(small_file), "--out", str(tmp_path / "no" / "r.npz")]) == cli.EXIT_OUTPUT


def test_no_command_without_display_points_to_run(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    proc = subprocess.run([sys.executable, "-m", "annstudio"], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 2
    assert "annstudio run" in proc.stderr and "Traceback" not in proc.stderr


def test_cli_does_not_import_qt():
    code = "import sys, annstudio.cli; print(any(m.startswith(('PySide6', 'pyqtgraph', 'annstudio.gui')) for m in sys.modules))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.stdout.strip() == "False"


@pytest.mark.parametrize("text", ['a\n"""\nimport os', "x\\n\ny", "tau = 1\r__import__('os')", "a'''b\nc",
                                  "x\n" + "\u2028import os"])
def test_string_literals_cannot_break_out(text):
    literal = py_str(text)
    assert ast.literal_eval(literal).split() == text.split()
    tree = ast.parse(f"x = {literal}")
    assert isinstance(tree.body[0].value, ast.Constant)


def test_export_renames_names_that_would_shadow(small_doc):
    small_doc["populations"][0]["name"] = "simulate"
    small_doc["projections"][0]["pre"] = {"population": "simulate", "slice": [0, 10]}
    small_doc["protocol"][1]["target"] = "simulate"
    small_doc["monitors"][0]["target"] = "simulate"
    small_doc["layout"] = {}
    small_doc["description"] = 'evil\r__import__("os").system("touch PWNED")\n"""'
    text = export_script(check_document(small_doc).data)
    assert "simulate_ = Population(" in text and "simulate(20.0)" in text
    assert '\n__import__("os")' not in text
    names = [n.id for n in ast.walk(ast.parse(text)) if isinstance(n, ast.Name) and n.id == "__import__"]
    assert names == []


def test_graph_warnings_and_auto_layout(small_doc):
    small_doc["projections"][0]["target"] = "inh"
    # spiking -> spiking onto a target the neuron does not use: a warning, as ANNarchy 4.8 (the spikes do nothing)
    spiking = check_document(copy.deepcopy(small_doc))
    assert any(w.where == "projections[0].target" and "does not read target 'inh'" in str(w) for w in spiking.warnings)
    # a rate-coded post-synaptic neuron that does not read the target: only a warning
    small_doc["neurons"]["Rate"] = {"parameters": "tau = 10.0", "equations": "tau * dr/dt + r = sum(exc)"}
    small_doc["populations"][1].update(neuron="Rate", initial={})
    small_doc["monitors"][1]["variables"] = ["r"]
    project = check_document(small_doc)
    messages = [str(w) for w in project.warnings]
    assert any("does not read target 'inh'" in m for m in messages)
    assert any("unused target" in m and "'exc'" in m for m in messages)
    with pytest.raises(InvalidProject):
        check_document(small_doc, strict=True)
    layout = auto_layout(small_doc, existing={})
    assert layout["A"]["x"] < layout["B"]["x"], "layered along the projections"
    assert auto_layout(small_doc)["A"] == {"x": 0.0, "y": 0.0}, "stored positions are kept"


def test_saved_project_with_no_layout_gets_one(tmp_path, small_doc):
    small_doc.pop("layout")
    save_document(small_doc, tmp_path / "p.json")
    assert set(load_project(tmp_path / "p.json").layout()) == {"A", "B"}
