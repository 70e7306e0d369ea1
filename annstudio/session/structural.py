"""Structural plasticity: creating and pruning synapses of a compiled network.

Owns the work behind the methods that ``Dendrite`` and ``Projection``
(projection.py) define: editing the synapses and evaluating the rules.

ANNarchy API (needs ``setup(structural_plasticity=True)`` before ``compile()``):
``Dendrite.create_synapse(rank, w=0.0, delay=0)`` / ``create_synapses`` /
``prune_synapse(rank)`` / ``prune_synapses`` between simulations, and the
synapse rules ``Synapse(pruning="cond : proba = p", creating="cond : proba = p,
w = w0, d = d0")`` evaluated every ``period`` ms after
``proj.start_pruning(period)`` / ``proj.start_creating(period)`` (default: every
step) until ``stop_pruning()`` / ``stop_creating()``.

Design (works for every backend): an edit copies the current state out of the
backend (``Simulation.current_data``), removes/inserts synapses in the
post-major arrays of the projection's ``Connectivity`` and synaptic
variables (new synapses get their variables' initial values, ``w`` and the
delay given), and asks the Simulation to rebuild the backend instance
(``Simulation.restructure``).  The IR normally stays the same (a compiled
backend re-uses its cached kernel: slot sizes are runtime data); it changes,
and a compiled backend rebuilds its kernel once, only when a projection with a
single shared weight gets a synapse with another weight, or a new delay turns
uniform delays into per-synapse ones (or raises the maximal delay).

Semantics:

- pruning: every existing synapse whose condition holds is removed with
  probability ``proba`` (default 1); creating: every absent pair (post, pre) of
  the projection's populations (views), a neuron's synapse onto itself included
  (as in ANNarchy 4.8 and 5, whose ``creating()`` has no such check, although
  ``connect_*`` leaves self-connections out by default), whose condition holds
  is created with probability ``proba``,
  weight ``w`` (default 0) and delay ``d`` (ms, default ``dt``).  The condition of
  ``creating`` reads pre/post variables, projection-wide values and the
  initial values of per-synapse variables;
- the rules run between steps, after the step's recording, when the step
  count reaches ``start + 1 + k*period`` (``start``: the step of ``start_*``;
  ANNarchy evaluates them at the end of the steps ``start + k*period``, i.e.
  the first one right after the first step); their random draws
  come from a generator seeded from ``setup(seed=...)``, so every backend
  prunes and creates the same synapses;
- neuron state, time, monitors and learning switches are kept; what a backend
  cannot hand over (``carry_state_from``, see ``session.simulation``) restarts:
  the NumPy backend keeps everything, a backend without that hook loses spikes
  in flight, refractory counters and delayed rates at each restructure.
"""
from dataclasses import replace

import numpy as np

from annstudio.codegen.data import default_value
from annstudio.codegen.numpy_eval import REDUCERS, compile_expr, evaluate
from annstudio.core.errors import ModelError

from .population import PopulationView


def _check_enabled(proj, what):
    if not proj._net.spec.settings.structural_plasticity:
        raise ModelError(f"{what} needs structural plasticity: call setup(structural_plasticity=True) before "
                         "compile()", where=f"Projection '{proj.name}'")
    return proj._sim()


def _ranks(obj):
    return np.asarray(obj.ranks if isinstance(obj, PopulationView) else np.arange(obj.size), dtype=np.int64)


