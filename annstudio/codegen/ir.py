"""The one intermediate representation (IR) that every backend prints.

``lower(spec)`` turns a :class:`~annstudio.core.model.NetworkSpec` into a
frozen, hashable :class:`NetworkIR` (structure and code: equations already
integrated into straight-line :class:`Update` lists) plus :class:`NetworkData`
(runtime numbers: initial values, connectivity).  Changing a value changes the
data, not the IR, so it never triggers a rebuild; the IR digest keys the build
cache.

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
from dataclasses import dataclass, field, replace

import numpy as np
import sympy as sp

from annstudio import __version__
from annstudio.core.equations import Update, constant_names, event_driven_update, integrate
from annstudio.core.equations.analysis import VarDecl
from annstudio.core.errors import ModelError
from annstudio.core.model.distributions import sample
from annstudio.core.model.spec import Segments
from annstudio.core.runtime.connectivity import build_connectivity
from annstudio.core.runtime.convolution_kernels import copied as copied_connectivity


@dataclass(frozen=True)
class PopulationIR:
    name: str
    size: int
    geometry: tuple
    type: str                    # "rate" | "spike"
    variables: tuple             # VarDecl (locality "local" or "global")
    randoms: tuple               # RandomDecl
    updates: tuple               # Update
    refractory_updates: tuple = ()   # updates still run while refractory (conductances)
    spike: object = None
    reset: tuple = ()
    refractory: object = None    # expression in ms, or None
    auto_reset: tuple = ()
    sums: tuple = ()             # targets read by sum(target)
    global_ops: tuple = ()       # GlobalOpDecl
    spike_history: int = 0       # steps of spike history needed by delayed projections
    rate_history: int = 0        # steps of r history needed by delayed rate projections
    source: str = ""             # "" | "spike_source_array" | "timed_array" (see module docstring)
    source_schedule: int = 1     # timed_array: steps per buffer row
    source_period: int = 0       # steps after which a source repeats (0: never)
    global_randoms: tuple = ()   # symbols of randoms drawn once per step for the population (see docstring)
    hoisted: tuple = ()          # Update: per-step scalars over population-wide parameters (see docstring)

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
        return replace(self, hoisted=(), updates=tuple(Update(u.target, sub(u.expr)) for u in self.updates),
                       refractory_updates=tuple(Update(u.target, sub(u.expr)) for u in self.refractory_updates),
                       reset=tuple(Update(u.target, sub(u.expr)) for u in self.reset), spike=sub(self.spike),
                       refractory=sub(self.refractory))


@dataclass(frozen=True)
class ProjectionIR:
    name: str
    pre: str
    post: str
    target: str
    type: str                    # "rate" | "spike"
    variables: tuple             # VarDecl (locality "local", "semiglobal", "global")
    randoms: tuple
    psp: object = None           # rate: expression per synapse
    operation: str = "sum"
    pre_spike: tuple = ()        # Update; for target "g_target" expr is the increment of g_<target>
    post_spike: tuple = ()
    updates: tuple = ()          # continuous synaptic equations
    event_driven: tuple = ()     # (variable, exact expression in _delta_t)
    pre_refs: tuple = ()         # pre variables read (e.g. "r", "sum__exc")
    post_refs: tuple = ()
    uniform_weight: bool = False
    delay: str = "none"          # "none" | "uniform" | "variable"
    max_delay: int = 1           # in steps (>= 1)
    global_ops: tuple = ()
    kind: str = "standard"       # "standard" | "decoding" | "current_injection" (see module docstring)
    window: int = 0              # decoding: averaging window in steps (>= 1)

    def var(self, name):
        return next((v for v in self.variables if v.name == name), None)


@dataclass(frozen=True)
class NetworkIR:
    dt: float
    populations: tuple
    projections: tuple
    version: str = __version__

    def population(self, name):
        return next(p for p in self.populations if p.name == name)

    def projection(self, name):
        return next(p for p in self.projections if p.name == name)

    def digest(self):
        """Stable digest of everything that shapes generated code."""
        h = hashlib.sha256()
        h.update(_canonical(self).encode())
        return h.hexdigest()


@dataclass
class NetworkData:
    """Runtime numbers: ``populations[name][var]`` arrays (scalars for globals),
    ``projections[name]`` dicts with connectivity and synaptic variables."""

    populations: dict = field(default_factory=dict)
    projections: dict = field(default_factory=dict)
    connectivity: dict = field(default_factory=dict)
    delays: dict = field(default_factory=dict)       # projection -> int steps array or int
    sources: dict = field(default_factory=dict)      # special population -> schedule arrays (see docstring)


def _canonical(obj):
    if isinstance(obj, sp.Basic):
        return sp.srepr(obj)
    if isinstance(obj, (list, tuple)):
        return "(" + ",".join(_canonical(o) for o in obj) + ")"
    if hasattr(obj, "__dataclass_fields__"):
        return type(obj).__name__ + "{" + ",".join(
            f"{k}={_canonical(getattr(obj, k))}" for k in obj.__dataclass_fields__) + "}"
    return repr(obj)


def _sympify_bounds(v):
    return v


_TEMP_PREFIXES = ("_new_", "_k1_", "_k2_", "_k3_", "_k4_")


def _owner(target):
    for prefix in _TEMP_PREFIXES:
        if target.startswith(prefix):
            return target[len(prefix):]
    return target


def _neuron_updates(analysis, where):
    """Integrated updates, and the subset still run while a neuron is refractory:
    those of the conductances (``g_*``); every other variable is frozen (ANNarchy 4.8)."""
    ups = integrate(analysis.equations, analysis, where=where)
    refr = tuple(u for u in ups if _owner(u.target).startswith("g_"))
    return ups, refr


def _free_names(exprs):
    names = set()
    for e in exprs:
        if e is not None and hasattr(e, "free_symbols"):
            names |= {str(sym) for sym in e.free_symbols}
    return names


def _constants(variables, exprs, constants, values, where):
    """ANNarchy ``Constant``s used by these expressions become population/projection-wide parameters,
    so changing a constant's value never rebuilds."""
    own = {v.name for v in variables}
    used = sorted((_free_names(exprs) & constant_names()) - own)
    extra = []
    for name in used:
        if name not in constants:
            raise ModelError(f"constant {name!r} is not defined in this network", where=where)
        extra.append(VarDecl(name, "parameter", "global", "double", float(constants[name])))
        values[name] = float(constants[name])
    return tuple(variables) + tuple(extra)


