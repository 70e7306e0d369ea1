"""NetworkIR -> one C++/OpenMP kernel source (``templates/kernel.cpp.j2``) and its slot layout.

This module decides *what* each loop computes (printed statements, the names
symbols map to, which barriers a step needs); the template decides the loop
shapes.  Naming in generated code: ``A_x`` array, ``G_x_<k>`` scalar (SSA
version k of a population/projection-wide value), ``L_x`` register copy of a
neuron's variable, ``T_x`` temporary, ``H__inv_k`` per-step hoisted reciprocal, ``R_k`` random draw, ``P_x``/``Q_x`` pre/
post population arrays.  Statement semantics follow ``annstudio.codegen.ir``.
"""
import os
from dataclasses import dataclass, field

import jinja2
import sympy as sp

from annstudio import __version__
from annstudio.core.errors import BuildError

from .layout import build_layout
from .printer import cpp

TEMPLATES = os.path.join(os.path.dirname(__file__), "templates")
_TEMP_PREFIXES = ("_new_", "_k1_", "_k2_", "_k3_", "_k4_")
_GOPS = {"mean": 0, "max": 1, "min": 2, "norm1": 3, "norm2": 4}
_DISTS = {"Uniform": "draw_uniform", "Normal": "draw_normal", "LogNormal": "draw_lognormal",
          "Exponential": "draw_exponential", "Gamma": "draw_gamma", "DiscreteUniform": "draw_discrete_uniform",
          "Binomial": "draw_binomial"}

class _BytecodeCache(jinja2.BytecodeCache):
    """Compiled templates kept in the build cache (``<cache>/jinja``): a fresh process renders its first
    kernel without recompiling the template (~0.3 s of a cold build)."""

    def _fs(self):
        from .cache import cache_root
        d = os.path.join(cache_root(), "jinja")
        os.makedirs(d, exist_ok=True)
        return jinja2.FileSystemBytecodeCache(d)

    def load_bytecode(self, bucket):
        self._fs().load_bytecode(bucket)

    def dump_bytecode(self, bucket):
        self._fs().dump_bytecode(bucket)


_env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), trim_blocks=True, lstrip_blocks=True,
                          undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                          bytecode_cache=_BytecodeCache())


def _owner(target):
    for prefix in _TEMP_PREFIXES:
        if target.startswith(prefix):
            return target[len(prefix):]
    return target


def _names(expr):
    return {s.name for s in expr.free_symbols}


class _Scope:
    """Symbol name -> C++ expression, with a printer bound to it."""

    def __init__(self, where):
        self.map = {"t": "t", "dt": "dt"}
        self.where = where

    def __call__(self, name):
        try:
            return self.map[name]
        except KeyError:
            raise BuildError(f"'{name}' cannot be used here", where=self.where) from None

    def p(self, expr, exp=None):
        return cpp(expr, self, exp)


def _constant_args(rd, known):
    """A random distribution's arguments as C++ literals (they must be constants), after checking that the
    compiled backend knows the distribution (``known``: a table keyed by its name)."""
    args = []
    for a in rd.args:
        a = sp.sympify(a)
        if a.free_symbols:
            raise BuildError(f"random distribution {rd.dist} needs constant arguments in the compiled backend")
        args.append(repr(float(a)))
    if rd.dist not in known:
        raise BuildError(f"unknown distribution {rd.dist}")
    return args


def _random_expr(rd, stream, idx):
    args = _constant_args(rd, _DISTS)
    fn = _DISTS[rd.dist]
    return f"ann::{fn}(net.seed ^ {stream}ULL, it, {idx}, {', '.join(args)})"


_FILL = {"Uniform": 0, "Normal": 1, "LogNormal": 2, "Exponential": 3, "Gamma": 4, "DiscreteUniform": 5,
         "Binomial": 6}    # ann::fill_draws' codes (annstudio_runtime.h)


