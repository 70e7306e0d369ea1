"""Projection.connect_from_matrix_market / from_matrix_market.

Measured on ANNarchy 5.0.4.1 (scipy 1.17.1; dt = 1.0): rate-coded ``pre`` of 4 neurons (``r = 1.0``),
``pre2`` of 2, ``post`` of 3 (``r = sum(exc)``); ``p1`` from the sparse file of
``[[0, 0.5, 0, 1.0], [0, 0, 0, 0], [2.0, 0, 0.25, 0]]`` written by ``scipy.io.mmwrite(coo_matrix(...))``,
``p2`` from the dense file of ``[[1, 0], [3, 4], [5, 6]]``: ANNarchy printed ``p1``: connector_name
``MatrixMarket``, post_ranks ``[0, 2]``, pre_ranks ``[[1, 3], [0, 2]]``, w ``[[0.5, 1.0], [2.0, 0.25]]``,
delay ``1.0``, nb_synapses 4; ``p2``: post_ranks ``[0, 1, 2]``, pre_ranks ``[[0, 1]] * 3``, w ``[[1.0, 0.0],
[3.0, 4.0], [5.0, 6.0]]`` (a dense file's zeros are synapses), nb_synapses 6; after ``simulate(2.0)``
``post.r == [2.5, 7.0, 13.25]`` (4.8.2.6 printed the same rates).  Rows are post neurons, columns pre.
"""
import numpy as np
import pytest
import scipy.io
import scipy.sparse as sp

import annstudio.engine as ann
from annstudio.core.errors import ModelError


def _files(tmp_path):
    scipy.io.mmwrite(str(tmp_path / "sparse.mtx"),
                     sp.coo_matrix(np.array([[0, 0.5, 0, 1.0], [0, 0, 0, 0], [2.0, 0, 0.25, 0]])))
    scipy.io.mmwrite(str(tmp_path / "dense.mtx"), np.array([[1.0, 0.0], [3.0, 4.0], [5.0, 6.0]]))
    return str(tmp_path / "sparse.mtx"), str(tmp_path / "dense.mtx")


def test_matrix_market_as_annarchy_reads_it(tmp_path, paradigm):
    sparse_file, dense_file = _files(tmp_path)
    net = ann.Network(dt=1.0)
    pre = net.create(4, ann.Neuron(equations="r = 1.0"))
    post = net.create(3, ann.Neuron(equations="r = sum(exc)"))
    pre2 = net.create(2, ann.Neuron(equations="r = 1.0"))
    p1 = net.connect(pre, post, "exc").from_matrix_market(sparse_file)
    p2 = net.connect(pre2, post, "exc")
    p2.connect_from_matrix_market(dense_file)
    net.compile(paradigm=paradigm)
    assert p1.connector_name == p2.connector_name == "MatrixMarket"
    assert p1.post_ranks == [0, 2] and p1.pre_ranks == [[1, 3], [0, 2]] and p1.nb_synapses == 4
    assert [list(w) for w in p1.w] == [[0.5, 1.0], [2.0, 0.25]] and p1.delay == 1.0
    assert p2.post_ranks == [0, 1, 2] and p2.pre_ranks == [[0, 1]] * 3 and p2.nb_synapses == 6
    assert [list(w) for w in p2.w] == [[1.0, 0.0], [3.0, 4.0], [5.0, 6.0]]
    net.simulate(2.0)
    assert np.allclose(post.r, [2.5, 7.0, 13.25], rtol=0, atol=1e-12)


def test_matrix_market_errors(tmp_path):
    sparse_file, dense_file = _files(tmp_path)
    net = ann.Network(dt=1.0)
    small = net.create(2, ann.Neuron(equations="r = 1.0"))
    post = net.create(3, ann.Neuron(equations="r = sum(exc)"))
    with pytest.raises(ModelError, match="expects a .mtx file"):
        net.connect(small, post, "exc").from_matrix_market(str(tmp_path / "w.txt"))
    net = ann.Network(dt=1.0)
    small = net.create(2, ann.Neuron(equations="r = 1.0"))
    post = net.create(3, ann.Neuron(equations="r = sum(exc)"))
    net.connect(small, post, "exc", name="bad").from_matrix_market(sparse_file)   # columns up to 3: 4 pre
    with pytest.raises(Exception, match="do not fit populations of 2 \\(pre\\)"):
        net.compile(paradigm="numpy")