def _steps(value_ms, dt):
    return int(round(float(value_ms) / dt))


def lower(spec, rng=None):
    """NetworkSpec -> (NetworkIR, NetworkData). ``rng`` draws initial values and connectivity."""
    settings = spec.settings
    settings.check()
    dt = float(settings.dt)
    if rng is None:
        rng = np.random.default_rng(settings.seed)
    pops = {p.name: p for p in spec.populations}
    if len(pops) != len(spec.populations):
        raise ModelError("two populations share a name")
    data = NetworkData()
    analyses = {}
    for p in spec.populations:
        a = p.neuron.analysis()
        analyses[p.name] = a
        data.populations[p.name] = _initial_values(p, a, rng)

    # projections first (delays decide history sizes)
    proj_irs, spike_hist, rate_hist = [], {}, {}
    names = set()
    for pr in spec.projections:
        if pr.name in names:
            raise ModelError(f"two projections share the name {pr.name!r}")
        names.add(pr.name)
        where = f"Projection '{pr.name}'"
        if pr.pre.population not in pops or pr.post.population not in pops:
            raise ModelError(f"unknown pre or post population", where=where)
        pre, post = pops[pr.pre.population], pops[pr.post.population]
        pre_a, post_a = analyses[pre.name], analyses[post.name]
        ptype = pre_a.type
        if pr.connector is None:
            raise ModelError("the projection has no connector (call one of the connect_* methods)", where=where)
        pre_ranks = np.arange(pre.size) if pr.pre.ranks is None else np.asarray(pr.pre.ranks)
        post_ranks = np.arange(post.size) if pr.post.ranks is None else np.asarray(pr.post.ranks)
        if pr.connector.method == "copy":   # Copy: synapses of an earlier projection, its weights now
            src = pr.connector.params.get("projection")
            if src not in data.connectivity:
                raise ModelError(f"the copied projection {src!r} must be declared (and connected) before",
                                 where=where)
            conn = copied_connectivity(data.connectivity[src], data.projections[src]["w"])
        else:
            conn = build_connectivity(pr.connector, pre_ranks, post_ranks, pre.size, post.size,
                                      pre.name == post.name, rng, dt, where, pre.geometry, post.geometry,
                                      pre_obj=pr.options.get("_pre_obj"), post_obj=pr.options.get("_post_obj"))
        data.connectivity[pr.name] = conn
        ir, syn_data = _lower_projection(pr, ptype, pre_a, post_a, conn, dt, rng, where, spec.constants)
        proj_irs.append(ir)
        data.projections[pr.name] = syn_data
        if ptype == "spike":
            spike_hist[pre.name] = max(spike_hist.get(pre.name, 0), ir.max_delay)
        elif ir.max_delay > 1:
            rate_hist[pre.name] = max(rate_hist.get(pre.name, 0), ir.max_delay)
        data.delays[pr.name] = syn_data.pop("_delay_steps")

    pop_irs = []
    for p in spec.populations:
        a = analyses[p.name]
        where = f"Population '{p.name}'"
        ups, refr = _neuron_updates(a, where)
        reset = tuple(Update(s.target, s.expr) for s in a.reset)
        auto = tuple(v.name for v in a.variables if v.auto_reset)
        variables = _constants(a.variables, [u.expr for u in ups] + [a.spike, a.refractory] +
                               [u.expr for u in reset], spec.constants, data.populations[p.name], where)
        hoisted, ups, refr, reset, spike, refractory = _hoist_reciprocals(
            variables, spec.constants, ups, refr, reset, a.spike, a.refractory)
        pop_irs.append(PopulationIR(
            name=p.name, size=p.size, geometry=tuple(p.geometry), type=a.type, variables=variables,
            randoms=a.randoms, updates=ups, refractory_updates=refr if a.refractory is not None else (),
            spike=spike, reset=reset, refractory=refractory, auto_reset=auto, sums=_sums(a, ups), hoisted=hoisted,
            global_ops=a.global_ops, spike_history=spike_hist.get(p.name, 0),
            rate_history=rate_hist.get(p.name, 0), global_randoms=_global_randoms(a, ups),
            **_source(p, dt, data)))
        for g in a.global_ops:
            data.populations[p.name][g.symbol] = 0.0
    _check_targets(spec, analyses, pops)
    return NetworkIR(dt=dt, populations=tuple(pop_irs), projections=tuple(proj_irs)), data


