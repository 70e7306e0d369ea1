"""ANNarchy 5's Network API (``net.create`` / ``connect`` / ``monitor``, subclasses, ``Parameter`` /
``Variable``) on annstudio: behaviour checked against analytic values and exact counts."""
import warnings

import numpy as np
import pytest

import annstudio.engine as ann
from annstudio.core.errors import ModelError
from backend_fixtures import setup_backend

LEAKY = ann.Neuron(parameters=dict(tau=10.0, I=ann.Parameter(1.0, locality="local")),
                   equations=[ann.Variable("tau * dr/dt + r = I", init=0.0)])


def euler_leaky(I, tau, dt, steps):
    """Explicit Euler of tau*dr/dt + r = I from 0."""
    return I * (1.0 - (1.0 - dt / tau) ** steps)


def test_network_builds_and_runs_with_its_own_dt(paradigm):
    setup_backend(paradigm, dt=1.0)
    net = ann.Network(dt=0.5, seed=3)
    assert float(net.dt) == 0.5 and net.dt() == 0.5 and net.seed == 3
    pop = net.create(geometry=4, neuron=LEAKY, name="leaky")
    pop.I = np.array([1.0, 2.0, 3.0, 4.0])
    m = net.monitor(pop, "r")
    net.compile()
    net.simulate(10.0)
    assert net.time == pytest.approx(10.0) and net.current_step == 20
    np.testing.assert_allclose(pop.r, euler_leaky(np.arange(1.0, 5.0), 10.0, 0.5, 20), rtol=1e-12)
    r = m["r"]                               # m['r'] is m.get('r'): it empties the recording
    assert r.shape == (20, 4) and m.get("r").shape == (0, 4)
    np.testing.assert_allclose(r[-1], pop.r)
    net.step()
    assert net.current_step == 21


def test_subclass_gets_dt_and_seed_and_its_own_arguments(paradigm):
    setup_backend(paradigm)

    class Leaky(ann.Network):
        def __init__(self, n, drive=2.0):
            self.pop = self.create(n, LEAKY)
            self.pop.I = drive
            self.m = self.monitor(self.pop, "r")

    net = Leaky(3, drive=5.0, dt=0.1, seed=7)
    assert net.pop.size == 3 and float(net.dt) == 0.1 and net.seed == 7
    net.compile()
    net.simulate(2.0)
    np.testing.assert_allclose(net.pop.r, euler_leaky(5.0, 10.0, 0.1, 20), rtol=1e-12)
    assert net.m.get("r").shape == (20, 3)


def test_parameter_and_variable_declarations():
    neuron = ann.Neuron(
        parameters=dict(tau=20.0, g=ann.Parameter(0.5, locality="local"), n=ann.Parameter(3, type=int)),
        equations=[ann.Variable("tau * dv/dt = g - v", init=0.25, min=0.0, max=0.4, method="exponential"),
                   "s = v * n : population"])
    assert neuron.parameters.splitlines() == ["tau = 20.0 : population", "g = 0.5", "n = 3 : population, int"]
    assert neuron.equations.splitlines()[0] == "tau * dv/dt = g - v : init = 0.25, min = 0.0, max = 0.4, exponential"
    syn = ann.Synapse(parameters=dict(eta=ann.Parameter(0.1, locality="semiglobal")),
                      equations=ann.Variable("dw/dt = eta * pre.r", locality="global"))
    assert syn.parameters == "eta = 0.1 : postsynaptic" and syn.equations == "dw/dt = eta * pre.r : projection"
    with pytest.raises(ModelError, match="locality"):
        ann.Parameter(1.0, locality="everywhere")
    with pytest.raises(ModelError, match="method"):
        ann.Variable("dv/dt = -v", method="leapfrog")
    with pytest.raises(ModelError, match="semiglobal"):
        ann.Neuron(parameters=dict(a=ann.Parameter(1.0, locality="semiglobal")))


def test_declared_flags_act_in_the_simulation(paradigm):
    setup_backend(paradigm)
    neuron = ann.Neuron(
        parameters=dict(tau=10.0, g=ann.Parameter(1.0, locality="local"),
                        base=ann.Parameter(ann.Uniform(2.0, 3.0), locality="local")),
        equations=[ann.Variable("tau * dv/dt = g - v", init=0.5, max=0.6, method="exponential"),
                   ann.Variable("tau * du/dt = g - u", init=0.0, method="exponential"),
                   ann.Variable("x = base", locality="local")])
    net = ann.Network(dt=1.0, seed=11)
    pop = net.create(5, neuron)
    pop.g = np.array([0.0, 0.2, 0.4, 0.8, 1.0])
    assert np.all((pop.base >= 2.0) & (pop.base <= 3.0)) and np.ptp(pop.base) > 0   # drawn per neuron
    np.testing.assert_allclose(pop.v, 0.5)
    net.compile()
    net.simulate(7.0)
    g = np.array([0.0, 0.2, 0.4, 0.8, 1.0])
    np.testing.assert_allclose(pop.u, g * (1.0 - np.exp(-0.7)), rtol=1e-9)     # exact exponential steps
    assert np.max(pop.v) <= 0.6 + 1e-12 and pop.v[-1] == pytest.approx(0.6)      # max clips
    np.testing.assert_allclose(pop.x, pop.base)


