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


def _run_probe(tmp_path, notebook):
    """The notebook as a probed annstudio script, run in tmp_path (its statistics in stats.json)."""
    script = tmp_path / "nb.py"
    script.write_text(tool.to_script(notebook, annstudio=True, probe=True))
    p = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=300,
                       env=dict(os.environ, NB_STATS=str(tmp_path / "stats.json"), MPLBACKEND="Agg"))
    assert p.returncode == 0, p.stderr[-2000:]
    return p


def test_script_drops_magics_uses_agg_and_changes_the_import():
    text = tool.to_script(NOTEBOOK, annstudio=True)
    assert text.startswith("import matplotlib\nmatplotlib.use('Agg')\ntry:\n    import imageio_ffmpeg")
    assert "%matplotlib" not in text and "!pip" not in text and "# title" not in text
    assert "import annstudio.engine as ann" in text and "import ANNarchy" not in text
    assert "import ANNarchy as ann" in tool.to_script(NOTEBOOK)


def test_probe_records_monitor_values_and_final_weights_and_rates(tmp_path):
    p = _run_probe(tmp_path, NOTEBOOK)
    # the script printed its own numbers: the probe must have recorded the same ones from the same run
    line = [ln for ln in p.stdout.splitlines() if ln.startswith("CHECK")][-1]
    v_mean, n_spikes, w_mean, r_mean = (float(x) for x in line.split()[1:])
    stats = json.loads((tmp_path / "stats.json").read_text())
    assert stats["pop0#1.v"]["mean"] == pytest.approx(v_mean, rel=1e-12)
    assert stats["pop0#1.spike.spikes"]["count"] == n_spikes > 0
    assert stats["proj0.w@exit"]["mean"] == pytest.approx(w_mean, rel=1e-12)
    assert stats["pop2.r@exit"]["mean"] == pytest.approx(r_mean, rel=1e-12)
    assert r_mean == pytest.approx(2 * w_mean, rel=1e-12)   # out.r = sum of 4 weights * 0.5, mean over 2


def test_probe_records_only_the_gets_the_notebook_makes(tmp_path):
    """ANNarchy 4.8's reset() empties the monitors through get(): such calls, made by the simulator's code and not
    by the notebook's, are not recorded (they would shift the numbering of the notebook's own calls)."""
    (tmp_path / "simulator_side.py").write_text("def empty(m):\n    return m.get('v')\n")
    nb = json.dumps({"cells": [{"cell_type": "code", "source": [
        "import sys, numpy as np\n", "sys.path.insert(0, '.')\n", "import simulator_side\n",
        "import ANNarchy as ann\n", "ann.setup(dt=1.0)\n",
        "pop = ann.Population(3, ann.Neuron(parameters='a = 1.0', equations='dv/dt = a'))\n",
        "m = ann.Monitor(pop, 'v')\n", "ann.compile()\n", "ann.simulate(4.0)\n",
        "taken = simulator_side.empty(m)\n", "ann.simulate(2.0)\n", "mine = m.get('v')\n",
        "print('CHECK', float(np.mean(taken)), float(np.mean(mine)))\n",
        # ANNarchy 5's monitors: a subclass whose get() calls the 4.x one, still the notebook's call
        "net = ann.Network(dt=1.0)\n",
        "q = net.create(2, ann.Neuron(parameters='a = 2.0', equations='dv/dt = a'), name='Q')\n",
        "mq = net.monitor(q, 'v')\n", "net.compile()\n", "net.simulate(3.0)\n", "mq.get('v')\n"]}]})
    p = _run_probe(tmp_path, nb)
    taken, mine = (float(x) for x in [ln for ln in p.stdout.splitlines() if ln.startswith("CHECK")][-1].split()[1:])
    stats = json.loads((tmp_path / "stats.json").read_text())
    assert taken != mine and stats["pop0#1.v"]["mean"] == pytest.approx(mine, rel=1e-12)
    assert stats["pop0#1.v"]["shape"] == [2, 3] and "pop0#2.v" not in stats
    assert stats["Q#1.v"]["mean"] == pytest.approx(4.0) and stats["Q#1.v"]["shape"] == [3, 2]


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


