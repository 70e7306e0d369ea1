"""Population.save/load and Projection.save/load (annstudio.session.object_file).

Measured: ANNarchy 5.0.4.1 and 4.8.2.6 (scratch venvs), ``setup(dt=0.1, seed=1)``, a rate-coded population
``pre`` of geometry (2, 3) (``tau = 10.0 : population``, ``b = 0.5``, ``flag = 1 : int``, ``tau*dr/dt = -r + b
+ sum(exc) : min=0.0``, ``c = 2*r``) with ``pre.b = arange(6)*0.1``, a population ``post`` of 4 of them, a
projection ``proj`` (``eta = 0.01 : projection``, ``k = 1.5``, ``dw/dt = eta*pre.r*post.r : min=0.0``, ``e =
w*2``; ``fixed_probability(0.5, weights=Uniform(0, 1), delays=Uniform(0.1, 0.5))``), ``proj2``
(``all_to_all(weights=0.3)``), 3 ``Izhikevich`` neurons and a ``PoissonPopulation(3, rates=5.0)``; after
``simulate(5.0)`` each was saved with ``save()``: the files are in tests/session/data/annarchy_save, and
reference.json holds what ANNarchy printed (``pre.r``, ``pre.c``, ``proj.pre_ranks``, ``proj.w``,
``proj.delay`` in ms, ``proj.e``, ``izh.v``).  Both versions write the same dictionaries (delays in ms);
both fail to write a ``.npz`` of a projection whose dendrites differ in size (numpy cannot stack the
ragged lists), which annstudio writes as object arrays.
"""
import gzip
import json
import pathlib
import pickle

import numpy as np
import pytest

import annstudio.engine as ann
from annstudio.core.errors import ModelError

DATA = pathlib.Path(__file__).parent / "data" / "annarchy_save"
REF = json.loads((DATA / "reference.json").read_text())
RATE = dict(parameters="tau = 10.0 : population\n b = 0.5\n flag = 1 : int",
            equations="tau*dr/dt = -r + b + sum(exc) : min=0.0\n c = 2*r")
LEARN = dict(parameters="eta = 0.01 : projection\n k = 1.5", equations="dw/dt = eta*pre.r*post.r : min=0.0\n e = w*2")


def _rate_net(seed=3):
    net = ann.Network(dt=0.1, seed=seed)
    n = ann.Neuron(**RATE)
    pre, post = net.create((2, 3), n, name="pre"), net.create(4, n, name="post")
    proj = net.connect(pre, post, "exc", ann.Synapse(**LEARN), name="proj")
    proj.fixed_probability(0.5, weights=ann.Uniform(0.0, 1.0), delays=ann.Uniform(0.1, 0.5))
    proj2 = net.connect(pre, post, "exc", name="proj2")
    proj2.all_to_all(weights=0.7)
    izh = net.create(3, ann.Izhikevich, name="izh")
    poisson = net.create(population=ann.PoissonPopulation(3, rates=1.0, name="poisson"))
    net.compile(paradigm="numpy")
    return net, pre, proj, proj2, izh, poisson


@pytest.mark.parametrize("name", ["pre_5.npz", "pre_5.gz", "pre_48.data"])
def test_reads_annarchy_population_files(name):
    net, pre, *_ = _rate_net()
    pre.load(str(DATA / name))
    assert np.allclose(pre.r, REF["pre_r"], rtol=0, atol=1e-12)
    assert np.allclose(pre.c, REF["pre_c"], rtol=0, atol=1e-12)
    assert np.allclose(pre.b.reshape(-1), np.arange(6) * 0.1) and pre.tau == 10.0
    assert pre.r.shape == (2, 3)


def test_reads_annarchy_spiking_and_poisson_files():
    net, pre, proj, proj2, izh, poisson = _rate_net()
    izh.load(str(DATA / "izh_5.data"))           # lists r (compute_firing_rate's): skipped
    assert np.allclose(izh.v, REF["izh_v"]) and np.allclose(izh.u, -13.08286644)
    poisson.load(str(DATA / "poisson_5.npz"))
    assert np.allclose(poisson.rates, 5.0)


