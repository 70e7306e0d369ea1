"""Precision plumbing of the script APIs: 4.x ``setup(precision=...)`` (also ANNarchy 4's ``"float"`` /
``"double"``), ANNarchy 5's ``net.config(dtype=float32)`` (its real signature: ``Network(dt, seed)`` and
``config(**kwargs)``) and ``Network(dtype=...)`` (also through a subclass), the default staying float64; a
bad value is a located error; a network built in float32 holds float32 state."""
import numpy as np
import pytest

import annstudio.engine as ann
from annstudio.core.errors import ModelError


@pytest.fixture(autouse=True)
def _double_afterwards():
    """Precision is a setting of the default network, which clear() keeps: back to float64 after each test."""
    ann.clear()
    yield
    ann.clear()
    ann.setup(precision="float64")


def test_float64_is_the_default():
    assert ann.Network().spec.settings.precision == "float64"


@pytest.mark.parametrize("value,expected", [("float32", "float32"), ("float", "float32"), (np.float32, "float32"),
                                            ("double", "float64"), (np.float64, "float64"), ("float64", "float64")])
def test_precision_names(value, expected):
    ann.clear()
    ann.setup(precision=value)
    assert ann.Network().spec.settings.precision == expected
    net = ann.Network(dtype=value)
    assert net.spec.settings.precision == expected
    net = ann.Network()
    net.config(dtype=value)
    assert net.spec.settings.precision == expected


@pytest.mark.parametrize("value", ["float16", "half", 3, "int32"])
def test_bad_precision_is_a_located_error(value):
    with pytest.raises(ModelError) as err:
        ann.setup(precision=value)
    assert "precision" in str(err.value) and "setup" in str(err.value.where)
    with pytest.raises(ModelError) as err:
        ann.Network().config(dtype=value)
    assert "Network.config" in str(err.value.where)


class Sub(ann.Network):
    def __init__(self, n):
        self.pop = self.create(n, ann.Neuron(equations="tau * dr/dt + r = 1.0 : init = 0.0",
                                             parameters="tau = 10.0"))


@pytest.mark.parametrize("how", ["setup", "config", "constructor", "subclass"])
def test_a_float32_network_holds_float32_state(how):
    if how == "setup":
        ann.setup(precision="float32")
    if how == "subclass":
        net = Sub(5, dt=1.0, dtype=ann.float32)
    else:
        net = ann.Network(dtype=ann.float32) if how == "constructor" else ann.Network()
        if how == "config":
            net.config(dtype=ann.float32)
        net.pop = net.create(5, ann.Neuron(equations="tau * dr/dt + r = 1.0 : init = 0.0", parameters="tau = 10.0"))
    net.compile(paradigm="numpy")
    net.simulate(3.0)
    r = net.pop.r
    assert r.dtype == np.float32
    # three float32 Euler steps of r += dt * (1 - r) / tau
    x = np.float32(0.0)
    for _ in range(3):
        x = np.float32(x + np.float32(np.float32(1.0) * (np.float32(1.0) - x)) / np.float32(10.0))
    assert np.allclose(r, x, rtol=1e-6)
