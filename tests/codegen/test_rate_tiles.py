"""Rate-coded sums on the C++ backend summed 8 rows at a time (tiles), including rows with a hole (an
all-to-all projection onto its own population leaves out each neuron's own rank): every bit as the NumPy
oracle, with silent and active inputs, odd sizes, views and several threads."""
import numpy as np
import pytest

import annstudio.engine as ann

pytestmark = pytest.mark.compiler

# seed 002's echo-state unit with its tanh and noise replaced by a clipped rate: the same sums, and nothing
# whose last bit may differ between libm and NumPy
ESN = ann.Neuron(parameters="tau = 30.0 : population",
                 equations="tau * dx/dt + x = sum(input) + sum(exc)\nr = x : min=-1.0, max=1.0",
                 name="TileESN")


def _reservoir(paradigm, threads, n=203):
    """An echo-state reservoir (seed 002, deterministic units) of ``n`` units, all-to-all onto itself
    (holes), driven by one input unit; a second population reads a view of it (rows over a shifted span),
    and a view projects onto an overlapping view of itself (holes in some rows only)."""
    ann.clear()
    ann.setup(dt=1.0, seed=9)
    inp = ann.Population(1, ann.Neuron(parameters="baseline = 0.0", equations="r = baseline"), name="inp")
    res = ann.Population(n, ESN, name="res")
    res.x = ann.Uniform(-0.1, 0.1)
    ann.Projection(inp, res, "input").connect_all_to_all(weights=ann.Uniform(-1.0, 1.0))
    ann.Projection(res, res, "exc").connect_all_to_all(weights=ann.Normal(0.0, 1.5 / np.sqrt(n)))
    lin = ann.Population(n - 40, ann.Neuron(equations="r = sum(exc)"), name="lin")
    ann.Projection(res[40:], lin, "exc").connect_all_to_all(weights=ann.Uniform(-0.2, 0.2))
    ann.Projection(res[17:], res[17:90], "input").connect_all_to_all(weights=ann.Uniform(-0.05, 0.05))
    m_res, m_lin = ann.Monitor(res, "r"), ann.Monitor(lin, "r")
    ann.compile(paradigm=paradigm, num_threads=threads)
    ann.simulate(30.0)                      # silent reservoir (x starts small, input 0)
    inp.baseline = 1.0
    ann.simulate(20.0)
    inp.baseline = 0.0
    ann.simulate(40.0)
    out = {"res": np.asarray(m_res.get("r")), "lin": np.asarray(m_lin.get("r"))}
    ann.clear()
    return out


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_reservoir_tiles_match_numpy(cpp_paradigm, threads):
    ref, got = _reservoir("numpy", 1), _reservoir(cpp_paradigm, threads)
    assert np.abs(ref["res"]).max() > 0.05 and np.isfinite(ref["res"]).all()
    for k in ref:
        np.testing.assert_array_equal(got[k], ref[k], err_msg=k)

