"""Members of the coverage table's "not supported" rows closed for issue 16, with what ANNarchy printed.

Measured on ANNarchy 5.0.4.1:

- ``HomogeneousCorrelatedSpikeTrains(200, rates=[10, 40], corr=[0.1, 0.3], tau=10.0, schedule=[0, 100],
  refractory=2.0)``: ``mu_list == [9.589265930881593, 39.26171293506015]``, ``sigma_list ==
  [7.793965185212031, 25.94991744677517]``, ``refractory_init == 2.0`` (5.0.4.1 then fails to compile a
  refractory HCST; without it: ``mu``/``sigma`` follow the schedule).  After ``simulate(200)``,
  ``update(rates=[80, 5], corr=[0.2, 0.2], schedule=[0, 50])`` (reset=True) restarted the schedule: spike
  rates per 50 ms were ``[10.1, 12.5, 52.7, 45.0, 79.7, 4.9]`` Hz and ``mu`` was 79.97993270285448 at once.
  (ANNarchy's ``mu_list``/``sigma_list`` read back the values given at construction whatever happened
  since; annstudio reads the ones in use.)
- ``PoissonPopulation(3, rates=5.0, refractory=1.0)``: ``rates_init == 5.0``, ``refractory_init == 1.0``,
  ``parameters_init == {}``.
- ``setup(dt=0.25)``, ``Monitor(pop 'pp', 'v')``: name ``Monitor_pp`` (a view of it too), ``dt == 0.25``;
  ``name='mine'`` is kept; ``Network(dt=0.5).monitor(pop 'aa', 'v')``: ``Monitor_aa``, ``dt == 0.5`` and
  ``net.get_monitor('Monitor_aa')`` finds it.
"""
import numpy as np
import pytest

import annstudio.engine as ann
from annstudio.core.errors import ModelError


def test_hcst_lists_and_refractory_init():
    net = ann.Network(dt=1.0, seed=2)
    hc = net.create(population=ann.HomogeneousCorrelatedSpikeTrains(
        200, rates=[10.0, 40.0], corr=[0.1, 0.3], tau=10.0, schedule=[0.0, 100.0], refractory=2.0))
    assert np.allclose(hc.mu_list, [9.589265930881593, 39.26171293506015], rtol=1e-9)
    assert np.allclose(hc.sigma_list, [7.793965185212031, 25.94991744677517], rtol=1e-9)
    assert hc.refractory_init == 2.0
    hc.sigma_list = [1.0, 2.0]
    assert hc.sigma_list == [1.0, 2.0] and hc.sigma_1 == 2.0
    with pytest.raises(ModelError, match="one value per schedule time"):
        hc.mu_list = [1.0]


def test_hcst_update_restarts_the_schedule(paradigm):
    net = ann.Network(dt=1.0, seed=2)
    hc = net.create(population=ann.HomogeneousCorrelatedSpikeTrains(
        50, rates=[10.0, 40.0], corr=0.0, tau=10.0, schedule=[0.0, 100.0]))
    net.compile(paradigm=paradigm)
    m = net.monitor(hc, ["mu", "x"])
    net.simulate(150.0)
    hc.update(rates=[80.0, 5.0], corr=[0.0, 0.0], schedule=[0.0, 50.0])      # reset=True: restart at t=150
    assert hc.mu_list == pytest.approx([80.0, 5.0]) and hc.schedule == [0.0, 50.0]
    net.simulate(100.0)
    rec = m.get()
    mu = rec["mu"].reshape(-1)
    assert np.all(mu[:100] == 10.0) and np.all(mu[100:150] == 40.0)
    assert np.all(mu[150:200] == 80.0) and np.all(mu[200:250] == 5.0)
    x = rec["x"].reshape(-1)
    assert x[150] < 20.0           # reset to its value at compile (10 Hz), then relaxing to 80 Hz
    assert 75.0 < x[199] <= 80.0 and 5.0 <= x[249] < 10.0
    hc.update(rates=[20.0, 30.0], corr=0.0, schedule=[0.0, 50.0], tau=5.0, reset=False)   # the clock goes on
    assert hc.tau == 5.0
    net.simulate(10.0)
    assert np.all(m.get()["mu"].reshape(-1) == 30.0)
    with pytest.raises(ModelError, match="fixed at compile"):
        hc.update(rates=10.0, corr=0.0)


def test_hcst_update_before_compile_changes_the_segments():
    net = ann.Network(dt=1.0, seed=2)
    hc = net.create(population=ann.HomogeneousCorrelatedSpikeTrains(10, rates=10.0, corr=0.0, tau=10.0))
    hc.update(rates=[30.0, 60.0], corr=0.0, schedule=[0.0, 20.0])
    net.compile(paradigm="numpy")
    m = net.monitor(hc, "mu")
    net.simulate(40.0)
    mu = m.get("mu").reshape(-1)
    assert np.all(mu[:20] == 30.0) and np.all(mu[20:] == 60.0)


