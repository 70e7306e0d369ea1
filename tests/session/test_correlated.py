"""HomogeneousCorrelatedSpikeTrains: Poisson trains sharing an Ornstein-Uhlenbeck rate (Brette 2009).

The shared rate needs one random draw per step for the whole population
(``PopulationIR.global_randoms``); every backend implements it, so a backend that
refuses to build such a network fails these tests.
"""
import numpy as np
import pytest

import annstudio.engine as ann
from annstudio.session.special import rectified_gaussian_parameters

N, T, WIN, TAU = 60, 20000.0, 100.0, 10.0


@pytest.fixture
def paradigm(paradigm):
    """The suite's backend parametrisation (tests/conftest.py), with this module's seed."""
    ann.setup(paradigm=paradigm, dt=1.0, seed=11)
    return paradigm


def _compile():
    ann.compile()   # every backend implements population-wide draws: a BuildError here is a failure


def _counts(mon, n, t0, duration):
    spikes = mon.get("spike")
    nb = int(duration / WIN)
    return np.array([np.bincount(((np.asarray(spikes[i]) - t0) // WIN).astype(int), minlength=nb)[:nb]
                     for i in range(n)])


def _stats(counts):
    """Mean rate (Hz) and the mean pairwise count covariance divided by the mean count."""
    off = ~np.eye(counts.shape[0], dtype=bool)
    return counts.mean() / (WIN / 1000.0), np.cov(counts)[off].mean() / counts.mean()


def test_rate_and_pairwise_correlation(paradigm):
    corr = ann.HomogeneousCorrelatedSpikeTrains(N, rates=20.0, corr=0.3, tau=TAU)
    indep = ann.HomogeneousCorrelatedSpikeTrains(N, rates=20.0, corr=0.0, tau=TAU)
    m_corr, m_indep = ann.Monitor(corr, "spike"), ann.Monitor(indep, "spike")
    _compile()
    ann.simulate(T)
    rate, cov = _stats(_counts(m_corr, N, 0, T))
    # total correlation c: count covariance = c * mean count, minus the finite-window share tau/WIN
    expected = 0.3 * (1.0 - TAU / WIN * (1.0 - np.exp(-WIN / TAU)))
    assert rate == pytest.approx(20.0, rel=0.12)
    assert cov == pytest.approx(expected, abs=0.08)
    rate0, cov0 = _stats(_counts(m_indep, N, 0, T))
    assert rate0 == pytest.approx(20.0, rel=0.05)
    assert abs(cov0) < 0.03
    corr.rates = 40.0       # mu and sigma are recomputed
    ann.simulate(5000.0)
    rate2, _ = _stats(_counts(m_corr, N, T, 5000.0))
    assert rate2 == pytest.approx(40.0, rel=0.12)


def test_schedule_changes_rates(paradigm):
    pop = ann.HomogeneousCorrelatedSpikeTrains(N, rates=[5.0, 50.0], corr=0.1, tau=TAU, schedule=[0.0, 1000.0],
                                               period=2000.0)
    mon = ann.Monitor(pop, "spike")
    _compile()
    ann.simulate(4000.0)
    spikes = np.concatenate([np.asarray(v) for v in mon.get("spike").values()])
    phase = spikes % 2000.0
    low, high = np.sum(phase < 1000.0) / N / 2.0, np.sum(phase >= 1000.0) / N / 2.0
    assert low == pytest.approx(5.0, rel=0.25)
    assert high == pytest.approx(50.0, rel=0.12)


def test_rectified_gaussian_parameters():
    m, s = rectified_gaussian_parameters(20.0, 0.3 * 20.0 / (2 * 0.01))
    x = np.random.default_rng(0).normal(m, s, 400000).clip(0.0)
    assert x.mean() == pytest.approx(20.0, rel=0.01)
    assert x.var() == pytest.approx(300.0, rel=0.02)
    assert rectified_gaussian_parameters(10.0, 0.0) == (10.0, 0.0)
    with pytest.raises(ann.ModelError):
        ann.HomogeneousCorrelatedSpikeTrains(10, rates=10.0, corr=1.5, tau=10.0)


def test_monitors_of_the_shared_rate_and_of_a_view(paradigm):
    pop = ann.HomogeneousCorrelatedSpikeTrains(20, rates=30.0, corr=0.2, tau=TAU)
    m_x = ann.Monitor(pop, "x", period=2.0)            # population-wide: one value per record
    m_all, m_view = ann.Monitor(pop, "spike"), ann.Monitor(pop[5:10], "spike")
    _compile()
    ann.simulate(2000.0)
    x = m_x.get("x")
    assert x.shape == (1000,)
    assert np.maximum(x, 0.0).mean() == pytest.approx(30.0, rel=0.15)
    every, view = m_all.get("spike"), m_view.get("spike")
    assert sorted(view) == [5, 6, 7, 8, 9]
    assert all(view[r] == every[r] for r in view) and sum(len(v) for v in view.values()) > 100
