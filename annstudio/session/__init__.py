"""Session layer: compiled, running networks and the ANNarchy-style facade.

``Simulation`` runs a ``NetworkSpec`` through the backend registry (filled here,
explicitly, by ``codegen.register_all``); the facade
classes (``Population``, ``Projection``, ``Monitor``, ``Network``) and functions
(``setup``, ``compile``, ``simulate``...) build specs the way ANNarchy scripts do.
"""
from annstudio import codegen
from annstudio.core.runtime import registry as _registry

from .simulation import Progress, Simulation
from .population import IndividualNeuron, Population, PopulationView
from .projection import CSR, Dendrite, Projection
from .monitor import Monitor
from .context import default_network
from .network import Network
from .special import *  # noqa: F401,F403
from .api import *  # noqa: F401,F403
from .api import __all__ as _api_all
from .special import __all__ as _special_all
from .analysis_tools import *  # noqa: F401,F403
from .analysis_tools import __all__ as _tools_all
from .extras import *  # noqa: F401,F403
from .extras import __all__ as _extras_all
from .convolution import Convolution, Copy, Pooling

codegen.register_all(_registry)   # the session layer is where backends meet their users: named once, here

__all__ = (["Progress", "Simulation", "IndividualNeuron", "Population", "PopulationView", "CSR", "Dendrite",
            "Projection", "Monitor", "Network", "default_network"] + list(_api_all) + list(_special_all)
           + list(_tools_all) + list(_extras_all) + ["Convolution", "Copy", "Pooling"])