def test_objects_built_outside_move_into_the_network(paradigm):
    setup_backend(paradigm, seed=5)
    net = ann.Network(dt=1.0, seed=5)
    poisson = net.create(ann.PoissonPopulation(200, rates=50.0))
    target = net.create(geometry=10, neuron=LEAKY)
    assert poisson in net.get_populations() and poisson not in ann.populations()
    m = net.monitor(poisson, "spike")
    net.compile()
    net.simulate(1000.0)
    rate = sum(len(v) for v in m.get("spike").values()) / 200.0
    assert 45.0 < rate < 55.0          # 10000 expected spikes: 5 % is 5 standard deviations
    assert target.size == 10
    with pytest.raises(ModelError):
        net.create(geometry=3)            # no neuron


def test_short_connector_names_give_the_documented_patterns(paradigm):
    setup_backend(paradigm)
    net = ann.Network(dt=1.0, seed=2)
    pre = net.create(20, LEAKY)
    post = net.create(10, LEAKY)
    a = net.connect(pre, post, "exc").fixed_number_pre(number=4, weights=0.5)
    b = net.connect(pre[:10], post, "inh").one_to_one(weights=2.0)
    c = net.connect(pre, post, "mod").all_to_all(weights=ann.Uniform(0.0, 1.0))
    w = np.arange(200.0).reshape(10, 20) / 100.0
    d = net.connect(pre, post, "ext").from_matrix(w)
    e = net.connect(pre, post, "aux").fixed_number_post(number=3, weights=1.0)
    net.compile()
    assert a.nb_synapses == 40 and all(len(dd.pre_ranks) == 4 for dd in a.dendrites)
    assert b.nb_synapses == 10 and [dd.pre_ranks for dd in b.dendrites] == [[i] for i in range(10)]
    assert c.nb_synapses == 200
    np.testing.assert_allclose(np.array(d.w), w)
    assert e.nb_synapses == 60
    with pytest.raises(ModelError):
        other = ann.Network()
        other.connect(pre, post, "exc")       # populations of another network


def test_reset_restores_variables_and_drops_recordings(paradigm):
    setup_backend(paradigm)
    net = ann.Network(dt=1.0, seed=1)
    pop = net.create(2, LEAKY)
    m = net.monitor(pop, "r")
    net.compile()
    net.simulate(5.0)
    net.reset(populations=True, monitors=True)
    np.testing.assert_allclose(pop.r, 0.0)
    net.simulate(3.0)
    assert m["r"].shape == (3, 2)
    np.testing.assert_allclose(pop.r, euler_leaky(1.0, 10.0, 1.0, 3), rtol=1e-12)


def test_monitor_get_reshapes_to_the_geometry(paradigm):
    setup_backend(paradigm)
    net = ann.Network(dt=1.0)
    pop = net.create((2, 3), LEAKY)
    m = net.monitor(pop, "r")
    net.compile()
    net.simulate(4.0)
    assert m.get("r", keep=True).shape == (4, 2, 3) and m.get("r", reshape=False).shape == (4, 6)


def test_parallel_run_builds_one_network_per_seed(paradigm):
    setup_backend(paradigm)
    noisy = ann.Neuron(parameters=dict(tau=10.0), equations="tau * dr/dt + r = Normal(0.0, 1.0)")

    class Noisy(ann.Network):
        def __init__(self, n=5):
            self.pop = self.create(n, noisy)

    def run(net, duration=20.0):
        net.simulate(duration)
        return np.array(net.pop.r), net.seed, float(net.dt)

    net = Noisy(dt=0.5, seed=40)
    net.compile()
    out = net.parallel_run(run, number=3, seeds="sequential", duration=10.0)
    assert [o[1] for o in out] == [41, 42, 43] and all(o[2] == 0.5 for o in out)
    again = net.parallel_run(run, number=1, seeds=[42], duration=10.0)
    np.testing.assert_array_equal(again[0][0], out[1][0])          # a seed fixes the run
    assert not np.array_equal(out[0][0], out[1][0])
    plain = ann.Network(dt=1.0)
    plain.create(2, noisy)
    plain.compile()
    with pytest.raises(ModelError, match="subclass"):
        plain.parallel_run(run, number=2)
    with pytest.raises(ModelError, match="seeds"):
        net.parallel_run(run, number=2, seeds=[1])
    # unseeded (the MultipleNetworks notebook): ANNarchy 5 draws the network a seed, 'sequential' counts from it
    free = Noisy(dt=0.5)
    free.compile()
    runs = free.parallel_run(run, number=3, seeds="sequential", duration=5.0)
    assert [o[1] - runs[0][1] for o in runs] == [0, 1, 2]
    same = free.parallel_run(run, number=2, seeds="same", duration=5.0)
    assert same[0][1] == same[1][1] is not None
    np.testing.assert_array_equal(same[0][0], same[1][0])


