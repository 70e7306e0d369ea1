"""The one network description: plain Python data, no simulation.

Neuron and synapse types (their text forms), populations, projections with
declarative connectors, monitors and settings.  The ANNarchy-style script API
(``annstudio.session``) builds it, project files serialise it, the GUI edits it
and the IR lowering (``annstudio.codegen.ir``) reads it.
"""
from .distributions import (Distribution, Uniform, DiscreteUniform, Normal, LogNormal,
                            Exponential, Gamma, Binomial, distribution_from_dict, sample)
from .types import Neuron, Synapse, RateNeuron, SpikeNeuron
from .spec import (PopulationSpec, PopRef, ConnectorSpec, ProjectionSpec, MonitorSpec,
                   Settings, NetworkSpec, Segments)

__all__ = [
    "Distribution", "Uniform", "DiscreteUniform", "Normal", "LogNormal", "Exponential", "Gamma",
    "Binomial", "distribution_from_dict", "sample",
    "Neuron", "Synapse", "RateNeuron", "SpikeNeuron",
    "PopulationSpec", "PopRef", "ConnectorSpec", "ProjectionSpec", "MonitorSpec", "Settings",
    "NetworkSpec", "Segments",
]
