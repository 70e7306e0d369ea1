"""The suite's one backend parametrisation (a pytest plugin, registered by tests/conftest.py).

``paradigm`` runs a test body on every backend ``available_paradigms()`` reports usable here: NumPy always,
OpenMP where a C++ compiler is found, CUDA where nvcc and a GPU are present.  ``compiled_paradigm`` is the
same list without NumPy: the backends a test compares with the NumPy oracle (never NumPy with itself).
``cpp_paradigm`` is the C++ backend alone.  Compiled backends carry the ``compiler`` marker (CUDA also
``cuda``) so they can be deselected.  Where no compiled backend exists, the compiled fixtures yield one
explicit skip naming the missing toolchain; nothing else is skipped.  ``setup_backend(paradigm, dt, seed)``
is a test body's first line; ``assert_same_run`` compares two runs of one network (bit for bit, except CUDA).

Other conftests build on ``backend_params`` (tests/codegen/cuda adds its CPU emulation of the CUDA kernels).
"""
import os

import numpy as np
import pytest

import annstudio.engine as ann  # (the facade first, as applications import it)
import annstudio.codegen  # noqa: F401  (importing codegen registers the compiled backends)
from annstudio.codegen import cache as build_cache
from annstudio.core.runtime import available_paradigms

COMPILED_MARKS = {"openmp": [pytest.mark.compiler], "cuda": [pytest.mark.compiler, pytest.mark.cuda]}

# The CUDA backend adds synaptic inputs with atomics, in an order that changes from run to run, so two runs of
# one network agree in all but the last bits there (on an H100, 60 ms of the Izhikevich gallery network: 8e-12
# relative).  Where two runs must agree bit for bit, a CUDA run may differ by this much (a wrong value, a
# missed reset or a lost step differs by many orders of magnitude more).
RUN_TO_RUN_RTOL = {"cuda": 1e-8}


def assert_same_run(got, want, paradigm=None, err_msg=""):
    """The arrays of two runs of one network: equal element for element (floats within RUN_TO_RUN_RTOL on CUDA)."""
    got, want = np.asarray(got), np.asarray(want)
    rtol = RUN_TO_RUN_RTOL.get(paradigm)
    if rtol is None or got.dtype.kind not in "fc" or want.dtype.kind not in "fc":
        np.testing.assert_array_equal(got, want, err_msg=err_msg)
    else:
        np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol, err_msg=err_msg)


def backend_params(include_numpy=True):
    """One ``pytest.param`` per usable backend, NumPy first."""
    params = []
    for name, reason in sorted(available_paradigms().items(), key=lambda kv: (kv[0] != "numpy", kv[0])):
        if reason is not None or (name == "numpy" and not include_numpy):
            continue
        params.append(pytest.param(name, id=name, marks=COMPILED_MARKS.get(name, [pytest.mark.compiler])))
    return params


def compiled_params():
    return backend_params(include_numpy=False) or [pytest.param(None, marks=pytest.mark.skip(
        reason="no compiled backend is available (no C++ compiler found)"))]


def cpp_params():
    return [p for p in compiled_params() if p.values[0] == "openmp"] or [pytest.param(None, marks=pytest.mark.skip(
        reason="no C++ compiler found"))]


def setup_backend(paradigm, dt=1.0, seed=1, **settings):
    """A test body's first line: a fresh default network on ``paradigm`` with its time step and seed."""
    ann.clear()
    ann.setup(paradigm=paradigm, dt=dt, seed=seed, **settings)


@pytest.fixture(params=backend_params())
def paradigm(request):
    """Every usable backend, NumPy included (the default network is fresh: see ``fresh_network``)."""
    return request.param


@pytest.fixture(params=compiled_params())
def compiled_paradigm(request):
    """Every usable compiled backend: the ones a test compares with the NumPy oracle."""
    return request.param


@pytest.fixture(params=cpp_params())
def cpp_paradigm(request):
    """The C++ backend only: its build cache, its thread blocks and its bit-for-bit sums.  (The CUDA
    backend's atomics make sums differ in the last bits from run to run; tests/codegen/cuda checks it.)"""
    return request.param


@pytest.fixture
def temp_cache(tmp_path, monkeypatch):
    """A fresh ANNSTUDIO_CACHE holding only the network-independent binding and runtime of the real cache
    (linked, not copied: they are content-addressed and locked, and a developer's cache can hold many
    runtime builds of ~40 MB each, which copied into every test's folder once filled the disk).  It needs no
    compiler: a test that builds C++ asks for ``cpp_paradigm`` too (a GPU machine may have nvcc and no OpenMP)."""
    real = build_cache.cache_root()
    for once in ("binding", "openmp-runtime"):
        if os.path.isdir(os.path.join(real, once)):
            os.symlink(os.path.join(real, once), tmp_path / once, target_is_directory=True)
    monkeypatch.setenv("ANNSTUDIO_CACHE", str(tmp_path))
    yield tmp_path
    ann.clear()