def _hoist_reciprocals(variables, constants, ups, refr, reset, spike, refractory):
    """Replace ``1/g`` (``g`` built from population-wide parameters, constants and dt only) by
    symbols computed once per step (``PopulationIR.hoisted``): a division per neuron and step
    becomes one multiplication."""
    fixed = {v.name for v in variables if v.locality == "global" and v.role == "parameter"}
    fixed |= set(constants) | {"dt"}
    exprs = [u.expr for u in ups + refr + reset] + [spike, refractory]
    table = {}
    for e in exprs:
        if not isinstance(e, sp.Basic):
            continue
        for node in sorted(e.atoms(sp.Pow), key=sp.srepr):
            if node.exp.is_Integer and node.exp < 0 and not node.base.is_number and node not in table \
                    and {str(x) for x in node.base.free_symbols} <= fixed:
                table[node] = sp.Symbol(f"_inv_{len(table)}")
    if not table:
        return (), ups, refr, reset, spike, refractory

    def sub(e):
        return e.xreplace(table) if isinstance(e, sp.Basic) else e
    hoisted = tuple(Update(sym.name, node) for node, sym in table.items())
    return (hoisted, tuple(Update(u.target, sub(u.expr)) for u in ups),
            tuple(Update(u.target, sub(u.expr)) for u in refr), tuple(Update(u.target, sub(u.expr)) for u in reset),
            sub(spike), sub(refractory))


def _global_randoms(a, ups):
    """Random symbols read by updates of population-wide variables (drawn once per step)."""
    glob = {v.name for v in a.variables if v.locality == "global"}
    used = {str(sym) for u in ups if _owner(u.target) in glob for sym in u.expr.free_symbols}
    return tuple(r.symbol for r in a.randoms if r.symbol in used)


def _sums(a, ups):
    """Targets whose ``sum(target)`` a population reads (all of them for rate-coded neurons)."""
    if a.type == "rate":
        return a.targets
    exprs = [u.expr for u in ups] + [r.expr for r in a.reset] + ([a.spike] if a.spike is not None else [])
    used = {str(s)[5:] for e in exprs for s in getattr(e, "free_symbols", ()) if str(s).startswith("sum__")}
    return tuple(t for t in a.targets if t in used)


