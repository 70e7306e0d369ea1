"""Lowering: a :class:`~annstudio.core.model.NetworkSpec` -> the value-free :class:`NetworkIR`.

``lower(spec, rng=None)`` is the entry point: it analyses every type once against the network's
scope, builds the values with ``annstudio.codegen.data.build_data`` (the only user of ``rng``),
then lowers the code with :func:`lower_code`, which reads from the data only what shapes code
(delays decide history sizes and delay kinds, a uniform connector weight becomes a scalar) and draws
nothing.  Constants become population/projection-wide parameters (their numbers go to the data), so
changing a constant, a parameter or an initial value never changes the IR nor its digest.
"""
import warnings

import numpy as np
import sympy as sp

from annstudio.core.equations import Update, event_driven_update, integrate
from annstudio.core.errors import EquationError, ModelError
from annstudio.core.model.checks import reference_problems

from .data import add_constants, build_data, steps, synapse_analysis, uniform_weight
from .ir import NetworkIR, PopulationIR, ProjectionIR, Variable, temp_owner


def lower(spec, rng=None):
    """NetworkSpec -> (NetworkIR, NetworkData). ``rng`` draws initial values and connectivity."""
    settings = spec.settings
    settings.check()
    if rng is None:
        rng = np.random.default_rng(settings.seed)
    if len({p.name for p in spec.populations}) != len(spec.populations):
        raise ModelError("two populations share a name")
    scope = spec.scope()
    analyses = {p.name: p.neuron.analysis(scope) for p in spec.populations}
    data = build_data(spec, analyses, rng, scope)
    ir = lower_code(spec, analyses, data, scope)
    add_constants(ir, data, spec.constants)
    return ir, data


def lower_code(spec, analyses, data, scope):
    """The IR of ``spec``; ``data`` (from ``build_data``) is read for delays and uniform weights only."""
    dt = float(spec.settings.dt)
    pops = {p.name: p for p in spec.populations}
    proj_irs, spike_hist, rate_hist = [], {}, {}
    for pr in spec.projections:          # projections first: delays decide history sizes
        pre_a, post_a = analyses[pr.pre.population], analyses[pr.post.population]
        ir = _lower_projection(pr, pre_a, post_a, data, dt, scope)
        proj_irs.append(ir)
        pre = pr.pre.population
        if ir.type == "spike":
            spike_hist[pre] = max(spike_hist.get(pre, 0), ir.max_delay)
        elif ir.max_delay > 1:
            rate_hist[pre] = max(rate_hist.get(pre, 0), ir.max_delay)
    pop_irs = []
    for p in spec.populations:
        a = analyses[p.name]
        where = f"Population '{p.name}'"
        ups, refr = _neuron_updates(a, where)
        reset = tuple(Update(s.target, s.expr) for s in a.reset)
        variables = _with_constants(a.variables, [u.expr for u in ups] + [a.spike, a.refractory] +
                                    [u.expr for u in reset], scope)
        hoisted, ups, refr, reset, spike, refractory = _hoist_reciprocals(
            variables, spec.constants, ups, refr, reset, a.spike, a.refractory)
        pop_irs.append(PopulationIR(
            name=p.name, size=p.size, geometry=tuple(p.geometry), type=a.type, variables=variables,
            randoms=a.randoms, updates=ups, refractory_updates=refr if a.refractory is not None else (),
            spike=spike, reset=reset, refractory=refractory, auto_reset=tuple(v.name for v in a.variables
                                                                              if v.auto_reset),
            sums=_sums(a, ups), hoisted=hoisted, global_ops=a.global_ops,
            spike_history=max(spike_hist.get(p.name, 0), _rate_window(p, a, dt)[0]),
            rate_history=rate_hist.get(p.name, 0), global_randoms=_global_randoms(a, ups), **_source(p, dt),
            **_rated(p, a, dt)))
    _check_targets(spec, analyses)
    return NetworkIR(dt=dt, populations=tuple(pop_irs), projections=tuple(proj_irs),
                     precision=getattr(spec.settings, "precision", "float64"))


def _neuron_updates(analysis, where):
    """Integrated updates, and the subset still run while a neuron is refractory:
    those of the conductances (``g_*``); every other variable is frozen (ANNarchy 4.8)."""
    ups = integrate(analysis.equations, analysis, where=where)
    refr = tuple(u for u in ups if temp_owner(u.target).startswith("g_"))
    return ups, refr


def _free_names(exprs):
    names = set()
    for e in exprs:
        if e is not None and hasattr(e, "free_symbols"):
            names |= {str(sym) for sym in e.free_symbols}
    return names


