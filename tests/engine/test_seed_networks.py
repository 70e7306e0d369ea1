"""Seed scripts run with only their import line changed."""
import os
import runpy
from pathlib import Path

import numpy as np
import pytest

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"


def run_script(name, paradigm="numpy", seed=1):
    from annstudio.engine import clear
    clear()
    os.environ["ANNSTUDIO_TEST_PARADIGM"] = paradigm
    os.environ["ANNSTUDIO_TEST_SEED"] = str(seed)
    try:
        return runpy.run_path(str(SCRIPTS / name))["RESULT"]
    finally:
        os.environ.pop("ANNSTUDIO_TEST_PARADIGM", None)
        os.environ.pop("ANNSTUDIO_TEST_SEED", None)


def test_izhikevich_network_has_plausible_activity():
    res = run_script("izhikevich_seed000.py")
    t, n = res["t"], res["n"]
    exc_rate = np.sum(n < 800) / 800.0      # Hz over 1 s
    inh_rate = np.sum(n >= 800) / 200.0
    assert 3.0 < exc_rate < 40.0 and 3.0 < inh_rate < 40.0
    assert res["v"].shape == (1000, 1000)
    assert res["fr"].sum() == t.size
    assert np.all(res["v"] <= 30.0 + 1e-9) or np.max(res["v"]) < 1e6


def test_same_seed_gives_identical_spikes():
    a = run_script("izhikevich_seed000.py", seed=5)
    b = run_script("izhikevich_seed000.py", seed=5)
    assert np.array_equal(a["t"], b["t"]) and np.array_equal(a["n"], b["n"])
