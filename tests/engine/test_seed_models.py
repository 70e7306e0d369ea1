"""Every model of the tutorial slides (seed 002) and the paper scripts (seed 003), scaled down.

The scripts' text is kept (Neuron/Synapse definitions verbatim from the seeds); sizes and durations
are small so the tests stay fast.  Each body runs on every available backend.
"""
import numpy as np

from annstudio.engine import *  # noqa: F401,F403
from backend_fixtures import setup_backend as _setup


def test_esn(paradigm):
    _setup(paradigm)
    ESN_Neuron = Neuron(
        parameters="""
            tau = 30.0 : population   # Time constant
            g = 1.0 : population      # Scaling
            noise = 0.01 : population # Noise level
        """,
        equations="""
            tau * dx/dt + x = sum(in) + g * sum(exc) + noise * Uniform(-1, 1)  : init=0.0
            r = tanh(x)
        """
    )
    N = 200
    inp = Population(1, Neuron(parameters="r = 0.0"))
    pop = Population(N, ESN_Neuron)
    pop.g = 1.5
    Wi = Projection(inp, pop, "in").connect_all_to_all(weights=Uniform(-1.0, 1.0))
    Wrec = Projection(pop, pop, "exc").connect_all_to_all(weights=Normal(0.0, 1.5 / np.sqrt(N)))
    m = Monitor(pop, "r")
    compile()
    simulate(50.0)
    inp[0].r = 1.0
    simulate(20.0)
    inp[0].r = 0.0
    simulate(200.0)
    r = m.get("r")
    assert r.shape == (270, N)
    assert np.abs(r[60:80]).mean() > np.abs(r[:50]).mean()        # the input perturbs the reservoir
    assert np.all(np.abs(r) <= 1.0)


def test_lif_and_conductances(paradigm):
    _setup(paradigm, dt=0.1)
    LIF = Neuron(
        parameters="""
            C = 200.
            g_L = 10.
            E_L = -70.
            v_T = 0.
            v_r = -58.
            I = 0.25
        """,
        equations="""
            C*dv/dt = g_L*(E_L - v) + I : init=E_L
        """,
        spike=" v >= v_T ",
        reset=" v = v_r ",
        refractory=2.0
    )
    LIF_cond = Neuron(
        parameters="""
            C = 200.
            g_L = 10.
            E_L = -70.
            v_T = -50.
            v_r = -58.
            tau_exc = 5.0
        """,
        equations="""
            C*dv/dt = g_L*(E_L - v) + g_exc : init=E_L
            tau_exc * dg_exc/dt = - g_exc : exponential
        """,
        spike=" v >= v_T ",
        reset=" v = v_r ",
        refractory=2.0
    )
    quiet = Population(2, LIF)
    quiet[1].I = 1000.0
    src = PoissonPopulation(20, rates=100.0)
    post = Population(1, LIF_cond)
    Projection(src, post, "exc").connect_all_to_all(weights=150.0)
    mq = Monitor(quiet, "spike")
    mp = Monitor(post, ["spike", "g_exc"])
    compile()
    simulate(200.0)
    sq = mq.get("spike")
    assert len(sq[0]) == 0 and len(sq[1]) > 3                      # I = 0.25 is sub-threshold
    data = mp.get()
    assert data["g_exc"].max() > 0 and len(data["spike"][0]) > 0


def test_coba_benchmark(paradigm):
    _setup(paradigm, dt=0.1, seed=98765)
    COBA = Neuron(
        parameters="""
            El = -60.0          : population
            Vr = -60.0          : population
            Erev_exc = 0.0       : population
            Erev_inh = -80.0     : population
            Vt = -50.0           : population
            tau = 20.0            : population
            tau_exc = 5.0         : population
            tau_inh = 10.0        : population
            I = 20.0              : population
        """,
        equations="""
            tau*dv/dt = (El - v) + g_exc*(Erev_exc - v) + g_inh*(Erev_inh - v) + I
            tau_exc * dg_exc/dt = - g_exc
            tau_inh * dg_inh/dt = - g_inh
        """,
        spike="v > Vt",
        reset="v = Vr",
        refractory=5.0
    )
    P = Population(geometry=400, neuron=COBA)
    Pe = P[:320]
    Pi = P[320:]
    P.v = Normal(-55.0, 5.0)
    Ce = Projection(pre=Pe, post=P, target="exc")
    Ce.connect_fixed_probability(weights=0.6 * 10, probability=0.02)
    Ci = Projection(pre=Pi, post=P, target="inh")
    Ci.connect_fixed_probability(weights=6.7 * 10, probability=0.02)
    m = Monitor(P, "spike")
    compile()
    simulate(200.0)
    rate = sum(len(v) for v in m.get("spike").values()) / 400 / 0.2
    assert 1.0 < rate < 100.0


