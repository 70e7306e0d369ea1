"""The one intermediate representation (IR) that every backend prints: code only, no values.

``annstudio.codegen.lowering.lower(spec)`` turns a :class:`~annstudio.core.model.NetworkSpec` into a
frozen, hashable :class:`NetworkIR` (structure and code: equations already integrated into
straight-line :class:`Update` lists) and a :class:`~annstudio.codegen.data.NetworkData` (the values:
initial values, weights, connectivity, schedules).  The IR holds no value a user can change without
changing code: a :class:`Variable` has no initial value, a constant is a population/projection-wide
parameter whose number lives in the data.  So :meth:`NetworkIR.digest` keys every build (C++ and
CUDA): changing a value never rebuilds; changing an equation does.

Step semantics shared by all backends (one step of ``dt``, time ``t = step*dt``):

1. projections: rate-coded ones compute ``sum__<target>`` of their post
   population (reset to 0, then ``operation`` over synapses of ``psp``, reading
   ``pre.r`` as it was ``delay`` steps ago, 1 step = the value before this step's
   update); spiking ones run ``pre_spike`` for every synapse whose presynaptic
   neuron spiked ``delay`` steps ago (lags ascending, spiking ranks ascending,
   synapses in post-major order); event-driven variables are first advanced exactly.
2. populations, in order: random draws, ``updates``; spiking: refractory
   neurons run ``refractory_updates`` instead (only the conductances ``g_*``
   keep evolving; every other variable is frozen, as in ANNarchy); then the
   spike condition (not while refractory), ``reset`` for spiking neurons and the
   refractory counter set to ``int(refractory/dt)`` (truncated, as ANNarchy); conductances listed in
   ``auto_reset`` are set to 0 after the update (instantaneous synapses).
3. global operations (``mean(r)``...) of each population are computed.
4. projections: continuous synaptic ``updates`` (skipped when learning is
   disabled), then ``post_spike`` for synapses of post neurons that spiked now.
5. monitors record; ``step += 1``.  Exception, as ANNarchy's ``record_targets``: the conductances
   (``g_*`` of spiking populations) are recorded right after phase 1, i.e. with this step's incoming
   spikes added and before the neuron update decays (or, instantaneous, zeroes) them.

Special populations and projections (issue 4; every backend implements them):

- ``PopulationIR.source == "spike_source_array"``: the population has no
  equations; in phase 2 its spikes at step ``s`` are the ranks listed for
  ``s`` in ``NetworkData.sources[name]`` (``{"steps": int64[k], "ranks":
  int64[k]}``, sorted by step then rank; a spike time ``t`` ms maps to step
  ``round(t/dt)``).  ``source_period`` (steps, 0 = none) repeats the schedule:
  the ranks of step ``s % source_period``.
- ``PopulationIR.source == "timed_array"``: a rate-coded population whose ``r``
  is set in phase 2 (instead of updates) from ``sources[name]["buffer"]``
  (float64 ``[T, size]``): row ``k = s // source_schedule`` (with
  ``source_period > 0``: ``k = (s % source_period) // source_schedule``),
  clamped to ``T - 1``.
- ``PopulationIR.sums`` of a spiking population lists the targets its equations
  read with ``sum(target)`` (filled by rate-coded projections in phase 1, e.g.
  a ``PoissonPopulation`` driven by a ``target``); conductance targets are not in it.
- ``ProjectionIR.kind == "decoding"`` (spiking pre, rate-coded post): in phase 1
  it adds to ``sum__<target>`` of each post neuron
  ``sum_syn(w * n_pre) / n_syn * 1000 / (window * dt)`` where ``n_pre`` counts the
  spikes of the presynaptic neuron in the last ``window`` steps (steps
  ``s - window .. s - 1``) and ``n_syn`` is the post neuron's number of synapses;
  ``pre_spike`` is not run.
- ``PopulationIR.global_randoms`` lists the random symbols (of ``randoms``)
  used by population-wide statements (``x = ... Normal(0, 1) : population``,
  e.g. the shared rate of ``HomogeneousCorrelatedSpikeTrains``): in phase 2 each
  is drawn ONCE per step (one value for the population, from the population's
  stream), the others once per neuron.
- ``PopulationIR.hoisted``: ``Update``s whose targets (``_inv_0``, ``_inv_1``...)
  are scalars computed once at the start of phase 2 from population-wide
  parameters, constants and ``dt`` only (e.g. ``_inv_0 = 1/tau``); the other
  expressions of the population use them instead of dividing per neuron
  (``v + dt*(El - v)*_inv_0``).  Every backend evaluates them the same way, so
  results stay identical across backends; ``PopulationIR.inlined()`` gives the
  expressions with the division put back.
- ``ProjectionIR.kind == "current_injection"`` (rate-coded pre, spiking post):
  in phase 1 it sets ``g_<target>[post] = w * pre.r[pre]`` (assignment, one-to-one,
  ``pre.r`` of the previous step).
"""
import hashlib
from dataclasses import dataclass, fields, is_dataclass, replace
from typing import Literal, Optional

