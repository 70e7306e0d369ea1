"""Connectors: documented statistics, exact counts, self-connections, determinism."""
import numpy as np
import pytest
import scipy.sparse as sparse

from annstudio.engine import (CSR, ModelError, Neuron, Normal, Population, Projection, Uniform, compile,
                              setup)

RATE = Neuron(equations="r = sum(exc)")


def build(method, *args, same=False, pre_size=200, post_size=300, **kwargs):
    pre = Population(pre_size, RATE, name="pre")
    post = pre if same else Population(post_size, RATE, name="post")
    proj = Projection(pre, post, "exc")
    getattr(proj, "connect_" + method)(*args, **kwargs)
    compile()
    return proj


def fan_in(proj):
    conn = proj._conn()
    return np.bincount(conn.post, minlength=conn.post_size)


def test_fixed_probability_mean_fan_in_within_three_sigma():
    proj = build("fixed_probability", 0.1, weights=1.0)
    k = fan_in(proj)
    mean, expected = k.mean(), 200 * 0.1
    sigma = np.sqrt(200 * 0.1 * 0.9) / np.sqrt(300)
    assert abs(mean - expected) < 3 * sigma


def test_fixed_number_pre_and_post_are_exact():
    proj = build("fixed_number_pre", 17, weights=Uniform(0, 1))
    assert np.all(fan_in(proj) == 17)
    from annstudio.engine import clear
    clear()
    proj = build("fixed_number_post", 9, weights=1.0)
    conn = proj._conn()
    assert np.all(np.bincount(conn.pre, minlength=200) == 9)


@pytest.mark.parametrize("allow", [False, True])
def test_self_connections_only_when_allowed(allow):
    proj = build("all_to_all", weights=1.0, same=True, allow_self_connections=allow)
    conn = proj._conn()
    assert np.any(conn.pre == conn.post) == allow
    assert conn.size == 200 * 200 - (0 if allow else 200)


def test_one_to_one_from_matrix_sparse_and_func():
    pre = Population(4, RATE, name="a")
    post = Population(4, RATE, name="b")
    p1 = Projection(pre, post, "exc").connect_one_to_one(weights=2.0)
    mat = np.array([[1.0, np.nan, 0, 0], [np.nan] * 4, [0.5, 0.5, np.nan, np.nan], [np.nan] * 3 + [3.0]])
    p2 = Projection(pre, post, "exc", name="m").connect_from_matrix(mat)
    sp = sparse.lil_matrix((4, 4))
    sp[0, 1] = 0.7
    sp[3, 2] = 0.9
    p3 = Projection(pre, post, "exc", name="s").connect_from_sparse(sp)

    def ring(pre, post, weights):
        csr = CSR()
        for r in range(post.size):
            csr.add(r, [(r + 1) % pre.size], [weights], [0])
        return csr
    p4 = Projection(pre, post, "exc", name="f").connect_with_func(method=ring, weights=0.3)
    compile()
    assert p1.nb_synapses == 4 and p1[2].w == pytest.approx([2.0])
    assert p2.post_ranks == [0, 2, 3] and list(p2[0].w) == [1.0, 0.0, 0.0] and p2[3].pre_ranks == [3]
    assert p3.post_ranks == [1, 2] and p3[1].pre_ranks == [0] and p3[2].w[0] == pytest.approx(0.9)
    assert p4[0].pre_ranks == [1] and p4[3].pre_ranks == [0]


def test_gaussian_and_dog_connectors_follow_distance():
    pre = Population((10, 10), RATE, name="inp")
    post = Population((10, 10), RATE, name="out")
    g = Projection(pre, post, "exc").connect_gaussian(amp=1.0, sigma=0.2)
    d = Projection(pre, post, "exc", name="dog").connect_dog(amp_pos=1.0, sigma_pos=0.1, amp_neg=0.5,
                                                               sigma_neg=0.3)
    compile()
    center = post.rank_from_coordinates((5, 5))
    w = dict(zip(g[center].pre_ranks, g[center].w))
    assert w[center] == pytest.approx(1.0)
    assert w[center] > w[pre.rank_from_coordinates((5, 6))] > w[pre.rank_from_coordinates((5, 8))]
    assert min(d.connectivity_matrix()[center]) < 0 < max(d.connectivity_matrix()[center])


