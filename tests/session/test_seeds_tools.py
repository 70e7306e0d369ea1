"""Running and analysis helpers: simulate_until, save/load, parameters, report, parallel_run, monitors.

Each simulation body runs on every available backend (``paradigm`` fixture).
"""
import json

import numpy as np
import pytest

import annstudio.engine as ann
from backend_fixtures import setup_backend as _setup


Ramp = ann.Neuron(parameters="slope = 1.0", equations="dx/dt = slope", name="Ramp")


@pytest.mark.parametrize("mode,expected", [("any", 10.0), ("all", 20.0)])
def test_simulate_until_stop_condition(paradigm, mode, expected):
    _setup(paradigm, 1.0)
    pop = ann.Population(2, Ramp, stop_condition=f"x > 9.5 : {mode}")
    pop.slope = [1.0, 0.5]
    ann.compile()
    t = ann.simulate_until(max_duration=100.0, population=pop)
    assert t == pytest.approx(expected)
    assert ann.get_time() == pytest.approx(expected)


def test_simulate_until_max_duration(paradigm):
    _setup(paradigm, 1.0)
    pop = ann.Population(1, Ramp, stop_condition="x > 1000.0")
    ann.compile()
    assert ann.simulate_until(max_duration=30.0, population=pop) == pytest.approx(30.0)


def _small_plastic_network():
    inp = ann.Population(3, ann.Neuron(parameters="baseline = 1.0", equations="r = baseline"), name="inp")
    out = ann.Population(2, ann.LeakyIntegrator(tau=5.0), name="out")
    proj = ann.Projection(inp, out, "exc", ann.Oja(eta=0.01), name="oja")
    proj.connect_all_to_all(weights=ann.Uniform(0.1, 0.5))
    return inp, out, proj


def test_save_and_load_whole_state(paradigm, tmp_path):
    _setup(paradigm, 1.0)
    inp, out, proj = _small_plastic_network()
    ann.compile()
    ann.simulate(20.0)
    for ext in ("npz", "data"):
        f = tmp_path / f"state.{ext}"
        ann.save(str(f))
        mp, w = np.array(out.mp), [np.array(x) for x in proj.w]
        ann.simulate(50.0)
        assert not np.allclose(out.mp, mp)
        ann.load(str(f))
        np.testing.assert_allclose(out.mp, mp)
        for a, b in zip(proj.w, w):
            np.testing.assert_allclose(a, b)


def test_save_and_load_parameters(paradigm, tmp_path):
    _setup(paradigm, 1.0)
    inp, out, proj = _small_plastic_network()
    ann.compile()
    out.tau = 7.0
    proj.eta = 0.5
    inp.baseline = [1.0, 2.0, 3.0]
    f = tmp_path / "params.json"
    ann.save_parameters(str(f))
    content = json.loads(f.read_text())
    assert content["populations"]["out"]["tau"] == 7.0
    assert content["projections"]["oja"]["eta"] == 0.5
    out.tau = 1.0
    proj.eta = 0.0
    inp.baseline = 0.0
    ann.load_parameters(str(f))                     # population-wide parameters only
    assert out.tau == 7.0 and proj.eta == 0.5
    np.testing.assert_allclose(inp.baseline, 0.0)
    ann.load_parameters(str(f), global_only=False)
    np.testing.assert_allclose(inp.baseline, [1.0, 2.0, 3.0])


def test_report_markdown_and_latex(tmp_path):
    ann.clear()
    _small_plastic_network()
    text = ann.report(str(tmp_path / "report.md"))
    assert "| inp | 3 |" in text and "oja" in text and "dw/dt = eta * (pre.r * post.r" in text
    assert "## Neuron types" in text and "### Oja" in text
    tex = ann.report(str(tmp_path / "report.tex"), title="My net")
    assert "\\begin{document}" in tex and "My net" in tex and "Oja" in tex
    ann.clear()


def test_monitor_projection_and_view(paradigm):
    _setup(paradigm, 1.0)
    inp, out, proj = _small_plastic_network()
    mw = ann.Monitor(proj, "w")
    mv = ann.Monitor(out[1:], "mp")
    ann.compile()
    ann.simulate(5.0)
    w = mw.get("w")
    assert len(w) == 5
    np.testing.assert_allclose(np.concatenate([np.ravel(x) for x in w[-1]]), np.concatenate(proj.w))
    mp = mv.get("mp")
    assert mp.shape == (5, 1)
    np.testing.assert_allclose(mp[-1], out.mp[1:])


def test_spike_train_helpers(paradigm):
    _setup(paradigm, 1.0)
    src = ann.SpikeSourceArray(spike_times=[[10.0, 20.0, 40.0, 80.0], [5.0, 15.0, 25.0]])
    m = ann.Monitor(src, "spike")
    ann.compile()
    ann.simulate(100.0)
    spikes = m.get("spike")
    isi = m.inter_spike_interval(spikes, per_neuron=True)
    assert isi[0] == [10.0, 20.0, 40.0] and isi[1] == [10.0, 10.0]
    cv = m.coefficient_of_variation(spikes, per_neuron=True)
    assert cv[1] == pytest.approx(0.0) and cv[0] == pytest.approx(np.std([10, 20, 40]) / np.mean([10, 20, 40]))
    hist = m.histogram(spikes, bins=10.0)
    assert hist.sum() == 7
    rate = m.smoothed_rate(spikes, smooth=5.0)
    assert rate.shape[0] == 2


# module-level so the forked workers find it
def _run_izhikevich(idx, net, duration=200.0):
    pop = net.get(_PAR["pop"])
    pop.i_offset = 5.0 + idx
    net.simulate(duration)
    return idx, int(sum(len(v) for v in net.get(_PAR["mon"]).get("spike").values())), float(np.random.random())


_PAR = {}


def _parallel_network(paradigm, n=400):
    _setup(paradigm, 1.0, seed=5)
    pop = ann.Population(n, ann.Izhikevich(noise=3.0))
    ann.Projection(pop, pop, "exc").connect_fixed_probability(0.1, weights=0.1)
    mon = ann.Monitor(pop, "spike")
    _PAR.update(pop=pop, mon=mon)
    ann.compile()


def test_parallel_run_returns_per_run_results(paradigm):
    _parallel_network(paradigm, 100)
    seq = ann.parallel_run(method=_run_izhikevich, number=3, sequential=True, duration=50.0)
    par = ann.parallel_run(method=_run_izhikevich, number=3, max_processes=2, duration=50.0)
    assert [r[0] for r in par] == [0, 1, 2]
    assert [r[1] for r in par] == [r[1] for r in seq]          # same per-run seeds: same spikes
    assert len({r[2] for r in par}) == 3                          # numpy's global RNG seeded per run
    assert par[2][1] > par[0][1]                                  # more drive, more spikes
    same = ann.parallel_run(method=_run_izhikevich, number=2, same_seed=True, duration=50.0)
    assert same[0][2] == same[1][2]


