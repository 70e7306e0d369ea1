"""The seed networks written for ANNarchy 5 (``net.create`` style, tests/scripts/ann5/*.py) run on annstudio
with only their import line changed and give ANNarchy 5.0.4.1's statistics, on NumPy and on C++.

The reference numbers were measured on ANNarchy 5.0.4.1 (benchmarks/peers/setup.sh venv) with
``benchmarks/peers/annarchy5_seeds.py``, which runs the same script files unchanged.  Spiking networks draw
their noise and Poisson spikes from each simulator's own generator, so their statistics agree within 5 %;
the IBCM and echo-state networks take every random number from NumPy in the script, so they agree to 1e-5.
One seed is one realization: ``annarchy5_seeds.py --seeds 1,2,...`` compares means over seeds (COBA's rates
vary by up to 15 % from one connectivity draw to the next, in ANNarchy as here).
"""
from pathlib import Path

import pytest

from backend_fixtures import setup_backend

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts" / "ann5"
ANNARCHY_IMPORT = "import ANNarchy as ann"

# Measured on ANNarchy 5.0.4.1 with benchmarks/peers/annarchy5_seeds.py (one JSON line per script).
ANNARCHY_5 = {
    "izhikevich": {"rate_exc": 8.796875, "rate_inh": 9.355, "mean_v": -68.35805080239727},
    "coba": {"rate_exc": 20.476171875000002, "rate_inh": 20.940625},
    "hybrid": {"poisson_10hz": 10.002222222222223, "decoded_10hz": 10.126472689594356,
               "poisson_50hz": 49.81111111111111, "decoded_50hz": 50.012819867724865,
               "poisson_100hz": 100.58666666666667, "decoded_100hz": 100.6744281128748,
               "poisson_0hz_spikes": 0.0},
    "stdp": {"mean_w": 0.4820796517426479, "frac_w_high": 0.48275, "rate_out": 73.56666666666666},
    "stp": {"rate_out": 34.93333333333333, "mean_x": 0.14046269455223323, "mean_u": 0.7917237726941543},
    "ibcm": {"mean_r_after_1s": 0.4466979773411134, "mean_theta": 0.6401311460829808,
             "mean_w": 0.01581779369450452},
    "echo_state": {"mean_abs_r": 0.48152780552577984, "std_r": 0.5526361191383838,
                   "mean_abs_r_last": 0.46871730082637586},
}
DETERMINISTIC = {"ibcm", "echo_state"}


def run_annarchy5_script(name, paradigm):
    """Execute the script with its import line (and nothing else) changed; its ``RESULT`` dict."""
    source = (SCRIPTS / f"{name}.py").read_text()
    assert source.count(ANNARCHY_IMPORT) == 1
    source = source.replace(ANNARCHY_IMPORT, "import annstudio.engine as ann")
    setup_backend(paradigm)          # the default settings a new Network starts from: the backend
    namespace = {"__name__": "__main__"}
    exec(compile(source, str(SCRIPTS / f"{name}.py"), "exec"), namespace)
    return namespace["RESULT"]


def check(result, reference, deterministic):
    assert sorted(result) == sorted(reference)
    for key, ref in reference.items():
        if deterministic:
            assert result[key] == pytest.approx(ref, rel=1e-5), key
        elif ref == 0.0:
            assert result[key] == 0.0, key
        else:
            assert result[key] == pytest.approx(ref, rel=0.05), key


@pytest.mark.parametrize("name", sorted(ANNARCHY_5))
def test_annarchy5_seed_network_on_numpy(name):
    check(run_annarchy5_script(name, "numpy"), ANNARCHY_5[name], name in DETERMINISTIC)


@pytest.mark.parametrize("name", sorted(ANNARCHY_5))
def test_annarchy5_seed_network_on_cpp(name, cpp_paradigm):
    check(run_annarchy5_script(name, cpp_paradigm), ANNARCHY_5[name], name in DETERMINISTIC)


def test_scripts_use_the_network_style():
    for name in ANNARCHY_5:
        source = (SCRIPTS / f"{name}.py").read_text()
        assert "net = ann.Network(" in source and "net.create(" in source and "net.compile()" in source
        assert not any(f"ann.{f}(" in source for f in ("setup", "compile", "simulate", "Population",
                                                        "Projection", "Monitor"))
