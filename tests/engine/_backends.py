"""Backends the engine tests run on: NumPy always, OpenMP when it is available.

One test body runs on each (``paradigm`` fixture); compiled backends carry the
``compiler`` marker so they can be deselected.
"""
import pytest

import annstudio.codegen  # noqa: F401  (importing codegen registers the backends)
from annstudio.core.runtime import available_paradigms


def paradigm_params():
    params = [pytest.param("numpy", id="numpy")]
    if available_paradigms().get("openmp", "missing") is None:
        params.append(pytest.param("openmp", id="openmp", marks=pytest.mark.compiler))
    return params
