"""What a simulation backend offers: the :class:`Backend` protocol, and the monitor bookkeeping
every backend shares (:class:`MonitorState`).

A backend is built by its registered factory as ``factory(ir, data, settings)`` (see
``registry``) and driven by ``annstudio.session.simulation``; nothing else is assumed of it.
Required members have no body here.  Optional hooks have a default implementation, which a
backend inherits by subclassing :class:`Backend` explicitly (the NumPy, C++/OpenMP and CUDA
backends do), so the session calls them unconditionally, never through ``hasattr``:

- ``carry_state_from(old)``: after a restructure (same network, new synapses), take over the
  private state of ``old`` (spike and rate histories, refractory counters, random streams,
  learning switches); default: nothing to carry.
- ``close()``: release native resources; default: nothing to release.
- ``build_log``: what building the backend printed; default ``""``.
- ``set_enabled(name, enabled)``: ``Population.enable()/disable()``; default: refused.
"""
from dataclasses import dataclass, field, replace
from typing import Protocol, runtime_checkable

import numpy as np

from annstudio.core.errors import SimulationError

from .records import MonitorRequest, Recording


@runtime_checkable
class Backend(Protocol):
    """A running network (see the module docstring)."""

    paradigm: str
    dt: float
    step: int                 # steps simulated so far (settable: a rebuilt backend continues the time)

    def get(self, name: str, var: str) -> np.ndarray:
        """The live array of ``var`` in population/projection ``name`` (0-d for one value)."""

    def set(self, name: str, var: str, value) -> None:
        """Write ``value`` (broadcast) into ``var``."""

    def get_sum(self, name: str, target: str) -> np.ndarray:
        """The input ``sum(target)`` of population ``name`` computed in the last step."""

    def run(self, nsteps: int) -> None:
        """Simulate ``nsteps`` steps (see ``annstudio.codegen.ir`` for one step's phases)."""

    def spikes_last_step(self, name: str) -> np.ndarray:
        """Ranks of the neurons of ``name`` that spiked in the last step."""

    def set_learning(self, name: str, enabled: bool) -> None:
        """Switch the synaptic updates of projection ``name``."""

    def set_source(self, name: str, key: str, value) -> None:
        """Replace a special population's schedule (``steps``/``ranks`` or ``buffer``) between runs."""

    def add_monitor(self, request: MonitorRequest) -> int:
        """Start recording; returns the monitor's id."""

    def fetch_monitor(self, mid: int) -> Recording:
        """What monitor ``mid`` recorded since the last fetch."""

    def set_monitor_active(self, mid: int, active: bool) -> None:
        """Pause/resume; resuming restarts the recording period at the current step."""

    def set_monitor_period(self, mid: int, period_steps: int) -> None: ...

    def set_monitor_offset(self, mid: int, offset: int) -> None:
        """The step from which the recording period counts (kept across restructures)."""

    def remove_monitor(self, mid: int) -> None: ...

    # -- optional hooks (defaults) ------------------------------------------------------------
    build_log: str = ""

    def carry_state_from(self, old: "Backend") -> None:
        """Take over the private state of ``old`` after a restructure (default: none)."""
        return None

    def close(self) -> None:
        """Release native resources (default: none)."""
        return None

    def set_enabled(self, name: str, enabled: bool) -> None:
        """``Population.enable()/disable()`` of population ``name`` (default: not offered)."""
        raise SimulationError(f"the {self.paradigm!r} backend cannot disable populations")


@dataclass
class MonitorState:
    """One monitor's bookkeeping: its request (the period may change), whether it records, the step
    from which its period counts, and whatever the backend keeps beside it (``extra``)."""

    request: MonitorRequest
    active: bool
    offset: int
    extra: dict = field(default_factory=dict)

    @property
    def period(self):
        return int(self.request.period_steps)

    def due(self, step):
        """Values are recorded at this step."""
        return self.active and (step - self.offset) % self.period == 0


class MonitorTable(dict):
    """``mid -> MonitorState`` with the rules every backend applies (ids are the backend's)."""

    def add(self, mid, request, step, **extra):
        self[mid] = MonitorState(request, bool(request.start), int(step), dict(extra))
        return self[mid]

    def set_active(self, mid, active, step):
        m = self[mid]
        if active and not m.active:
            m.offset = int(step)
        m.active = bool(active)
        return m

    def set_period(self, mid, period_steps):
        m = self[mid]
        m.request = replace(m.request, period_steps=int(period_steps))
        return m

    def set_offset(self, mid, offset):
        m = self[mid]
        m.offset = int(offset)
        return m
