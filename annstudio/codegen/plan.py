"""The target-neutral kernel plan: what every loop of a step computes, decided once from the IR.

``build_plan(ir)`` turns a :class:`~annstudio.codegen.ir.NetworkIR` into frozen records, one per
population (:class:`PopulationPlan`) and projection (:class:`ProjectionPlan`): the statements of each
phase classified by where their value lives (:class:`Stmt`), the random draws (:class:`Draw`), the
variables a loop loads and stores, and the flags that decide which phases exist (``transmits``,
``has_target``, ``early``...).  The C++ and the CUDA generators both print this plan; their templates
read its flags instead of deciding again.  Step semantics follow ``annstudio.codegen.ir``.

Also here, shared by both targets: :class:`Scope` (symbol name -> target expression while printing one loop body).
"""
from dataclasses import dataclass, replace

import sympy as sp

from annstudio.codegen.ir import temp_owner as owner
from annstudio.core.errors import BuildError


def names(expr):
    """The free symbols' names of a sympy expression."""
    return {s.name for s in expr.free_symbols}


class Scope:
    """Symbol name -> target expression for one loop body.  ``map`` holds what the generator bound;
    a name it lacks is asked of ``resolve`` (where the value is stored), recorded in ``loaded`` and
    bound to ``local(name)`` (a register copy); without either, a located error."""

    def __init__(self, where="", resolve=None, local=None):
        self.map = {"t": "t", "dt": "dt"}
        self.where = where
        self.resolve = resolve
        self.local = local
        self.loaded = {}

    def __call__(self, name):
        try:
            return self.map[name]
        except KeyError:
            pass
        src = self.resolve(name) if self.resolve is not None else None
        if src is None:
            raise BuildError(f"'{name}' cannot be used here", where=self.where)
        self.loaded[name] = src
        self.map[name] = self.local(name)
        return self.map[name]


@dataclass(frozen=True)
class Stmt:
    """One statement ``target = expr``; ``kind`` says where its value lives: ``"global"`` (one value for
    the population/projection), ``"temp"`` (a per-element temporary), ``"var"`` (a per-element variable)."""
    target: str
    expr: object
    kind: str


@dataclass(frozen=True)
class Draw:
    """Random draw number ``index`` of an object (its ``RandomDecl`` ``rd``); ``shared``: once per step for the
    whole population (``PopulationIR.global_randoms``) instead of once per element."""
    index: int
    symbol: str
    rd: object
    shared: bool = False


@dataclass(frozen=True)
class Segment:
    """A run of consecutive continuous synaptic statements of one locality (``"global"``,
    ``"semiglobal"``: one per post row, ``"local"``: one per synapse)."""
    locality: str
    stmts: tuple


@dataclass(frozen=True)
class PopulationPlan:
    index: int
    name: str
    size: int
    spiking: bool
    source: str                 # "" | "spike_source_array" | "timed_array"
    period: int
    schedule: int
    history: int                # spike ring length
    rate_history: int
    globals: tuple              # population-wide variable names (sorted)
    locals: tuple               # per-neuron variable names (declaration order)
    r_local: bool               # a per-neuron 'r' exists
    hoisted: tuple              # Update: per-step scalars
    draws: tuple                # Draw
    updates: tuple              # Stmt
    updated_globals: tuple      # population-wide variables the updates change (first-write order)
    loads: tuple                # per-neuron variables the loop reads or writes
    stores: tuple               # per-neuron variables the loop writes
    clamped: tuple              # variables frozen while refractory (every updated one but refractory_updates')
    resets: tuple               # Update
    auto_reset: tuple
    spike: object
    refractory: object
    global_ops: tuple
    sums: tuple
    private: tuple              # per-neuron variables only ever touched by the owner of their element
    targets: tuple              # conductances g_* (recorded right after transmission)


