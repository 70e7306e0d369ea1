"""``rank`` (the neuron's index in its population) in neuron equations, spike conditions and resets (issue 16).

annstudio reads ``rank`` as a per-neuron number on every backend.  Measured on ANNarchy 5.0.4.1 and 4.8.2.6 (the
network of ``run_rank``'s rate population, and ``r = rank / 10.0`` alone): both pass ``rank`` through to their
generated C++ unchanged and g++ fails ("'rank' was not declared in this scope"), so no ANNarchy numbers exist;
the expected values below are the explicit-Euler recurrences written out by hand.
"""
import numpy as np
import pytest

import annstudio.engine as ann
from annstudio.core.errors import EquationError
from backend_fixtures import setup_backend

STEPS = 60


def run_rank(paradigm):
    """A rate population (``tau dv/dt = rank - v``, ``r = rank / 10``, ``I = 0.1 rank``) and a spiking one whose
    drive, threshold and reset all use ``rank``; dt = 1 ms, ``STEPS`` steps."""
    ann.clear()
    ann.setup(dt=1.0, seed=1)
    rate = ann.Neuron(parameters="tau = 10.0", equations=["tau * dv/dt = rank - v", "r = rank / 10.0",
                                                          "I = 0.1 * rank"])
    spiking = ann.Neuron(parameters="tau = 10.0",
                         equations=["dv/dt = 0.5 + 0.25 * rank"],
                         spike="v > 2.0 + rank", reset="v = -0.5 * rank")
    p = ann.Population(5, rate, name="rate")
    q = ann.Population(4, spiking, name="spiking")
    m = ann.Monitor(q, "spike")
    ann.compile(paradigm=paradigm)   # (also the CUDA emulation of tests/codegen/cuda, which setup() does not know)
    ann.simulate(STEPS)
    return {"v": np.array(p.v), "r": np.array(p.r), "I": np.array(p.I), "qv": np.array(q.v),
            "spikes": {k: list(v) for k, v in m.get("spike").items()}}


def expected():
    """The same dynamics written out: explicit Euler, then spike test, then reset (ANNarchy's order)."""
    rank = np.arange(5.0)
    v = np.zeros(5)
    for _ in range(STEPS):
        v = v + (rank - v) / 10.0
    spikes, qv = {}, np.zeros(4)
    for step in range(STEPS):
        for n in range(4):
            qv[n] += 0.5 + 0.25 * n
            if qv[n] > 2.0 + n:
                spikes.setdefault(n, []).append(step)
                qv[n] = -0.5 * n
    return {"v": v, "r": rank / 10.0, "I": 0.1 * rank, "qv": qv, "spikes": spikes}


def check(got):
    want = expected()
    for key in ("v", "r", "I", "qv"):
        np.testing.assert_allclose(got[key], want[key], rtol=1e-12, atol=1e-12, err_msg=key)
    assert got["spikes"] == want["spikes"]
    # each rank fires at its own pace: neuron 0 every 5 steps (0 -> 2.5), neuron 2 every 6 (-1 -> 5)
    assert [len(want["spikes"][n]) for n in range(4)] == [12, 12, 10, 10]
    assert want["spikes"][0][:2] == [4, 9] and want["spikes"][2][:2] == [4, 10]


def test_rank_drives_odes_assignments_spikes_and_resets(paradigm):
    check(run_rank(paradigm))


def test_compiled_equals_numpy(compiled_paradigm):
    got, ref = run_rank(compiled_paradigm), run_rank("numpy")
    for key in ("v", "r", "I", "qv"):
        np.testing.assert_array_equal(got[key], ref[key], err_msg=key)
    assert got["spikes"] == ref["spikes"]


def test_rank_converges_over_a_long_run():
    setup_backend("numpy", dt=0.1)
    n = ann.Population(10, ann.Neuron(parameters="tau = 5.0", equations="tau * dv/dt = rank - v"))
    ann.compile()
    ann.simulate(200.0)
    np.testing.assert_allclose(n.v, np.arange(10.0), atol=1e-6)


def test_a_variable_named_rank_wins():
    setup_backend("numpy")
    p = ann.Population(3, ann.Neuron(parameters="rank = 7.0", equations="r = rank"))
    ann.compile()
    ann.simulate(2)
    np.testing.assert_array_equal(p.r, [7.0, 7.0, 7.0])


def test_population_wide_variable_cannot_use_rank():
    setup_backend("numpy")
    with pytest.raises(EquationError, match="population-wide 'x' cannot use 'rank'") as e:
        ann.Population(3, ann.Neuron(equations=["x = rank : population", "r = x"], name="Wide"))
        ann.compile()
    assert "Wide" in str(e.value) and "line 1" in str(e.value)


def test_synapses_have_no_rank():
    setup_backend("numpy")
    a = ann.Population(2, ann.Neuron(equations="r = 1.0"))
    syn = ann.Synapse(equations="dw/dt = rank", name="Ranked")
    with pytest.raises(EquationError, match="unknown name 'rank'"):
        ann.Projection(a, a, "exc", syn).connect_all_to_all(1.0)
        ann.compile()