def test_poisson_init_arguments():
    pp = ann.Network().create(population=ann.PoissonPopulation(3, rates=5.0, refractory=1.0))
    assert pp.rates_init == 5.0 and pp.refractory_init == 1.0 and pp.parameters_init == {}


def test_monitor_name_and_dt():
    ann.clear()
    ann.setup(dt=0.25)
    p = ann.Population(4, ann.Izhikevich, name="pp")
    m1, m2, m3 = ann.Monitor(p, "v"), ann.Monitor(p[1:3], "v"), ann.Monitor(p, "v", name="mine")
    assert (m1.name, m2.name, m3.name, m1.dt) == ("Monitor_pp", "Monitor_pp", "mine", 0.25)
    net = ann.Network(dt=0.5)
    a = net.create(3, ann.Izhikevich, name="aa")
    b, c = net.monitor(a, "v"), net.monitor(a[0:2], "v", name="x")
    assert (b.name, c.name, b.dt) == ("Monitor_aa", "x", 0.5)
    assert net.get_monitor("Monitor_aa") is b and net.get_monitor("x") is c
    ann.clear()


def test_lil_connectivity_reads_back_as_annarchy():
    L = ann.LILConnectivity(dt=0.5)
    L.add(2, [0, 1], [0.5, 0.25], [1.0, 1.5])
    L.push_back(0, [3], [2.0], [1.0])
    assert (L.size, L.nb_synapses, L.post_rank, L.pre_rank) == (2, 3, [2, 0], [[0, 1], [3]])
    assert L.w == [[0.5, 0.25], [2.0]] and L.delay == [[2, 3], [2]] and L.dt == 0.5
    assert (L.max_delay, L.uniform_delay, L.get_max_delay(), L.get_uniform_delay()) == (3, -1, 3, -1)
    net = ann.Network(dt=0.5)
    pre, post = net.create(4, ann.Izhikevich), net.create(3, ann.Izhikevich)
    proj = net.connect(pre, post, "exc").from_function(lambda pre, post: L)
    net.compile(paradigm="numpy")
    assert proj.pre_ranks == [[3], [0, 1]] and proj.delay == [[1.0], [1.0, 1.5]]


def test_monitor_save(tmp_path):
    import h5py
    net = ann.Network(dt=1.0)
    pop = net.create(3, ann.Izhikevich)
    pop.i_offset = [0.0, 10.0, 20.0]
    m = net.monitor(pop, ["v", "spike"])
    net.compile(paradigm="numpy")
    net.simulate(50.0)
    v = m.get("v", keep=True)
    spikes = m.get("spike", keep=True)
    m.save(str(tmp_path / "v.npy"), "v", keep=True)
    assert np.array_equal(np.load(tmp_path / "v.npy"), v) and v.shape == (50, 3)
    m.save(str(tmp_path / "all.hdf5"))
    with h5py.File(tmp_path / "all.hdf5") as f:
        assert np.array_equal(f["v"][()], v)
        assert [list(f["spike"][str(r)][()]) for r in range(3)] == [list(spikes[r]) for r in range(3)]
        assert len(spikes[2]) > 0
    assert m.get("v").shape == (0, 3)           # keep=False emptied the record
    with pytest.raises(ModelError, match="one recorded variable"):
        m.save(str(tmp_path / "x.npy"))
    with pytest.raises(ModelError, match=".npy or .hdf5"):
        m.save(str(tmp_path / "x.txt"), "v")


def test_monitor_get_one_population_wide_variable_then_another():
    net = ann.Network(dt=1.0, seed=1)
    hc = net.create(population=ann.HomogeneousCorrelatedSpikeTrains(5, rates=10.0, corr=0.0, tau=10.0))
    m = net.monitor(hc, ["mu", "x"])
    net.compile(paradigm="numpy")
    net.simulate(10.0)
    assert m.get("mu").shape[0] == 10 and m.get("x").shape[0] == 10


def test_projection_init():
    """ANNarchy 5.0.4.1 printed these dictionaries for the same three projections."""
    net = ann.Network(dt=0.5)
    a = net.create(6, ann.Izhikevich, name="a")
    syn = ann.Synapse(parameters="eta = 0.01 : projection\n k = 1.5",
                      equations="dw/dt = eta : min=0.0\n e = w*2 : init=0.3")
    flags = {"transmission": True, "axon_transmission": True, "update": True, "plasticity": True}
    assert net.connect(a, a, "exc", syn).init == dict(flags, eta=0.01, k=1.5, w=0.0, e=0.3)
    assert net.connect(a, a, "inh").init == dict(flags, w=0.0)
    assert net.connect(a, a, "x", ann.STDP).init == dict(flags, tau_plus=20.0, tau_minus=20.0, A_plus=0.01,
                                                         A_minus=0.01, w_min=0.0, w_max=1.0, w=0.0, x=0.0, y=0.0)
