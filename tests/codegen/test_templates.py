"""The code-generation seam: per-phase templates with the same names in both compiled targets, each
small, and the target-neutral kernel plan whose flags both generators print.

The plan checks build small networks with the ANNarchy-style API, lower them and read the flags of
``annstudio.codegen.plan.build_plan``; then they render the C++ and CUDA sources (no compiler needed)
and check that a phase the plan leaves out is absent from both, and one it keeps is present.
"""
import re
from pathlib import Path

import pytest

import annstudio.engine as ann
from annstudio import codegen
from annstudio.codegen.cpp.generator import generate as generate_cpp
from annstudio.codegen.cuda.generator import generate as generate_cuda
from annstudio.codegen.plan import build_plan
from annstudio.session.context import current_network

CODEGEN = Path(codegen.__file__).parent
PHASES = {"neuron_update", "transmit", "synapse_update", "post_spike", "step"}
TOP = {"cpp": "kernel.cpp.j2", "cuda": "network.cu.j2"}


def _templates(target):
    return {p.stem: p for p in (CODEGEN / target / "templates").glob("*.j2")}


def test_both_targets_have_the_same_per_phase_templates():
    cpp, cuda = _templates("cpp"), _templates("cuda")
    assert PHASES <= set(cpp) and PHASES <= set(cuda)
    shared = set(cpp) - {Path(TOP["cpp"]).stem}
    assert shared - {"macros"} == set(cuda) - {Path(TOP["cuda"]).stem, "macros"}
    for target, found in (("cpp", cpp), ("cuda", cuda)):
        top = (CODEGEN / target / "templates" / TOP[target]).read_text()
        included = set(re.findall(r'{%\s*include\s+"(\w+)\.j2"\s*%}', top))
        assert included == shared - {"macros"}, target


@pytest.mark.parametrize("target", ["cpp", "cuda"])
def test_every_template_is_at_most_300_lines(target):
    for name, path in _templates(target).items():
        n = len(path.read_text().splitlines())
        assert n <= 300, f"{target}/templates/{name}.j2 has {n} lines"


def test_runtimes_sit_in_their_own_folders():
    assert (CODEGEN / "cpp" / "runtime" / "annstudio_runtime.h").is_file()
    assert (CODEGEN / "cpp" / "runtime" / "annstudio_runtime.cpp").is_file()
    assert (CODEGEN / "cuda" / "runtime" / "runtime.cuh").is_file()
    assert (CODEGEN / "cuda" / "runtime" / "emulation.h").is_file()
    assert not list((CODEGEN / "cpp" / "templates").glob("*.h"))


_LIF = dict(parameters="tau = 10.0\nI = 20.0",
            equations="tau * dv/dt = -(v + 60.0) + I + g_exc - g_inh\ndg_exc/dt = -g_exc / 5.0\n"
                      "dg_inh/dt = -g_inh / 10.0",
            spike="v > -50.0", reset="v = -60.0", refractory=2.0)


def _lower():
    ir, _data = codegen.lower(current_network().spec)
    plan = build_plan(ir)
    return ir, {p.name: p for p in plan.populations}, {p.name: p for p in plan.projections}


@pytest.fixture
def fresh():
    ann.clear()
    yield
    ann.clear()


def test_coba_projections_transmit_early_and_a_shared_conductance_does_not(fresh):
    ann.setup(dt=0.1, seed=1)
    pop = ann.Population(40, ann.Neuron(**_LIF, name="Lif"), name="pop")
    ann.Projection(pop, pop, "exc", name="ce").connect_fixed_probability(0.2, weights=0.5)
    ann.Projection(pop, pop, "inh", name="ci").connect_fixed_probability(0.2, weights=1.0)
    ann.Projection(pop, pop, "inh", name="ci2").connect_fixed_probability(0.2, weights=2.0)
    ann.Projection(pop, pop, "exc", name="slow").connect_fixed_probability(0.1, weights=0.5, delays=2.0)
    ir, pops, projs = _lower()
    p = pops["pop"]
    assert p.spiking and "v" in p.clamped and "g_exc" not in p.clamped
    assert set(p.targets) == {"g_exc", "g_inh"} and "v" in p.private
    ce = projs["ce"]
    assert ce.transmits and ce.writes_conductance and ce.simple_spike and ce.w_scalar and ce.lag == 1
    # ce and slow both write g_exc, ci and ci2 both write g_inh: the order of additions then matters
    assert not any(pj.early for pj in projs.values())
    assert projs["slow"].lag == 20   # 2 ms at dt = 0.1
    src = generate_cpp(ir)[0]
    assert "net.barrier.arrive" not in src


def test_a_single_constant_conductance_writer_is_early(fresh):
    ann.setup(dt=0.1, seed=1)
    pop = ann.Population(40, ann.Neuron(**_LIF, name="Lif"), name="pop")
    ann.Projection(pop, pop, "exc", name="ce").connect_fixed_probability(0.2, weights=0.5)
    ann.Projection(pop, pop, "inh", name="ci").connect_fixed_probability(0.2, weights=ann.Uniform(0.5, 1.0))
    ir, _pops, projs = _lower()
    assert projs["ce"].early and projs["ce"].w_scalar
    assert not projs["ci"].early and not projs["ci"].w_scalar and projs["ci"].mirrored == ("w",)
    src = generate_cpp(ir)[0]
    assert "net.barrier.arrive" in src and "proj_0_transmit(net, tid, it + 1, t + dt, 1);" in src
    assert "proj_1_transmit(net, tid, it + 1" not in src


def test_rate_projection_to_an_unread_target_does_not_transmit(fresh):
    ann.setup(dt=1.0, seed=2)
    inp = ann.Population(10, ann.Neuron(parameters="B = 0.5", equations="r = B"), name="inp")
    out = ann.Population(5, ann.Neuron(equations="dmp/dt = sum(exc) - mp\nr = mp"), name="out")
    ann.Projection(inp, out, "exc", name="read").connect_all_to_all(weights=ann.Uniform(0.0, 0.1))
    ann.Projection(inp, out, "unused", name="unread").connect_all_to_all(weights=0.1)
    ir, _pops, projs = _lower()
    read, unread = projs["read"], projs["unread"]
    assert read.has_target and read.transmits and read.simple_psp and read.w_read_only
    assert not unread.has_target and not unread.transmits and not unread.early
    src = generate_cpp(ir)[0]
    assert "proj_0_transmit(" in src and "proj_1_transmit(" not in src
    cu = generate_cuda(ir)
    assert "k_rate_j0" in cu


def test_stdp_plan_keeps_written_weights_out_of_the_mirrors(fresh):
    ann.setup(dt=0.1, seed=3)
    pop = ann.Population(30, ann.Neuron(**_LIF, name="Lif"), name="pop")
    stdp = ann.Projection(pop, pop, "exc", ann.STDP(), name="stdp")
    stdp.connect_fixed_probability(0.3, weights=ann.Uniform(0.0, 0.5))
    ir, _pops, projs = _lower()
    pj = projs["stdp"]
    assert pj.transmits and pj.writes_conductance and not pj.simple_spike and not pj.early
    assert "w" not in pj.mirrored and pj.post_spike
    src, cu = generate_cpp(ir)[0], generate_cuda(ir)
    assert "proj_0_post_spike(" in src and "k_post_j0" in cu
