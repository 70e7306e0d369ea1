"""``from annstudio.engine import models``: the standard neuron and synapse types under ANNarchy's
``models`` module name (``models.Hebb``, ``models.Izhikevich``...), with its listing functions."""
from annstudio.core.library import NEURONS, SYNAPSES
from annstudio.core.library import *  # noqa: F401,F403
from annstudio.core.library import __all__ as _library_all


def list_standard_neurons():
    """The standard neuron types (classes)."""
    return list(NEURONS.values())


def list_standard_synapses():
    """The standard synapse types (classes)."""
    return list(SYNAPSES.values())


__all__ = [n for n in _library_all if n not in ("catalog", "NEURONS", "SYNAPSES")] + [
    "list_standard_neurons", "list_standard_synapses"]