@dataclass(frozen=True)
class ProjectionPlan:
    index: int
    name: str
    pre: int
    post: int
    type: str                   # "rate" | "spike"
    kind: str                   # "standard" | "decoding" | "current_injection"
    delay: object               # int steps or "variable"
    max_delay: int
    lag: int                    # max(1, max_delay)
    window: int
    has_target: bool            # the post population sums this projection's target
    transmits: bool             # phase 1 changes a sum or a conductance
    writes_conductance: bool    # pre_spike assigns g_target
    conductance: str            # the post variable g_target stands for (g_<target>)
    simple_spike: bool          # pre_spike is exactly ``g_target = w`` (no draws, no event-driven decay)
    w_scalar: bool              # one weight for the projection
    simple_psp: bool            # psp is ``w * pre.r`` with per-synapse w, no draws
    w_read_only: bool           # no continuous update writes w
    early: bool                 # spikes may be transmitted by their own thread at the end of the step
    mirrored: tuple             # per-synapse variables read by pre_spike and never written
    draws: tuple                # Draw
    pre_spike: tuple
    post_spike: tuple
    event_driven: tuple
    segments: tuple             # Segment
    global_ops: tuple
    extra_conductances: tuple = ()   # a list of targets: further g_<target> fed with the same increments


@dataclass(frozen=True)
class KernelPlan:
    populations: tuple
    projections: tuple


def _population(i, p, shared_pops, cross):
    glob = {v.name for v in p.variables if v.locality == "global"}
    local = tuple(v.name for v in p.variables if v.locality != "global")
    stmts, updated = [], []
    for u in p.updates:
        kind = "global" if owner(u.target) in glob else "temp" if u.target.startswith("_") else "var"
        stmts.append(Stmt(u.target, u.expr, kind))
        if kind == "global" and u.target in glob:
            updated.append(u.target)
    exprs = [u.expr for u in p.updates] + [s.expr for s in p.reset]
    if p.spike is not None:
        exprs.append(p.spike)
    if p.refractory is not None:
        exprs.append(sp.sympify(p.refractory))
    used = set().union(*[names(e) for e in exprs]) if exprs else set()
    assigned = [u.target for u in p.updates if u.target in local] + [s.target for s in p.reset] + list(p.auto_reset)
    clamped = ()
    if p.refractory is not None:
        refr = {u.target for u in p.refractory_updates}
        var_names = {v.name for v in p.variables}
        clamped = tuple(dict.fromkeys(u.target for u in p.updates if u.target in var_names and u.target not in refr))
    shared = set(p.global_randoms or ())
    private = ()
    if not (i in shared_pops or p.source or p.rate_history > 1):
        ops = {g.variable for g in p.global_ops}
        private = tuple(n for n in local if not n.startswith("_") and n not in ops and (i, n) not in cross)
    r = p.var("r")
    return PopulationPlan(
        index=i, name=p.name, size=p.size, spiking=p.type == "spike", source=p.source or "",
        period=int(p.source_period or 0), schedule=int(p.source_schedule), history=max(p.spike_history, 1) + 1,
        rate_history=p.rate_history, globals=tuple(sorted(glob)), locals=local,
        r_local=r is not None and r.locality != "global", hoisted=tuple(p.hoisted or ()),
        draws=tuple(Draw(k, rd.symbol, rd, rd.symbol in shared) for k, rd in enumerate(p.randoms)),
        updates=tuple(stmts), updated_globals=tuple(dict.fromkeys(updated)),
        loads=tuple(n for n in local if n in used or n in assigned), stores=tuple(n for n in local if n in assigned),
        clamped=clamped, resets=tuple(p.reset), auto_reset=tuple(p.auto_reset), spike=p.spike,
        refractory=sp.sympify(p.refractory) if p.refractory is not None else None, global_ops=tuple(p.global_ops),
        sums=tuple(p.sums), private=private,
        targets=tuple(v.name for v in p.variables if p.type == "spike" and v.name.startswith("g_")
                      and v.locality != "global"))


def _segments(pr):
    loc = {v.name: v.locality for v in pr.variables}
    segs = []
    for u in pr.updates:
        locality = loc.get(owner(u.target), "local")
        if not segs or segs[-1][0] != locality:
            segs.append((locality, []))
        kind = "global" if locality == "global" else "temp" if u.target.startswith("_") else "var"
        segs[-1][1].append(Stmt(u.target, u.expr, kind))
    return tuple(Segment(locality, tuple(stmts)) for locality, stmts in segs)


