"""Memory of large projections: one copy of the synapse indices (4 bytes a rank, shared by the C++ kernel's
slots), no per-synapse array for a constant weight, and the network still computes what NumPy does."""
import numpy as np
import pytest

import annstudio.engine as ann
from annstudio.session.context import current_network

pytestmark = pytest.mark.compiler


def _coba(paradigm, n=400, seed=3):
    ann.clear()
    ann.setup(dt=0.1, seed=seed)
    neuron = ann.Neuron(parameters="tau = 20.0 : population\nI = 20.0 : population",
                        equations="tau * dv/dt = -60.0 - v + g_exc * (0.0 - v) + g_inh * (-80.0 - v) + I\n"
                                  "5.0 * dg_exc/dt = -g_exc\n10.0 * dg_inh/dt = -g_inh",
                        spike="v > -50.0", reset="v = -60.0", refractory=5.0, name="MemCoba")
    P = ann.Population(n, neuron, name="P")
    P.v = -60.0 + 10.0 * np.arange(n) / n
    ann.Projection(P[:320], P, "exc", name="exc").connect_fixed_probability(weights=0.6, probability=0.2)
    ann.Projection(P[320:], P, "inh", name="inh").connect_fixed_probability(weights=6.7, probability=0.2)
    m = ann.Monitor(P, "spike")
    ann.compile(paradigm=paradigm)
    ann.simulate(200.0)
    spikes = m.get("spike")
    return current_network()._sim, {r: list(t) for r, t in spikes.items()}


def test_indices_once_and_constant_weights_shared(cpp_paradigm):
    sim, spikes = _coba(cpp_paradigm)
    ref_sim, ref = _coba("numpy")
    assert sum(map(len, ref.values())) > 200 and spikes == ref
    backend = sim.backend
    for name in ("exc", "inh"):
        conn = sim.data.connectivity[name]
        assert conn.pre.dtype == np.int32 and conn.post.dtype == np.int32 and conn.size > 1000
        for side, arr in (("_pre", conn.pre), ("_post", conn.post)):
            slot = backend.layout[f"proj:{name}:{side}"]
            assert np.shares_memory(backend.arrays[slot.index], arr)       # the kernel reads the same array
        # one shared weight: the connectivity holds no per-synapse array for it
        assert conn.uniform_weight is not None and conn.w.strides == (0,)
        assert not conn.w.flags.writeable
    ann.clear()


def test_many_ranks_and_views_keep_their_synapses(cpp_paradigm):
    """int32 ranks through a view with an offset: every synapse where the NumPy oracle puts it."""
    ann.clear()
    ann.setup(dt=1.0, seed=4)
    a = ann.Population(3000, ann.Neuron(parameters="b = 0.0", equations="r = b"), name="a")
    a.b = np.arange(3000) % 7
    out = ann.Population(50, ann.Neuron(equations="r = sum(exc)"), name="out")
    proj = ann.Projection(a[1000:2900], out[10:], "exc", name="v")
    proj.connect_fixed_probability(weights=ann.Uniform(0.0, 1.0), probability=0.3)
    ann.compile(paradigm=cpp_paradigm)
    ann.simulate(2.0)
    got = np.asarray(out.r)
    conn = current_network()._sim.data.connectivity["v"]
    w = np.asarray(current_network()._sim.get("v", "w"))
    expected = np.zeros(50)
    np.add.at(expected, conn.post, w * (conn.pre % 7))
    assert conn.pre.min() >= 1000 and conn.pre.max() < 2900 and conn.post.min() >= 10
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    ann.clear()
