"""ANNarchy-compatible public API of annstudio: the package users import.

``from annstudio.engine import *`` (or ``import annstudio.engine as ann``) runs
ANNarchy 4.x scripts with only the import line changed.  This module is an
eager facade at the top of the layers: it re-exports the session layer
(``annstudio.session``), the model types and distributions
(``annstudio.core.model``), the error tree and the standard library
(``annstudio.core.library``).  Nothing inside annstudio imports it.
"""
import numpy as np

from annstudio.core.errors import (AnnstudioError, BuildError, EquationError, ModelError, ProjectError,
                                   SimulationError)
from annstudio.core.model import (Binomial, DiscreteUniform, Exponential, Gamma, LogNormal, Neuron, Normal,
                                  RateNeuron, SpikeNeuron, Synapse, Uniform)
from annstudio.core.model.declarations import Parameter, Variable
from annstudio.core.model.structural import Creating, Pruning
from annstudio.session.csr import CSR as LILConnectivity   # ANNarchy's name for the same builder
from annstudio.core.library import *  # noqa: F401,F403
from annstudio.core.library import __all__ as _library_all
from annstudio.core.library.bold import (BOLD_MODELS, BoldModel, balloon_CL, balloon_CN,  # noqa: F401
                                         balloon_maith2021, balloon_RL, balloon_RN, balloon_two_inputs)
from annstudio.session.bold import BoldMonitor, BoldMonitorFromSlices
from annstudio.session import *  # noqa: F401,F403
from annstudio.session import __all__ as _session_all
from annstudio.session.image import ImagePopulation, VideoPopulation
from annstudio.session.tensorboard import Logger
from annstudio.session.ann_to_snn import ANNtoSNNConverter
from annstudio.session.network_manager import NetworkManager

float32, float64 = np.float32, np.float64      # ANNarchy 5's dtype names (config(dtype=...))

__all__ = (["np", "float32", "float64", "NetworkManager", "ImagePopulation", "VideoPopulation", "Logger", "ANNtoSNNConverter", "Parameter", "Variable", "Creating", "Pruning", "LILConnectivity", "AnnstudioError", "BuildError", "EquationError", "ModelError", "ProjectError",
            "SimulationError", "Binomial", "DiscreteUniform", "Exponential", "Gamma", "LogNormal", "Neuron",
            "Normal", "RateNeuron", "SpikeNeuron", "Synapse", "Uniform"]
           + [n for n in _session_all] + [n for n in _library_all if n not in _session_all]
           + ["BoldModel", "BoldMonitor", "BoldMonitorFromSlices"] + list(BOLD_MODELS))   # extensions.bold
