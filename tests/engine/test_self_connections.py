"""Self-connections between a population, its views and itself, as in ANNarchy (issue 16).

all_to_all drops i -> i whenever pre and post belong to one population (views included); fixed_probability
and fixed_number_pre/post drop it only between a population and itself, and keep it between views (COBA's
``Pe -> P`` keeps its self-connections).  The expected ranks were printed by
``benchmarks/peers/annarchy_self_connections.py ANNarchy`` with ANNarchy 5.0.4.1 and with 4.8.2.6 (identical);
the projections are built by that script's ``build``.  Connectivity is made before any backend runs, so
the NumPy network is enough.
"""
import importlib.util
import json
import pathlib

import numpy as np

import annstudio.engine as ann
from backend_fixtures import setup_backend

_SCRIPT = pathlib.Path(__file__).resolve().parents[2] / "benchmarks" / "peers" / "annarchy_self_connections.py"
_spec = importlib.util.spec_from_file_location("annarchy_self_connections", _SCRIPT)
peers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(peers)

ANNARCHY = json.loads('{"view_all": {"0": [1, 2], "1": [0, 2], "2": [0, 1], "3": [0, 1, 2], "4": [0, 1, 2], "5": [0, 1, 2]}, "view_view_all": {"1": [0, 2], "2": [0, 1], "3": [0, 1, 2]}, "pop_all": {"0": [1, 2, 3, 4, 5], "1": [0, 2, 3, 4, 5], "2": [0, 1, 3, 4, 5], "3": [0, 1, 2, 4, 5], "4": [0, 1, 2, 3, 5], "5": [0, 1, 2, 3, 4]}, "post_view_all": {"2": [0, 1, 3, 4, 5], "3": [0, 1, 2, 4, 5], "4": [0, 1, 2, 3, 5]}, "rate_view_all": {"0": [1, 2, 3], "1": [2, 3], "2": [1, 3], "3": [1, 2]}, "view_prob1": {"0": [0, 1, 2], "1": [0, 1, 2], "2": [0, 1, 2], "3": [0, 1, 2], "4": [0, 1, 2], "5": [0, 1, 2]}, "pop_prob1": {"0": [1, 2, 3, 4, 5], "1": [0, 2, 3, 4, 5], "2": [0, 1, 3, 4, 5], "3": [0, 1, 2, 4, 5], "4": [0, 1, 2, 3, 5], "5": [0, 1, 2, 3, 4]}, "postview_prob1": {"2": [0, 1, 2, 3, 4, 5], "3": [0, 1, 2, 3, 4, 5], "4": [0, 1, 2, 3, 4, 5]}, "sameview_prob1": {"0": [0, 1, 2], "1": [0, 1, 2], "2": [0, 1, 2]}, "rate_view_prob1": {"0": [1, 2, 3], "1": [1, 2, 3], "2": [1, 2, 3], "3": [1, 2, 3]}, "view_fnpre": {"0": [0, 1, 2], "1": [0, 1, 2], "2": [0, 1, 2], "3": [0, 1, 2], "4": [0, 1, 2], "5": [0, 1, 2]}, "view_fnpost": {"0": [0, 1, 2], "1": [0, 1, 2], "2": [0, 1, 2], "3": [0, 1, 2], "4": [0, 1, 2], "5": [0, 1, 2]}, "pop_fnpre": {"0": [1, 2, 3, 4, 5], "1": [0, 2, 3, 4, 5], "2": [0, 1, 3, 4, 5], "3": [0, 1, 2, 4, 5], "4": [0, 1, 2, 3, 5], "5": [0, 1, 2, 3, 4]}, "pop_fnpost": {"0": [1, 2, 3, 4, 5], "1": [0, 2, 3, 4, 5], "2": [0, 1, 3, 4, 5], "3": [0, 1, 2, 4, 5], "4": [0, 1, 2, 3, 5], "5": [0, 1, 2, 3, 4]}}')


def test_connectors_make_annarchys_self_connections():
    setup_backend("numpy")
    projs = peers.build(ann)
    ann.compile()
    got = json.loads(json.dumps(peers.pre_ranks(projs)))
    assert sorted(got) == sorted(ANNARCHY)
    for case in ANNARCHY:
        assert got[case] == ANNARCHY[case], case


def test_random_connector_between_views_keeps_self_connections_at_its_rate():
    setup_backend("numpy", seed=3)
    pop = ann.Population(400, ann.Neuron(equations="dv/dt = 0.0", spike="v > 1.0", reset="v = 0.0"))
    view = ann.Projection(pop[:200], pop, "exc")
    view.connect_fixed_probability(0.5, 1.0)
    whole = ann.Projection(pop, pop, "inh")
    whole.connect_fixed_probability(0.5, 1.0)
    ann.compile()
    selfs_view = sum(int(r in view.dendrite(r).pre_ranks) for r in range(200))
    selfs_whole = sum(int(r in whole.dendrite(r).pre_ranks) for r in whole.post_ranks)
    assert selfs_whole == 0
    assert 70 <= selfs_view <= 130          # about half of the 200 possible ones (binomial, sd ~7)
    assert np.isclose(view.nb_synapses / (200 * 400), 0.5, atol=0.02)
