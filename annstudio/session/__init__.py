"""Session layer: compiled, running networks and the ANNarchy-style facade.

``Simulation`` runs a ``NetworkSpec`` through the backend registry; the facade
classes (``Population``, ``Projection``, ``Monitor``, ``Network``) and functions
(``setup``, ``compile``, ``simulate``...) build specs the way ANNarchy scripts do.
"""
from .simulation import Progress, Simulation
from .population import IndividualNeuron, Population, PopulationView
from .projection import CSR, Dendrite, Projection
from .monitor import Monitor
from .network import Network, default_network
from .special import *  # noqa: F401,F403
from .api import *  # noqa: F401,F403
from .api import __all__ as _api_all
from .special import __all__ as _special_all
from .analysis_tools import *  # noqa: F401,F403
from .analysis_tools import __all__ as _tools_all
from .extras import *  # noqa: F401,F403
from .extras import __all__ as _extras_all
from .convolution import Convolution, Copy, Pooling
from . import structural as _structural

_structural.install()   # Dendrite.create_synapse/prune_synapse, Projection.start_pruning/start_creating

__all__ = ["Progress", "Simulation", "IndividualNeuron", "Population", "PopulationView", "CSR", "Dendrite",
           "Projection", "Monitor", "Network", "default_network"] + list(_api_all) + list(_special_all) + list(_tools_all) + list(_extras_all) + \
    ["Convolution", "Copy", "Pooling"]