def test_rate_benchmark(paradigm):
    _setup(paradigm)
    LeakyNeuron = Neuron(
        parameters="tau = 10.0 : population",
        equations="tau*dr/dt + r = sum(exc) : min=0.0"
    )
    N = 100
    Input = Population(geometry=N, neuron=LeakyNeuron)
    Output = Population(geometry=N, neuron=LeakyNeuron)
    proj = Projection(Input, Output, "exc")
    proj.connect_all_to_all(weights=Uniform(0.0, 1.0))
    compile()
    Input.r = 1.0
    simulate(100.0)
    assert np.all(Output.r >= 0.0) and Output.r.mean() > 0.0


def test_ibcm_slide(paradigm):
    _setup(paradigm)
    IBCM_ = Synapse(
        parameters="""
            eta = 0.01 : projection
            tau = 2000.0 : projection
        """,
        equations="""
            tau * dtheta/dt + theta = post.r^2 : postsynaptic, exponential
            dw/dt = eta * post.r * (post.r - theta) * pre.r : min=0.0, explicit
        """,
        psp=" w * pre.r"
    )
    inp = Population(4, Neuron(parameters="r = 0.0"))
    inp.r = [0.5, 0.2, 0.1, 0.0]
    out = Population(2, Neuron(equations="r = sum(exc)"))
    proj = Projection(inp, out, "exc", IBCM_)
    proj.connect_all_to_all(weights=Uniform(0.0, 0.5))
    m = Monitor(proj, "w")
    compile()
    simulate(100.0)
    assert len(proj.theta) == 2 and all(th > 0 for th in proj.theta)
    assert proj[1].w.shape == (4,)
    assert len(m.get("w")) == 100


def test_stp_and_stdp_slides(paradigm):
    _setup(paradigm)
    STP_ = Synapse(
        parameters="""
            tau_rec = 100.0 : projection
            tau_facil = 0.01 : projection
            U = 0.5
        """,
        equations="""
            dx/dt = (1 - x)/tau_rec : init = 1.0, event-driven
            du/dt = (U - u)/tau_facil : init = 0.5, event-driven
        """,
        pre_spike="""
            g_target += w * u * x
            x *= (1 - u)
            u += U * (1 - u)
        """
    )
    STDP_ = Synapse(
        parameters="""
            tau_plus = 20.0 : projection ; tau_minus = 20.0 : projection
            A_plus = 0.01 : projection   ; A_minus = 0.01 : projection
            w_min = 0.0 : projection     ; w_max = 1.0 : projection
        """,
        equations="""
            tau_plus  * dx/dt = -x : event-driven # pre-synaptic trace
            tau_minus * dy/dt = -y : event-driven # post-synaptic trace
        """,
        pre_spike="""
            g_target += w
            x += A_plus * w_max
            w = clip(w + y, w_min , w_max)
        """,
        post_spike="""
            y -= A_minus * w_max
            w = clip(w + x, w_min , w_max)
        """)
    inp = PoissonPopulation(50, rates=20.0)
    pop = Population(10, IF_cond_exp)
    stp = Projection(inp, pop, "exc", STP_).connect_fixed_probability(0.5, weights=0.02)
    stdp = Projection(inp, pop, "inh", STDP_).connect_all_to_all(weights=Uniform(0.0, 0.01))
    inp2 = PoissonPopulation(50, rates=40.0)
    Projection(inp2, pop, "exc").connect_all_to_all(weights=0.02)
    compile()
    simulate(300.0)
    x = np.concatenate(stp.x)
    assert np.all((x > 0) & (x <= 1.0)) and x.min() < 1.0
    w = np.concatenate(stdp.w)
    assert np.all((w >= 0.0) & (w <= 1.0))
