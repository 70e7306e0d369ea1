"""ProtocolRun, the one protocol player: each step's meaning, chunking, pause/stop/posted changes."""
import threading
import time

import numpy as np
import pytest

from annstudio.core.errors import ModelError
from annstudio.core.model import MonitorSpec, Segments
from annstudio.core.model.distributions import Normal, Uniform
from annstudio.core.model.records import Step
from annstudio.engine import Neuron, Population, Projection, Synapse
from annstudio.session.protocol import ProtocolRun, plan, planned_duration

CPP = pytest.param("openmp", marks=pytest.mark.compiler)
RATE = Neuron(parameters="tau = 10.0\nI = 0.0\nb = 0.0", equations="tau * dr/dt = -r + I + b + sum(exc)",
              name="Rate")
OJA = Synapse(parameters="tau = 50.0 : projection", equations="tau * dw/dt = pre.r * post.r - post.r^2 * w",
              name="Oja")


def _network(net, paradigm="numpy"):
    """Two rate populations joined by a plastic projection, three monitors; ``net.spec``."""
    net.setup(dt=1.0, seed=11, paradigm=paradigm)
    inp = Population(4, RATE, name="inp")
    out = Population(2, RATE, name="out", stop_condition="r > 0.3 : any")
    proj = Projection(inp, out, "exc", OJA, name="proj")
    proj.connect_all_to_all(weights=Uniform(0.0, 0.2))
    spec = net.spec
    spec.monitors = [MonitorSpec("m_inp", "population", "inp", ("r",), None, None, True),
                     MonitorSpec("m_out", "population", "out", ("r",), None, None, True),
                     MonitorSpec("m_w", "projection", "proj", ("w",), None, None, True)]
    return spec


def _euler(r0, drive, steps, tau=10.0, dt=1.0):
    r = np.asarray(r0, dtype=float)
    for _ in range(steps):
        r = r + dt / tau * (-r + drive)
    return r


def _play(run, chunk_ms=None):
    return [p for p in run.play(chunk_ms)]


def test_reset_keeps_the_set_value_and_drops_the_recordings(fresh_network):
    """The studio once rebuilt the backend on ``reset`` and lost the ``set``: r ended at 0."""
    spec = _network(fresh_network)
    steps = [Step("set", target="inp", variable="I", value=1.0), Step("simulate", duration=5.0),
             Step("reset", flags=("populations", "monitors")), Step("simulate", duration=5.0)]
    run = ProtocolRun(spec, steps).compile()
    _play(run)
    r = run.sim.get("inp", "r")
    assert np.allclose(r, _euler(np.zeros(4), 1.0, 5)) and r.min() > 0.4
    rec = run.recordings()
    assert rec["m_inp.r"].shape == (5, 4), "the recordings made before the reset are dropped"
    assert np.allclose(rec["m_inp.r"][-1], r)
    assert run.sim.t == 10.0, "time goes on through a reset"


def test_reset_flags(fresh_network):
    spec = _network(fresh_network)
    steps = [Step("set", target="inp", variable="I", value=1.0), Step("simulate", duration=20.0),
             Step("reset", flags=("monitors",))]
    run = ProtocolRun(spec, steps).compile()
    w0 = np.array(run.sim.get("proj", "w"), copy=True)
    _play(run)
    w_learnt, r_before = np.array(run.sim.get("proj", "w"), copy=True), run.sim.get("inp", "r")
    assert not np.allclose(w_learnt, w0), "the weights learnt"
    assert np.array_equal(run.sim.get("inp", "r"), r_before), "populations=False keeps the rates"
    assert run.recordings()["m_inp.r"].shape == (0, 4)
    run.sim.reset(populations=False, projections=False, monitors=False)
    assert np.array_equal(run.sim.get("proj", "w"), w_learnt), "projections=False keeps the weights"
    run.sim.reset(populations=True, projections=True, monitors=False)
    assert np.array_equal(run.sim.get("proj", "w"), w0) and not run.sim.get("inp", "r").any()
    assert run.sim.get("inp", "I") == pytest.approx(1.0), "parameters are not reset"


def test_distribution_and_segment_sets_draw_from_the_seeded_generator(fresh_network):
    spec = _network(fresh_network)
    steps = [Step("set", target="inp", variable="b", value=Uniform(0.0, 1.0)),
             Step("set", target="out", variable="I", value=Segments([((0,), 0.5), ((1,), Normal(2.0, 0.1))])),
             Step("set", target="proj", variable="w", value=Uniform(0.5, 0.6))]
    run = ProtocolRun(spec, steps).compile()
    w_before = run.sim.get("proj", "w")
    _play(run)
    rng = np.random.default_rng(11)            # as setup(seed=11) creates it for the script API
    assert np.array_equal(run.sim.get("inp", "b"), Uniform(0.0, 1.0).get_values(4, rng))
    assert np.array_equal(run.sim.get("out", "I"), [0.5, Normal(2.0, 0.1).get_values(1, rng)[0]])
    w = run.sim.get("proj", "w")
    assert np.array_equal(w, Uniform(0.5, 0.6).get_values(np.size(w_before), rng))


