"""One digest over the value-free IR keys every build: values never rebuild C++ or CUDA; equations do.

The C++ kernel and the CUDA library (built for the CPU emulation, which needs only g++) of one small
network are built into a fresh cache; then the same network with other parameter values, initial
values and constant values must reuse both entries without generating any source (the generators are
replaced by a function that fails), and a changed equation must build both again.
"""
import os

import numpy as np
import pytest

import annstudio.engine as ann
from annstudio import codegen
from annstudio.codegen.cpp import backend as cpp_backend
from annstudio.codegen.cuda import build as cuda_build
from annstudio.session.context import current_network

pytestmark = pytest.mark.compiler


def _network(tau=10.0, v0=-60.0, c=1.0, equation="tau * dv/dt = -(v + 60.0) + I * c + g_exc"):
    """A spiking population with a parameter, an initial value and a constant; returns the default network."""
    ann.clear()
    ann.setup(dt=0.5, seed=3)
    ann.Constant("c", c)
    neuron = ann.Neuron(parameters=f"tau = {tau} : population\nI = 20.0",
                        equations=f"{equation} : init={v0}\ntau * dg_exc/dt = -g_exc",
                        spike="v > -50.0", reset="v = -60.0", refractory=2.0, name="Cached")
    pop = ann.Population(20, neuron, name="cached")
    proj = ann.Projection(pop, pop, "exc")
    proj.connect_fixed_probability(0.2, weights=0.5)
    return current_network()


def _lower(**kwargs):
    return codegen.lower(_network(**kwargs).spec)


def _entries(root, kind):
    d = os.path.join(root, kind)
    return sorted(k for k in os.listdir(d) if not k.endswith(".lock")) if os.path.isdir(d) else []


def _no_generation(*args, **kwargs):
    raise AssertionError("source was generated: the cache missed")


VALUE_CHANGES = [dict(tau=25.0), dict(v0=-65.0), dict(c=3.0), dict(tau=12.0, v0=-55.0, c=0.5)]


@pytest.mark.parametrize("change", VALUE_CHANGES, ids=["parameter", "initial value", "constant", "all"])
def test_values_are_not_in_the_ir_nor_its_digest(change):
    ir, data = _lower()
    other_ir, other_data = _lower(**change)
    assert other_ir == ir and other_ir.digest() == ir.digest()
    assert not hasattr(ir.population("cached").var("v"), "init")
    # the values went to the data instead
    assert any(not np.array_equal(np.asarray(data.populations["cached"][k]),
                                  np.asarray(other_data.populations["cached"][k]))
               for k in ("tau", "v", "c"))


def test_an_equation_changes_the_digest():
    assert _lower()[0].digest() != _lower(equation="tau * dv/dt = -(v + 61.0) + I * c + g_exc")[0].digest()


def test_changed_values_rebuild_neither_cpp_nor_cuda(temp_cache, cpp_paradigm, monkeypatch):
    ir, data = _lower()
    _path, built, _secs = cpp_backend.build_kernel(ir, data)
    assert built
    _path, built, _secs = cuda_build.build_library(ir, emulate=True)
    assert built
    monkeypatch.setattr(cpp_backend, "generate", _no_generation)
    monkeypatch.setattr(cuda_build, "generate", _no_generation)
    for change in VALUE_CHANGES:
        other_ir, other_data = _lower(**change)
        assert not cpp_backend.build_kernel(other_ir, other_data)[1]
        assert not cuda_build.build_library(other_ir, emulate=True)[1]
    assert len(_entries(temp_cache, "openmp")) == 1 and len(_entries(temp_cache, "cuda-emu")) == 1
    # and a compiled run with other values uses them (the kernel reads every value from the data)
    net = _network(tau=25.0, v0=-65.0, c=3.0)
    sim = net.compile(paradigm=cpp_paradigm)
    assert not sim.backend.built
    assert float(sim.get("cached", "tau")) == 25.0 and np.all(sim.get("cached", "v") == -65.0)
    assert float(sim.get("cached", "c")) == 3.0


def test_changed_equation_rebuilds_cpp_and_cuda(temp_cache, cpp_paradigm):
    ir, data = _lower()
    assert cpp_backend.build_kernel(ir, data)[1] and cuda_build.build_library(ir, emulate=True)[1]
    other_ir, other_data = _lower(equation="tau * dv/dt = -(v + 60.0) + 2.0 * I * c + g_exc")
    assert cpp_backend.build_kernel(other_ir, other_data)[1]
    assert cuda_build.build_library(other_ir, emulate=True)[1]
    assert len(_entries(temp_cache, "openmp")) == 2 and len(_entries(temp_cache, "cuda-emu")) == 2