def edit_synapses(sim, name, remove=(), add_post=(), add_pre=(), add_w=(), add_delay=()):
    """Remove synapses (indices in post-major order) and add ``(post, pre)`` synapses with weights and
    delays (ms) in projection ``name`` of ``sim``, then rebuild the backend (see the module docstring)."""
    where = f"Projection '{name}'"
    ir = sim.ir
    pir = ir.projection(name)
    data = sim.current_data()
    conn, syn, delays = data.connectivity[name], data.projections[name], data.delays[name]
    n = conn.size
    keep = np.ones(n, dtype=bool)
    keep[np.asarray(remove, dtype=np.int64)] = False
    add_post, add_pre = np.asarray(add_post, dtype=np.int64), np.asarray(add_pre, dtype=np.int64)
    k = add_post.size
    add_w = np.broadcast_to(np.asarray(add_w, dtype=float), (k,))
    add_delay = np.broadcast_to(np.asarray(add_delay, dtype=float), (k,))
    if np.any(add_delay < 0):
        raise ModelError("delays must be non-negative", where=where)
    steps = np.maximum(1, np.rint(add_delay / sim.dt).astype(np.int64))
    new_pir = pir
    # weights: a shared weight becomes per-synapse when a new synapse has another one
    if np.ndim(syn["w"]) == 0 and k and np.any(add_w != syn["w"]):
        syn["w"] = np.full(n, float(syn["w"]))
        new_pir = replace(new_pir, uniform_weight=False)
    # delays: one shared value (int) or per-synapse steps
    if np.ndim(delays) == 0 and k and np.any(steps != int(delays)):
        if pir.type == "rate":
            raise ModelError(f"rate-coded projections take one delay for all synapses ({int(delays)} step(s)); "
                             f"got {sorted(set(steps.tolist()))}", where=where)
        delays = np.full(n, int(delays), dtype=np.int64)
    if np.ndim(delays):
        delays = np.concatenate([np.asarray(delays, dtype=np.int64)[keep], steps])
        max_delay = int(delays.max()) if delays.size else 1
        new_pir = replace(new_pir, delay="variable", max_delay=max(max_delay, 1))
    order = np.lexsort((np.concatenate([conn.pre[keep], add_pre]), np.concatenate([conn.post[keep], add_post])))
    local = {v.name for v in pir.variables if v.locality == "local"}
    for v in pir.variables:
        if v.name in local and np.ndim(syn[v.name]):
            fill = add_w if v.name == "w" else np.full(k, default_value(sim.spec, name, v.name))
            syn[v.name] = np.concatenate([syn[v.name][keep], fill])[order]
    if "_last_event" in syn:
        syn["_last_event"] = np.concatenate([np.asarray(syn["_last_event"])[keep], np.full(k, sim.t)])[order]
    if np.ndim(delays):
        delays = delays[order]
    data.delays[name] = delays
    cat = lambda a, b: np.concatenate([a[keep], b])[order]  # noqa: E731
    data.connectivity[name] = replace(
        conn, pre=cat(conn.pre, add_pre), post=cat(conn.post, add_post), w=cat(conn.w, add_w),
        delay=cat(conn.delay, add_delay), uniform_weight=conn.uniform_weight if new_pir.uniform_weight else None,
        uniform_delay=None if np.ndim(delays) else conn.uniform_delay)
    new_ir = None
    if new_pir != pir:
        pops = tuple(replace(p, spike_history=max(p.spike_history, new_pir.max_delay))
                     if p.name == pir.pre and pir.type == "spike" else p for p in ir.populations)
        projs = tuple(new_pir if p.name == name else p for p in ir.projections)
        new_ir = replace(ir, populations=pops, projections=projs)
    sim.restructure(data, new_ir)


# -- what Dendrite.create_synapse(s) / prune_synapse(s) do ------------------------------------------------
def create_synapses(dendrite, ranks, weights=None, delays=None):
    """Create synapses from the presynaptic neurons ``ranks`` to the neuron of dendrite ``dendrite``."""
    sim = _check_enabled(dendrite.proj, "create_synapse()")
    ranks = np.atleast_1d(np.asarray(ranks, dtype=np.int64))
    w = np.zeros(ranks.size) if weights is None else np.broadcast_to(np.asarray(weights, dtype=float), ranks.shape)
    d = np.full(ranks.size, sim.dt) if delays is None else np.broadcast_to(np.asarray(delays, dtype=float),
                                                                           ranks.shape)
    valid = set(_ranks(dendrite.proj.pre).tolist())
    existing = set(dendrite.pre_ranks)
    for r in ranks.tolist():
        if r not in valid:
            raise ModelError(f"{r} is not a rank of the presynaptic population", where=f"Projection "
                             f"'{dendrite.proj.name}', dendrite {dendrite.post_rank}")
        if r in existing:
            raise ModelError(f"the synapse {r} -> {dendrite.post_rank} already exists",
                             where=f"Projection '{dendrite.proj.name}'")
        existing.add(r)
    d = np.where(d <= 0, sim.dt, d)   # ANNarchy's delay=0: one step
    edit_synapses(sim, dendrite.proj.name, add_post=np.full(ranks.size, dendrite.post_rank), add_pre=ranks,
                  add_w=w, add_delay=d)


def prune_synapses(dendrite, ranks):
    """Remove the synapses from the presynaptic neurons ``ranks`` to the neuron of dendrite ``dendrite``."""
    sim = _check_enabled(dendrite.proj, "prune_synapse()")
    sl = dendrite._slice()
    pre = list(dendrite.pre_ranks)
    idx = []
    for r in np.atleast_1d(np.asarray(ranks, dtype=np.int64)).tolist():
        if r not in pre:
            raise ModelError(f"there is no synapse {r} -> {dendrite.post_rank}", where=f"Projection '{dendrite.proj.name}'")
        idx.append(sl.start + pre.index(r))
    edit_synapses(sim, dendrite.proj.name, remove=idx)


# -- rules: Synapse(pruning=..., creating=...) ------------------------------------------------------------
def _rule(proj, kind):
    syn = proj.synapse_type
    a = proj._analysis() if syn is not None else None
    rule = getattr(a, kind, None) if a is not None else None
    if rule is None:
        raise ModelError(f"the synapse defines no '{kind}' rule", where=f"Projection '{proj.name}'")
    return a, rule


def _rng(sim):
    rng = getattr(sim, "_structural_rng", None)
    if rng is None:
        seed = sim.spec.settings.seed
        rng = np.random.default_rng(None if seed is None else (int(seed) + 104729) % (2 ** 63))
        sim._structural_rng = rng
    return rng


