"""One protocol, one meaning: ``run_project`` (the CLI), ``annstudio run`` and the exported script give
identical recordings for every gallery project and for a protocol using every step, on NumPy and C++.
(The studio's worker is compared with ``run_project`` in tests/gui/test_gui_protocol.py.)"""
import json
import sys

import numpy as np
import pytest

from annstudio import cli
from annstudio.core.model.distributions import Uniform
from annstudio.engine import clear
from annstudio.project.export import export_script
from annstudio.project.format import InvalidProject
from annstudio.project.runner import load_results, run_project
from annstudio.project.validate import check_document
from project_helpers import GALLERY, trimmed
from protocol_helpers import GALLERY_MS, assert_identical, protocol_doc, reset_doc, uniform



def script_recordings(doc, tmp_path, monkeypatch):
    """Run the exported script of ``doc`` (in this process, on a fresh default network)."""
    out = tmp_path / "script.npz"
    monkeypatch.setattr(sys, "argv", ["exported.py", str(out)])
    clear()
    exec(compile(export_script(doc), "exported.py", "exec"), {"__name__": "__main__"})   # noqa: S102
    clear()
    return load_results(out)[0]


def test_every_gallery_project_has_a_short_duration():
    assert {p.stem for p in GALLERY} == set(GALLERY_MS)


@pytest.mark.parametrize("path", GALLERY, ids=lambda p: p.stem)
def test_gallery_cli_and_script_record_the_same(tmp_path, monkeypatch, path, paradigm):
    doc = trimmed(json.loads(path.read_text()), GALLERY_MS[path.stem], paradigm)
    result = run_project(check_document(doc))
    assert result.metadata["paradigm"] == paradigm
    ours = result.recordings
    assert any(v.size for v in ours.values()), "something was recorded"
    assert_identical(ours, script_recordings(doc, tmp_path, monkeypatch), paradigm)


def test_every_step_cli_command_and_script_record_the_same(tmp_path, monkeypatch, paradigm):
    doc = protocol_doc(paradigm)
    seen = []
    ours = run_project(check_document(doc), chunk_ms=3.0, progress=lambda *a: seen.append(a)).recordings
    done = [d for d, _, _ in seen]
    assert done == sorted(done) and seen[-1][:2] == (91.0, 91.0), "progress runs up to the planned time"
    assert "until out responds" in {label for *_, label in seen}, "a step's label goes with its progress"
    assert ours["m_inp.r"].shape == (14, 4), "reset dropped what was recorded before it"
    assert ours["m_lif.v"].shape == (8, 10), "m_lif paused for the last 6 ms"
    assert ours["m_lif.spike.times"].size > 5
    assert_identical(ours, script_recordings(doc, tmp_path, monkeypatch), paradigm)
    path, out = tmp_path / "p.json", tmp_path / "cli.npz"
    path.write_text(json.dumps(doc))
    assert cli.main(["run", str(path), "--out", str(out), "--quiet"]) == cli.EXIT_OK
    assert_identical(ours, load_results(out)[0], paradigm)


@pytest.mark.compiler
def test_every_step_cpp_matches_the_numpy_oracle():
    ref = run_project(check_document(protocol_doc("numpy"))).recordings
    got = run_project(check_document(protocol_doc("openmp"))).recordings
    assert sorted(ref) == sorted(got)
    for key in ref:
        assert ref[key].shape == got[key].shape, key
        assert np.allclose(ref[key], got[key], rtol=1e-12, atol=1e-14), key


@pytest.mark.parametrize("value", [1.0, uniform(0.0, 1.0)], ids=["number", "distribution"])
def test_set_then_reset_keeps_the_set(tmp_path, monkeypatch, value):
    doc = reset_doc(value)
    rec = run_project(check_document(doc)).recordings["m.r"]
    drive = np.full(3, 1.0) if value == 1.0 else uniform_draws(doc["settings"]["seed"], 3)
    r = np.zeros(3)
    for _ in range(5):
        r = r + 0.1 * (-r + drive)
    assert rec.shape == (5, 3) and np.allclose(rec[-1], r) and rec[-1].min() > 0
    assert_identical({"m.r": rec}, script_recordings(doc, tmp_path, monkeypatch))


def uniform_draws(seed, n):
    return Uniform(0.0, 1.0).get_values(n, np.random.default_rng(seed))


def test_a_monitor_step_names_a_known_monitor():
    doc = protocol_doc()
    doc["protocol"][5]["monitor"] = "m_nope"
    with pytest.raises(InvalidProject) as err:
        check_document(doc)
    assert [p.where for p in err.value.problems] == ["protocol[5].monitor"]
    assert "unknown monitor 'm_nope'" in err.value.problems[0].message