def _fill_draws(name, rd, stream):
    """C++ that fills a neuron block's draws of one step through the runtime library, vectorised once per
    machine there: inlined in the neuron loop, Box-Muller's log and cos took GCC's combiner 2 s of every
    kernel's compile."""
    args = (_constant_args(rd, _FILL) + ["0.0", "0.0"])[:2]
    return (f"static thread_local std::vector<double> V_{name}; if ((int64_t)V_{name}.size() < hi - lo) "
            f"V_{name}.resize(hi - lo);",
            f"ann::fill_draws({_FILL[rd.dist]}, net.seed ^ {stream}ULL, it, lo, hi, {args[0]}, {args[1]}, "
            f"V_{name}.data());",
            f"const double* __restrict B_{name} = V_{name}.data() - lo;")


def _stream(kind, obj, k):
    return ((kind * 4096 + obj) * 64 + k + 1) * 0x9E3779B1


@dataclass
class _Block:
    """Statements of one loop body: C++ lines, and global (scalar) lines hoisted before it."""
    pre: list = field(default_factory=list)       # scalar lines before the loop
    body: list = field(default_factory=list)      # lines inside the loop
    writeback: list = field(default_factory=list)  # (slot, scalar name) of updated globals


class Generator:
    def __init__(self, ir, data, digest=None):
        self.ir = ir
        self.digest = digest or ir.digest()
        self.data = data
        self.layout = build_layout(ir, data)
        self.pop_index = {p.name: i for i, p in enumerate(ir.populations)}
        self.mirrors = []      # (projection, slot, "pre" | "tile"): kernel-side copies of read-only synapse arrays

    def slot(self, kind, obj, name):
        s = self.layout.get(kind, obj, name)
        if s is None:
            raise BuildError(f"no storage for {name!r}")
        return s.index

    # ------------------------------------------------------------------ populations
    def _pop_scope(self, i, p, where):
        sc = _Scope(where)
        for v in p.variables:
            sc.map[v.name] = f"G_{v.name}_0" if v.locality == "global" else f"L_{v.name}"
        for g in p.global_ops:
            sc.map[g.symbol] = f"G_{g.symbol}_0"
        for t in p.sums:
            sc.map[f"sum__{t}"] = f"A_sum__{t}[i]"
        for k, rd in enumerate(p.randoms):
            sc.map[rd.symbol] = f"R_{k}"
        return sc

    def population(self, i, p):
        where = f"Population '{p.name}'"
        source = getattr(p, "source", "")
        if source:
            base = dict(i=i, name=p.name, size=p.size, spiking=p.type == "spike", source=source,
                        period=int(getattr(p, "source_period", 0)), schedule=int(getattr(p, "source_schedule", 1)),
                        history=max(p.spike_history, 1) + 1, rate_history=p.rate_history, writeback=[],
                        global_ops=[(self.slot("pop", i, g.symbol), _GOPS[g.op], self.slot("pop", i, g.variable))
                                    for g in p.global_ops])
            base["r_slot"] = self.slot("pop", i, "r") if p.var("r") is not None and p.var("r").locality != "global" \
                else -1
            base["sum_slots"] = [self.slot("pop", i, f"sum__{t}") for t in p.sums]
            base["local_slots"] = [self.slot("pop", i, v.name) for v in p.variables if v.locality != "global"] + \
                base["sum_slots"]
            base["scalar_slots"] = [self.slot("pop", i, v.name) for v in p.variables if v.locality == "global"] + \
                [self.slot("pop", i, g.symbol) for g in p.global_ops]
            if source == "spike_source_array":
                base["steps_slot"] = self.slot("pop", i, "_src_steps")
                base["ranks_slot"] = self.slot("pop", i, "_src_ranks")
            else:
                if base["r_slot"] < 0:
                    raise BuildError("a TimedArray needs a per-neuron 'r'", where=where)
                base["buffer_slot"] = self.slot("pop", i, "_src_buffer")
            return base
        sc = self._pop_scope(i, p, where)
        glob = {v.name for v in p.variables if v.locality == "global"}
        local = [v.name for v in p.variables if v.locality != "global"]
        scalar_names = set(glob) | {g.symbol for g in p.global_ops} | {"t", "dt"}
        version = {}
        pre, body, declared = [], [], set()
        # PopulationIR.hoisted: per-step scalars (reciprocals of population-wide parameters), computed
        # once before the neuron loop exactly as the reference does (same printed expression)
        for h in getattr(p, "hoisted", ()) or ():
            name = f"H_{h.target}"
            pre.append(f"const double {name} = {sc.p(h.expr)};")
            sc.map[h.target] = name
            scalar_names.add(h.target)
        global_randoms = set(getattr(p, "global_randoms", ()) or ())
        for k, rd in enumerate(p.randoms):
            if rd.symbol in global_randoms:   # drawn once per step for population-wide statements
                pre.append(f"const double R_{k} = {_random_expr(rd, _stream(0, i, k), '0')};")
                scalar_names.add(rd.symbol)
        updated_globals = []
        for u in p.updates:
            owner = _owner(u.target)
            rhs = sc.p(u.expr)
            if owner in glob:
                bad = _names(u.expr) - scalar_names - {n for n in sc.map if n.startswith("_") and
                                                      sc.map[n].startswith("G_")}
                if bad:
                    raise BuildError(f"population-wide '{owner}' depends on per-neuron {sorted(bad)}", where=where)
                version[u.target] = version.get(u.target, 0) + 1
                name = f"G_{u.target}_{version[u.target]}"
                pre.append(f"const double {name} = {rhs};")
                sc.map[u.target] = name
                scalar_names.add(u.target)
                if u.target in glob:
                    updated_globals.append(u.target)
            elif u.target.startswith("_"):
                name = f"T_{u.target}"
                body.append(f"{'double ' if name not in declared else ''}{name} = {rhs};")
                declared.add(name)
                sc.map[u.target] = name
            else:
                body.append(f"L_{u.target} = {rhs};")
        writeback = [(self.slot("pop", i, g), sc.map[g]) for g in dict.fromkeys(updated_globals)]
        # what the loop reads and writes
        exprs = [u.expr for u in p.updates] + [s.expr for s in p.reset]
        if p.spike is not None:
            exprs.append(p.spike)
        if p.refractory is not None:
            exprs.append(sp.sympify(p.refractory))
        used = set().union(*[_names(e) for e in exprs]) if exprs else set()
        assigned = [u.target for u in p.updates if u.target in local] + [s.target for s in p.reset] + \
            list(p.auto_reset)
        loads = [n for n in local if n in used or n in assigned]
        stores = [n for n in local if n in assigned]
        clamped = []
        if p.refractory is not None:
            refr_targets = {u.target for u in p.refractory_updates}
            clamped = [n for n in dict.fromkeys(u.target for u in p.updates) if n in local and n not in refr_targets]
        for s in p.reset:
            if s.target in glob:
                raise BuildError(f"the reset cannot change population-wide '{s.target}'", where=where)
        resets = [(f"L_{s.target}", sc.p(s.expr)) for s in p.reset]
        randoms = [(f"R_{k}", f"B_R_{k}[i]") for k, rd in enumerate(p.randoms) if rd.symbol not in global_randoms]
        fills = [line for k, rd in enumerate(p.randoms) if rd.symbol not in global_randoms
                 for line in _fill_draws(f"R_{k}", rd, _stream(0, i, k))]
        arrays = [(f"A_{n}", self.slot("pop", i, n)) for n in loads]
        arrays += [(f"A_sum__{t}", self.slot("pop", i, f"sum__{t}")) for t in p.sums]
        scalars = [(f"G_{v}_0", self.slot("pop", i, v)) for v in sorted(glob)]
        scalars += [(f"G_{g.symbol}_0", self.slot("pop", i, g.symbol)) for g in p.global_ops]
        return dict(
            i=i, name=p.name, size=p.size, spiking=p.type == "spike", source="", arrays=arrays, scalars=scalars,
            pre=pre, body=body, writeback=writeback, loads=loads, stores=stores, clamped=clamped,
            randoms=randoms, fills=fills, spike=sc.p(p.spike) if p.spike is not None else None, resets=resets,
            refractory=sc.p(sp.sympify(p.refractory)) if p.refractory is not None else None,
            auto_reset=[f"L_{n}" for n in p.auto_reset],
            global_ops=[(self.slot("pop", i, g.symbol), _GOPS[g.op], self.slot("pop", i, g.variable))
                        for g in p.global_ops],
            history=max(p.spike_history, 1) + 1, rate_history=p.rate_history,
            r_slot=self.slot("pop", i, "r") if p.var("r") is not None and p.var("r").locality != "global" else -1,
            sum_slots=[self.slot("pop", i, f"sum__{t}") for t in p.sums],
            local_slots=[self.slot("pop", i, v.name) for v in p.variables if v.locality != "global"] +
            [self.slot("pop", i, f"sum__{t}") for t in p.sums],
            scalar_slots=[self.slot("pop", i, v.name) for v in p.variables if v.locality == "global"] +
            [self.slot("pop", i, g.symbol) for g in p.global_ops])

    # ------------------------------------------------------------------ projections
    def _syn_scope(self, k, pr, where, pre_rate_expr=None):
        """Scope of one synapse ``j`` (pre rank ``i``, post rank ``p``)."""
        sc = _Scope(where)
        arrays, scalars = [], []
        for v in pr.variables:
            s = self.layout.get("proj", k, v.name)
            if s.scalar:
                sc.map[v.name] = f"G_{v.name}_0"
                scalars.append((f"G_{v.name}_0", s.index))
            else:
                sc.map[v.name] = f"A_{v.name}[{'p' if v.locality == 'semiglobal' else 'j'}]"
                arrays.append((f"A_{v.name}", s.index))
        pre_i, post_i = self.pop_index[pr.pre], self.pop_index[pr.post]
        pre_ir, post_ir = self.ir.populations[pre_i], self.ir.populations[post_i]
        for side, refs, pop_i, pop_ir, idx, pfx in (("pre", pr.pre_refs, pre_i, pre_ir, "i", "P"),
                                                    ("post", pr.post_refs, post_i, post_ir, "p", "Q")):
            for ref in refs:
                if side == "pre" and ref == "r" and pre_rate_expr is not None:
                    sc.map["pre__r"] = pre_rate_expr
                    continue
                s = self.layout.get("pop", pop_i, ref)
                if s is None:
                    raise BuildError(f"'{side}.{ref}' has no storage", where=where)
                if s.scalar:
                    sc.map[f"{side}__{ref}"] = f"{pfx}G_{ref}"
                    scalars.append((f"{pfx}G_{ref}", s.index))
                else:
                    sc.map[f"{side}__{ref}"] = f"{pfx}_{ref}[{idx}]"
                    arrays.append((f"{pfx}_{ref}", s.index))
        for g in pr.global_ops:
            sc.map[g.symbol] = f"G_{g.symbol}_0"
            scalars.append((f"G_{g.symbol}_0", self.slot("proj", k, g.symbol)))
        for q, rd in enumerate(pr.randoms):
            sc.map[rd.symbol] = f"R_{q}"
        sc.map["g_target"] = "0.0"
        if pr.event_driven:
            arrays.append(("A__last_event", self.slot("proj", k, "_last_event")))
        return sc, list(dict.fromkeys(arrays)), list(dict.fromkeys(scalars))

    def _event_body(self, k, pr, sc, statements, pre_event, where):
        lines = []
        if pr.event_driven:
            sc.map["_delta_t"] = "DT_ev"
            lines.append("const double DT_ev = t - A__last_event[j];")
            for q, (name, expr) in enumerate(pr.event_driven):   # decays: the inline, vectorisable exp
                lines.append(f"const double E_{q} = {sc.p(expr, 'ann::rexp')};")
            for q, (name, expr) in enumerate(pr.event_driven):
                lines.append(f"{sc(name)} = E_{q};")
            lines.append("A__last_event[j] = t;")
        uses_rand = False
        for st in statements:
            if st.target == "g_target":
                if not pre_event:
                    raise BuildError("g_target can only be changed in pre_spike", where=where)
                lines.append(f"A_gtarget[p] += {sc.p(st.expr)};")
                uses_rand |= bool(_names(st.expr) & {rd.symbol for rd in pr.randoms})
                continue
            if st.target.startswith("_"):
                continue   # the reference discards temporaries of event statements
            decl = pr.var(st.target)
            if decl is None or decl.locality != "local" or self.layout.get("proj", k, st.target).scalar:
                raise BuildError(f"'{st.target}' is not a per-synapse variable; it cannot change on spikes",
                                 where=where)
            lines.append(f"A_{st.target}[j] = {sc.p(st.expr)};")
        randoms = [f"const double R_{q} = {_random_expr(rd, _stream(2 if pre_event else 3, k, q), 'j')};"
                   for q, rd in enumerate(pr.randoms)]
        return randoms + lines

    def projection(self, k, pr):
        where = f"Projection '{pr.name}'"
        pre_i, post_i = self.pop_index[pr.pre], self.pop_index[pr.post]
        post_ir = self.ir.populations[post_i]
        # everything here comes from the IR (the kernel is cached by IR digest), never from data
        ctx = dict(k=k, name=pr.name, pre=pre_i, post=post_i, type=pr.type,
                   pre_slot=self.slot("proj", k, "_pre"), post_slot=self.slot("proj", k, "_post"),
                   delay_slot=self.slot("proj", k, "_delay") if pr.delay == "variable" else -1,
                   delay=pr.delay, max_delay=pr.max_delay, lag=max(1, pr.max_delay))
        # slot ranges (monitors): synapse arrays follow post rows
        ctx["syn_slots"], ctx["post_slots"], ctx["scalar_slots"] = [], [], []
        for v in pr.variables:
            s = self.layout.get("proj", k, v.name)
            (ctx["scalar_slots"] if s.scalar else ctx["post_slots"] if v.locality == "semiglobal"
             else ctx["syn_slots"]).append(s.index)
        if pr.event_driven:
            ctx["syn_slots"].append(self.slot("proj", k, "_last_event"))
        ctx["scalar_slots"] += [self.slot("proj", k, g.symbol) for g in pr.global_ops]
        ctx["global_ops"] = []
        for g in pr.global_ops:
            side = self.pop_index[pr.pre] if g.side == "pre" else post_i
            ctx["global_ops"].append((self.slot("proj", k, g.symbol), _GOPS[g.op], self.slot("pop", side, g.variable),
                                      self.ir.populations[side].size))
        # phase 1: transmission
        ctx["rate"] = None
        ctx["spike"] = None
        ctx["kind"] = kind = getattr(pr, "kind", "standard")
        ctx["window"] = int(getattr(pr, "window", 0) or 0)
        if kind in ("decoding", "current_injection"):
            w = self.layout.get("proj", k, "w")
            ctx["w"] = "G_w" if w.scalar else "A_w[j]"
            ctx["w_slot"] = w.index
            ctx["w_scalar"] = w.scalar
            if kind == "decoding":
                ctx["has_target"] = pr.target in post_ir.sums
                ctx["sum_slot"] = self.slot("pop", post_i, f"sum__{pr.target}") if ctx["has_target"] else -1
            else:
                g = self.layout.get("pop", post_i, f"g_{pr.target}")
                r = self.layout.get("pop", pre_i, "r")
                if g is None or r is None:
                    raise BuildError(f"current injection needs pre.r and post g_{pr.target}", where=where)
                ctx["g_slot"], ctx["r_slot"] = g.index, r.index
        elif pr.type == "rate":
            d = max(1, pr.max_delay) if pr.delay != "variable" else None
            if d is None:
                raise BuildError("non-uniform delays are not supported for rate-coded projections", where=where)
            pre_rate = "RH[i]" if d > 1 else None
            sc, arrays, scalars = self._syn_scope(k, pr, where, pre_rate_expr=pre_rate)
            if d <= 1 and "r" in pr.pre_refs:
                pass
            randoms = [f"const double R_{q} = {_random_expr(rd, _stream(1, k, q), 'j')};"
                       for q, rd in enumerate(pr.randoms)]
            psp = sc.p(pr.psp)
            simple = None
            if pr.psp == sp.Symbol("w") * sp.Symbol("pre__r") and not randoms and sc("w") == "A_w[j]" \
                    and sc("pre__r") in ("P_r[i]", "RH[i]"):
                simple = dict(w="A_w", r=sc("pre__r")[:-3], mt=None)
                if "w" not in {u.target for u in pr.updates}:
                    # read-only weights: a tiled copy sums 8 rows at once (tile_mirror, annstudio_runtime.h)
                    simple["mt"] = len(self.mirrors)
                    self.mirrors.append((k, self.layout.get("proj", k, "w").index, "tile"))
            has_target = pr.target in post_ir.sums
            ctx["rate"] = dict(arrays=arrays, scalars=scalars, randoms=randoms, psp=psp, op=pr.operation,
                               delayed=d > 1, lag=d, has_target=has_target, simple=simple,
                               sum_slot=self.slot("pop", post_i, f"sum__{pr.target}") if has_target else -1,
                               r_hist_pop=pre_i)
        else:
            sc, arrays, scalars = self._syn_scope(k, pr, where)
            # per-synapse arrays only read during transmission are mirrored in presynaptic order
            # (contiguous per spike instead of one cache miss per synapse); writes from Python mark
            # them dirty (ctl:dirty) and the kernel refreshes them before the next run
            written = {s.target for s in pr.pre_spike + pr.post_spike + pr.updates} | \
                {name for name, _ in pr.event_driven}
            read = set().union(*[_names(s.expr) for s in pr.pre_spike]) if pr.pre_spike else set()
            mirrors = []
            for v in pr.variables:
                slot = self.layout.get("proj", k, v.name)
                if v.name in read and v.name not in written and not slot.scalar and v.locality == "local":
                    sc.map[v.name] = f"MI_{v.name}[q]"
                    mirrors.append((f"MI_{v.name}", slot.index, len(self.mirrors)))
                    self.mirrors.append((k, slot.index, "pre"))
            gslot = -1
            if any(s.target == "g_target" for s in pr.pre_spike):
                g = self.layout.get("pop", post_i, f"g_{pr.target}")
                if g is None:
                    raise BuildError(f"population {post_ir.name!r} has no conductance g_{pr.target}", where=where)
                gslot = g.index
            body = self._event_body(k, pr, sc, pr.pre_spike, True, where)
            simple = None
            if len(pr.pre_spike) == 1 and not pr.event_driven and not pr.randoms and pr.pre_spike[0].target == "g_target" \
                    and pr.pre_spike[0].expr == sp.Symbol("w"):
                simple = sc("w")
            ctx["spike"] = dict(arrays=arrays, scalars=scalars, body=body, gslot=gslot, simple=simple, mirrors=mirrors,
                                active=bool(pr.pre_spike))
        # phase 4: continuous updates and post_spike
        ctx["updates"] = self._synapse_updates(k, pr, where) if pr.updates else None
        if pr.post_spike:
            sc, arrays, scalars = self._syn_scope(k, pr, where)
            ctx["post_spike"] = dict(arrays=arrays, scalars=scalars,
                                     body=self._event_body(k, pr, sc, pr.post_spike, False, where))
        else:
            ctx["post_spike"] = None
        return ctx

    def _synapse_updates(self, k, pr, where):
        """Per post row p: semiglobal statements as row scalars, runs of per-synapse statements as loops
        over the row (same order as the reference's statement-by-statement evaluation).  A per-synapse
        temporary read in a later loop is kept in a row scratch buffer ``S_x[j - b0]``."""
        sc, arrays, scalars = self._syn_scope(k, pr, where)
        loc = {v.name: v.locality for v in pr.variables}
        pre, writeback, version = [], [], {}
        scalar_ok = {v.name for v in pr.variables if v.locality == "global"} | {g.symbol for g in pr.global_ops} | \
            {"t", "dt"}
        plan, seg_of_temp, crossing = [], {}, set()
        for u in pr.updates:
            locality = loc.get(_owner(u.target), "local")
            kind = "global" if locality == "global" else "row" if locality == "semiglobal" else "syn"
            if kind != "global" and (not plan or plan[-1][0] != kind):
                plan.append((kind, []))
            if kind == "global":
                plan.append(("global", [u]))
                continue
            seg = len(plan) - 1
            for n in _names(u.expr):
                if n in seg_of_temp and seg_of_temp[n][0] != seg and seg_of_temp[n][1] == "syn":
                    crossing.add(n)
            if u.target.startswith("_"):
                seg_of_temp[u.target] = (seg, kind)
            plan[-1][1].append(u)
        segments = []
        for kind, ups in plan:
            if kind == "global":
                u = ups[0]
                if _names(u.expr) - scalar_ok:
                    raise BuildError(f"projection-wide '{_owner(u.target)}' depends on per-synapse values",
                                     where=where)
                version[u.target] = version.get(u.target, 0) + 1
                name = f"G_{u.target}_{version[u.target]}"
                pre.append(f"const double {name} = {sc.p(u.expr)};")
                sc.map[u.target] = name
                scalar_ok.add(u.target)
                if not u.target.startswith("_"):
                    writeback.append((self.slot("proj", k, u.target), name))
                continue
            lines = []
            for u in ups:
                rhs = sc.p(u.expr)
                if u.target in crossing:
                    sc.map[u.target] = f"S_{u.target}[j - b0]"
                    lines.append(f"S_{u.target}[j - b0] = {rhs};")
                elif u.target.startswith("_"):
                    name = f"T_{u.target}"
                    lines.append(f"const double {name} = {rhs};")
                    sc.map[u.target] = name
                else:
                    lines.append(f"{sc(u.target)} = {rhs};")
            segments.append((kind, lines))
        randoms = [f"const double R_{q} = {_random_expr(rd, _stream(4, k, q), 'j')};"
                   for q, rd in enumerate(pr.randoms)]
        if randoms:
            for seg in segments:
                if seg[0] == "syn":
                    seg[1][:0] = randoms
        return dict(arrays=arrays, scalars=scalars, pre=pre, segments=segments,
                    writeback=list(dict.fromkeys(writeback)), scratch=sorted(crossing))

    # ------------------------------------------------------------------ the whole kernel
    def render(self):
        ir = self.ir
        pops = [self.population(i, p) for i, p in enumerate(ir.populations)]
        projs = [self.projection(k, pr) for k, pr in enumerate(ir.projections)]
        rate_hist = {p["i"]: p for p in pops if p["rate_history"] > 1}
        for p in pops:
            if p["rate_history"] > 1 and p["r_slot"] < 0:
                raise BuildError("delayed rate-coded projections need a per-neuron 'r'", where=p["name"])
        # barriers: after transmission when a projection reads presynaptic values other than spikes;
        # before the synaptic phase when one exists or when population-wide values are reduced/written
        b1 = any(pr.type == "rate" or pr.pre_refs for pr in ir.projections)
        single = any(p["global_ops"] or p["writeback"] for p in pops) or any(pj["global_ops"] for pj in projs)
        b2 = single or any(pr.updates or pr.post_spike for pr in ir.projections)
        proj_writeback = any(pj["updates"] and pj["updates"]["writeback"] for pj in projs)
        private_slots = self._private_slots()
        target_slots = self._target_slots()
        self._mark_early(projs, private_slots)
        src = _env.get_template("kernel.cpp.j2").render(
            version=__version__, digest=self.digest, dt=repr(float(ir.dt)), pops=pops, projs=projs,
            n_slots=len(self.layout), b1=b1, b2=b2,
            single=single, proj_writeback=proj_writeback, rate_hist=rate_hist,
            learning_slot=self.layout.get("ctl", 0, "learning").index, mirrors=self.mirrors,
            dirty_slot=self.layout.get("ctl", 0, "dirty").index, private_slots=private_slots,
            target_slots=target_slots)
        return src

    def _mark_early(self, projs, private_slots):
        """Projections whose spikes only add one constant to a conductance that no other projection
        writes (COBA's and CUBA's): every increment is the same number, so the order of the additions
        cannot change a bit of the result.  With 2+ threads, a thread then transmits the spikes of its own
        block at the end of the step, between announcing its arrival at the step's barrier and waiting
        there, and the other blocks' spikes after it: the wait for the other cores overlaps useful work.
        Anything else keeps the one order (ascending presynaptic rank) in which the reference adds."""
        writers = {}
        for pj in projs:
            for g in ((pj["spike"] or {}).get("gslot", -1), pj.get("g_slot", -1)):
                if g is not None and g >= 0:
                    writers[g] = writers.get(g, 0) + 1
        private = set(private_slots)
        for pj, pr in zip(projs, self.ir.projections):
            s = pj["spike"]
            pj["early"] = bool(pj["kind"] == "standard" and s and s["active"] and s["simple"]
                               and s["simple"].startswith("G_") and pr.delay != "variable" and pj["lag"] == 1
                               and s["gslot"] in private and writers.get(s["gslot"]) == 1)

    def _target_slots(self):
        """Conductances (``g_*`` of spiking populations): monitors record them right after transmission,
        before the neuron update, as ANNarchy's ``record_targets`` (see ir.py, step semantics)."""
        out = []
        for i, p in enumerate(self.ir.populations):
            if p.type != "spike":
                continue
            for v in p.variables:
                if v.name.startswith("g_") and v.locality != "global":
                    s = self.layout.get("pop", i, v.name)
                    if s is not None and not s.scalar:
                        out.append(s.index)
        return out

    def _private_slots(self):
        """Per-neuron population slots that threads only ever touch inside their own block: the kernel
        may give them a padded layout during multi-threaded runs (annstudio_runtime.h, PRIVATE_GAP).
        Excluded: anything read across blocks (presynaptic references, global operations, rate-coded and
        delayed-rate reads of a presynaptic population, special populations and their schedules)."""
        ir = self.ir
        shared_pops = set()
        cross = set()
        for pr in ir.projections:
            pre_i, post_i = self.pop_index[pr.pre], self.pop_index[pr.post]
            if pr.type != "spike" or pr.kind != "standard":
                shared_pops.add(pre_i)
            for ref in pr.pre_refs:
                cross.add((pre_i, ref))
            for g in pr.global_ops:
                cross.add((pre_i, g.variable))
                cross.add((post_i, g.variable))
        out = []
        for i, p in enumerate(ir.populations):
            if i in shared_pops or getattr(p, "source", "") or p.rate_history > 1:
                continue
            ops = {g.variable for g in p.global_ops}
            for v in p.variables:
                if v.locality == "global" or v.name.startswith("_") or v.name in ops or (i, v.name) in cross:
                    continue
                s = self.layout.get("pop", i, v.name)
                if s is not None and not s.scalar:
                    out.append(s.index)
        return out


def generate(ir, data, digest=None):
    """(C++ source, Layout) for ``ir``; the source depends on the IR only (``digest`` is embedded)."""
    g = Generator(ir, data, digest)
    return g.render(), g.layout
