"""Shared fixtures: every test starts from a fresh default network."""
import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def fresh_network():
    from annstudio.engine import clear
    net = clear()
    net.setup(dt=1.0, seed=None, paradigm="numpy", num_threads=1)
    yield net
    clear()
