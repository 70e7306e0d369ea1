"""Reference behaviour of the standard plastic synapses (STP, STDP, Oja, Hebb, IBCM).

Each test body runs on every available backend (``paradigm`` fixture).
"""
import numpy as np
import pytest

import annstudio.engine as ann
from backend_fixtures import setup_backend as _setup


# A clock neuron: spikes every `period` ms, the first time after `period - phase` ms.
Clock = ann.Neuron(
    parameters="period = 10.0",
    equations="""
        dc/dt = 1.0 : init = 0.0
        I = g_exc
    """,
    spike="c >= period", reset="c = 0.0", name="Clock")


def _spike_steps(mon, rank=0):
    return np.asarray(mon.get("spike")[rank])


def test_stp_matches_tsodyks_markram_recursion(paradigm):
    dt, period, U, tau_rec, tau_facil, w = 1.0, 20.0, 0.2, 150.0, 60.0, 2.0
    _setup(paradigm, dt)
    pre = ann.Population(1, Clock)
    pre.period = period
    post = ann.Population(1, Clock)
    post.period = 1e9
    proj = ann.Projection(pre, post, "exc", ann.STP(tau_rec=tau_rec, tau_facil=tau_facil, U=U))
    proj.connect_all_to_all(weights=w)
    m_pre = ann.Monitor(pre, "spike")
    m_post = ann.Monitor(post, "I")
    ann.compile()
    ann.simulate(400.0)
    spikes = _spike_steps(m_pre)
    psp = m_post.get("I")[:, 0]
    # a spike emitted at step s is transmitted at step s + 1 (one-step minimal delay)
    arrival = spikes + 1
    arrival = arrival[arrival < len(psp)]
    observed = psp[arrival]
    assert np.count_nonzero(psp) == len(arrival)
    # analytic recursion; as in ANNarchy, a pre event at step t advances the event-driven x and u to t - dt
    # and stamps the event at t (docs/annarchy-semantics.md, section l)
    x, u, last, expected = 1.0, U, 0.0, []
    for k in arrival:
        t = k * dt
        x = 1.0 + (x - 1.0) * np.exp(-(t - dt - last) / tau_rec)
        u = U + (u - U) * np.exp(-(t - dt - last) / tau_facil)
        expected.append(w * u * x)
        x, u, last = x * (1 - u), u + U * (1 - u), t
    assert len(observed) >= 15
    np.testing.assert_allclose(observed, expected, rtol=1e-10)
    # depression dominates with these parameters: the response falls after the first spikes
    assert observed[-1] < observed[0]


def test_online_stdp_follows_annarchy_event_recursion(paradigm):
    dt = 1.0
    A_plus, A_minus, tau_plus, tau_minus, w_max = 0.01, 0.012, 20.0, 15.0, 100.0
    _setup(paradigm, dt)
    pre = ann.Population(1, Clock)
    pre.period = 17.0
    post = ann.Population(1, Clock)
    post.period = 23.0
    post.c = 5.0
    syn = ann.STDP(tau_plus=tau_plus, tau_minus=tau_minus, A_plus=A_plus / w_max, A_minus=A_minus / w_max,
                   w_min=-1e6, w_max=w_max)
    proj = ann.Projection(pre, post, "exc", syn)
    proj.connect_all_to_all(weights=0.0)
    m_pre = ann.Monitor(pre, "spike")
    m_post = ann.Monitor(post, "spike")
    ann.compile()
    ann.simulate(500.0)
    w = proj.w[0][0]
    t_pre = (_spike_steps(m_pre) + 1) * dt      # pre_spike runs one step after the spike
    t_post = _spike_steps(m_post) * dt          # post_spike runs in the step of the spike
    assert len(t_pre) > 20 and len(t_post) > 15
    # the traces' recursion as ANNarchy runs it (docs/annarchy-semantics.md, section l): events in the order of
    # their steps (in one step the pre event first); a pre event advances x, y to t - dt, a post event to t,
    # both stamp the event at t (each pre event skips one step of decay: not the exact pair-based sum)
    events = sorted([(tp, 0) for tp in t_pre] + [(tq, 1) for tq in t_post])
    x = y = expected = last = 0.0
    for t, is_post in events:
        elapsed = t - (0.0 if is_post else dt) - last
        x, y, last = x * np.exp(-elapsed / tau_plus), y * np.exp(-elapsed / tau_minus), t
        if is_post:
            y -= A_minus
            expected += x
        else:
            x += A_plus
            expected += y
    np.testing.assert_allclose(w, expected, rtol=1e-9, atol=1e-12)
    assert expected > 0.01   # potentiation dominates: the events of both kinds took part