def test_verdict_counts_agreement_over_several_realizations_apart():
    ref = {"s": {"count": 1000}, "a": {"mean": 1.0, "std": 0.0}}
    first = {"s": {"count": 1200}, "a": {"mean": 1.0, "std": 0.0}}
    assert tool.verdict(ref, first).startswith("1 of 2 match; differ: s 1000 vs 1200")
    # the mean over annstudio's runs (1200, 860: 1030) agrees with ANNarchy's single run
    assert tool.verdict(ref, first, others=[{"s": {"count": 860}}]) == \
        "match (2 of 2; 1 within the spread of 2 annstudio runs)"
    # one lucky run is not enough: the mean (1200, 1030: 1115) differs, and one ANNarchy run has no spread
    assert tool.verdict(ref, first, others=[{"s": {"count": 1030}}]).startswith("1 of 2 match; differ")
    # several runs on each side: within the realizations' spread
    assert tool.verdict(ref, first, others=[{"s": {"count": 1030}}, {"s": {"count": 1100}}],
                        ref_others=[{"s": {"count": 1150}}, {"s": {"count": 960}}]) == \
        "match (2 of 2; 1 within the spread of 3 ANNarchy and 3 annstudio runs)"


def _runs(values, count=False):
    return [{"count": v} if count else {"mean": v, "std": 0.0} for v in values]


def test_spread_agree_passes_realization_noise_not_systematic_differences():
    # COBA (5.x notebook): excitatory + inhibitory spikes in 1 s, three unseeded runs on each side (ANNarchy
    # 5.0.4.1: the notebook's run and two of this script's seeds; annstudio: three runs), 5 % apart in the
    # first runs, 1 % apart on average
    assert tool.spread_agree(_runs([92530, 83002, 88754], True), _runs([81820, 86627, 90002], True))
    # a deterministic difference (every run the same on each side) is not a spread
    assert not tool.spread_agree(_runs([0.005921] * 3), _runs([0.005224] * 3))
    # noisy rates of a few neurons: means 5.4 and 5.07 Hz (6 % apart), runs spread by about 0.7 Hz
    assert tool.spread_agree(_runs([5.5, 4.6, 6.1]), _runs([5.0, 4.3, 5.9]))
    # a shift well beyond the runs' spread
    assert not tool.spread_agree(_runs([10.0, 10.2, 9.9]), _runs([11.0, 11.1, 10.9]))
    # one run on a side: only the means are compared
    assert not tool.spread_agree(_runs([5.5]), _runs([5.0, 4.3, 5.9]))
    assert tool.spread_agree(_runs([5.1]), _runs([5.0, 4.3, 5.9]))


def test_notebooks_importing_optional_packages_are_noted():
    nb = json.dumps({"cells": [{"cell_type": "code", "source": [
        "import ANNarchy as ann\n", "from tqdm import tqdm\n", "from ANNarchy.extensions.tensorboard import Logger\n",
        "from sklearn import linear_model\n"]}]})
    assert tool.uses(nb) == ("uses tqdm (pip install tqdm); uses sklearn (pip install scikit-learn); "
                             "uses ANNarchy.extensions.tensorboard (needs tensorboardX: pip install tensorboardX; "
                             "annstudio's extra 'tensorboard')")
    assert tool.uses(NOTEBOOK) == ""


def test_files_beside_a_notebook_that_its_code_names_go_with_it(tmp_path):
    folder = tmp_path / "notebooks" / "v4"
    folder.mkdir(parents=True)
    (folder / "Image.ipynb").write_text("{}")
    (folder / "test.jpg").write_bytes(b"\xff\xd8 image")
    (folder / "other.png").write_bytes(b"png")
    script = "pop = ImagePopulation(geometry=(48, 64, 3))\npop.set_image('test.jpg')\n"
    assert tool.data_files(str(tmp_path), "notebooks/v4/Image.ipynb", script) == {"test.jpg": b"\xff\xd8 image"}
    assert tool.data_files(str(tmp_path), "notebooks/v4/Image.ipynb", "x = 'test.jpgx'\n") == {}
    code = "assert open('test.jpg', 'rb').read() == b'abc'\n"
    ok, _, err, _ = tool.run_script(sys.executable, code, 60, files={"test.jpg": b"abc"})
    assert ok, err


