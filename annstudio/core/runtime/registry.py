"""Registry of simulation backends, filled by the backends themselves.

A backend factory is called as ``factory(ir, data, settings)`` and returns an
object with the interface documented in :class:`BackendInfo`'s docstring.
"""
from dataclasses import dataclass
from typing import Callable

from ..errors import BackendUnavailable

_REGISTRY = {}


@dataclass(frozen=True)
class BackendInfo:
    """``availability()`` returns None when usable, else a one-line reason.

    A backend object provides: ``get(obj, var)``, ``set(obj, var, value)``,
    ``run(nsteps)``, ``step`` (int), ``add_monitor(request) -> id``,
    ``fetch_monitor(id) -> Recording``, ``set_monitor_active(id, bool)``,
    ``spikes_last_step(pop)`` and ``close()``.
    """

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
