"""``annstudio export --api 5``: the ANNarchy 5 Network-style script runs on annstudio and records exactly
what ``annstudio run`` records; the default export stays in the 4.x style."""
import ast
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from annstudio import cli
from annstudio.project.export import export_script
from annstudio.project.runner import load_results, run_project
from annstudio.project.validate import check_document, load_project
from project_helpers import GALLERY, ROOT, trimmed

SHORT_MS = {"izhikevich": 100.0, "coba": 10.0, "echo_state": 100.0, "stdp": 200.0, "oja": 200.0, "stp": 200.0,
            "hybrid": 200.0}
ENGINE_CLASSES = {"Population", "Projection", "Monitor", "Neuron", "Synapse", "Uniform", "Normal", "setup",
                  "compile", "simulate", "PoissonPopulation", "DecodingProjection", "Izhikevich"}


def _doc(path):
    load_project(path)                 # a gallery file that does not load fails here
    return trimmed(json.loads(path.read_text()), SHORT_MS[path.stem])


@pytest.mark.parametrize("path", GALLERY, ids=lambda p: p.stem)
def test_api5_script_records_what_annstudio_run_records(tmp_path, path):
    doc = _doc(path)
    ours = run_project(check_document(doc)).recordings
    script = tmp_path / f"{path.stem}_api5.py"
    script.write_text(export_script(doc, api=5, plot=False))
    out = tmp_path / "api5.npz"
    proc = subprocess.run([sys.executable, str(script), str(out)], cwd=tmp_path, capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)), timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    theirs = load_results(out)[0]
    assert sorted(ours) == sorted(theirs)
    for key in ours:
        # ANNarchy 5's get() reshapes (a projection monitor: time x post x pre); same values, same order
        assert ours[key].size == theirs[key].size and \
            np.array_equal(ours[key], theirs[key].reshape(ours[key].shape)), key
    assert any(v.size for v in ours.values()), "something was recorded"


@pytest.mark.parametrize("stem", ["hybrid", "stdp"])
def test_api5_script_is_in_the_network_style(stem):
    doc = _doc(ROOT / "projects" / f"{stem}.json")
    text = export_script(doc, api=5, plot=False)
    tree = ast.parse(text)
    assert "from annstudio.engine import *" not in text and "import annstudio.engine as ann" in text
    bare = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    assert not (bare & ENGINE_CLASSES - {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)
                                         and isinstance(n.ctx, ast.Store)})
    calls = {ast.unparse(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    assert {"ann.Network", "net.create", "net.connect", "net.monitor", "net.compile", "net.simulate"} <= calls
    assert not any(c.split(".")[-1].startswith("connect_") for c in calls)
    # equations are kept byte for byte: the 4.x export's string literals all appear unchanged
    old = {n.value for n in ast.walk(ast.parse(export_script(doc, plot=False))) if isinstance(n, ast.Constant)
           and isinstance(n.value, str)}
    new = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    assert old - {"from annstudio.engine import *"} <= new


def test_cli_export_api_option(tmp_path, capsys):
    path = ROOT / "projects" / "oja.json"
    assert cli.main(["export", str(path), "--api", "5", "--no-plot"]) == 0
    five = capsys.readouterr().out
    assert "net = ann.Network(dt=" in five and "net.compile()" in five
    assert cli.main(["export", str(path), "--no-plot"]) == 0
    four = capsys.readouterr().out
    assert "from annstudio.engine import *" in four and "\ncompile()" in four and "ann.Network" not in four
    assert four == export_script(load_project(path).data, plot=False, source=path,
                                 digest=load_project(path).digest)
