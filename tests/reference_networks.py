"""The reference networks for the tests: benchmarks/networks.py, their one definition, loaded by path.

benchmarks/ is a folder of scripts, not a package; the module is registered as ``benchmark_networks`` so it
is executed once per session whichever test folder asks for it.
"""
import importlib.util
import sys
from pathlib import Path

_NAME = "benchmark_networks"
_PATH = Path(__file__).resolve().parents[1] / "benchmarks" / "networks.py"

if _NAME not in sys.modules:
    _spec = importlib.util.spec_from_file_location(_NAME, _PATH)
    sys.modules[_NAME] = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(sys.modules[_NAME])
_module = sys.modules[_NAME]

COBA_NEURON = _module.COBA_NEURON
coba = _module.coba
izhikevich = _module.izhikevich
