"""Equation parsing and numerical integration (sympy), shared by every backend.

``analyse_neuron`` / ``analyse_synapse`` parse and check a type's text blocks;
``integrate`` turns ODE statements into target-neutral update statements.
"""
from .analysis import (Analysis, GlobalOpDecl, RandomDecl, Statement, VarDecl, add_function,
                       analyse_neuron, analyse_synapse, clear_constants, clear_functions, constant_names,
                       declare_constant, functions_signature)
from .integration import Update, integrate, event_driven_update

__all__ = ["Analysis", "GlobalOpDecl", "RandomDecl", "Statement", "VarDecl", "add_function",
           "analyse_neuron", "analyse_synapse", "clear_constants", "clear_functions", "constant_names",
           "declare_constant", "functions_signature", "Update",
           "integrate", "event_driven_update"]
