"""The build cache: keyed by the network's code, compiler flags and annstudio version; locked builds."""
import multiprocessing
import os

import numpy as np
import pytest

import annstudio.engine as ann
from annstudio.session.context import current_network

pytestmark = pytest.mark.compiler


def _build(paradigm, tau="10.0", equation="tau * dv/dt = I - v", I=1.0, threads=1):
    ann.clear()
    ann.setup(dt=1.0, seed=3)
    neuron = ann.Neuron(parameters=f"tau = {tau}\nI = 0.0", equations=equation, spike="v > 100.0",
                        reset="v = 0.0", name="Tiny")
    pop = ann.Population(5, neuron, name="tiny")
    pop.I = I
    ann.compile(paradigm=paradigm, num_threads=threads)
    return current_network()._sim


def _kernels(root):
    d = os.path.join(root, "openmp")
    return sorted(os.listdir(d)) if os.path.isdir(d) else []


def test_unchanged_network_is_not_rebuilt(temp_cache, cpp_paradigm):
    first = _build(cpp_paradigm)
    assert first.backend.built
    second = _build(cpp_paradigm)
    assert not second.backend.built and second.backend.build_time < 1.0
    assert len([k for k in _kernels(temp_cache) if not k.endswith(".lock")]) == 1


def test_changed_values_are_not_rebuilt(temp_cache, cpp_paradigm):
    _build(cpp_paradigm)
    again = _build(cpp_paradigm, tau="25.0", I=3.0, threads=2)
    assert not again.backend.built
    again.simulate(5.0)
    v = again.get("tiny", "v")
    expected = 0.0
    for _ in range(5):
        expected = expected + 1.0 * (3.0 - expected) / 25.0
    assert np.allclose(v, expected)


def test_changed_equation_is_rebuilt(temp_cache, cpp_paradigm):
    _build(cpp_paradigm)
    other = _build(cpp_paradigm, equation="tau * dv/dt = I - 2.0 * v")
    assert other.backend.built
    assert len([k for k in _kernels(temp_cache) if not k.endswith(".lock")]) == 2


def _child(paradigm, cache, queue):
    os.environ["ANNSTUDIO_CACHE"] = cache
    sim = _build(paradigm)
    sim.simulate(20.0)
    queue.put(sim.get("tiny", "v").tolist())


def test_concurrent_builds_do_not_corrupt_the_cache(temp_cache, cpp_paradigm):
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_child, args=(cpp_paradigm, str(temp_cache), queue)) for _ in range(2)]
    for p in procs:
        p.start()
    results = [queue.get(timeout=600) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    assert results[0] == results[1]
    entries = [k for k in _kernels(temp_cache) if not k.endswith(".lock")]
    assert len(entries) == 1
    files = os.listdir(os.path.join(temp_cache, "openmp", entries[0]))
    assert "kernel.so" in files and not any(f.endswith(".tmp") for f in files)
    # and the entry loads in the parent
    assert not _build(cpp_paradigm).backend.built


def _cycle_child(paradigm, cache, queue):
    import gc

    from annstudio.codegen import compiled
    os.environ["ANNSTUDIO_CACHE"] = cache
    sim = _build(paradigm)
    sim.simulate(3.0)
    kernel = compiled._KERNELS.pop(sim.backend.kernel_path)
    collected = 0
    for first in (True, False):       # the collector empties objects in the order they were made
        inst = kernel.create(sim.backend.arrays, 2, 1)
        inst.run(3)
        holder = [inst, kernel] if first else [kernel, inst]
        holder.append(holder)
        del inst, holder
        collected += gc.collect()
    del kernel
    ann.clear()
    queue.put(collected)


def test_kernel_instances_dying_in_a_reference_cycle_free_cleanly(temp_cache, cpp_paradigm):
    """A kernel instance and its library object caught in garbage cycles (as at interpreter exit) are freed
    without a crash: the benchmark script used to end in a segmentation fault here."""
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_cycle_child, args=(cpp_paradigm, str(temp_cache), queue))
    proc.start()
    proc.join(timeout=600)
    assert proc.exitcode == 0, f"child ended with {proc.exitcode} (negative: killed by that signal)"
    assert queue.get(timeout=5) >= 2
