"""Code generation: one IR (``ir``), printed by each backend.

Importing this package registers the available backends with
``annstudio.core.runtime``'s registry.
"""
from . import numpy_backend  # noqa: F401  (registers "numpy")
from .ir import NetworkData, NetworkIR, PopulationIR, ProjectionIR, lower

import importlib.util as _util

for _name in ("cpp", "cuda"):  # compiled backends register themselves when their modules exist
    if _util.find_spec(f"{__name__}.{_name}") is not None:
        importlib_module = __import__(f"{__name__}.{_name}", fromlist=["_"])

__all__ = ["NetworkData", "NetworkIR", "PopulationIR", "ProjectionIR", "lower"]