@pytest.mark.parametrize("name, version", [("proj_5.data", ""), ("proj_5.gz", ""), ("proj_48.gz", "_48")])
def test_reads_annarchy_projection_files(name, version):
    net, pre, proj, proj2, *_ = _rate_net()
    proj.load(str(DATA / name))          # another draw of fixed_probability: the file's synapses replace it
    assert proj.pre_ranks == REF["pre_ranks" + version]
    assert all(np.allclose(a, b, rtol=0, atol=1e-12) for a, b in zip(proj.w, REF["w" + version]))
    assert all(np.allclose(a, b, rtol=0, atol=1e-12) for a, b in zip(proj.delay, REF["delay" + version]))
    assert proj.eta == 0.01 and all(np.allclose(k, 1.5) for k in proj.k)
    if not version:
        assert all(np.allclose(a, b, rtol=0, atol=1e-12) for a, b in zip(proj.e, REF["e"]))
    proj2.load(str(DATA / "proj2_5.npz"))
    assert proj2.w == 0.3 and proj2.delay == pytest.approx(0.1) and proj2.nb_synapses == 24


def _spiking_net(seed, paradigm):
    net = ann.Network(dt=0.5, seed=seed)
    pre = net.create(20, ann.Izhikevich, name="pre")
    post = net.create(10, ann.Izhikevich, name="post")
    pre.i_offset = ann.Uniform(5.0, 15.0)
    syn = ann.Synapse(parameters="tau_t = 20.0 : projection", equations="tau_t * dtrace/dt = -trace : event-driven",
                      pre_spike="g_target += w\n trace += 1.0")
    proj = net.connect(pre, post, "exc", syn, name="proj")
    proj.fixed_probability(0.3, weights=ann.Uniform(10.0, 30.0), delays=ann.Uniform(1.0, 3.0))
    net.compile(paradigm=paradigm)
    return net, pre, post, proj


@pytest.mark.parametrize("ext", ["npz", "gz", "data"])
def test_round_trip_replaces_synapses_and_continues_alike(tmp_path, paradigm, ext):
    """On every backend (the suite's ``paradigm``): a network drawn with another seed takes the saved synapses
    and values, then runs as the saved one does."""
    a = _spiking_net(1, paradigm)
    net_a, pre_a, post_a, proj_a = a
    pre_a.v = np.linspace(-70.0, -60.0, 20)
    proj_a.trace = [np.full(len(r), 0.5) for r in proj_a.pre_ranks]
    for obj in (pre_a, post_a, proj_a):
        obj.save(str(tmp_path / f"{obj.name}.{ext}"))
    net_b, pre_b, post_b, proj_b = _spiking_net(2, paradigm)
    assert proj_b.pre_ranks != proj_a.pre_ranks          # another draw
    for obj in (pre_b, post_b, proj_b):
        obj.load(str(tmp_path / f"{obj.name}.{ext}"))
    assert proj_b.pre_ranks == proj_a.pre_ranks and proj_b.delay == proj_a.delay
    assert all(np.array_equal(x, y) for x, y in zip(proj_b.w, proj_a.w))
    assert np.array_equal(pre_b.v, pre_a.v) and np.array_equal(pre_b.i_offset, pre_a.i_offset)
    ma, mb = net_a.monitor(post_a, ["v", "spike"]), net_b.monitor(post_b, ["v", "spike"])
    net_a.simulate(60.0)
    net_b.simulate(60.0)
    assert net_a._sim.paradigm == net_b._sim.paradigm == paradigm
    va, vb = ma.get("v"), mb.get("v")
    assert sum(len(s) for s in ma.get("spike").values()) > 0
    assert np.array_equal(va, vb)
    assert all(np.array_equal(x, y) for x, y in zip(proj_b.trace, proj_a.trace))


