"""Backend-neutral runtime pieces: the backend registry and interface, and the
construction of runtime data (connectivity, initial values) from the model.

Backends (``annstudio.codegen``) register themselves here; the session layer
looks them up by paradigm name, so nothing below ``session`` imports codegen.
"""
from .backend import Backend, MonitorState, MonitorTable
from .registry import register_backend, get_backend_factory, available_paradigms, BackendInfo
from .connectivity import Connectivity, build_connectivity
from .records import MonitorRequest, Recording

__all__ = ["Backend", "MonitorState", "MonitorTable", "register_backend", "get_backend_factory",
           "available_paradigms", "BackendInfo",
           "Connectivity", "build_connectivity", "MonitorRequest", "Recording"]