import numpy as np
import sympy as sp

from annstudio import __version__
from annstudio.core.equations import GlobalOpDecl, RandomDecl, Update

Locality = Literal["local", "semiglobal", "global"]
Coding = Literal["rate", "spike"]

TEMP_PREFIXES = ("_new_", "_k1_", "_k2_", "_k3_", "_k4_")


def temp_owner(target):
    """The variable an integration temporary (``_new_v``, ``_k1_v``...) belongs to (else ``target``)."""
    for prefix in TEMP_PREFIXES:
        if target.startswith(prefix):
            return target[len(prefix):]
    return target


@dataclass(frozen=True)
class Variable:
    """A declared parameter or variable, without its value (values are data)."""

    name: str
    role: Literal["parameter", "variable"]
    locality: Locality
    dtype: Literal["double", "int", "bool"] = "double"
    min: Optional[sp.Basic] = None
    max: Optional[sp.Basic] = None
    method: str = "explicit"
    implicit: bool = False        # created automatically (r, w, g_target)
    auto_reset: bool = False      # conductance reset to 0 after each step (instantaneous synapses)

    @classmethod
    def of(cls, decl):
        """The code part of an analysis' ``VarDecl`` (its ``init`` stays behind, with the data)."""
        return cls(decl.name, decl.role, decl.locality, decl.dtype, decl.min, decl.max, decl.method,
                   decl.implicit, decl.auto_reset)


@dataclass(frozen=True)
class PopulationIR:
    name: str
    size: int
    geometry: tuple[int, ...]
    type: Coding
    variables: tuple[Variable, ...]             # locality "local" or "global"
    randoms: tuple[RandomDecl, ...]
    updates: tuple[Update, ...]
    refractory_updates: tuple[Update, ...] = ()  # updates still run while refractory (conductances)
    spike: Optional[sp.Basic] = None
    reset: tuple[Update, ...] = ()
    refractory: Optional[sp.Basic] = None       # expression in ms, or None
    auto_reset: tuple[str, ...] = ()
    sums: tuple[str, ...] = ()                   # targets read by sum(target)
    global_ops: tuple[GlobalOpDecl, ...] = ()
    spike_history: int = 0                       # steps of spike history needed by delayed projections
    rate_history: int = 0                        # steps of r history needed by delayed rate projections
    rate_window: int = 0                         # compute_firing_rate: r counts the spikes of the last steps
    rate_scale: float = 0.0                      # ... times 1000 / window (Hz)
    source: Literal["", "spike_source_array", "timed_array"] = ""   # see the module docstring
    source_schedule: int = 1                     # timed_array: steps per buffer row
    source_period: int = 0                       # steps after which a source repeats (0: never)
    global_randoms: tuple[str, ...] = ()         # randoms drawn once per step for the population
    hoisted: tuple[Update, ...] = ()             # per-step scalars over population-wide parameters

    def var(self, name):
        return next((v for v in self.variables if v.name == name), None)

    def inlined(self):
        """The same population with ``hoisted`` substituted back into its expressions, for a
        backend that does not compute them once per step."""
        if not self.hoisted:
            return self
        back = {sp.Symbol(h.target): h.expr for h in self.hoisted}

        def sub(e):
            return e.xreplace(back) if isinstance(e, sp.Basic) else e

        def subs(updates):
            return tuple(Update(u.target, sub(u.expr)) for u in updates)
        return replace(self, hoisted=(), updates=subs(self.updates), refractory_updates=subs(self.refractory_updates),
                       reset=subs(self.reset), spike=sub(self.spike), refractory=sub(self.refractory))