def _source(p, dt, data):
    """IR fields and schedule data of special populations (SpikeSourceArray, TimedArray)."""
    if p.kind == "spike_source_array":
        times = p.options.get("spike_times") or []
        if len(times) and np.ndim(times[0]) == 0:   # one list for every neuron
            times = [times] * p.size
        if len(times) != p.size:
            raise ModelError(f"spike_times needs one list per neuron ({p.size}), got {len(times)}",
                             where=f"Population '{p.name}'")
        pairs = sorted({(int(round(float(t) / dt)), r) for r, ts in enumerate(times) for t in ts})
        data.sources[p.name] = {"steps": np.array([s for s, _ in pairs], dtype=np.int64),
                                "ranks": np.array([r for _, r in pairs], dtype=np.int64)}
        period = p.options.get("period") or 0
        return {"source": "spike_source_array", "source_period": _steps(period, dt) if period > 0 else 0}
    if p.kind == "timed_array":
        buf = np.asarray(p.options.get("rates"), dtype=float)
        buf = buf.reshape((buf.shape[0], p.size)) if buf.ndim else np.full((1, p.size), float(buf))
        data.sources[p.name] = {"buffer": buf}
        schedule = p.options.get("schedule") or 0
        period = p.options.get("period") or -1
        return {"source": "timed_array", "source_schedule": max(1, _steps(schedule, dt)) if schedule > 0 else 1,
                "source_period": _steps(period, dt) if period > 0 else 0}
    return {}


def population_sources(pop_spec, dt):
    """Schedule data (``NetworkData.sources`` entry) of a special population from its current options,
    or None; used to rebuild a backend after a restructure (``session.simulation``)."""
    data = NetworkData()
    _source(pop_spec, float(dt), data)
    return data.sources.get(pop_spec.name)


def _check_targets(spec, analyses, pops):
    for pr in spec.projections:
        a = analyses[pr.post.population]
        targets = pr.target if isinstance(pr.target, (list, tuple)) else [pr.target]
        for tgt in targets:
            pre_type = analyses[pr.pre.population].type
            needs_g = (pre_type == "spike" and a.type == "spike") or pr.kind == "current_injection"
            if needs_g and f"g_{tgt}" not in a.names:
                raise ModelError(f"the post population's neuron does not use 'g_{tgt}'",
                                 where=f"Projection '{pr.name}'",
                                 hint=f"add g_{tgt} to the equations of Neuron '{a.name}'")


def _initial_values(p, a, rng):
    out = {}
    shape = (p.size,)
    for v in a.variables:
        if v.locality == "global":
            out[v.name] = float(v.init)
        else:
            out[v.name] = np.full(shape, float(v.init))
    for name, value in p.initial.items():
        decl = a.var(name)
        if decl is None:
            raise ModelError(f"'{name}' is not a parameter or variable of Neuron '{a.name}'",
                             where=f"Population '{p.name}'")
        parts = value.parts if isinstance(value, Segments) else [(None, value)]
        for ranks, val in parts:
            if decl.locality == "global":
                if ranks is not None:
                    raise ModelError(f"'{name}' is a population-wide parameter: it cannot be set on a view",
                                     where=f"Population '{p.name}'")
                arr = np.asarray(sample(val, (1,), rng) if not np.ndim(val) else val, dtype=float)
                if arr.size != 1:
                    raise ModelError(f"'{name}' is a population-wide parameter and takes one value",
                                     where=f"Population '{p.name}'")
                out[name] = float(arr.reshape(-1)[0])
            else:
                idx = slice(None) if ranks is None else np.asarray(ranks)
                n = p.size if ranks is None else len(ranks)
                try:
                    out[name][idx] = sample(val, (n,), rng)
                except ModelError as exc:
                    raise ModelError(f"'{name}': {exc.message}", where=f"Population '{p.name}'") from None
    return out


def _pre_spike_update(stmt, where):
    if stmt.target != "g_target":
        return Update(stmt.target, stmt.expr)
    g = sp.Symbol("g_target")
    inc = stmt.expr - g   # sympy cancels g_target - g_target
    if g in inc.free_symbols:
        raise ModelError("g_target can only be incremented in pre_spike ('g_target += ...')", where=where)
    return Update("g_target", inc)