def _namespace(sim, proj, a, post, pre, local_values):
    """Values the condition sees for the synapses (post[i], pre[i])."""
    pir = sim.ir.projection(proj.name)
    ns = {"t": sim.t, "dt": sim.dt, **{k: float(v) for k, v in sim.spec.constants.items()}}
    for v in pir.variables:
        val = np.asarray(sim.get(proj.name, v.name), dtype=float)
        if v.locality == "local":
            ns[v.name] = local_values(v, val)
        elif v.locality == "semiglobal":
            ns[v.name] = val[post]
        else:
            ns[v.name] = float(val)
    for side, ranks in (("pre", pre), ("post", post)):
        pop = pir.pre if side == "pre" else pir.post
        for ref in (a.pre_refs if side == "pre" else a.post_refs):
            val = np.asarray(sim.get(pop, ref), dtype=float)
            ns[f"{side}__{ref}"] = val if val.ndim == 0 else val[ranks]
    for g in a.global_ops:
        pop = pir.pre if g.side == "pre" else pir.post
        ns[g.symbol] = REDUCERS[g.op](np.asarray(sim.get(pop, g.variable), dtype=float))
    return ns


def _condition(sim, proj, a, cond, kind, ns, n):
    try:
        val = evaluate(compile_expr(cond, f"{proj.name}:{kind}")[0], ns)
    except NameError as exc:
        raise ModelError(f"the '{kind}' condition uses {exc}; it may read the synapse's variables, pre.x, post.x "
                         "and t", where=f"Projection '{proj.name}'") from None
    return np.broadcast_to(np.asarray(val, dtype=bool), (n,))


def prune_now(sim, proj):
    """Evaluate the ``pruning`` rule once (see the module docstring)."""
    a, (cond, flags) = _rule(proj, "pruning")
    flags = dict(flags)
    conn = sim.data.connectivity[proj.name]
    n = conn.size
    if n == 0:
        return 0
    ns = _namespace(sim, proj, a, conn.post, conn.pre, lambda v, val: val if val.ndim else np.full(n, float(val)))
    hit = _condition(sim, proj, a, cond, "pruning", ns, n) & (_rng(sim).random(n) < flags.get("proba", 1.0))
    if hit.any():
        edit_synapses(sim, proj.name, remove=np.nonzero(hit)[0])
    return int(hit.sum())


def create_now(sim, proj):
    """Evaluate the ``creating`` rule once (see the module docstring)."""
    a, (cond, flags) = _rule(proj, "creating")
    flags = dict(flags)
    conn = sim.data.connectivity[proj.name]
    pre_r, post_r = _ranks(proj.pre), _ranks(proj.post)
    post, pre = (g.ravel() for g in np.meshgrid(post_r, pre_r, indexing="ij"))
    exists = np.zeros((conn.post_size, conn.pre_size), dtype=bool)
    exists[conn.post, conn.pre] = True
    free = ~exists[post, pre]   # self-connections included, as in ANNarchy (see the module docstring)
    post, pre = post[free], pre[free]
    n = post.size
    if n == 0:
        return 0
    ns = _namespace(sim, proj, a, post, pre, lambda v, val: default_value(sim.spec, proj.name, v.name))
    hit = _condition(sim, proj, a, cond, "creating", ns, n) & (_rng(sim).random(n) < flags.get("proba", 1.0))
    if hit.any():
        edit_synapses(sim, proj.name, add_post=post[hit], add_pre=pre[hit], add_w=flags.get("w", 0.0),
                      add_delay=max(flags.get("d", sim.dt), sim.dt))
    return int(hit.sum())


# -- what Projection.start_pruning / start_creating / stop_* do --------------------------------------------
def start_rule(proj, kind, period):
    """Evaluate the synapse's ``kind`` rule ("pruning" or "creating") every ``period`` ms (default: every
    step), from now on."""
    fn = prune_now if kind == "pruning" else create_now
    sim = _check_enabled(proj, f"start_{kind}()")
    _rule(proj, kind)
    stop_rule(proj, kind)
    steps = max(1, int(round((period or sim.dt) / sim.dt)))
    handles = proj.__dict__.setdefault("_structural_handles", {})
    # as in ANNarchy (``(t - offset) % period == 0``, offset: the step of start_*, evaluated at the end of the
    # step): first after the next step, then every ``period``
    handles[kind] = (sim, sim.every(steps, lambda s: fn(s, proj), start_step=sim.step + 1 - steps))


def stop_rule(proj, kind):
    """Stop evaluating the ``kind`` rule."""
    entry = proj.__dict__.get("_structural_handles", {}).pop(kind, None)
    if entry is not None:
        entry[0].cancel_every(entry[1])


__all__ = ["edit_synapses", "prune_now", "create_now", "create_synapses", "prune_synapses", "start_rule",
           "stop_rule"]