def test_same_seed_same_network_and_different_seed_different():
    def weights(seed):
        from annstudio.engine import clear
        clear()
        setup(seed=seed, paradigm="numpy")
        proj = build("fixed_probability", 0.2, weights=Normal(1.0, 0.3), delays=Uniform(1.0, 3.0))
        return proj.connectivity_matrix()
    a, b, c = weights(3), weights(3), weights(4)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


def test_bad_connector_arguments_are_located():
    pre = Population(5, RATE, name="x")
    post = Population(6, RATE, name="y")
    Projection(pre, post, "exc", name="bad").connect_one_to_one(weights=1.0)
    with pytest.raises(ModelError) as info:
        compile()
    assert "Projection 'bad'" in str(info.value) and "same size" in str(info.value)


def test_weights_access_and_modification_after_compile():
    proj = build("all_to_all", weights=Uniform(0.0, 1.0), pre_size=3, post_size=2)
    w = proj.w
    assert len(w) == 2 and all(len(row) == 3 for row in w)
    proj.w = 0.5
    assert np.all(proj.connectivity_matrix() == 0.5)
    proj[1].w = np.array([1.0, 2.0, 3.0])
    assert list(proj[1].w) == [1.0, 2.0, 3.0] and list(proj[0].w) == [0.5] * 3


def test_synapses_are_post_major_with_their_own_weights_and_delays_whatever_order_they_come_in():
    """Every connector's synapses end up sorted by (post, pre) with each weight and delay still attached to
    its pair: shuffled sparse input (sorted here), views whose ranks run backwards, pre-major connectors,
    self-connections left out of an all-to-all."""
    from annstudio.core.runtime.connectivity import build_connectivity

    class Spec:
        def __init__(self, method, **params):
            self.method, self.params = method, params

    rng = np.random.default_rng(5)
    # shuffled COO entries (pre, post) with weights that encode their pair
    pre, post = np.nonzero(rng.random((30, 40)) < 0.3)
    perm = rng.permutation(pre.size)
    pre, post = pre[perm], post[perm]
    mat = sparse.coo_matrix((1000.0 * post + pre + 0.5, (pre, post)), shape=(30, 40))
    c = build_connectivity(Spec("from_sparse", weights=mat), np.arange(30), np.arange(40), 30, 40, False,
                           rng, 1.0, "from_sparse")
    key = c.post * 30 + c.pre
    assert np.all(np.diff(key) > 0) and c.size == pre.size
    assert np.array_equal(c.w, 1000.0 * c.post + c.pre + 0.5)
    # views whose ranks run backwards, with per-synapse delays given as a (post, pre) matrix
    wm = np.arange(12.0).reshape(3, 4)
    dm = 1.0 + np.arange(12.0).reshape(3, 4)
    c = build_connectivity(Spec("from_matrix", weights=wm, delays=dm), np.array([9, 7, 5, 3]), np.array([8, 4, 0]),
                           10, 10, False, rng, 1.0, "from_matrix")
    assert np.all(np.diff(c.post * 10 + c.pre) > 0)
    local_post = {8: 0, 4: 1, 0: 2}
    local_pre = {9: 0, 7: 1, 5: 2, 3: 3}
    for q, p_, w, d in zip(c.post, c.pre, c.w, c.delay):
        assert w == wm[local_post[q], local_pre[p_]] and d == dm[local_post[q], local_pre[p_]]
    # all-to-all onto itself: n * (n - 1) pairs, none on the diagonal, in order
    c = build_connectivity(Spec("all_to_all", weights=Uniform(0, 1)), np.arange(50), np.arange(50), 50, 50, True,
                           rng, 1.0, "all_to_all")
    assert c.size == 50 * 49 and not np.any(c.pre == c.post) and np.all(np.diff(c.post * 50 + c.pre) > 0)
    # a pre-major connector (fixed_number_post) comes out post-major too
    c = build_connectivity(Spec("fixed_number_post", number=7, weights=1.0), np.arange(20), np.arange(30), 20, 30,
                           False, rng, 1.0, "fixed_number_post")
    assert c.size == 140 and np.all(np.diff(c.post * 20 + c.pre) > 0)
    assert np.array_equal(np.bincount(c.pre, minlength=20), np.full(20, 7))
