"""The equation editor: text blocks of neuron and synapse types with
highlighting, validation as you type and completion."""
from .editor import EquationEditor

__all__ = ["EquationEditor"]