def test_every_import_form_of_annarchy_is_changed():
    nb = json.dumps({"cells": [{"cell_type": "code", "source": [
        "import ANNarchy as ann\n", "import ANNarchy\n", "import ANNarchy.extensions.bold as bold\n",
        "from ANNarchy import Population\n", "from ANNarchy.extensions.convolution import Pooling\n"]}]})
    text = tool.to_script(nb, annstudio=True)
    assert "ANNarchy." not in text.replace("import annstudio.engine as ANNarchy", "")
    assert "import annstudio.engine as bold" in text
    header = 2 + len(tool.FFMPEG)     # matplotlib's backend and ffmpeg: not for this process
    exec(compile("\n".join(text.splitlines()[header:]), "nb", "exec"), {})


PLOTTING = json.dumps({"cells": [{"cell_type": "code", "source": [
    "import numpy as np\n",
    "import matplotlib.pyplot as plt\n",
    "import ANNarchy as ann\n",
    "pop = ann.Population(30, ann.Neuron(parameters='r = 0.0'))\n",
    "proj = ann.Projection(pop, pop, 'exc')\n",
    "proj.connect_fixed_probability(0.3, ann.Normal(0.0, 2.0))\n",
    "ann.compile()\n",
    "curve = -1.0 + np.arange(100) / 100.0   # a learning curve: 100 trials\n",
    "plt.figure()\n",
    "plt.plot(np.zeros(3))                     # too short for blocks: not recorded\n",
    "plt.figure()\n",
    "ax = plt.subplot(211)\n",
    "ax.plot(np.ones(10))\n",
    "ax = plt.subplot(212)\n",
    "ax.plot(curve, label='mean reward')\n",
    "w = np.concatenate([np.ravel(x) for x in proj.w])\n",
    "print('CHECK', float(w.mean()), float(w.std()))\n"]}]})


