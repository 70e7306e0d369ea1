"""Suite-wide fixtures: every test starts from a fresh default network; the backend parametrisation
(``paradigm``, ``compiled_paradigm``, ``cpp_paradigm``) comes from the ``backend_fixtures`` plugin.

Layout: tests/<package> tests annstudio/<package> (core, codegen with codegen/cuda, session, project, gui);
tests/engine runs ANNarchy-style scripts through the facade.  The folders are not packages (pytest's
default "prepend" import mode), so every test module and helper module needs a name unique in the whole
tree; helpers shared across folders live here (backend_fixtures, reference_networks, restructure_network).
"""
import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# headless figures: an exported script run in this process must not open (and wait on) a window
os.environ.setdefault("MPLBACKEND", "Agg")

pytest_plugins = ["backend_fixtures"]


@pytest.fixture(autouse=True)
def fresh_network():
    from annstudio.engine import clear
    net = clear()
    net.setup(dt=1.0, seed=None, paradigm="numpy", num_threads=1)
    yield net
    clear()