def test_constants_simulate_until_and_memory_footprint(paradigm):
    setup_backend(paradigm)
    net = ann.Network(dt=1.0)
    c = net.constant("drive", 2.0)
    pop = net.create(1, ann.Neuron(parameters=dict(tau=10.0), equations="tau * dr/dt + r = drive"),
                     stop_condition="r > 1.0")
    net.compile()
    t = net.simulate_until(100.0, pop)
    k = int(np.ceil(np.log(0.5) / np.log(0.9)))        # first step where 2 * (1 - 0.9^k) > 1
    assert t == pytest.approx(k * 1.0)
    c.set(0.0)
    net.simulate(1.0)
    assert pop.r[0] == pytest.approx(0.9 * euler_leaky(2.0, 10.0, 1.0, k))
    assert net.get_constant("drive") == 0.0
    assert net.memory_footprint(show_py_side=False, show_cpp_side=False) >= 8


def test_dtype_float64_and_float32_are_accepted_and_others_refused_clearly():
    net = ann.Network(dt=1.0)
    net.config(dtype=ann.float64, num_threads=1)
    assert net.spec.settings.precision == "float64"
    net.config(dtype=ann.float32)          # single precision (tests/session/test_precision.py runs it)
    assert net.spec.settings.precision == "float32"
    with pytest.raises(ModelError, match="precision"):
        net.config(dtype=np.float16)


def test_neither_api_warns(paradigm):
    setup_backend(paradigm)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pop = ann.Population(3, LEAKY)
        ann.Monitor(pop, "r")
        ann.compile()
        ann.simulate(2.0)
        net = ann.Network(dt=1.0, seed=1)
        p2 = net.create(3, LEAKY)
        net.connect(p2, p2, "exc").all_to_all(weights=0.1)
        net.monitor(p2, "r")
        net.compile()
        net.simulate(2.0)
    np.testing.assert_allclose(pop.r, p2.r * 0 + euler_leaky(1.0, 10.0, 1.0, 2), rtol=1e-12)


def test_random_synaptic_declarations_are_drawn_per_synapse(paradigm):
    setup_backend(paradigm)
    syn = ann.Synapse(parameters=dict(tau=100.0, k=ann.Parameter(ann.Uniform(1.0, 2.0), locality="local")),
                      equations=[ann.Variable("tau * dz/dt = -z", init=ann.Normal(5.0, 0.1))],
                      psp="w * k * pre.r")
    net = ann.Network(dt=1.0, seed=1)
    pre = net.create(5, ann.Neuron(parameters=dict(b=1.0), equations="r = b"))
    post = net.create(3, ann.Neuron(equations="r = sum(exc)"))
    proj = net.connect(pre, post, "exc", synapse=syn).all_to_all(weights=1.0)
    net.compile()
    k, z = np.array(proj.k), np.array(proj.z)
    assert k.shape == (3, 5) and np.all((k >= 1.0) & (k <= 2.0)) and np.ptp(k) > 0
    assert abs(z.mean() - 5.0) < 0.1 and np.ptp(z) > 0
    net.simulate(2.0)
    np.testing.assert_allclose(post.r, k.sum(axis=1), rtol=1e-12)     # psp = w * k * pre.r, w = 1, r = 1


def test_population_and_projection_objects_join_a_network(paradigm):
    setup_backend(paradigm)
    summing = ann.Neuron(parameters=dict(tau=10.0, I=1.0), equations="tau * dr/dt + r = I + sum(exc)")
    net = ann.Network(dt=1.0, seed=1)
    a = net.create(3, summing)                          # 'pop0' in net
    pop = net.create(ann.Population(10, summing))       # 'pop0' in the default network: renamed on the way in
    assert pop.name != a.name and pop in net.get_populations() and not ann.populations()
    proj = net.connect(ann.Projection(pop, a, "exc"))
    proj.all_to_all(weights=0.1)
    assert proj in net.get_projections() and not ann.projections()
    with pytest.raises(ModelError):
        net.create(ann.Population(2, summing), neuron=summing)
    net.compile()
    net.simulate(2.0)
    np.testing.assert_allclose(pop.r, 0.19)     # Euler: 0.1, then 0.1 + 0.1 * (1 - 0.1)
    np.testing.assert_allclose(a.r, 0.2)        # 0.1, then 0.1 + 0.1 * (1 + 10 * 0.1 * 0.1 - 0.1)
