"""Shared test networks run once per session, and the comparison of a backend's results with the oracle.

``run_network(name, paradigm)`` builds each test network of ``backend_networks.py`` once per (network, paradigm,
threads, duration) and session, and the NumPy reference runs once per network, so the whole suite needs
only a handful of C++ builds (later sessions hit the build cache).
"""
import numpy as np

import backend_networks

_RESULTS = {}


def run_network(name, paradigm, num_threads=1, duration=None):
    """Results of test network ``name`` (see ``backend_networks.py``) on ``paradigm``, memoised per session."""
    key = (name, paradigm, num_threads, duration)
    if key not in _RESULTS:
        _RESULTS[key] = backend_networks.run(name, paradigm, num_threads=num_threads, duration=duration)
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
