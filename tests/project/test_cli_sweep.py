"""``annstudio sweep``: manifest, one results file per run, summary.csv, progress, located errors, resume."""
import csv
import json
import signal
import subprocess
import sys
import time

import numpy as np

from annstudio.cli import main
from annstudio.project.validate import check_document
from annstudio.session.executors import SequentialExecutor
from annstudio.session.sweep import Sweep, parse_values, seed_tree
from sweep_helpers import sweep_doc

VARY = ["--vary", "A.I=1.1:2.2:3", "--vary", "AB.w=0.1,0.6"]


def _write(tmp_path, doc, name="sweep.json"):
    path = tmp_path / name
    path.write_text(json.dumps(doc))
    return path


def _summary(out):
    with open(out / "summary.csv") as f:
        rows = list(csv.DictReader(f))
    return rows


def test_sweep_writes_manifest_runs_and_summary(tmp_path, capsys):
    project = _write(tmp_path, sweep_doc())
    out = tmp_path / "out"
    assert main(["sweep", str(project), *VARY, "--seeds", "2", "--out", str(out), "--workers", "1"]) == 0
    err = capsys.readouterr().err
    assert "12 runs (6 points x 2 seeds)" in err and "runs 12/12 (100%)" in err and "ETA" in err
    manifest = json.loads((out / "manifest.json").read_text())
    doc = check_document(sweep_doc())
    assert manifest["project_digest"] == doc.digest and manifest["annstudio_version"]
    assert manifest["names"] == ["A.I", "AB.w"] and manifest["values"]["A.I"] == [1.1, 1.65, 2.2]
    assert manifest["seed_tree"]["seeds"] == seed_tree(7, 2) and manifest["seed_tree"]["entropy"] == "7"
    assert sorted(p.name for p in (out / "runs").iterdir()) == [f"run-{i:05d}.npz" for i in range(12)]
    rows = _summary(out)
    assert [int(r["run"]) for r in rows] == list(range(12))
    # the same sweep through the Python API: the same numbers
    api = Sweep(doc.spec, vary={"A.I": [1.1, 1.65, 2.2], "AB.w": [0.1, 0.6]}, seeds=2, protocol=doc.protocol,
                duration=doc.built.duration).run(executor=SequentialExecutor())
    for col in ("A.I", "AB.w", "seed", "mA.rate", "mA.cv_isi", "mA.v.mean", "mB.rate"):
        assert np.allclose([float(r[col]) for r in rows], api.table[col], equal_nan=True, rtol=0, atol=0), col
    with np.load(out / "runs" / "run-00007.npz") as z:
        assert np.array_equal(z["mA.spike.times"], api.recordings[7]["mA.spike.times"])
        assert json.loads(str(z["__metadata__"]))["values"] == {"A.I": 1.65, "AB.w": 0.6}


def test_bad_vary_is_a_located_error_before_anything_runs(tmp_path, capsys):
    project = _write(tmp_path, sweep_doc())
    out = tmp_path / "out"
    for vary, expected in (("A.J=1,2", "--vary A.J: 'A' has no parameter or variable 'J'"),
                           ("Q.I=1", "--vary Q.I: no population or projection named 'Q'"),
                           ("A.I=1:x", "--vary A.I=1:x: '1:x' is not a comma list"),
                           ("A.I", "is not NAME=VALUES")):
        assert main(["sweep", str(project), "--vary", vary, "--out", str(out)]) == 2
        assert expected in capsys.readouterr().err
    assert not out.exists()
    assert main(["sweep", str(project), "--vary", "A.I=1", "--out", str(out), "--workers", "2",
                 "--scheduler", "tcp://127.0.0.1:1"]) == 2          # one executor only


def test_an_interrupted_sweep_resumes_with_the_missing_runs_only(tmp_path):
    # runs of 4 s of simulated time (~0.3 s each on NumPy): the interrupt comes while runs are left to play
    project = _write(tmp_path, sweep_doc(4000.0))
    out = tmp_path / "out"
    args = [sys.executable, "-m", "annstudio", "sweep", str(project), "--vary", "A.I=1.0:2.4:8", "--out", str(out),
            "--workers", "1"]
    # SIGINT as in a terminal, also when this test runs in a background job (which inherits SIGINT ignored)
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 300
    while len(list((out / "runs").glob("run-*.npz"))) < 3 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=120)
    kept = {p.name: p.stat().st_mtime_ns for p in (out / "runs").glob("run-*.npz")}
    assert proc.returncode == 130 and "interrupted" in err, err
    assert 3 <= len(kept) < 8
    done = subprocess.run(args, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert f"8/8 runs done ({len(kept)} kept from the folder, {8 - len(kept)} played)" in done.stdout
    assert {p.name: p.stat().st_mtime_ns for p in (out / "runs").glob("run-*.npz") if p.name in kept} == kept
    rows = _summary(out)
    assert [int(r["run"]) for r in rows] == list(range(8))
    doc = check_document(sweep_doc(4000.0))
    api = Sweep(doc.spec, vary={"A.I": parse_values("1.0:2.4:8")}, seeds=1, protocol=doc.protocol,
                duration=doc.built.duration).run(executor=SequentialExecutor())
    for col in ("seed", "mA.rate", "mA.cv_isi", "mA.v.mean", "mB.rate"):
        assert np.allclose([float(r[col]) for r in rows], api.table[col], equal_nan=True, rtol=0, atol=0), col
    assert len(set(api.table["mA.rate"])) > 4
    # a different sweep in the same folder is refused
    other = subprocess.run(args[:6] + ["A.I=1.0:2.4:4"] + args[7:], capture_output=True, text=True, timeout=300)
    assert other.returncode != 0 and "holds another sweep" in other.stderr