def test_file_layout_is_annarchys(tmp_path):
    net, pre, proj, proj2, izh, poisson = _rate_net()
    pre.save(str(tmp_path / "pre.data"))
    proj.save(str(tmp_path / "proj.data"))
    proj2.save(str(tmp_path / "proj2.npz"))
    izh.save(str(tmp_path / "izh.gz"))
    with open(tmp_path / "pre.data", "rb") as f:
        d = pickle.load(f)
    assert d["attributes"] == ["tau", "b", "flag", "r", "c"] and d["geometry"] == (2, 3) and d["size"] == 6
    assert d["b"].shape == (2, 3) and d["flag"].dtype.kind == "i" and isinstance(d["tau"], float)
    with open(tmp_path / "proj.data", "rb") as f:
        d = pickle.load(f)
    assert d["attributes"] == ["eta", "k", "w", "e"] and d["post_ranks"] == [0, 1, 2, 3]
    assert [list(r) for r in d["pre_ranks"]] == proj.pre_ranks and d["eta"] == 0.01
    assert [list(r) for r in d["delays"]] == [list(r) for r in proj.delay]
    with np.load(tmp_path / "proj2.npz") as z:
        assert z["w"] == 0.7 and z["pre_ranks"].shape == (4, 6) and z["delays"] == pytest.approx(0.1)
    with gzip.open(tmp_path / "izh.gz", "rb") as f:
        assert "r" in pickle.load(f)["variables"]


def test_mat_is_written_for_analysis_only(tmp_path):
    from scipy import io as sio
    net, pre, proj, *_ = _rate_net()
    pre.save(str(tmp_path / "pre.mat"))
    proj.save(str(tmp_path / "proj.mat"))
    assert np.allclose(sio.loadmat(str(tmp_path / "pre.mat"))["b"].reshape(-1), 0.5)
    with pytest.raises(ModelError, match="external analysis"):
        pre.load(str(tmp_path / "pre.mat"))
    with pytest.raises(ModelError, match="external analysis"):
        proj.load(str(tmp_path / "proj.mat"))


def test_files_that_do_not_fit_are_refused(tmp_path):
    net, pre, proj, proj2, izh, poisson = _rate_net()
    izh.save(str(tmp_path / "izh.npz"))
    with pytest.raises(ModelError, match=r"Population 'poisson'.*'noise', 'a', .* which the neuron"):
        poisson.load(str(tmp_path / "izh.npz"))
    with pytest.raises(ModelError, match="holds 6 neurons, the population has 3"):
        izh.load(str(DATA / "pre_5.npz"))
    with pytest.raises(ModelError, match="Projection 'proj2'.*'eta'"):
        proj2.load(str(DATA / "proj_5.data"))
    small = ann.Network(dt=0.1)
    n = ann.Neuron(**RATE)
    p = small.connect(small.create(2, n), small.create(4, n), "exc", ann.Synapse(**LEARN))
    p.all_to_all(weights=1.0)
    small.compile(paradigm="numpy")
    with pytest.raises(ModelError, match="do not fit populations of 2 \\(pre\\)"):
        p.load(str(DATA / "proj_5.data"))


def test_pickles_are_read_as_data_only(tmp_path):
    class Evil:
        def __reduce__(self):
            return (print, ("ran",))
    with open(tmp_path / "evil.data", "wb") as f:
        pickle.dump({"attributes": ["b"], "b": Evil()}, f)
    net, pre, *_ = _rate_net()
    with pytest.raises(ModelError, match="only data, not builtins.print"):
        pre.load(str(tmp_path / "evil.data"))


def test_population_load_before_compile_sets_initial_values(tmp_path):
    net = ann.Network(dt=0.1)
    pre = net.create((2, 3), ann.Neuron(**RATE), name="pre")
    pre.load(str(DATA / "pre_48.data"))
    net.compile(paradigm="numpy")
    assert np.allclose(pre.c, REF["pre_c"]) and np.allclose(pre.b.reshape(-1), np.arange(6) * 0.1)


