"""Backend-parametrised fixtures: one test body runs on every registered backend that is available.

``paradigm`` lists ``available_paradigms()`` (numpy always; openmp where a C++ compiler is found; cuda
when its engineer registers it and a GPU is present).  Compiled backends carry the ``compiler`` marker
(cuda also ``cuda``).  Networks are shared: ``run_network(name, paradigm)`` builds each test network once
per (network, paradigm, threads) and session, and the NumPy reference runs once per network, so the whole
suite needs only a handful of C++ builds (later sessions hit the build cache).
"""
import numpy as np
import pytest

import annstudio.codegen  # noqa: F401  (importing codegen registers the backends)
import annstudio.engine as ann
from annstudio.core.runtime import available_paradigms

import networks

COMPILED_MARKS = {"openmp": [pytest.mark.compiler], "cuda": [pytest.mark.compiler, pytest.mark.cuda]}


def backend_params(include_numpy=True):
    params = []
    for name, reason in sorted(available_paradigms().items(), key=lambda kv: (kv[0] != "numpy", kv[0])):
        if reason is not None or (name == "numpy" and not include_numpy):
            continue
        params.append(pytest.param(name, id=name, marks=COMPILED_MARKS.get(name, [pytest.mark.compiler])))
    return params


def compiled_params():
    return backend_params(include_numpy=False) or [pytest.param(None, marks=pytest.mark.skip(
        reason="no compiled backend is available"))]


def cpp_params():
    return [p for p in compiled_params() if p.values[0] == "openmp"] or [pytest.param(None, marks=pytest.mark.skip(
        reason="no C++ compiler"))]


@pytest.fixture(params=backend_params())
def paradigm(request):
    return request.param


@pytest.fixture(params=compiled_params())
def compiled_paradigm(request):
    return request.param


@pytest.fixture(params=cpp_params())
def cpp_paradigm(request):
    """The C++ backend only: its build cache, its thread blocks and its bit-for-bit sums.  (The CUDA
    backend's atomics make sums differ in the last bits from run to run; tests/cuda checks it.)"""
    return request.param


_RESULTS = {}


def run_network(name, paradigm, num_threads=1, duration=None):
    """Results of test network ``name`` (see ``networks.py``) on ``paradigm``, memoised per session."""
    key = (name, paradigm, num_threads, duration)
    if key not in _RESULTS:
        _RESULTS[key] = networks.run(name, paradigm, num_threads=num_threads, duration=duration)
    return _RESULTS[key]


def assert_same_results(ref, got, rtol=1e-12, loose=("fn:",), loose_rtol=1e-9):
    """Spikes identical, variables equal to ``rtol`` relative.

    The relative error of a value is taken against ``max(|value|, 1e-3 * max |variable|)``: values that
    pass near 0 by cancellation (a plastic weight, a conductance) are compared at the variable's scale.
    Deterministic networks without transcendental functions match bit for bit; ``exp``/``tanh`` of
    NumPy's SIMD loops and of the C library differ by at most 1 ulp in a few percent of arguments."""
    assert ref.keys() == got.keys()
    for key in ref:
        a, b = ref[key], got[key]
        if key.endswith(":spike"):
            assert len(a) == len(b), key
            for r, (x, y) in enumerate(zip(a, b)):
                assert list(x) == list(y), f"{key} neuron {r}: {list(x)[:8]} != {list(y)[:8]}"
        else:
            tol_here = loose_rtol if key.startswith(loose) else rtol
            a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
            assert a.shape == b.shape, key
            scale = np.maximum(np.abs(a), 1e-300)
            err = np.abs(a - b)
            tol = tol_here * np.maximum(np.abs(a), 1e-3 * (np.max(np.abs(a)) if a.size else 1.0))
            bad = err > tol
            assert not bad.any(), f"{key}: max relative error {np.max(err / scale)} at {np.argwhere(bad)[:3].tolist()}"


@pytest.fixture
def clean_default_network():
    ann.clear()
    yield
    ann.clear()
