"""A projection with a list of targets feeds every listed conductance, as ANNarchy does (issue 16).

``Projection(pre, post, target=['ampa', 'nmda'])`` (``net.connect(pre, post, target=[...])`` in ANNarchy 5)
adds each spike's increment to ``g_ampa`` and to ``g_nmda``; annstudio used to feed only the first one (ANNarchy's
"Ramp" notebook: ``g_nmda`` stayed 0).  A plastic synapse's increment is read once, before its ``pre_spike``
grows ``w``, and goes to every target.

The numbers below were printed by ``benchmarks/peers/annarchy_multi_target.py ANNarchy`` (network built by its
``build``: dt = 1 ms, 16 ms) with ANNarchy 5.0.4.1 and with ANNarchy 4.8.2.6: the same digits.  Both ANNarchy
versions fail to compile a rate-coded projection with a list of targets; annstudio refuses one with a located error.
"""
import importlib.util
import pathlib

import numpy as np
import pytest

import annstudio.engine as ann
from annstudio.core.errors import ModelError
from backend_fixtures import setup_backend

_SCRIPT = pathlib.Path(__file__).resolve().parents[2] / "benchmarks" / "peers" / "annarchy_multi_target.py"
_spec = importlib.util.spec_from_file_location("annarchy_multi_target", _SCRIPT)
peers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(peers)

# population -> variable -> [trace of post neuron 0, of post neuron 1] (one value per step); "w": final weights
ANNARCHY = {"plastic": {"g_ampa": [[0.0, 0.0, 0.0, 0.5, 0.4093653765389909, 0.3351600230178196, 1.3744058180470131,
                                    1.1252683104443908, 0.9212917712249243, 0.75428990565953, 1.3175603424997469,
                                    1.0787271714405013, 0.8831871094391629, 1.3230924472198917, 1.0832564757041319,
                                    0.8868953901298444],
                                   [0.0, 0.0, 0.0, 0.5, 0.4093653765389909, 0.3351600230178196, 1.3744058180470131,
                                    1.1252683104443908, 0.9212917712249243, 0.75428990565953, 1.3175603424997469,
                                    1.0787271714405013, 0.8831871094391629, 1.3230924472198917, 1.0832564757041319,
                                    0.8868953901298444]],
                        "g_nmda": [[0.0, 0.0, 0.0, 0.5, 0.475614712250357, 0.4524187090179798, 1.530353988212529,
                                    1.4557177434897763, 1.384721551375258, 1.3171878844084226, 1.9529478732451369,
                                    1.8577014815468649, 1.767100311185948, 2.280917812044442, 2.1696761376844624,
                                    2.063859783802523],
                                   [0.0, 0.0, 0.0, 0.5, 0.475614712250357, 0.4524187090179798, 1.530353988212529,
                                    1.4557177434897763, 1.384721551375258, 1.3171878844084226, 1.9529478732451369,
                                    1.8577014815468649, 1.767100311185948, 2.280917812044442, 2.1696761376844624,
                                    2.063859783802523]]},
            "static": {"g_ampa": [[0.0, 0.0, 0.0, 0.5, 0.4093653765389909, 0.3351600230178196, 1.2744058180470133,
                                   1.0433952351365927, 0.8542597666213605, 0.6994087420501275, 1.072627446088025,
                                   0.878193076707761, 0.7190036790408151, 1.088670423606926, 0.891327955773424,
                                   0.7297576084698335],
                                  [0.0, 0.0, 0.0, 0.5, 0.4093653765389909, 0.3351600230178196, 1.2744058180470133,
                                   1.0433952351365927, 0.8542597666213605, 0.6994087420501275, 1.072627446088025,
                                   0.878193076707761, 0.7190036790408151, 1.088670423606926, 0.891327955773424,
                                   0.7297576084698335]],
                       "g_nmda": [[0.0, 0.0, 0.0, 0.75, 0.7134220683755355, 0.6786280635269696, 1.8955309823187934,
                                   1.8030848454343789, 1.7151473598485032, 1.6314986360426107, 2.3019295086365124,
                                   2.189663081741521, 2.082871953095447, 2.48128908925166, 2.3602751923887575,
                                   2.24516321291927],
                                  [0.0, 0.0, 0.0, 0.5, 0.475614712250357, 0.4524187090179798, 1.680353988212529,
                                   1.5984021571648834, 1.5204471640806518, 1.4462940808721811, 1.875757486206834,
                                   1.7842757141074328, 1.6972555606810138, 2.364479430217237, 2.249162407649319,
                                   2.1394694626369017]]},
            "w": [[0.7999999999999999, 0.7], [0.7999999999999999, 0.7]]}


def run_multi_target(paradigm, **settings):
    ann.clear()
    ann.setup(dt=1.0, seed=1, **settings)
    monitors, proj = peers.build(ann)
    ann.compile(paradigm=paradigm)   # (also the CUDA emulation of tests/codegen/cuda, which setup() does not know)
    ann.simulate(peers.DURATION)
    return peers.results(monitors, proj)


def check_against_annarchy(got, tol=1e-12):
    for pop in ("static", "plastic"):
        for var in ("g_ampa", "g_nmda"):
            np.testing.assert_allclose(got[pop][var], ANNARCHY[pop][var], rtol=tol, atol=tol, err_msg=f"{pop} {var}")
    np.testing.assert_allclose(got["w"], ANNARCHY["w"], rtol=tol, atol=tol)


def test_list_of_targets_feeds_each_conductance_as_annarchy(paradigm):
    got = run_multi_target(paradigm)
    assert max(got["static"]["g_nmda"][0]) > 2.0   # the second target is fed (it used to stay 0)
    check_against_annarchy(got)


def test_list_of_targets_on_two_threads(cpp_paradigm):
    # each thread feeds both conductances of its own block of post neurons
    check_against_annarchy(run_multi_target(cpp_paradigm, num_threads=2))


def test_rate_coded_list_of_targets_is_refused_with_its_projection_named():
    setup_backend("numpy", dt=1.0)
    inp = ann.Population(3, ann.Neuron(equations="r = 0.1 * t"))
    post = ann.Population(2, ann.Neuron(equations="r = sum(ampa) - 0.5 * sum(nmda)"))
    proj = ann.Projection(inp, post, target=["ampa", "nmda"], name="both")
    proj.connect_all_to_all(weights=0.5)
    with pytest.raises(ModelError, match="list of targets") as err:
        ann.compile()
    assert "both" in str(err.value)


def test_network_api_connect_with_a_list_of_targets(paradigm):
    # ANNarchy 5 spelling of the static part of peers.build: net.connect(pre, post, target=[...])
    net = ann.Network(dt=1.0)
    neuron = ann.Neuron(parameters="tau_a = 5.0\ntau_n = 20.0",
                        equations="tau_a * dg_ampa/dt = -g_ampa : exponential\n"
                                  "tau_n * dg_nmda/dt = -g_nmda : exponential", spike="g_ampa > 1000.0")
    pre = net.create(ann.SpikeSourceArray(spike_times=peers.SPIKES))
    post = net.create(2, neuron)
    net.connect(pre, post, target=["ampa", "nmda"]).all_to_all(weights=0.5)
    net.connect(pre, post, target="nmda").one_to_one(weights=0.25)
    m = net.monitor(post, ["g_ampa", "g_nmda"])
    net.compile(paradigm=paradigm)
    net.simulate(peers.DURATION)
    for var in ("g_ampa", "g_nmda"):
        np.testing.assert_allclose(np.asarray(m.get(var)).T, ANNARCHY["static"][var], rtol=1e-12, atol=1e-12)