def test_stdp_weights_stay_in_bounds(paradigm):
    _setup(paradigm, 1.0)
    pre = ann.Population(5, Clock)
    pre.period = [7.0, 9.0, 11.0, 13.0, 15.0]
    post = ann.Population(3, Clock)
    post.period = [8.0, 10.0, 12.0]
    proj = ann.Projection(pre, post, "exc", ann.STDP(A_plus=0.3, A_minus=0.35))
    proj.connect_all_to_all(weights=0.5)
    ann.compile()
    ann.simulate(300.0)
    w = np.concatenate(proj.w)
    assert w.min() >= 0.0 and w.max() <= 1.0
    assert np.any(w == 0.0) or np.any(w == 1.0)


Input = ann.Neuron(parameters="baseline = 0.0", equations="r = baseline", name="Input")
Linear = ann.Neuron(equations="r = sum(exc)", name="Linear")


def test_oja_converges_to_principal_eigenvector(paradigm):
    rng = np.random.default_rng(3)
    C = np.array([[3.0, 1.0, 0.5], [1.0, 2.0, 0.3], [0.5, 0.3, 1.0]])
    L = np.linalg.cholesky(C)
    _setup(paradigm, 1.0)
    inp = ann.Population(3, Input)
    out = ann.Population(1, Linear)
    proj = ann.Projection(inp, out, "exc", ann.Oja(eta=0.005, alpha=1.0))
    proj.connect_all_to_all(weights=ann.Uniform(0.1, 0.5))
    ann.compile()
    hold = 10   # steps per sample; the output lags its input by one step (1 of `hold` steps is uncorrelated)
    for _ in range(400):
        inp.baseline = L @ rng.standard_normal(3)
        ann.simulate(float(hold))
    w = np.asarray(proj.w[0])
    vals, vecs = np.linalg.eigh(C)
    e1 = vecs[:, -1] * np.sign(vecs[:, -1].sum())
    assert abs(np.linalg.norm(w) - np.sqrt(1.0 - 1.0 / hold)) < 0.05
    assert abs(np.dot(w / np.linalg.norm(w), e1)) > 0.98


def test_hebb_and_learning_switch(paradigm):
    _setup(paradigm, 1.0)
    inp = ann.Population(2, Input)
    inp.baseline = [1.0, 2.0]
    out = ann.Population(1, Linear)
    proj = ann.Projection(inp, out, "exc", ann.Hebb(eta=0.01))
    proj.connect_all_to_all(weights=0.5)
    ann.compile()
    ann.simulate(1.0)
    w0 = np.array(proj.w[0])
    proj.disable_learning()
    ann.simulate(10.0)
    np.testing.assert_allclose(proj.w[0], w0)
    proj.enable_learning()
    ann.simulate(10.0)
    assert np.all(np.asarray(proj.w[0]) > w0)


def test_ibcm_threshold_tracks_squared_rate(paradigm):
    _setup(paradigm, 1.0)
    inp = ann.Population(2, Input)
    inp.baseline = [1.0, 0.5]
    out = ann.Population(1, Linear)
    proj = ann.Projection(inp, out, "exc", ann.IBCM(eta=0.001, tau=50.0))
    proj.connect_all_to_all(weights=0.5)
    ann.compile()
    ann.simulate(500.0)
    r = float(out.r[0])
    theta = float(np.asarray(proj.theta).reshape(-1)[0])
    assert theta == pytest.approx(r ** 2, rel=0.05)
    assert np.all(np.concatenate(proj.w) >= 0.0)


@pytest.mark.parametrize("operation,expected", [("sum", 6.0), ("max", 3.0), ("min", 1.0), ("mean", 2.0)])
def test_rate_operations(paradigm, operation, expected):
    _setup(paradigm, 1.0)
    inp = ann.Population(3, Input)
    inp.baseline = [1.0, 2.0, 3.0]
    out = ann.Population(1, Linear)
    syn = ann.Synapse(psp="w * pre.r", operation=operation)
    ann.Projection(inp, out, "exc", syn).connect_all_to_all(weights=1.0)
    ann.compile()
    ann.simulate(3.0)
    assert out.r[0] == pytest.approx(expected)
