"""Declarative records for populations, projections, monitors and settings: the network description.

A ``NetworkSpec`` holds data only (names, numbers, arrays, distributions, type texts; a
``connect_with_func`` method is the one user callable): projections name their populations through
``PopRef``s, never through session objects.  Its ``functions`` and ``constants`` are the network's
own; ``scope()`` hands them to the equation analysis.
"""
from dataclasses import dataclass, field
from typing import Any, Optional

import numpy as np

from ..equations import Scope
from ..errors import ModelError
from .types import Neuron, Synapse


@dataclass
class Settings:
    dt: float = 1.0
    seed: Optional[int] = None
    paradigm: str = "openmp"
    num_threads: int = 1
    structural_plasticity: bool = False
    precision: str = "float64"          # "float64" or "float32": state, weights and arithmetic

    def check(self):
        if not (isinstance(self.dt, (int, float)) and self.dt > 0):
            raise ModelError(f"dt must be a positive number, got {self.dt!r}", where="setup")
        if self.paradigm not in ("numpy", "openmp", "cuda"):
            raise ModelError(f"unknown paradigm {self.paradigm!r}; use 'numpy', 'openmp' or 'cuda'",
                             where="setup")
        if not (isinstance(self.num_threads, int) and self.num_threads >= 1):
            raise ModelError("num_threads must be a positive integer", where="setup")
        self.precision = precision_name(self.precision)


PRECISIONS = ("float64", "float32")
_PRECISION_ALIASES = {"float64": "float64", "double": "float64", "f8": "float64", "float32": "float32",
                      "float": "float32", "single": "float32", "f4": "float32"}


def precision_name(value, where="setup"):
    """``"float64"`` or ``"float32"`` for a precision given as a name (``"float32"``, ANNarchy 4's ``"float"`` /
    ``"double"``), a NumPy dtype or type, or ANNarchy 5's ``float32``/``float64`` objects; else a located error."""
    name = value
    if not isinstance(value, str):
        name = getattr(value, "__name__", None) or getattr(value, "name", None) or str(value)
        try:
            name = np.dtype(value).name
        except TypeError:
            pass
    key = str(name).strip().lower()
    if key.startswith("numpy."):
        key = key[6:]
    if key not in _PRECISION_ALIASES:
        raise ModelError(f"unknown precision {value!r}: use 'float64' (the default) or 'float32'", where=where)
    return _PRECISION_ALIASES[key]


@dataclass
class Segments:
    """Values set on parts of a population: ``[(ranks, value), ...]`` applied in order.

    ``ranks`` is a tuple of ranks (or None for all); ``value`` a constant, array or
    Distribution.  Produced when a script sets values on PopulationViews."""

    parts: list = field(default_factory=list)


@dataclass
class PopulationSpec:
    """A population: ``initial`` maps variable/parameter names to a constant,
    an array of the population's shape or a Distribution."""

    name: str
    geometry: tuple
    neuron: Neuron
    initial: dict = field(default_factory=dict)
    kind: str = "standard"
    options: dict = field(default_factory=dict)
    stop_condition: Optional[str] = None

    @property
    def size(self):
        return int(np.prod(self.geometry))


@dataclass(frozen=True)
class PopRef:
    """A whole population (``ranks is None``) or a view of given ranks."""

    population: str
    ranks: Optional[tuple] = None


@dataclass
class ConnectorSpec:
    """A connection method and its arguments (weights/delays: constant, array or
    Distribution).  ``method`` is e.g. ``fixed_probability``."""

    method: str
    params: dict = field(default_factory=dict)


@dataclass
class ProjectionSpec:
    name: str
    pre: PopRef
    post: PopRef
    target: Any
    synapse: Optional[Synapse] = None
    connector: Optional[ConnectorSpec] = None
    initial: dict = field(default_factory=dict)
    kind: str = "standard"
    options: dict = field(default_factory=dict)


@dataclass
class MonitorSpec:
    name: str
    kind: str              # "population" or "projection"
    target: str            # population or projection name
    variables: tuple
    ranks: Optional[tuple] = None
    period: Optional[float] = None
    start: bool = True
    stream: Optional[str] = None   # HDF5 file the recording goes to instead of memory (relative: the project's folder)


@dataclass
class NetworkSpec:
    settings: Settings = field(default_factory=Settings)
    populations: list = field(default_factory=list)
    projections: list = field(default_factory=list)
    monitors: list = field(default_factory=list)
    constants: dict = field(default_factory=dict)   # name -> value of ANNarchy-style Constants
    functions: list = field(default_factory=list)   # "f(x) = ..." definitions, in declaration order

    def scope(self):
        """The functions and constant names every equation of this network sees (hashable: analyses
        are cached per scope).  Raises a located EquationError for a bad definition."""
        return Scope(tuple(self.functions), frozenset(self.constants))

    def population(self, name):
        for p in self.populations:
            if p.name == name:
                return p
        raise ModelError(f"no population named {name!r}")
