"""The standard library: every model is plain data, and the reference behaviours hold.

Each simulation body runs on every available backend (``paradigm`` fixture).
"""
import numpy as np
import pytest

import annstudio.engine as ann
from backend_fixtures import setup_backend as _setup
from annstudio.core.library import NEURONS, SYNAPSES, catalog

STANDARD_NEURONS = ["LeakyIntegrator", "Izhikevich", "IF_curr_exp", "IF_cond_exp", "IF_curr_alpha",
                    "IF_cond_alpha", "HH_cond_exp", "EIF_cond_exp_isfa_ista", "EIF_cond_alpha_isfa_ista"]
STANDARD_SYNAPSES = ["Hebb", "Oja", "IBCM", "STP", "STDP"]


def test_library_is_complete_and_plain_data():
    assert set(STANDARD_NEURONS) <= set(NEURONS)
    assert set(STANDARD_SYNAPSES) <= set(SYNAPSES)
    for name, model in catalog().items():
        assert isinstance(model, (ann.Neuron, ann.Synapse))
        d = model.to_dict()
        copy = (ann.Neuron if isinstance(model, ann.Neuron) else ann.Synapse)(
            **{k: v for k, v in d.items() if k not in ("name",)}, name=d["name"])
        assert copy.key() == model.key(), name     # the text alone defines the model
        copy.analysis()
        assert getattr(ann, name) is type(model)


def test_documented_defaults():
    a = ann.IF_cond_exp().analysis()
    defaults = {v.name: v.init for v in a.variables if v.role == "parameter"}
    assert defaults == {"v_rest": -65.0, "cm": 1.0, "tau_m": 20.0, "tau_refrac": 0.0, "tau_syn_E": 5.0,
                        "tau_syn_I": 5.0, "v_thresh": -50.0, "v_reset": -65.0, "i_offset": 0.0,
                        "e_rev_E": 0.0, "e_rev_I": -70.0}
    adex = {v.name: v.init for v in ann.EIF_cond_exp_isfa_ista().analysis().variables}
    assert adex["tau_w"] == 144.0 and adex["a"] == 4.0 and adex["b"] == 0.0805 and adex["v_spike"] == -40.0
    hh = {v.name: v.init for v in ann.HH_cond_exp().analysis().variables}
    assert hh["gbar_Na"] == 20.0 and hh["gbar_K"] == 6.0 and hh["gleak"] == 0.01 and hh["cm"] == 0.2
    stdp = {v.name: v.init for v in ann.STDP().analysis("spike").variables}
    assert stdp["tau_plus"] == 20.0 and stdp["A_minus"] == 0.01 and stdp["w_max"] == 1.0
    assert ann.Izhikevich(a=0.1).analysis().var("a").init == 0.1


@pytest.mark.parametrize("name", STANDARD_NEURONS)
def test_every_neuron_simulates(paradigm, name):
    _setup(paradigm, 0.1)
    pop = ann.Population(4, getattr(ann, name))
    if name != "LeakyIntegrator":
        drive = ann.Population(2, ann.Izhikevich)
        drive.i_offset = 20.0
        ann.Projection(drive, pop, "exc").connect_all_to_all(weights=0.05)
        ann.Projection(drive, pop, "inh").connect_all_to_all(weights=0.01)
    ann.compile()
    ann.simulate(5.0)
    for var in pop.variables:
        assert np.all(np.isfinite(getattr(pop, var))), var


def test_lif_period_matches_analytic(paradigm):
    dt, i, tau_m, cm, refr = 0.1, 1.0, 20.0, 1.0, 2.0
    _setup(paradigm, dt)
    pop = ann.Population(1, ann.IF_curr_exp(i_offset=i, tau_refrac=refr))
    m = ann.Monitor(pop, "spike")
    ann.compile()
    ann.simulate(200.0)
    isi = np.diff(np.asarray(m.get("spike")[0])) * dt
    v_inf = -65.0 + i * tau_m / cm
    expected = tau_m * np.log((v_inf - -65.0) / (v_inf - -50.0)) + refr
    assert len(isi) >= 5
    assert np.all(np.abs(isi - expected) <= dt + 1e-9)


def test_adex_adapts(paradigm):
    _setup(paradigm, 0.1)
    pop = ann.Population(1, ann.EIF_cond_exp_isfa_ista(i_offset=1.0))
    m = ann.Monitor(pop, "spike")
    ann.compile()
    ann.simulate(300.0)
    isi = np.diff(np.asarray(m.get("spike")[0]))
    assert len(isi) >= 6
    assert np.all(np.diff(isi[:6]) > 0)          # spike-frequency adaptation
    assert isi[-1] > 1.5 * isi[0]
    assert pop.w[0] > 0.0


def test_hodgkin_huxley_single_spike_for_brief_pulse(paradigm):
    _setup(paradigm, 0.02)
    pop = ann.Population(2, ann.HH_cond_exp)
    m = ann.Monitor(pop, "spike")
    ann.compile()
    ann.simulate(15.0)
    assert sum(len(s) for s in m.get("spike").values()) == 0   # quiet at rest
    pop.i_offset = [5.0, 0.5]                      # a strong and a weak 1 ms pulse (nA)
    ann.simulate(1.0)
    pop.i_offset = 0.0
    ann.simulate(25.0)
    spikes = m.get("spike")
    assert len(spikes[0]) == 1                     # exactly one action potential
    assert len(spikes[1]) == 0                     # sub-threshold pulse
    assert -80.0 < pop.v[0] < -60.0                # back near rest (after-hyperpolarisation)


def test_alpha_current_peaks_at_weight_after_tau(paradigm):
    dt = 0.1
    _setup(paradigm, dt)
    src = ann.Population(1, ann.Neuron(equations="dc/dt = 1.0", spike="c >= 1.0", reset="c = -1000.0"))
    pop = ann.Population(1, ann.IF_curr_alpha(tau_syn_E=2.0, v_thresh=1000.0))
    ann.Projection(src, pop, "exc").connect_all_to_all(weights=3.0)
    m = ann.Monitor(pop, "alpha_exc")
    ann.compile()
    ann.simulate(20.0)
    a = m.get("alpha_exc")[:, 0]
    k = int(np.argmax(a))
    assert a[k] == pytest.approx(3.0, rel=0.01)
    onset = int(np.argmax(a > 0))
    assert (k - onset + 1) * dt == pytest.approx(2.0, abs=2 * dt)