def test_simulate_until_stops_at_the_first_step_the_condition_holds(fresh_network):
    spec = _network(fresh_network)
    steps = [Step("set", target="out", variable="I", value=1.0),
             Step("simulate_until", max_duration=100.0, population="out", operator="or"),
             Step("simulate", duration=3.0)]
    run = ProtocolRun(spec, steps).compile()
    progress = _play(run, chunk_ms=5.0)
    r = np.zeros(2)
    n = 0
    while not (r > 0.3).any():   # the output's drive: I = 1 plus its (initially silent) inputs
        r, n = _euler(r, 1.0, 1), n + 1
    assert len(run.recordings()["m_out.r"]) == n + 3
    assert run.sim.t == n + 3.0
    assert progress[-1].done == pytest.approx(103.0) and progress[-1].fraction == 1.0
    assert run.total == 103.0


def test_monitor_pause_and_resume(fresh_network):
    spec = _network(fresh_network)
    steps = [Step("simulate", duration=4.0), Step("pause_monitor", target="m_inp"), Step("simulate", duration=3.0),
             Step("resume_monitor", target="m_inp"), Step("simulate", duration=2.0)]
    run = ProtocolRun(spec, steps).compile()
    _play(run, chunk_ms=2.0)
    rec = run.recordings()
    assert rec["m_inp.r"].shape == (6, 4) and rec["m_out.r"].shape == (9, 2)
    bad = ProtocolRun(spec, [Step("pause_monitor", target="nope")]).attach(run.sim)
    with pytest.raises(Exception, match="no monitor named 'nope'"):
        _play(bad)


def test_plan_caps_the_protocol_and_fills_an_empty_one():
    steps = [Step("simulate", duration=10.0), Step("set", target="a", variable="x", value=1.0),
             Step("simulate_until", max_duration=30.0, population="a"), Step("simulate", duration=5.0)]
    capped = plan(steps, limit=25.0)
    assert [s.action for s in capped] == ["simulate", "set", "simulate_until"]
    assert capped[2].max_duration == 15.0 and planned_duration(capped) == 25.0
    assert planned_duration(plan([], default_duration=70.0)) == 70.0
    with pytest.raises(ModelError, match="unknown protocol action 'jump'"):
        plan([Step("jump")])


@pytest.mark.parametrize("paradigm", ["numpy", CPP])
def test_chunking_does_not_change_the_recordings(fresh_network, paradigm):
    spec = _network(fresh_network, paradigm)
    steps = [Step("set", target="inp", variable="I", value=Uniform(0.0, 1.0)), Step("simulate", duration=30.0),
             Step("simulate_until", max_duration=40.0, population="out"), Step("reset"),
             Step("simulate", duration=7.0)]
    results = []
    for chunk in (None, 1.0, iter([3.0, 1.0, 7.0] * 100).__next__):
        run = ProtocolRun(spec, steps).compile()
        _play(run, chunk)
        results.append(run.recordings())
    for other in results[1:]:
        assert sorted(other) == sorted(results[0])
        for key in results[0]:
            assert np.array_equal(other[key], results[0][key]), key


@pytest.mark.compiler
def test_cpp_plays_the_protocol_as_numpy_does(fresh_network):
    steps = [Step("set", target="inp", variable="b", value=Uniform(0.0, 0.5)), Step("simulate", duration=12.0),
             Step("pause_monitor", target="m_w"), Step("simulate", duration=4.0),
             Step("resume_monitor", target="m_w"), Step("simulate_until", max_duration=40.0, population="out"),
             Step("reset", flags=("populations", "projections", "monitors")), Step("simulate", duration=6.0)]
    recs = []
    for paradigm in ("numpy", "openmp"):
        spec = _network(fresh_network, paradigm)
        fresh_network.clear()
        run = ProtocolRun(spec, steps).compile()
        assert run.sim.paradigm == paradigm
        _play(run)
        recs.append(run.recordings())
    assert sorted(recs[0]) == sorted(recs[1])
    for key in recs[0]:
        assert recs[0][key].shape == recs[1][key].shape, key
        assert np.allclose(recs[0][key], recs[1][key], rtol=1e-12, atol=1e-14), key


def test_pause_posted_change_and_stop_from_another_thread(fresh_network):
    spec = _network(fresh_network)
    run = ProtocolRun(spec, [Step("simulate", duration=1e7), Step("simulate", duration=5.0)],
                      keep_recordings=False).compile()
    seen = []
    thread = threading.Thread(target=lambda: seen.extend(run.play(chunk_ms=1.0)))
    thread.start()
    deadline = time.time() + 30
    while run.sim.t < 20 and time.time() < deadline:
        time.sleep(0.005)
    run.pause()
    t_paused = None
    while t_paused != run.sim.t and time.time() < deadline:   # the chunk under way ends, then it waits
        t_paused = run.sim.t
        time.sleep(0.05)
    time.sleep(0.1)
    assert run.sim.t == t_paused and run.paused
    run.post_set("inp", "I", 5.0)
    run.resume()
    while run.sim.t < t_paused + 10 and time.time() < deadline:
        time.sleep(0.005)
    assert run.sim.get("inp", "I") == pytest.approx(5.0), "applied at a chunk boundary"
    run.request_stop()
    thread.join(10)
    assert not thread.is_alive() and run.stopped
    assert t_paused < run.sim.t < 1e6, "stopped early; the next step never ran"
    assert seen[-1].index == 0
    assert run.recordings()["m_inp.r"].size == 0, "keep_recordings=False keeps nothing"
