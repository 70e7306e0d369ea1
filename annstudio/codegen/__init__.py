"""Code generation: one value-free IR (``ir``), built by ``lowering`` next to its values (``data``),
printed by each backend (``numpy_backend``, ``cpp``, ``cuda``; the compiled ones share ``compiled``,
``layout`` and ``cache``).

``register_all(registry)`` registers the backends with a registry (the session layer calls it with
``annstudio.core.runtime.registry``); importing this package registers nothing.
"""
from . import cpp, cuda, numpy_backend
from .data import NetworkData
from .ir import NetworkIR, PopulationIR, ProjectionIR, Variable
from .lowering import lower


def register_all(registry):
    """Register every backend of this package (``numpy``, ``openmp``, ``cuda``) with ``registry``, an
    object with ``register_backend(name, factory, availability, description)``."""
    for backend in (numpy_backend, cpp, cuda):
        backend.register(registry)


__all__ = ["register_all", "NetworkData", "NetworkIR", "PopulationIR", "ProjectionIR", "Variable", "lower"]
