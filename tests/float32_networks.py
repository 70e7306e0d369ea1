"""Deterministic test networks for single precision (``setup(precision="float32")``), shared by
tests/codegen/test_float32.py (C++) and tests/codegen/cuda/test_cuda_float32.py (CUDA kernels): fixed inputs,
no noise, so a float32 kernel must give the float32 NumPy reference's spikes.  ``run(build, paradigm,
precision, duration)`` returns the recorded variables, the final values (``"final"``) and the spikes."""
import numpy as np
import pytest

import annstudio.engine as ann


LIF = ann.Neuron(
    parameters="""
        tau = 10.0
        I = 0.0
        v_th = -50.0 : population
        tau_e = 5.0 : population
    """,
    equations="""
        tau * dv/dt = -65.0 - v + I + g_exc - g_inh : init = -65.0
        tau_e * dg_exc/dt = -g_exc
        dg_inh/dt = -g_inh / 8.0
        mv = mean(v) : population
    """,
    spike="v > v_th", reset="v = -70.0", refractory=2.0, name="LIF32")

IZH = ann.Neuron(
    parameters="""
        a = 0.02
        b = 0.2
        c = -65.0
        d = 8.0
        I = 0.0
    """,
    equations="""
        dv/dt = 0.04 * v^2 + 5.0 * v + 140.0 - u + I + g_exc - g_inh : init = -65.0, midpoint
        du/dt = a * (b * v - u) : init = -13.0, midpoint
    """,
    spike="v >= 30.0", reset="v = c\nu += d", name="Izh32")

LEAKY = ann.Neuron(parameters="tau = 10.0 : population\nbias = 0.0",
                   equations="tau * dr/dt + r = sum(exc) - sum(inh) + bias + 0.01 * max(r) : min = 0.0",
                   name="Leaky32")


def lif():
    ann.setup(dt=0.1, seed=3)
    pop = ann.Population(200, LIF, name="lif")
    pop.I = np.linspace(10.0, 30.0, 200)
    ann.Projection(pop[:160], pop, "exc").connect_fixed_probability(0.1, weights=ann.Uniform(0.0, 1.0))
    ann.Projection(pop[160:], pop, "inh").connect_fixed_probability(0.1, weights=2.0, delays=1.5)
    return pop, ["v", "g_exc"]


def izhikevich():
    ann.setup(dt=0.5, seed=5)
    pop = ann.Population(120, IZH, name="izh")
    pop.I = np.linspace(0.0, 12.0, 120)
    pop.d = np.linspace(2.0, 8.0, 120)
    ann.Projection(pop[:100], pop, "exc").connect_fixed_probability(0.2, weights=ann.Uniform(0.0, 0.5))
    ann.Projection(pop[100:], pop, "inh").connect_all_to_all(weights=0.4)
    return pop, ["v", "u"]


def rate():
    """All-to-all rate-coded sums with active inputs (the tiled path: post sizes multiple of 8), a delayed
    projection and a global operation."""
    ann.setup(dt=1.0, seed=9)
    inp = ann.Population(48, LEAKY, name="inp")
    out = ann.Population(64, LEAKY, name="out")
    inp.r = np.random.default_rng(1).uniform(0.0, 1.0, 48)
    inp.bias = np.linspace(0.0, 0.5, 48)
    ann.Projection(inp, out, "exc").connect_all_to_all(weights=ann.Uniform(0.0, 0.1))
    ann.Projection(out, out, "inh").connect_all_to_all(weights=ann.Uniform(0.0, 0.02), delays=3.0)
    return out, ["r"]


DECAY = ann.Synapse(parameters="eta = 0.001 : projection",
                    equations="dw/dt = eta * (pre.r * post.r - w)", psp="w * pre.r", name="Decay32")


def plastic_rate():
    """Dense rows with plastic weights: no tile mirror, the row loops (8 rows at a time in float, 4 in double)."""
    ann.setup(dt=1.0, seed=4)
    inp = ann.Population(40, LEAKY, name="inp")
    out = ann.Population(68, LEAKY, name="out")
    inp.bias = np.linspace(0.0, 1.0, 40)
    inp.r = np.linspace(1.0, 0.0, 40)
    ann.Projection(inp, out, "exc", DECAY).connect_all_to_all(weights=ann.Uniform(0.0, 0.1))
    return out, ["r"]


def run(build, paradigm, precision, duration):
    ann.clear()
    pop, names = build()
    ann.setup(precision=precision)
    m = ann.Monitor(pop, ["spike"] + names if pop.neuron_type.type == "spike" else names)
    ann.compile(paradigm=paradigm)
    ann.simulate(duration)
    out = {n: m.get(n) for n in names}
    out["final"] = {n: getattr(pop, n) for n in names}
    if "mv" in pop.attributes:       # a population-wide mean (global operation), float32 pairwise sum
        out["final"]["mv"] = np.asarray(pop.mv)
    out["spike"] = m.get("spike") if pop.neuron_type.type == "spike" else None
    return out


NETWORKS = {"lif": (lif, 200.0), "izhikevich": (izhikevich, 300.0), "rate": (rate, 60.0),
            "plastic_rate": (plastic_rate, 40.0)}


@pytest.fixture
def double_afterwards():
    """Precision is a setting of the default network, which clear() keeps: back to float64 after each test."""
    yield
    ann.clear()
    ann.setup(precision="float64", paradigm="openmp")
