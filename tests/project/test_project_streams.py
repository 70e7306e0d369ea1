"""Streaming monitors in project files, projection monitors in the resource estimate, and the place of
``pre.x`` / ``post.x`` errors.

- a project whose monitor has ``"stream"`` validates, ``annstudio run`` writes the HDF5 file beside the
  project with the numbers the same project records in memory, and leaves it out of the .npz;
- stream paths that leave the project's folder are refused by the schema;
- the 576 GB COBA recording is refused with a hint to stream; streamed, it is refused only when the disk
  is too small (the message gives the estimate and the free space);
- a monitor on ``w`` of a large projection is counted and refused by ``validate`` and ``run``;
- an undefined ``pre.x``/``post.x`` is reported at the synapse field and line that uses it."""
import copy
import json
import os
import subprocess
import sys

import h5py
import numpy as np
import pytest
from hostile_helpers import within
from project_helpers import ROOT, SMALL

from annstudio import cli
from annstudio.core.model import resources
from annstudio.project.runner import load_results
from annstudio.project.validate import verdict


def _streaming(stream="rec/mA.h5"):
    d = copy.deepcopy(SMALL)
    d["monitors"][0]["stream"] = stream
    return d


def _run(tmp_path, doc, name, capsys):
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(doc))
    out = tmp_path / f"{name}.npz"
    assert cli.main(["validate", str(path)]) == cli.EXIT_OK
    code = cli.main(["run", str(path), "--out", str(out), "--paradigm", "numpy", "--quiet"])
    assert code == cli.EXIT_OK, capsys.readouterr().err
    return load_results(out)


def test_a_streaming_project_validates_runs_and_writes_the_file(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path / "..")                 # relative to the project's folder, not the current one
    kept, _ = _run(tmp_path, copy.deepcopy(SMALL), "kept", capsys)
    streamed, meta = _run(tmp_path, _streaming(), "streamed", capsys)
    path = tmp_path / "rec" / "mA.h5"
    assert path.is_file()
    assert meta["streams"] == {"mA": "rec/mA.h5"}
    assert "mA.v" in kept and "mA.v" not in streamed and "mA.spike.times" not in streamed
    np.testing.assert_array_equal(streamed["mB.spike.times"], kept["mB.spike.times"])
    with h5py.File(path, "r") as f:
        assert f.attrs["monitor"] == "mA" and list(f.attrs["variables"]) == ["spike", "v"]
        v = f["v"][:]
        assert v.shape == (50, 20)
        np.testing.assert_array_equal(v, kept["mA.v"])
        times = f["spike_steps"][:]
        ranks = f["spike_ranks"][:]
    order = np.lexsort((times, ranks))
    np.testing.assert_array_equal(times[order], kept["mA.spike.times"])
    np.testing.assert_array_equal(ranks[order], kept["mA.spike.ranks"])
    assert kept["mA.spike.times"].size > 0


@pytest.mark.parametrize("stream", ["/tmp/x.h5", "../x.h5", "rec/../../x.h5", "x.txt", ".hidden.h5", "a\\b.h5",
                                    "", "x.h5\n", "a//b.h5", 3, ["x.h5"]])
def test_stream_paths_stay_in_the_project_folder(stream):
    v = verdict(_streaming(stream))
    assert any(p.where.startswith("monitors[0].stream") or p.where == "monitors[0]" for p in v.errors), v.errors


def test_stream_round_trips_through_the_records():
    from annstudio.core.model.records import monitor_to_dict
    v = verdict(_streaming("a/b.hdf5"))
    assert v.ok, v.errors
    assert monitor_to_dict(v.built.spec.monitors[0])["stream"] == "a/b.hdf5"
    assert "stream" not in monitor_to_dict(v.built.spec.monitors[1])


def _coba(stream=None):
    d = json.loads((ROOT / "projects" / "coba.json").read_text())
    d["monitors"][0]["variables"] = ["spike", "v", "g_exc", "g_inh"]
    if stream:
        d["monitors"][0]["stream"] = stream
    d["protocol"] = [{"action": "simulate", "duration": 600000.0}]
    return d


def test_the_coba_recording_bomb_suggests_streaming_and_streamed_counts_the_disk(monkeypatch):
    with within(2.0):
        v = verdict(_coba())
    assert "576.0 GB" in v.errors[0].message and "stream" in v.errors[0].message
    monkeypatch.setattr(resources, "free_disk", lambda path: 100 * 10 ** 9)
    with within(2.0):
        v = verdict(_coba("coba.h5"))
    assert [p.where for p in v.errors] == ["monitors[0].stream"], v.errors
    msg = v.errors[0].message
    assert "576.0 GB on disk" in msg and "100.0 GB is free" in msg and "refused before running" in msg
    monkeypatch.setattr(resources, "free_disk", lambda path: 10 ** 15)
    monkeypatch.setattr(resources, "available_memory", lambda: 10 ** 9)   # far less than 576 GB: not asked
    v = verdict(_coba("coba.h5"))
    assert v.ok, v.errors
    assert resources.disk_footprint(v.built.spec, 600000.0) == {"monitors[0]": 576e9}
    assert resources.memory_footprint(v.built.spec, 600000.0).get("monitors[0]") is None