def test_projection_needs_compile(tmp_path):
    net = ann.Network(dt=0.1)
    n = ann.Neuron(**RATE)
    proj = net.connect(net.create(6, n), net.create(4, n), "exc").all_to_all(weights=1.0)
    with pytest.raises(ModelError, match="after compile"):
        proj.save(str(tmp_path / "p.npz"))


def test_special_objects_inherit_them(tmp_path):
    net = ann.Network(dt=1.0, seed=4)
    hc = net.create(population=ann.HomogeneousCorrelatedSpikeTrains(5, rates=20.0, corr=0.3, tau=10.0, name="hc"))
    out = net.create(2, ann.Neuron(equations="r = sum(exc)"), name="out")
    dec = net.connect(projection=ann.DecodingProjection(hc, out, "exc", window=10.0, name="dec"))
    dec.all_to_all(weights=ann.Uniform(0.0, 1.0))
    net.compile(paradigm="numpy")
    net.simulate(20.0)
    hc.save(str(tmp_path / "hc.npz"))
    dec.save(str(tmp_path / "dec.gz"))
    x, w = hc.x, dec.w
    net.simulate(20.0)
    dec.w = 0.0
    hc.load(str(tmp_path / "hc.npz"))
    dec.load(str(tmp_path / "dec.gz"))
    assert hc.x == x and all(np.array_equal(a, b) for a, b in zip(dec.w, w))


def test_network_load_reads_pickles_as_data_only(tmp_path):
    class Evil:
        def __reduce__(self):
            return (print, ("ran",))
    net, pre, *_ = _rate_net()
    pre.b = 0.25
    net.save(str(tmp_path / "net.data"))
    pre.b = 1.0
    net.load(str(tmp_path / "net.data"))            # the network's own pickle (numbers, arrays) still loads
    assert np.allclose(pre.b, 0.25)
    with open(tmp_path / "evil.data", "wb") as f:
        pickle.dump({"populations": {"pre": {"b": Evil()}}, "projections": {}, "t": 0.0, "step": 0}, f)
    with pytest.raises(ModelError, match="only data, not builtins.print"):
        net.load(str(tmp_path / "evil.data"))


def test_semiglobal_values_and_views_round_trip(tmp_path):
    def build(seed):
        net = ann.Network(dt=1.0, seed=seed)
        n = ann.Neuron(equations="r = sum(exc)")
        pre, post = net.create(8, n), net.create(6, n)
        syn = ann.Synapse(parameters="s = 1.0 : postsynaptic", equations="dw/dt = 0.0")
        proj = net.connect(pre[2:7], post[1:5], "exc", syn).fixed_probability(0.5, weights=ann.Uniform(0.0, 1.0))
        net.compile(paradigm="numpy")
        return proj
    a = build(1)
    a.s = [1.0, 2.0, 3.0, 4.0][:a.size]
    a.save(str(tmp_path / "a.data"))
    with open(tmp_path / "a.data", "rb") as f:
        d = pickle.load(f)
    assert d["s"] == [float(x) for x in a.s] and d["post_ranks"] == a.post_ranks
    b = build(2)
    b.load(str(tmp_path / "a.data"))
    assert b.pre_ranks == a.pre_ranks and b.post_ranks == a.post_ranks and list(b.s) == list(a.s)
    assert all(2 <= r < 7 for row in b.pre_ranks for r in row) and all(1 <= r < 5 for r in b.post_ranks)


def test_shared_weight_projections_warn_as_annarchy(tmp_path):
    net = ann.Network(dt=1.0)
    inp = net.create((5, 5), ann.Neuron(equations="r = 1.0"))
    out = net.create((5, 5), ann.Neuron(equations="r = sum(exc)"))
    conv = net.connect(projection=ann.Convolution(inp, out, "exc"))
    conv.connect_filter(np.ones((3, 3)))
    net.compile(paradigm="numpy")
    with pytest.warns(UserWarning, match="can not be saved"):
        conv.save(str(tmp_path / "c.npz"))
    assert not (tmp_path / "c.npz").exists()
    with pytest.warns(UserWarning, match="can not be loaded"):
        conv.load(str(tmp_path / "c.npz"))
