"""tools/run_annarchy_notebooks.py: notebook -> script conversion, the statistics probe and their comparison.

The probe is checked by running a small script through it on annstudio (real numbers, then compared with
numbers computed here from the same run's monitor data); ANNarchy's notebooks themselves are not needed.
"""
import importlib.util
import json
import os
import pathlib
import subprocess
import sys

import pytest

_TOOL = pathlib.Path(__file__).resolve().parents[2] / "tools" / "run_annarchy_notebooks.py"
_spec = importlib.util.spec_from_file_location("run_annarchy_notebooks", _TOOL)
tool = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tool)

NOTEBOOK = json.dumps({"cells": [
    {"cell_type": "markdown", "source": ["# title"]},
    {"cell_type": "code", "source": ["%matplotlib inline\n", "import ANNarchy as ann\n", "!pip install x\n"]},
    {"cell_type": "code", "source": [
        "import numpy as np\n",
        "ann.setup(dt=1.0, seed=3)\n",
        "pop = ann.Population(20, ann.Izhikevich)\n",
        "pop.i_offset = np.linspace(5.0, 15.0, 20)\n",
        "inp = ann.Population(4, ann.Neuron(parameters='a = 0.5', equations='r = a'))\n",
        "out = ann.Population(2, ann.Neuron(equations='r = sum(exc)'))\n",
        "proj = ann.Projection(inp, out, 'exc')\n",
        "proj.connect_all_to_all(ann.Uniform(0.0, 1.0), force_multiple_weights=True)\n",
        "m = ann.Monitor(pop, ['spike', 'v'])\n",
        "ann.compile()\n",
        "ann.simulate(200.0)\n",
        "data = m.get()\n",
        "v = data['v']\n",
        "n_spikes = sum(len(s) for s in data['spike'].values())\n",
        "print('CHECK', float(v.mean()), n_spikes, float(np.mean(proj.w)), float(np.mean(out.r)))\n"]}]})


def test_script_drops_magics_uses_agg_and_changes_the_import():
    text = tool.to_script(NOTEBOOK, annstudio=True)
    assert text.startswith("import matplotlib\nmatplotlib.use('Agg')\n")
    assert "%matplotlib" not in text and "!pip" not in text and "# title" not in text
    assert "import annstudio.engine as ann" in text and "import ANNarchy" not in text
    assert "import ANNarchy as ann" in tool.to_script(NOTEBOOK)


def test_probe_records_monitor_values_and_final_weights_and_rates(tmp_path):
    script = tmp_path / "nb.py"
    script.write_text(tool.to_script(NOTEBOOK, annstudio=True, probe=True))
    p = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=300,
                       env=dict(os.environ, NB_STATS=str(tmp_path / "stats.json"), MPLBACKEND="Agg"))
    assert p.returncode == 0, p.stderr[-2000:]
    # the script printed its own numbers: the probe must have recorded the same ones from the same run
    line = [ln for ln in p.stdout.splitlines() if ln.startswith("CHECK")][-1]
    v_mean, n_spikes, w_mean, r_mean = (float(x) for x in line.split()[1:])
    stats = json.loads((tmp_path / "stats.json").read_text())
    assert stats["pop0#1.v"]["mean"] == pytest.approx(v_mean, rel=1e-12)
    assert stats["pop0#1.spike.spikes"]["count"] == n_spikes > 0
    assert stats["proj0.w@exit"]["mean"] == pytest.approx(w_mean, rel=1e-12)
    assert stats["pop2.r@exit"]["mean"] == pytest.approx(r_mean, rel=1e-12)
    assert r_mean == pytest.approx(2 * w_mean, rel=1e-12)   # out.r = sum of 4 weights * 0.5, mean over 2


def test_compare_within_tolerance_of_the_scale():
    ref = {"a": {"mean": 10.0, "std": 1.0}, "s": {"count": 1000}, "z": {"mean": 0.01, "std": 2.0},
           "only_ref": {"mean": 1.0, "std": 0.0}}
    assert tool.compare(ref, {"a": {"mean": 10.4, "std": 1.0}, "s": {"count": 960},
                              "z": {"mean": -0.05, "std": 2.0}}) == (3, [])
    n, bad = tool.compare(ref, {"a": {"mean": 10.6, "std": 1.0}, "s": {"count": 940},
                                "z": {"mean": 0.5, "std": 2.0}})
    assert n == 3 and [b.split()[0] for b in bad] == ["a", "s", "z"]
    assert tool.verdict(ref, {"a": {"mean": 10.0, "std": 1.0}}) == "match (1 of 1)"
    assert tool.verdict({}, {}) == "nothing to compare"


def test_verdict_counts_agreement_with_other_realizations_apart():
    ref = {"s": {"count": 1000}, "a": {"mean": 1.0, "std": 0.0}}
    first = {"s": {"count": 1200}, "a": {"mean": 1.0, "std": 0.0}}
    assert tool.verdict(ref, first).startswith("1 of 2 match; differ: s 1000 vs 1200")
    assert tool.verdict(ref, first, others=[{"s": {"count": 1030}}]) == \
        "match (2 of 2; 1 within the spread of 2 annstudio runs)"
    assert tool.verdict(ref, first, others=[{"s": {"count": 1100}}]).startswith("1 of 2 match; differ")


def test_every_import_form_of_annarchy_is_changed():
    nb = json.dumps({"cells": [{"cell_type": "code", "source": [
        "import ANNarchy as ann\n", "import ANNarchy\n", "import ANNarchy.extensions.bold as bold\n",
        "from ANNarchy import Population\n", "from ANNarchy.extensions.convolution import Pooling\n"]}]})
    text = tool.to_script(nb, annstudio=True)
    assert "ANNarchy." not in text.replace("import annstudio.engine as ANNarchy", "")
    assert "import annstudio.engine as bold" in text
    exec(compile(text.replace("import matplotlib\nmatplotlib.use('Agg')\n", ""), "nb", "exec"), {})