def _with_constants(declared, exprs, scope):
    """The declared variables (without values), plus the network ``Constant``s these expressions use as
    population/projection-wide parameters (``add_constants`` puts their values in the data)."""
    own = {v.name for v in declared}
    used = sorted((_free_names(exprs) & set(scope.constants)) - own)
    return tuple(Variable.of(v) for v in declared) + tuple(Variable(name, "parameter", "global") for name in used)


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

    def subs(updates):
        return tuple(Update(u.target, sub(u.expr)) for u in updates)
    hoisted = tuple(Update(sym.name, node) for node, sym in table.items())
    return hoisted, subs(ups), subs(refr), subs(reset), sub(spike), sub(refractory)


def _global_randoms(a, ups):
    """Random symbols read by updates of population-wide variables (drawn once per step)."""
    glob = {v.name for v in a.variables if v.locality == "global"}
    used = {str(sym) for u in ups if temp_owner(u.target) in glob for sym in u.expr.free_symbols}
    return tuple(r.symbol for r in a.randoms if r.symbol in used)


def _sums(a, ups):
    """Targets whose ``sum(target)`` a population reads (all of them for rate-coded neurons)."""
    if a.type == "rate":
        return a.targets
    exprs = [u.expr for u in ups] + [r.expr for r in a.reset] + ([a.spike] if a.spike is not None else [])
    used = {str(s)[5:] for e in exprs for s in getattr(e, "free_symbols", ()) if str(s).startswith("sum__")}
    return tuple(t for t in a.targets if t in used)


def _source(p, dt):
    """IR fields of special populations (SpikeSourceArray, TimedArray); their schedules are data."""
    if p.kind == "spike_source_array":
        period = p.options.get("period") or 0
        return {"source": "spike_source_array", "source_period": steps(period, dt) if period > 0 else 0}
    if p.kind == "timed_array":
        schedule = p.options.get("schedule") or 0
        period = p.options.get("period") or -1
        return {"source": "timed_array", "source_schedule": max(1, steps(schedule, dt)) if schedule > 0 else 1,
                "source_period": steps(period, dt) if period > 0 else 0}
    return {}


def _rate_window(p, analysis, dt):
    """``compute_firing_rate(window)`` before compile: (steps of the window, 1000 / window), or (0, 0.0)."""
    window = p.options.get("firing_rate_window") if p.kind not in ("spike_source_array", "timed_array") else None
    if not window or analysis.type != "spike" or "r" not in analysis.names:
        return 0, 0.0
    return max(1, steps(float(window), dt)), 1000.0 / float(window)


def _rated(p, analysis, dt):
    w, scale = _rate_window(p, analysis, dt)
    return {"rate_window": w, "rate_scale": scale} if w else {}


def _ir_targets(pr, ptype, post_a, where):
    """(target, extra targets) of a projection's IR.  A list of targets (``target=['ampa', 'nmda']``) feeds
    every listed conductance the post neuron has with the same increment, as ANNarchy 4.8.2.6 and 5.0.4.1 do;
    the others get nothing (``_check_targets`` warns).  Rate-coded lists are refused: both ANNarchy
    versions fail to compile them."""
    targets = (pr.target,) if isinstance(pr.target, str) else tuple(pr.target)
    if not targets or not all(isinstance(t, str) for t in targets):
        raise ModelError("a projection's target is a name or a non-empty list of names", where=where)
    if len(targets) == 1:
        return targets[0], ()
    if ptype != "spike" or post_a.type != "spike" or pr.kind != "standard":
        raise ModelError("a list of targets is only supported for spiking projections onto spiking neurons "
                         "(ANNarchy fails to compile the others)", where=where,
                         hint="create one projection per target")
    present = tuple(t for t in targets if f"g_{t}" in post_a.names)
    return (present[0], present[1:]) if present else (targets[0], ())


def _check_targets(spec, analyses):
    kinds = {p.name: p.kind for p in spec.populations}
    for pr in spec.projections:
        a = analyses[pr.post.population]
        targets = pr.target if isinstance(pr.target, (list, tuple)) else [pr.target]
        for tgt in targets:
            pre_type = analyses[pr.pre.population].type
            if pre_type == "spike" and a.type == "spike" and pr.kind != "current_injection" and \
                    f"g_{tgt}" not in a.names and kinds.get(pr.post.population) != "spike_source_array":
                warnings.warn(f"Projection '{pr.name}': the neuron of '{pr.post.population}' does not use "
                              f"g_{tgt}; its spikes will have no effect", stacklevel=2)   # as ANNarchy 4.8
                continue
            if pr.kind == "current_injection" and f"g_{tgt}" not in a.names:
                raise ModelError(f"the post population's neuron does not use 'g_{tgt}'",
                                 where=f"Projection '{pr.name}'",
                                 hint=f"add g_{tgt} to the equations of Neuron '{a.name}'")


