"""ANNarchy-compatible public API of annstudio.

``from annstudio.engine import *`` (or ``import annstudio.engine as ann``) runs
ANNarchy 4.x scripts with only the import line changed.  This module is the
facade: it re-exports the session layer (``annstudio.session``), the model
types and distributions, and the standard library; the engine's own
subpackages (``equations``, ``model``, ``simulation``) never import it.
"""
import numpy as np  # noqa: F401  (ANNarchy scripts use np after a star import)

from annstudio.engine.errors import (AnnstudioError, BuildError, EquationError, ModelError, ProjectError,
                                     SimulationError)
from annstudio.engine.model import (Binomial, DiscreteUniform, Exponential, Gamma, LogNormal, Neuron, Normal,
                                    RateNeuron, SpikeNeuron, Synapse, Uniform)
from annstudio.session import *  # noqa: F401,F403
from annstudio.session import __all__ as _session_all

__all__ = ["np", "AnnstudioError", "BuildError", "EquationError", "ModelError", "ProjectError",
           "SimulationError", "Binomial", "DiscreteUniform", "Exponential", "Gamma", "LogNormal", "Neuron",
           "Normal", "RateNeuron", "SpikeNeuron", "Synapse", "Uniform"] + list(_session_all)
from annstudio.engine.library import *  # noqa: F401,F403,E402  (standard neurons and synapses)
from annstudio.engine.library import __all__ as _lib_all  # noqa: E402

__all__ += list(_lib_all)