@dataclass(frozen=True)
class ProjectionIR:
    name: str
    pre: str
    post: str
    target: str
    type: Coding
    variables: tuple[Variable, ...]              # locality "local", "semiglobal", "global"
    randoms: tuple[RandomDecl, ...]
    psp: Optional[sp.Basic] = None               # rate: expression per synapse
    operation: Literal["sum", "max", "min", "mean"] = "sum"
    pre_spike: tuple[Update, ...] = ()           # for target "g_target" expr is the increment of g_<target>
    post_spike: tuple[Update, ...] = ()
    updates: tuple[Update, ...] = ()             # continuous synaptic equations
    event_driven: tuple[tuple[str, sp.Basic], ...] = ()   # (variable, exact expression in _delta_t)
    pre_refs: tuple[str, ...] = ()               # pre variables read (e.g. "r", "sum__exc")
    post_refs: tuple[str, ...] = ()
    uniform_weight: bool = False
    delay: Literal["none", "uniform", "variable"] = "none"
    max_delay: int = 1                           # in steps (>= 1)
    global_ops: tuple[GlobalOpDecl, ...] = ()
    kind: Literal["standard", "decoding", "current_injection"] = "standard"   # see the module docstring
    window: int = 0                              # decoding: averaging window in steps (>= 1)
    extra_targets: tuple[str, ...] = ()          # spiking: further conductances fed like g_<target>

    @property
    def targets(self):
        """Every conductance target this projection feeds (``target`` first), as ANNarchy's target lists."""
        return (self.target,) + tuple(self.extra_targets)

    def var(self, name):
        return next((v for v in self.variables if v.name == name), None)


@dataclass(frozen=True)
class NetworkIR:
    dt: float
    populations: tuple[PopulationIR, ...]
    projections: tuple[ProjectionIR, ...]
    version: str = __version__
    precision: Literal["float64", "float32"] = "float64"   # state, weights and arithmetic (Settings.precision)

    @property
    def real(self):
        """The NumPy type of state, weights and arithmetic: ``np.float64`` or ``np.float32``."""
        return np.float32 if self.precision == "float32" else np.float64

    def population(self, name):
        return next(p for p in self.populations if p.name == name)

    def projection(self, name):
        return next(p for p in self.projections if p.name == name)

    def digest(self):
        """Stable digest of everything that shapes generated code (the IR holds nothing else); computed once
        per (frozen) IR object."""
        known = self.__dict__.get("_digest")
        if known is None:
            known = hashlib.sha256(_canonical(self).encode()).hexdigest()
            object.__setattr__(self, "_digest", known)
        return known


def _canonical(obj):
    if isinstance(obj, sp.Basic):
        return sp.srepr(obj)
    if isinstance(obj, (list, tuple)):
        return "(" + ",".join(_canonical(o) for o in obj) + ")"
    if is_dataclass(obj):
        return type(obj).__name__ + "{" + ",".join(f"{f.name}={_canonical(getattr(obj, f.name))}"
                                                   for f in fields(obj) if not _silent(obj, f.name)) + "}"
    return repr(obj)


def _silent(obj, name):
    """Fields left out at their default (float64, one target): digests and cached kernels stay as they were."""
    return (name == "precision" and obj.precision == "float64") or \
        (name == "extra_targets" and not obj.extra_targets)
