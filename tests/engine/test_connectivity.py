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
    pre = Population((10, 10), RATE, name="in")
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