def test_probe_records_plotted_lines_in_blocks_and_the_spread_of_weights(tmp_path):
    p = _run_probe(tmp_path, PLOTTING)
    stats = json.loads((tmp_path / "stats.json").read_text())
    n = tool.PLOT_BLOCKS
    # figure 2, second axes, its first line: labelled, the means of n consecutive blocks of its 100 points
    curve = [-1.0 + i / 100.0 for i in range(100)]
    for b in range(n):
        part = curve[b * 100 // n:(b + 1) * 100 // n]
        assert stats[f"plot2.1.0[mean_reward]@block{b + 1}/{n}"]["mean"] == pytest.approx(sum(part) / len(part))
    assert stats[f"plot2.0.0@block{n}/{n}"]["mean"] == 1.0
    assert not any(k.startswith("plot1.") for k in stats)
    line = [ln for ln in p.stdout.splitlines() if ln.startswith("CHECK")][-1]
    w_mean, w_sd = (float(x) for x in line.split()[1:])
    assert stats["proj0.w.mean@exit"] == {"mean": pytest.approx(w_mean), "std": pytest.approx(w_sd)}
    assert stats["proj0.w.sd@exit"]["mean"] == pytest.approx(w_sd) and w_sd > 1.0
    # the default comparison leaves the extra statistics out
    assert set(tool.judged(stats, "SomeNotebook")) == {"proj0.w@exit", "pop0.r@exit"}


def _curve(values, noise=()):
    """Statistics of one run: a learning curve (blocks), per-trial recordings and the weights' spread."""
    stats = {f"plot2.0.0[mean]@block{i + 1}/5": {"mean": v + (noise[i] if noise else 0.0), "std": 0.0}
             for i, v in enumerate(values)}
    stats.update({f"pop1#{i}.r": {"mean": (-1) ** i * 0.1 * (1 + len(noise)), "std": 0.01} for i in range(1, 50)})
    stats["proj1.w.sd@exit"] = {"mean": 0.335, "std": 0.0}
    stats["proj1.w.mean@exit"] = {"mean": 0.002 * (1 if noise else -1), "std": 0.335}
    return stats


def test_a_declared_notebook_is_judged_on_its_learning_curve_not_on_per_trial_recordings(monkeypatch):
    monkeypatch.setitem(tool.JUDGE, "Learner", ([r"^plot2\.", r"^proj1\.w\.(mean|sd)@exit$"], "note", 3))
    curve = [-0.9, -0.6, -0.45, -0.4, -0.38]
    ref, mine = tool.judged(_curve(curve), "Learner"), tool.judged(_curve(curve, [0.01, -0.02, 0.01, 0.0, 0.01]),
                                                                    "Learner")
    # the per-trial recordings (alternating signs between the runs: single realizations) are not compared
    assert len(ref) == 7 and not any(k.startswith("pop1#") for k in ref)
    assert tool.verdict(ref, mine) == "match (7 of 7)"
    # without the declaration the same runs differ on the recordings
    assert "; differ: pop1#" in tool.verdict(tool.judged(_curve(curve), "Other"),
                                              tool.judged(_curve(curve, [0.0] * 5), "Other"))
    # a learning curve that stays 10 % lower is a difference, one realization or several
    worse = tool.judged(_curve([v * 1.1 for v in curve], [0.0] * 5), "Learner")
    assert tool.verdict(ref, worse).startswith("2 of 7 match; differ: plot2.0.0[mean]@block1/5 -0.9 vs -0.99;")
    more = [tool.judged(_curve([v * 1.1 for v in curve], [d] * 5), "Learner") for d in (0.01, -0.01)]
    ref_more = [tool.judged(_curve(curve, [d] * 5), "Learner") for d in (0.005, -0.01)]
    assert "; differ:" in tool.verdict(ref, worse, others=more, ref_others=ref_more)
    # a block 8 % apart in the first runs, within the spread of the realizations of both sides
    noisy = tool.judged(_curve(curve, [0.0, 0.0, 0.0, 0.03, 0.0]), "Learner")
    assert tool.verdict(ref, noisy).startswith("6 of 7 match; differ: plot2.0.0[mean]@block4/5")
    more = [tool.judged(_curve(curve, [0.0, 0.0, 0.0, d, 0.0]), "Learner") for d in (-0.02, 0.01)]
    ref_more = [tool.judged(_curve(curve, [0.0, 0.0, 0.0, d, 0.0]), "Learner") for d in (0.025, -0.01)]
    assert tool.verdict(ref, noisy, others=more, ref_others=ref_more) == \
        "match (7 of 7; 1 within the spread of 3 ANNarchy and 3 annstudio runs)"


def test_the_judged_notebooks_note_says_what_is_judged():
    assert "learning curve" in tool.JUDGE["Miconi"][1]
    stats = {"plot2.0.0[AA]@block1/5": {}, "plot1.0.0@block1/5": {}, "proj1.w.sd@exit": {}, "proj0.w.sd@exit": {},
             "pop1#3.r": {}, "proj1.w@exit": {}}
    assert set(tool.judged(stats, "Miconi")) == {"plot2.0.0[AA]@block1/5", "proj1.w.sd@exit"}


def test_a_declared_notebook_gets_its_runs_a_side_however_long_they_take(monkeypatch, tmp_path, capsys):
    """main() with run_script replaced by synthetic outcomes: a slow notebook (first run over --repeat-limit)
    whose declaration allows 3 runs a side is run 3 times on annstudio and on real ANNarchy until the spread
    agrees (here 2), and judged on the spread."""
    monkeypatch.setitem(tool.JUDGE, "Learner", ([r"^plot2\."], "judged on its learning curve", 3))
    monkeypatch.setattr(tool, "_list", lambda source: ["notebooks/v4/Learner.ipynb", "notebooks/v4/Other.ipynb"])
    monkeypatch.setattr(tool, "_read", lambda source, rel: json.dumps({"cells": [
        {"cell_type": "code", "source": ["import ANNarchy as ann\n", f"# {pathlib.Path(rel).stem}\n"]}]}))
    monkeypatch.setattr(tool, "data_files", lambda source, rel, script: {})
    curve = [-0.9, -0.6, -0.45, -0.4, -0.38]
    outcomes = {"peer": [[0.0, 0.0, 0.0, 0.0, 0.0], [0.02, -0.01, 0.0, 0.01, 0.0], [-0.02, 0.01, 0.0, -0.01, 0.0]],
                "mine": [[0.1, 0.0, 0.0, 0.0, 0.0], [0.06, 0.01, 0.0, 0.0, 0.0], [0.0, -0.01, 0.0, 0.0, 0.0]]}
    calls = []

    def fake_run(python, text, timeout, env_path=None, files=None):
        if "# Other" in text:   # per-trial recordings only, one realization each
            calls.append(python + "-other")
            return True, 1000.0, "", {"pop1#1.r": {"mean": 0.1 if python == "peer" else -0.1, "std": 0.01}}
        calls.append(python)
        return True, 1000.0, "", _curve(curve, outcomes[python][calls.count(python) - 1])
    monkeypatch.setattr(tool, "run_script", fake_run)
    tool.main(["--source", "src", "--annarchy48", "peer", "--annstudio", "mine", "--repeat-limit", "300",
               "--repeats", "5", "--peer-repeats", "3", "--cache", str(tmp_path)])
    out = capsys.readouterr().out
    row = [ln for ln in out.splitlines() if ln.startswith("| notebooks/v4/Learner.ipynb")][0]
    assert "match (5 of 5; 1 within the spread of 2 ANNarchy and 3 annstudio runs)" in row
    assert "judged on its learning curve" in row
    # the undeclared notebook differs on its recordings and, slow, is not run again
    other = [ln for ln in out.splitlines() if ln.startswith("| notebooks/v4/Other.ipynb")][0]
    assert "; differ:" in other
    assert calls.count("peer") == 2 and calls.count("mine") == 3
    assert calls.count("peer-other") == 1 and calls.count("mine-other") == 1
    # the real-ANNarchy runs are kept in the cache
    ok, sec, err, first, more = json.loads((tmp_path / "4.8.2.6-notebooks_v4_Learner.ipynb.json").read_text())
    assert len(more) == 1


def test_spread_p_is_students_exact_two_sample_test():
    # 7 and 6 runs (11 degrees of freedom), |t| = 2.06: significant against a rounded 2.0, not against the exact
    # 2.20 of Student's t at 5 %
    ref = [10.0, 10.5, 9.5, 10.2, 9.8, 10.1, 9.9]
    mine = [v + 0.36 for v in (10.0, 10.5, 9.5, 10.2, 9.8, 10.1)]
    p = tool.spread_p(_runs(ref), _runs(mine), tolerance=0.01)
    assert 0.05 < p < 0.07 and tool.spread_agree(_runs(ref), _runs(mine), tolerance=0.01)
    assert tool.spread_p(_runs([10.0, 10.1]), _runs([10.2, 10.3])) == 1.0          # means within 5 %
    assert tool.spread_p(_runs([0.0059] * 3), _runs([0.0052] * 3)) == 0.0          # no spread at all
    assert tool.spread_p(_runs([5.5]), _runs([5.0, 4.3, 5.9]), tolerance=0.01) == 0.0   # one run: no spread


def test_a_notebooks_statistics_are_judged_together():
    """Holm-Bonferroni over a notebook's statistics: a difference at p = 0.04 is one of the differences that 27
    statistics show by chance, not when it is the only statistic; a p-value far below 5 % / 27 still differs."""
    assert tool.holm_differ({"a": 0.001, "b": 0.02, "c": 0.04}, 27) == ["a"]
    assert tool.holm_differ({"c": 0.04}, 1) == ["c"]
    assert tool.holm_differ({"a": 0.01, "b": 0.02}, 2) == ["a", "b"]
    assert tool.holm_differ({"a": 0.03, "b": 0.001}, 3) == ["b"]       # b <= 0.05 / 3, then a > 0.05 / 2
    noisy = [1.25, 1.35, 1.15]                    # against 1.0, 1.1, 0.9: t-test p = 0.038
    quiet = {f"q{i}": {"mean": 5.0, "std": 0.0} for i in range(26)}
    ref, ref_more = dict(quiet, s={"mean": 1.0, "std": 0.0}), [{"s": {"mean": v, "std": 0.0}} for v in (1.1, 0.9)]
    mine, more = dict(quiet, s={"mean": noisy[0], "std": 0.0}), [{"s": {"mean": v, "std": 0.0}} for v in noisy[1:]]
    assert tool.verdict(ref, mine, others=more, ref_others=ref_more) == \
        "match (27 of 27; 1 within the spread of 3 ANNarchy and 3 annstudio runs)"
    alone = tool.verdict({"s": ref["s"]}, {"s": mine["s"]}, others=more, ref_others=ref_more)
    assert alone.startswith("0 of 1 match; differ: s 1 vs 1.25")
    far = [{"s": {"mean": v, "std": 0.0}} for v in (2.01, 1.99)]      # a shift of 1 with a spread of 0.1
    assert "; differ: s" in tool.verdict(ref, dict(quiet, s={"mean": 2.0, "std": 0.0}), others=far,
                                         ref_others=ref_more)
