"""Equation parsing and numerical integration (sympy), shared by every backend.

``analyse_neuron`` / ``analyse_synapse`` parse and check a type's text blocks
against a :class:`Scope` (a network's functions and constants, passed
explicitly: there is no process-wide registry); ``integrate`` turns ODE
statements into target-neutral update statements.
"""
from .analysis import analyse_neuron, analyse_synapse
from .decls import Analysis, GlobalOpDecl, RandomDecl, Statement, VarDecl
from .integration import Update, integrate, event_driven_update
from .scope import EMPTY as EMPTY_SCOPE
from .scope import Scope, check_constant_name, parse_functions

__all__ = ["Analysis", "GlobalOpDecl", "RandomDecl", "Statement", "VarDecl", "analyse_neuron",
           "analyse_synapse", "Scope", "EMPTY_SCOPE", "check_constant_name", "parse_functions", "Update",
           "integrate", "event_driven_update"]
