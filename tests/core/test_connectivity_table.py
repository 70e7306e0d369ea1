"""The connector table (core/runtime/connectivity.py): one function per method, looked up by name;
fixed_number_post is fixed_number_pre with the axes swapped; connect_with_func sees data, not objects."""
import numpy as np
import pytest

from annstudio.core.errors import ConnectivityError
from annstudio.core.model.spec import ConnectorSpec
from annstudio.core.runtime.connectivity import CONNECTORS, CSR, ConnectorSide, build_connectivity
from annstudio.engine import Neuron, Population, Projection, compile
from annstudio.session.projection import Projection as SessionProjection

RATE = Neuron(equations="r = sum(exc)")


def connect(method, pre, post, same=False, seed=3, **params):
    return build_connectivity(ConnectorSpec(method, params), pre, post, int(np.max(pre)) + 1 if len(pre) else 0,
                              int(np.max(post)) + 1 if len(post) else 0, same, np.random.default_rng(seed), 1.0,
                              f"Projection '{method}'")


# facade methods that build their connectivity through another table entry
DELEGATES = {"from_file": "with_func",       # the file's rows become a connect_with_func pattern
             "from_matrix_market": "with_func"}


def test_every_connect_method_of_the_facade_has_an_entry():
    methods = {name[len("connect_"):] for name in dir(SessionProjection) if name.startswith("connect_")}
    methods = {DELEGATES.get(m, m) for m in methods}
    assert methods <= set(CONNECTORS), methods - set(CONNECTORS)


def test_an_unknown_method_is_a_located_error():
    with pytest.raises(ConnectivityError, match="unknown connection method 'ring'") as err:
        connect("ring", np.arange(3), np.arange(3))
    assert "Projection 'ring'" in str(err.value)


@pytest.mark.parametrize("same", [False, True])
def test_fixed_number_post_is_fixed_number_pre_with_the_axes_swapped(same):
    """Same draws, same pairs: what fixed_number_post connects from A to B, fixed_number_pre connects
    from B to A (and the counts are exact)."""
    a, b = np.arange(30), (np.arange(30) if same else np.arange(20))
    post = connect("fixed_number_post", a, b, same=same, number=7, weights=1.0)
    pre = connect("fixed_number_pre", b, a, same=same, number=7, weights=1.0)
    assert np.all(np.bincount(post.pre, minlength=a.size) == 7)
    assert np.all(np.bincount(pre.post, minlength=a.size) == 7)
    assert sorted(zip(post.pre.tolist(), post.post.tolist())) == sorted(zip(pre.post.tolist(), pre.pre.tolist()))
    if same:
        assert not np.any(post.pre == post.post)
    with pytest.raises(ConnectivityError, match="distinct postsynaptic neurons"):
        connect("fixed_number_post", np.arange(2), np.arange(2), same=True, number=2)
    with pytest.raises(ConnectivityError, match="distinct presynaptic neurons"):
        connect("fixed_number_pre", np.arange(2), np.arange(2), same=True, number=2)


def test_connect_with_func_receives_the_sides_as_data():
    seen = []

    def method(pre, post, weight):
        seen.append((pre, post))
        csr = CSR()
        for rank in range(post.size):
            csr.add(rank, [rank % pre.size], [weight], [1.0])
        return csr

    inp = Population((2, 3), RATE, name="inp")
    out = Population(8, RATE, name="out")
    proj = Projection(inp, out[2:6], "exc", name="f").connect_with_func(method=method, weight=0.25)
    assert all(not isinstance(v, (Population,)) for v in proj._spec.connector.params.values())
    compile()
    (pre, post), = seen
    assert isinstance(pre, ConnectorSide) and isinstance(post, ConnectorSide)
    assert (pre.name, pre.geometry, pre.size, post.name, post.size) == ("inp", (2, 3), 6, "out", 4)
    assert post.ranks.tolist() == [2, 3, 4, 5]
    assert pre.coordinates_from_rank(4) == (1, 1) and pre.rank_from_coordinates((1, 1)) == 4
    assert proj.post_ranks == [2, 3, 4, 5] and [proj[r].pre_ranks for r in proj.post_ranks] == [[0], [1], [2], [3]]
    assert np.all(np.concatenate(proj.w) == 0.25)
