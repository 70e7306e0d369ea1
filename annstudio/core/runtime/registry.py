"""Registry of simulation backends: paradigm name -> factory, availability probe, description.

A backend factory is called as ``factory(ir, data, settings)`` and returns an object satisfying
the :class:`~annstudio.core.runtime.backend.Backend` protocol.
"""
from dataclasses import dataclass
from typing import Callable

from ..errors import BackendUnavailable

_REGISTRY = {}


@dataclass(frozen=True)
class BackendInfo:
    """``factory(ir, data, settings)`` returns a :class:`~annstudio.core.runtime.backend.Backend`;
    ``availability()`` returns None when usable, else a one-line reason."""

    name: str
    factory: Callable
    availability: Callable
    description: str = ""


def register_backend(name, factory, availability=lambda: None, description=""):
    _REGISTRY[name] = BackendInfo(name, factory, availability, description)


def get_backend_factory(name):
    info = _REGISTRY.get(name)
    if info is None:
        raise BackendUnavailable(f"no backend registered for paradigm {name!r}; known: {sorted(_REGISTRY)}",
                                 where="setup")
    reason = info.availability()
    if reason:
        raise BackendUnavailable(f"paradigm {name!r} is not available: {reason}", where="compile")
    return info.factory


def available_paradigms():
    return {name: info.availability() for name, info in _REGISTRY.items()}