def _projection_bomb(variables=("w",), synapse=None):
    d = copy.deepcopy(SMALL)
    d["populations"][0]["geometry"] = 4000
    d["populations"][1]["geometry"] = 4000
    d["populations"][1].pop("initial")
    d["projections"][0]["pre"] = "A"
    d["projections"][0]["connector"] = {"method": "all_to_all", "weights": 0.1, "delays": None, "args": {}}
    if synapse:
        d["synapses"] = {"S": synapse}
        d["projections"][0]["synapse"] = "S"
    d["monitors"] = [{"name": "mw", "target": "AB", "kind": "projection", "variables": list(variables)}]
    d["protocol"] = [{"action": "simulate", "duration": 600000.0}]
    d["settings"]["dt"] = 0.1
    return d


def test_projection_monitors_are_counted_and_refused(tmp_path, capsys):
    """w of 4000 x 4000 synapses (16 M) over 6 M steps: 768 TB, refused by validate and run."""
    assert "768.0 TB" in verdict(_projection_bomb()).errors[0].message
    path = tmp_path / "proj_bomb.json"
    path.write_text(json.dumps(_projection_bomb()))
    out = tmp_path / "out.npz"
    for argv in (["validate", str(path)], ["run", str(path), "--out", str(out), "--paradigm", "numpy", "--quiet"]):
        with within(2.0):
            code = cli.main(argv)
        err = capsys.readouterr().err
        assert code == cli.EXIT_INVALID, err
        assert "monitors[0]" in err and "768.0 TB" in err and "refused before allocating" in err, err
    assert not out.exists()


def test_projection_monitor_counts_each_variable_by_its_locality():
    """A postsynaptic variable is one value per post neuron, a projection-wide one a single value."""
    syn = {"parameters": "eta = 0.1 : projection", "equations": "tau_m = 5.0 : postsynaptic\ntrace = 1.0",
           "pre_spike": "g_target += w"}
    d = _projection_bomb(("tau_m", "eta", "trace"), syn)
    d["protocol"] = [{"action": "simulate", "duration": 1.0}]          # 10 steps
    v = verdict(d)
    assert v.ok, v.errors
    foot = resources.memory_footprint(v.built.spec, 1.0)
    assert foot["monitors[0]"] == (4000 + 1 + 4000 * 4000) * 10 * 8


SYN = {"parameters": "", "equations": "", "psp": None, "pre_spike": "g_target += w", "post_spike": None,
       "functions": "", "description": ""}


@pytest.mark.parametrize("field,text,line,ref", [
    ("pre_spike", "g_target += w\nw += post.qq", 2, "post.qq"),
    ("equations", "x = 1.0\ndw/dt = pre.zz", 2, "pre.zz"),
    ("post_spike", "w += pre.missing", 1, "pre.missing"),
])
def test_pre_post_errors_name_the_field_and_line(field, text, line, ref):
    d = copy.deepcopy(SMALL)
    d["synapses"] = {"S": dict(SYN, **{field: text})}
    d["projections"][0]["synapse"] = "S"
    v = verdict(d)
    hits = [p for p in v.errors if ref in p.message]
    assert len(hits) == 1, v.errors
    assert hits[0].where == f"projections[0].synapse.{field}" and hits[0].line == line
    assert "Synapse 'S'" in hits[0].message and "Neuron 'LIF'" in hits[0].message


def test_pre_errors_in_an_inline_psp_point_into_it():
    d = copy.deepcopy(SMALL)
    d["neurons"]["R"] = {"parameters": "tau = 10.0", "equations": "tau * dr/dt = -r + sum(exc)"}
    for p in d["populations"]:
        p["neuron"] = "R"
        p.pop("initial", None)
    d["monitors"] = []
    d["projections"][0]["synapse"] = {"parameters": "", "equations": "", "psp": "w * pre.rr"}
    v = verdict(d)
    hits = [p for p in v.errors if "pre.rr" in p.message]
    assert [(p.where, p.line) for p in hits] == [("projections[0].synapse.psp", 1)], v.errors
    assert "did you mean 'pre.r'" in hits[0].message


def test_the_cli_names_the_stream_file_and_both_exports_stream_it(tmp_path, capsys):
    """``annstudio run`` says where a streamed recording went, and the exported scripts (4.x and ANNarchy 5
    style) pass ``stream=`` on, so running them writes the same numbers to the same file."""
    doc = _streaming()
    path = tmp_path / "p.json"
    path.write_text(json.dumps(doc))
    assert cli.main(["run", str(path), "--out", str(tmp_path / "r.npz"), "--paradigm", "numpy", "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "monitor mA: recording streamed to" in printed and "mA.h5" in printed
    with h5py.File(tmp_path / "rec" / "mA.h5", "r") as f:
        reference = f["v"][:]
    for api in ("4", "5"):
        script = tmp_path / f"s{api}.py"
        assert cli.main(["export", str(path), "--out", str(script), "--no-plot", "--api", api]) == 0
        text = script.read_text()
        assert "stream='rec/mA.h5'" in text
        run_dir = tmp_path / f"run{api}"
        run_dir.mkdir()
        done = subprocess.run([sys.executable, str(script)], cwd=run_dir, capture_output=True, text=True,
                              timeout=300, env=_script_env())
        assert done.returncode == 0, done.stderr[-2000:]
        with h5py.File(run_dir / "rec" / "mA.h5", "r") as f:
            np.testing.assert_array_equal(f["v"][:], reference)


def _script_env():
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    env["MPLBACKEND"] = "Agg"
    return env
