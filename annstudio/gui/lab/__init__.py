"""The single-neuron lab (F-I curve, step response, phase plane) over ``session.neuron_lab``."""
from .panel import NeuronLabPanel

__all__ = ["NeuronLabPanel"]