def _pre_spike_update(stmt, where):
    if stmt.target != "g_target":
        return Update(stmt.target, stmt.expr)
    g = sp.Symbol("g_target")
    inc = stmt.expr - g   # sympy cancels g_target - g_target
    if g in inc.free_symbols:
        raise ModelError("g_target can only be incremented in pre_spike ('g_target += ...')", where=where)
    return Update("g_target", inc)


def _delay_kind(delays):
    """(delay kind, max delay in steps) from a projection's ``NetworkData.delays`` entry."""
    if np.ndim(delays) == 0:
        max_delay = int(delays)
        return ("none" if max_delay <= 1 else "uniform"), max_delay
    return "variable", (int(delays.max()) if delays.size else 1)


def _synapse_updates(a, where):
    """Continuous synaptic statements in ANNarchy's order (docs/annarchy-semantics.md, section j):
    projection-wide ones first, then postsynaptic (one per post neuron), then per-synapse ones; each
    group in textual order with its own ODE blocks, so a per-synapse ODE reads the postsynaptic and
    projection-wide values already updated in this step."""
    loc = {v.name: v.locality for v in a.variables}
    groups = {"global": [], "semiglobal": [], "local": []}
    for s in a.equations:
        groups[loc.get(s.target, "local")].append(s)
    return tuple(u for k in ("global", "semiglobal", "local") for u in integrate(groups[k], a, where=where))


def _lower_projection(pr, pre_a, post_a, data, dt, scope):
    where = f"Projection '{pr.name}'"
    ptype = pre_a.type
    a = synapse_analysis(pr, ptype, scope)
    for field, line, message, hint in reference_problems(pr.synapse, a, pre_a, post_a) if pr.synapse else ():
        raise EquationError(message, where=f"{where}, Synapse '{pr.synapse.name}', {field}", line=line, hint=hint)
    delay_kind, max_delay = _delay_kind(data.delays[pr.name])
    psp = None
    if ptype == "rate":
        psp = a.psp if a.psp is not None else sp.Symbol("w") * sp.Symbol("pre__r")
        pre_refs = tuple(sorted(set(a.pre_refs) | {str(s)[5:] for s in psp.free_symbols
                                                   if str(s).startswith("pre__")}))
    else:
        pre_refs = tuple(a.pre_refs)
    ups = _synapse_updates(a, where)
    ev = tuple((s.target, event_driven_update(s, where)) for s in a.equations if s.method == "event-driven")
    pre_spike = tuple(_pre_spike_update(s, where) for s in a.pre_spike)
    target, extra_targets = _ir_targets(pr, ptype, post_a, where)
    if ptype == "spike" and post_a.type == "spike" and f"g_{target}" not in post_a.names:
        pre_spike = tuple(u for u in pre_spike if u.target != "g_target")   # onto a SpikeSourceArray: no effect
    variables = _with_constants(a.variables, [psp] + [u.expr for u in ups + pre_spike] +
                                [s.expr for s in a.post_spike] + [e for _, e in ev], scope)
    return ProjectionIR(
        name=pr.name, pre=pr.pre.population, post=pr.post.population,
        target=target, extra_targets=extra_targets, type=ptype,
        variables=variables, randoms=a.randoms, psp=psp, operation=a.operation, pre_spike=pre_spike,
        post_spike=tuple(Update(s.target, s.expr) for s in a.post_spike),
        updates=ups, event_driven=ev, pre_refs=pre_refs, post_refs=tuple(a.post_refs),
        uniform_weight=bool(uniform_weight(data.connectivity[pr.name], a)), delay=delay_kind,
        max_delay=max_delay, global_ops=a.global_ops, **_projection_kind(pr, ptype, post_a, dt, where))


def _projection_kind(pr, ptype, post_a, dt, where):
    """IR fields of DecodingProjection / CurrentInjection (see the module docstring of ``ir``)."""
    if pr.kind == "decoding":
        if ptype != "spike" or post_a.type != "rate":
            raise ModelError("a DecodingProjection goes from a spiking to a rate-coded population", where=where)
        window = float(pr.options.get("window") or 0.0)
        return {"kind": "decoding", "window": max(1, steps(window, dt)) if window > 0 else 1}
    if pr.kind == "current_injection":
        if ptype != "rate" or post_a.type != "spike":
            raise ModelError("a CurrentInjection goes from a rate-coded to a spiking population", where=where)
        return {"kind": "current_injection"}
    return {}
