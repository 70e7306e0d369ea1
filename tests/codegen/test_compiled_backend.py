"""The backend contract (``annstudio.core.runtime.Backend``), the shared compiled base and its one layout.

Every backend satisfies the protocol; a restructured compiled run (``Simulation.restructure``, as
structural plasticity does) keeps the state a rebuild would lose (spikes in flight on delayed
synapses, refractory counters), judged against the NumPy oracle run without a restructure.
The CUDA backend's case is tests/codegen/cuda/test_cuda_restructure.py.
"""
import numpy as np

from annstudio import codegen
from annstudio.codegen.compiled import CompiledBackend
from annstudio.codegen.layout import CUDA, OPENMP, allocate, build_layout
from annstudio.core.runtime import Backend
from annstudio.session.context import current_network
from restructure_network import lif_network


def test_every_backend_satisfies_the_protocol(paradigm):
    _spikes, _v, sim = lif_network(paradigm, duration=1.0)
    assert isinstance(sim.backend, Backend)
    assert (paradigm == "numpy") != isinstance(sim.backend, CompiledBackend)


def test_the_protocol_refuses_an_incomplete_backend():
    class Partial:
        paradigm, dt, step = "partial", 1.0, 0

        def get(self, name, var):
            return np.zeros(1)

    assert not isinstance(Partial(), Backend)


def test_a_restructured_compiled_run_keeps_its_state(compiled_paradigm, monkeypatch):
    ref_spikes, ref_v, _ = lif_network("numpy")
    assert sum(len(s) for s in ref_spikes.values()) > 100
    spikes, v, _ = lif_network(compiled_paradigm, restructure_at=23.7)
    assert spikes == ref_spikes
    np.testing.assert_allclose(v, ref_v, rtol=1e-10, atol=1e-10)
    # without carrying the state over, spikes in flight and refractory counters are lost: the test can fail
    monkeypatch.setattr(CompiledBackend, "carry_state_from", lambda self, old: None)
    lost, _v, _ = lif_network(compiled_paradigm, restructure_at=23.7)
    assert lost != ref_spikes


def test_one_layout_serves_both_targets():
    """The same name-keyed slots for C++ and CUDA; the rules add only what a target's kernels expect."""
    lif_network("numpy", duration=0.0)
    ir, data = codegen.lower(current_network().spec)
    cpp, cuda = build_layout(ir, OPENMP), build_layout(ir, CUDA)
    j = ir.projections[0].name
    cpp_keys, cuda_keys = {s.key for s in cpp}, {s.key for s in cuda}
    shared = cpp_keys & cuda_keys
    assert {"pop:lif:v", "pop:lif:tau", f"proj:{j}:w", f"proj:{j}:_pre", f"proj:{j}:_delay", "ctl:learning"} <= shared
    assert cpp_keys - shared == {"ctl:dirty"} and cuda_keys - shared == {"pop:lif:_refr"}
    assert cpp[f"proj:{j}:_pre"].dtype == "int32" and cuda[f"proj:{j}:_pre"].dtype == "int32"
    assert cpp.get("pop", 0, "v") is cpp["pop:lif:v"] and cpp.get("pop", 0, "nothing") is None
    for layout in (cpp, cuda):
        arrays = allocate(layout, ir, data)
        assert np.array_equal(arrays[layout["pop:lif:v"].index], data.populations["lif"]["v"])
        assert arrays[layout["pop:lif:tau"].index].shape == () and layout["pop:lif:tau"].scalar
        assert np.array_equal(arrays[layout[f"proj:{j}:_pre"].index], data.connectivity[j].pre)
        assert all(a.dtype == np.dtype(s.dtype) for a, s in zip(arrays, layout))
