"""The OpenMP probe of the C++ toolchain (one compile of a tiny program) runs once per compiler and flags: a
success is remembered in the build cache, so that a new process's first build does not pay it again."""
import os
import subprocess

from annstudio.codegen.cpp import toolchain


def _no_compiler(*args, **kwargs):
    raise AssertionError("the probe ran again")


def test_probe_success_is_remembered_and_failure_is_not(temp_cache, cpp_paradigm, monkeypatch):
    cxx = toolchain.compiler()
    fl = toolchain.flags() + ("-O2",)            # valid, and not the installed runtime's flags: a real probe
    toolchain._check_openmp.cache_clear()
    assert toolchain._check_openmp(cxx, fl) is None
    record = toolchain._probe_record(cxx, fl)
    assert record.startswith(str(temp_cache)) and os.path.exists(record)
    # a new process (the in-memory cache cleared): the record answers, no compiler runs
    toolchain._check_openmp.cache_clear()
    monkeypatch.setattr(subprocess, "run", _no_compiler)
    assert toolchain._check_openmp(cxx, fl) is None
    monkeypatch.undo()
    monkeypatch.setenv("ANNSTUDIO_CACHE", str(temp_cache))
    # flags the compiler refuses: a reason, and nothing remembered
    bad = toolchain.flags() + ("-fno-such-annstudio-flag",)
    toolchain._check_openmp.cache_clear()
    reason = toolchain._check_openmp(cxx, bad)
    assert reason and "cannot build OpenMP" in reason
    assert not os.path.exists(toolchain._probe_record(cxx, bad))
    toolchain._check_openmp.cache_clear()


def test_kernels_link_with_gold_where_installed(temp_cache, cpp_paradigm):
    """binutils' gold links a kernel in about half the default linker's time (part of every first build)."""
    import shutil

    import annstudio.engine as ann
    from annstudio.session.context import current_network
    if not shutil.which("ld.gold"):
        assert toolchain.linker_flags() == ()
        return
    assert toolchain.linker_flags() == ("-fuse-ld=gold",)
    ann.clear()
    ann.setup(dt=1.0, seed=1)
    ann.Population(3, ann.Neuron(parameters="k = 0.5", equations="dv/dt = k"), name="gold")
    ann.compile(paradigm="openmp")
    with open(current_network()._sim.backend.kernel_path, "rb") as f:
        assert b"gold 1." in f.read()            # gold's version note (NT_GNU_GOLD_VERSION)
    ann.clear()