def _projection(k, pr, ir, pop_index):
    pre_i, post_i = pop_index[pr.pre], pop_index[pr.post]
    post = ir.populations[post_i]
    kind = pr.kind or "standard"
    scalar = {v.name for v in pr.variables if v.locality == "global" or (v.name == "w" and pr.uniform_weight)}
    loc = {v.name: v.locality for v in pr.variables}
    has_target = pr.target in post.sums
    conductance = any(s.target == "g_target" for s in pr.pre_spike)
    if kind == "decoding":
        transmits = has_target
    elif kind == "current_injection":
        transmits = True
    elif pr.type == "rate":
        transmits = has_target
    else:
        transmits = bool(pr.pre_spike)
    simple_spike = (len(pr.pre_spike) == 1 and not pr.event_driven and not pr.randoms and
                    pr.pre_spike[0].target == "g_target" and pr.pre_spike[0].expr == sp.Symbol("w"))
    pre_r = ir.populations[pre_i].var("r")
    simple_psp = (pr.psp is not None and pr.psp == sp.Symbol("w") * sp.Symbol("pre__r") and not pr.randoms
                  and "w" not in scalar and loc.get("w") == "local"
                  and (pr.max_delay > 1 or (pre_r is not None and pre_r.locality != "global")))
    written = {s.target for s in pr.pre_spike + pr.post_spike + pr.updates} | {n for n, _ in pr.event_driven}
    read = set().union(*[names(s.expr) for s in pr.pre_spike]) if pr.pre_spike else set()
    mirrored = tuple(v.name for v in pr.variables if v.name in read and v.name not in written
                     and v.name not in scalar and v.locality == "local")
    return ProjectionPlan(
        index=k, name=pr.name, pre=pre_i, post=post_i, type=pr.type, kind=kind, delay=pr.delay,
        max_delay=pr.max_delay, lag=max(1, pr.max_delay), window=int(pr.window or 0), has_target=has_target,
        transmits=transmits, writes_conductance=conductance, conductance=f"g_{pr.target}",
        simple_spike=simple_spike, w_scalar="w" in scalar, simple_psp=simple_psp,
        w_read_only="w" not in {u.target for u in pr.updates}, early=False,
        mirrored=mirrored, draws=tuple(Draw(q, rd.symbol, rd) for q, rd in enumerate(pr.randoms)),
        pre_spike=tuple(pr.pre_spike), post_spike=tuple(pr.post_spike), event_driven=tuple(pr.event_driven),
        segments=_segments(pr), global_ops=tuple(pr.global_ops),
        extra_conductances=tuple(f"g_{t}" for t in pr.extra_targets) if conductance else ())


def _early(pj, pops, writers):
    """Projections whose spikes only add one projection-wide constant to a conductance that no other
    projection writes (COBA's and CUBA's): every increment is the same number, so the order of the
    additions cannot change a bit of the result, and a thread may transmit the spikes of its own block
    at the end of the step (while the other cores catch up) and the other blocks' after it.  Anything
    else keeps the one order (ascending presynaptic rank) in which the reference adds."""
    if pj.extra_conductances:
        return False   # a list of targets keeps the reference's one order
    if not (pj.kind == "standard" and pj.type == "spike" and pj.transmits and pj.simple_spike and pj.w_scalar
            and pj.delay != "variable" and pj.lag == 1):
        return False
    return pj.conductance in pops[pj.post].private and writers.get((pj.post, pj.conductance)) == 1


def build_plan(ir):
    """The :class:`KernelPlan` of ``ir`` (depends on the IR only, never on the data)."""
    pop_index = {p.name: i for i, p in enumerate(ir.populations)}
    shared_pops, cross = set(), set()
    for pr in ir.projections:
        pre_i, post_i = pop_index[pr.pre], pop_index[pr.post]
        if pr.type != "spike" or pr.kind != "standard":
            shared_pops.add(pre_i)     # read across blocks
        for ref in pr.pre_refs:
            cross.add((pre_i, ref))
        for g in pr.global_ops:
            cross.add((pre_i, g.variable))
            cross.add((post_i, g.variable))
    pops = tuple(_population(i, p, shared_pops, cross) for i, p in enumerate(ir.populations))
    projs = [_projection(k, pr, ir, pop_index) for k, pr in enumerate(ir.projections)]
    writers = {}
    for pj in projs:
        if (pj.kind == "standard" and pj.type == "spike" and pj.writes_conductance) or pj.kind == "current_injection":
            for g in (pj.conductance,) + pj.extra_conductances:
                writers[(pj.post, g)] = writers.get((pj.post, g), 0) + 1
    projs = tuple(replace(pj, early=True) if _early(pj, pops, writers) else pj for pj in projs)
    return KernelPlan(populations=pops, projections=projs)