def _lower_projection(pr, ptype, pre_a, post_a, conn, dt, rng, where, constants):
    syn = pr.synapse
    if syn is None:
        from annstudio.core.model.types import Synapse
        syn = Synapse(name="default")
    a = syn.analysis(ptype)
    for ref in a.pre_refs:
        base = ref.split("__")[0] if ref.startswith("sum__") is False else ref
        if not ref.startswith("sum__") and ref not in pre_a.names:
            raise ModelError(f"'pre.{ref}' is not a variable of Neuron '{pre_a.name}'", where=where)
    for ref in a.post_refs:
        if not ref.startswith("sum__") and ref not in post_a.names:
            raise ModelError(f"'post.{ref}' is not a variable of Neuron '{post_a.name}'", where=where)
    w_decl = a.var("w")
    plastic_w = any(s.target == "w" for s in a.equations + a.pre_spike + a.post_spike)
    uniform_weight = conn.uniform_weight is not None and not plastic_w and w_decl.implicit
    # delays
    if conn.uniform_delay is not None and conn.size:     # one value: no per-synapse pass (16 M of them, say)
        steps = None
        uniform_d, max_delay = True, max(1, int(np.rint(float(conn.uniform_delay) / dt)))
    else:
        steps = np.maximum(1, np.rint(conn.delay / dt).astype(np.int64)) if conn.size else np.zeros(0, np.int64)
        uniform_d = conn.uniform_delay is not None or (steps.size and np.all(steps == steps[0]))
        max_delay = int(steps.max()) if steps.size else 1
    if uniform_d:
        delay_kind = "none" if max_delay <= 1 else "uniform"
    else:
        delay_kind = "variable"
    psp = None
    if ptype == "rate":
        psp = a.psp if a.psp is not None else sp.Symbol("w") * sp.Symbol("pre__r")
        pre_refs = tuple(sorted(set(a.pre_refs) | {str(s)[5:] for s in psp.free_symbols if str(s).startswith("pre__")}))
    else:
        pre_refs = tuple(a.pre_refs)
    ups = integrate(a.equations, a, where=where)
    ev = tuple((s.target, event_driven_update(s, where)) for s in a.equations if s.method == "event-driven")
    syn_data = {}
    n = conn.size
    for v in a.variables:
        if v.locality == "global":
            syn_data[v.name] = float(v.init)
        elif v.locality == "semiglobal":
            syn_data[v.name] = np.full(conn.post_size, float(v.init))
        else:
            syn_data[v.name] = np.full(n, float(v.init))
    syn_data["w"] = float(conn.uniform_weight) if uniform_weight else conn.w.copy()
    for name, value in pr.initial.items():
        decl = a.var(name)
        if decl is None:
            raise ModelError(f"'{name}' is not a parameter or variable of Synapse '{a.name}'", where=where)
        shape = (1,) if decl.locality == "global" else ((conn.post_size,) if decl.locality == "semiglobal" else (n,))
        vals = sample(value, shape, rng)
        syn_data[name] = float(vals[0]) if decl.locality == "global" else vals
    if ev:
        syn_data["_last_event"] = np.zeros(n)
    syn_data["_delay_steps"] = int(max_delay) if uniform_d else steps
    pre_spike = tuple(_pre_spike_update(s, where) for s in a.pre_spike)
    variables = _constants(a.variables, [psp] + [u.expr for u in ups + pre_spike] + [s.expr for s in a.post_spike]
                           + [e for _, e in ev], constants, syn_data, where)
    ir = ProjectionIR(
        name=pr.name, pre=pr.pre.population, post=pr.post.population,
        target=pr.target if isinstance(pr.target, str) else pr.target[0], type=ptype,
        variables=variables, randoms=a.randoms, psp=psp, operation=a.operation,
        pre_spike=pre_spike,
        post_spike=tuple(Update(s.target, s.expr) for s in a.post_spike),
        updates=ups, event_driven=ev, pre_refs=pre_refs, post_refs=tuple(a.post_refs),
        uniform_weight=bool(uniform_weight), delay=delay_kind, max_delay=max_delay, global_ops=a.global_ops,
        **_projection_kind(pr, ptype, post_a, dt, where))
    return ir, syn_data


def _projection_kind(pr, ptype, post_a, dt, where):
    """IR fields of DecodingProjection / CurrentInjection (see the module docstring)."""
    if pr.kind == "decoding":
        if ptype != "spike" or post_a.type != "rate":
            raise ModelError("a DecodingProjection goes from a spiking to a rate-coded population", where=where)
        window = float(pr.options.get("window") or 0.0)
        return {"kind": "decoding", "window": max(1, _steps(window, dt)) if window > 0 else 1}
    if pr.kind == "current_injection":
        if ptype != "rate" or post_a.type != "spike":
            raise ModelError("a CurrentInjection goes from a rate-coded to a spiking population", where=where)
        return {"kind": "current_injection"}
    return {}
