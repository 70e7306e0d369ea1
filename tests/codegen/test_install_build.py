"""Install-time builds (setup.py): the runtime library and the binding built by ``pip install`` are used when
they fit the current sources and compiler, ignored when not, and a missing compiler never fails installation."""
import importlib.util
import os
import sys

import numpy as np
import pytest

import annstudio.engine as ann
from annstudio.codegen.cpp import backend as cpp_backend
from annstudio.codegen.cpp import binding, toolchain
from annstudio.session.context import current_network

pytestmark = pytest.mark.compiler
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _setup_module():
    spec = importlib.util.spec_from_file_location("_annstudio_setup_under_test", os.path.join(REPO, "setup.py"))
    module = importlib.util.module_from_spec(spec)
    import setuptools
    real_setup = setuptools.setup
    setuptools.setup = lambda **kw: None          # load the module without running a build
    try:
        spec.loader.exec_module(module)
    finally:
        setuptools.setup = real_setup
    return module


def _decay(paradigm):
    ann.clear()
    ann.setup(dt=1.0, seed=3)
    neuron = ann.Neuron(parameters="tau = 10.0\nI = 2.0", equations="tau * dv/dt = I - v", name="Decay")
    ann.Population(4, neuron, name="decay")
    ann.compile(paradigm=paradigm)
    sim = current_network()._sim
    sim.simulate(6.0)
    return sim


def test_prebuilt_runtime_is_used_when_its_stamp_fits(tmp_path, monkeypatch, cpp_paradigm):
    monkeypatch.setenv("ANNSTUDIO_CACHE", str(tmp_path / "cache"))
    pre = tmp_path / "prebuilt"
    assert toolchain.prebuild_runtime(str(pre)) is None
    assert sorted(os.listdir(pre)) == ["annstudio_runtime.h", "annstudio_runtime.h.gch", "libannstudio_rt.so",
                                       "stamp.txt"]
    monkeypatch.setattr(toolchain, "PREBUILT_DIR", str(pre))
    assert cpp_backend.build_runtime() == str(pre)
    assert not os.path.isdir(tmp_path / "cache" / "openmp-runtime")     # nothing built at first use
    sim = _decay(cpp_paradigm)
    assert sim.backend.built
    expected = 0.0
    for _ in range(6):
        expected = expected + (2.0 - expected) / 10.0
    np.testing.assert_allclose(sim.get("decay", "v"), expected, rtol=1e-12)
    ann.clear()


def test_stale_prebuilt_runtime_is_ignored(tmp_path, monkeypatch):
    monkeypatch.setenv("ANNSTUDIO_CACHE", str(tmp_path / "cache"))
    pre = tmp_path / "prebuilt"
    assert toolchain.prebuild_runtime(str(pre)) is None
    (pre / "stamp.txt").write_text("built from other sources")
    monkeypatch.setattr(toolchain, "PREBUILT_DIR", str(pre))
    assert toolchain.prebuilt_runtime() is None
    built = cpp_backend.build_runtime()
    assert built != str(pre) and built.startswith(str(tmp_path / "cache"))


def test_binding_with_another_source_hash_is_not_used(monkeypatch):
    fake = type(sys)("annstudio.codegen.cpp._annstudio_binding")
    fake.SOURCE_HASH = "0" * 64
    monkeypatch.setitem(sys.modules, "annstudio.codegen.cpp._annstudio_binding", fake)
    monkeypatch.setattr(binding, "_MODULE", None)
    module = binding.load_binding()
    assert module is not fake and module.SOURCE_HASH == binding.source_hash()
    assert hasattr(module, "Kernel")


def test_install_without_compiler_succeeds_and_first_use_explains(tmp_path, monkeypatch, capsys):
    setup_module = _setup_module()
    monkeypatch.setenv("CXX", str(tmp_path / "no-such-compiler"))
    toolchain._check_openmp.cache_clear()
    from setuptools import Distribution
    cmd = setup_module.BuildExt(Distribution())
    cmd.initialize_options()
    cmd.build_lib = str(tmp_path / "lib")
    cmd.inplace = False
    cmd._runtime(cmd._package_dir())                 # warns, never raises
    err = capsys.readouterr().err
    assert "runtime library was not built at install" in err and "no-such-compiler" in err
    assert not os.path.exists(tmp_path / "lib" / "annstudio" / "codegen" / "cpp" / "_prebuilt" / "stamp.txt")
    reason = toolchain.availability()
    assert reason and "no-such-compiler" in reason
    toolchain._check_openmp.cache_clear()
