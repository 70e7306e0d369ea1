"""The C++/OpenMP printer of the kernel plan: NetworkIR -> one kernel source and its slot layout.

The plan (``annstudio.codegen.plan``) decides what each loop computes and which phases exist; this
module prints its statements as C++ lines and names the storage they use; the per-phase templates in
``templates/`` (``neuron_update``, ``transmit``, ``synapse_update``, ``post_spike``, ``step``, the same
names as the CUDA target's) hold the loop shapes.  Naming in generated code: ``A_x`` array, ``G_x_<k>``
scalar (SSA version k of a population/projection-wide value), ``L_x`` register copy of a neuron's
variable, ``T_x`` temporary, ``H__inv_k`` per-step hoisted reciprocal, ``R_k`` random draw, ``P_x``/``Q_x``
pre/post population arrays.  The runtime library the kernels link sits in ``runtime/``.
"""
import os

import jinja2

from annstudio import __version__
from annstudio.codegen.draws import constant_args, distribution
from annstudio.codegen.layout import OPENMP, build_layout
from annstudio.codegen.plan import Scope, build_plan, names, owner
from annstudio.core.errors import BuildError

from .printer import cpp

HERE = os.path.dirname(__file__)
TEMPLATES = os.path.join(HERE, "templates")
_GOPS = {"mean": 0, "max": 1, "min": 2, "norm1": 3, "norm2": 4}


class _BytecodeCache(jinja2.BytecodeCache):
    """Compiled templates kept in the build cache (``<cache>/jinja``): a fresh process renders its first
    kernel without recompiling the template (~0.3 s of a cold build)."""

    def _fs(self):
        from annstudio.codegen.cache import cache_root
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


def _p(sc, expr, exp=None):
    single = getattr(sc, "real", "double") == "float"
    return cpp(expr, sc, None if single else exp, single)   # float32: std::exp's float overload


def _random_expr(rd, stream, idx):
    args = constant_args(rd)
    return f"ann::{distribution(rd).cpp}(net.seed ^ {stream}ULL, it, {idx}, {', '.join(args)})"


def _fill_draws(name, rd, stream):
    """C++ that fills a neuron block's draws of one step through the runtime library, vectorised once per
    machine there: inlined in the neuron loop, Box-Muller's log and cos took GCC's combiner 2 s of every
    kernel's compile."""
    args = (constant_args(rd) + ["0.0", "0.0"])[:2]
    return (f"static thread_local std::vector<double> V_{name}; if ((int64_t)V_{name}.size() < hi - lo) "
            f"V_{name}.resize(hi - lo);",
            f"ann::fill_draws({distribution(rd).code}, net.seed ^ {stream}ULL, it, lo, hi, {args[0]}, {args[1]}, "
            f"V_{name}.data());",
            f"const double* __restrict B_{name} = V_{name}.data() - lo;")


def _global_update(sc, version, pre, target, rhs):
    """Bind ``target`` in ``sc`` to a new version ``G_<target>_<n>`` of the scalar, computed as ``rhs`` in
    the ``pre`` lines (before the loop); returns that name."""
    version[target] = version.get(target, 0) + 1
    name = f"G_{target}_{version[target]}"
    pre.append(f"const {getattr(sc, 'real', 'double')} {name} = {rhs};")
    sc.map[target] = name
    return name


def _stream(kind, obj, k):
    return ((kind * 4096 + obj) * 64 + k + 1) * 0x9E3779B1


class Generator:
    """``Generator(ir).render()`` -> the kernel source; ``.layout``: its slots, ``.plan``: what it prints."""

    def __init__(self, ir, data=None, digest=None):
        self.ir = ir
        self.digest = digest or ir.digest()
        self.layout = build_layout(ir, OPENMP)
        self.plan = build_plan(ir)
        self.single = getattr(ir, "precision", "float64") == "float32"
        self.real = "float" if self.single else "double"   # the C type of values (state, weights, arithmetic)
        self.mirrors = []      # (projection, slot, "pre" | "tile"): kernel-side copies of read-only synapse arrays

    def _scope(self, where):
        """A statement scope; in single precision ``t`` and ``dt`` read as floats (``(float)t``, ``dt_r``), as
        the reference's float32 scalars."""
        sc = Scope(where)
        sc.real = self.real
        if self.single:
            sc.map.update(t="((float)t)", dt="dt_r")
        return sc

    def slot(self, kind, obj, name):
        s = self.layout.get(kind, obj, name)
        if s is None:
            raise BuildError(f"no storage for {name!r}")
        return s.index

    # ------------------------------------------------------------------ populations
    def _pop_slots(self, pp, p):
        i = pp.index
        sums = [self.slot("pop", i, f"sum__{t}") for t in pp.sums]
        return dict(
            i=i, name=pp.name, size=pp.size, spiking=pp.spiking, source=pp.source, history=pp.history,
            rate_history=pp.rate_history, r_slot=self.slot("pop", i, "r") if pp.r_local else -1, sum_slots=sums,
            rate_window=p.rate_window, rate_scale=repr(float(p.rate_scale)),
            global_ops=[(self.slot("pop", i, g.symbol), _GOPS[g.op], self.slot("pop", i, g.variable))
                        for g in pp.global_ops],
            local_slots=[self.slot("pop", i, v.name) for v in p.variables if v.locality != "global"] + sums,
            scalar_slots=[self.slot("pop", i, v.name) for v in p.variables if v.locality == "global"] +
            [self.slot("pop", i, g.symbol) for g in pp.global_ops])

    def _source_resets(self, pp, p, where):
        """A SpikeSourceArray's own reset (``t_last_spike = t`` where synapses read ``t_pre``), per spiking rank
        ``r``: the arrays it touches and the statements."""
        if not pp.resets:
            return [], []
        sc, d = self._scope(where), "RD" if self.single else "D"
        for v in p.variables:
            sc.map[v.name] = f"A_{v.name}[r]" if v.locality != "global" else \
                f"(*net.{d}({self.slot('pop', pp.index, v.name)}))"
        arrays = [(f"A_{v.name}", self.slot("pop", pp.index, v.name)) for v in p.variables if v.locality != "global"]
        return arrays, [(f"A_{s.target}[r]", _p(sc, s.expr)) for s in pp.resets]

    def population(self, pp):
        i, p = pp.index, self.ir.populations[pp.index]
        where = f"Population '{p.name}'"
        ctx = self._pop_slots(pp, p)
        real = self.real
        if pp.source:
            ctx.update(period=pp.period, schedule=pp.schedule, writeback=[])
            if pp.source == "spike_source_array":
                ctx["steps_slot"] = self.slot("pop", i, "_src_steps")
                ctx["ranks_slot"] = self.slot("pop", i, "_src_ranks")
                ctx["src_arrays"], ctx["src_resets"] = self._source_resets(pp, p, where)
            else:
                if ctx["r_slot"] < 0:
                    raise BuildError("a TimedArray needs a per-neuron 'r'", where=where)
                ctx["buffer_slot"] = self.slot("pop", i, "_src_buffer")
            return ctx
        sc = self._scope(where)
        glob = set(pp.globals)
        sc.map["rank"] = f"(({real})i)"   # the neuron's index (the loop's i); a variable named rank wins
        for v in p.variables:
            sc.map[v.name] = f"G_{v.name}_0" if v.locality == "global" else f"L_{v.name}"
        for g in pp.global_ops:
            sc.map[g.symbol] = f"G_{g.symbol}_0"
        for t in pp.sums:
            sc.map[f"sum__{t}"] = f"A_sum__{t}[i]"
        for d in pp.draws:
            sc.map[d.symbol] = f"R_{d.index}"
        scalar_names = glob | {g.symbol for g in pp.global_ops} | {"t", "dt"}
        version, pre, body, declared = {}, [], [], set()
        # hoisted per-step scalars, computed once before the neuron loop exactly as the reference does
        for h in pp.hoisted:
            name = f"H_{h.target}"
            pre.append(f"const {real} {name} = {_p(sc, h.expr)};")
            sc.map[h.target] = name
            scalar_names.add(h.target)
        for d in pp.draws:
            if d.shared:   # drawn once per step for population-wide statements
                pre.append(f"const {real} R_{d.index} = {_random_expr(d.rd, _stream(0, i, d.index), '0')};")
                scalar_names.add(d.symbol)
        for u in pp.updates:
            rhs = _p(sc, u.expr)
            if u.kind == "global":
                bad = names(u.expr) - scalar_names - {n for n in sc.map if n.startswith("_") and
                                                      sc.map[n].startswith("G_")}
                if bad:
                    raise BuildError(f"population-wide '{owner(u.target)}' depends on per-neuron {sorted(bad)}",
                                     where=where)
                _global_update(sc, version, pre, u.target, rhs)
                scalar_names.add(u.target)
            elif u.kind == "temp":
                name = f"T_{u.target}"
                body.append(f"{real + ' ' if name not in declared else ''}{name} = {rhs};")
                declared.add(name)
                sc.map[u.target] = name
            else:
                body.append(f"L_{u.target} = {rhs};")
        for s in pp.resets:
            if s.target in glob:
                raise BuildError(f"the reset cannot change population-wide '{s.target}'", where=where)
        fresh = [d for d in pp.draws if not d.shared]
        ctx.update(
            arrays=[(f"A_{n}", self.slot("pop", i, n)) for n in pp.loads] +
            [(f"A_sum__{t}", self.slot("pop", i, f"sum__{t}")) for t in pp.sums],
            scalars=[(f"G_{v}_0", self.slot("pop", i, v)) for v in pp.globals] +
            [(f"G_{g.symbol}_0", self.slot("pop", i, g.symbol)) for g in pp.global_ops],
            pre=pre, body=body, writeback=[(self.slot("pop", i, g), sc.map[g]) for g in pp.updated_globals],
            loads=list(pp.loads), stores=list(pp.stores), clamped=[n for n in pp.clamped if n in pp.locals],
            randoms=[(f"R_{d.index}", f"B_R_{d.index}[i]") for d in fresh],
            fills=[line for d in fresh for line in _fill_draws(f"R_{d.index}", d.rd, _stream(0, i, d.index))],
            spike=_p(sc, pp.spike) if pp.spike is not None else None,
            resets=[(f"L_{s.target}", _p(sc, s.expr)) for s in pp.resets],
            refractory=_p(sc, pp.refractory) if pp.refractory is not None else None,
            auto_reset=[f"L_{n}" for n in pp.auto_reset])
        return ctx

    # ------------------------------------------------------------------ projections
    def _syn_scope(self, pj, pr, where, pre_rate_expr=None):
        """Scope of one synapse ``j`` (pre rank ``i``, post rank ``p``)."""
        k = pj.index
        sc = self._scope(where)
        arrays, scalars = [], []
        for v in pr.variables:
            s = self.layout.get("proj", k, v.name)
            if s.scalar:
                sc.map[v.name] = f"G_{v.name}_0"
                scalars.append((f"G_{v.name}_0", s.index))
            else:
                sc.map[v.name] = f"A_{v.name}[{'p' if v.locality == 'semiglobal' else 'j'}]"
                arrays.append((f"A_{v.name}", s.index))
        for side, refs, pop_i, idx, pfx in (("pre", pr.pre_refs, pj.pre, "i", "P"),
                                            ("post", pr.post_refs, pj.post, "p", "Q")):
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
        for g in pj.global_ops:
            sc.map[g.symbol] = f"G_{g.symbol}_0"
            scalars.append((f"G_{g.symbol}_0", self.slot("proj", k, g.symbol)))
        for d in pj.draws:
            sc.map[d.symbol] = f"R_{d.index}"
        sc.map["g_target"] = "0.0"
        if pj.event_driven:
            arrays.append(("A__last_event", self.slot("proj", k, "_last_event")))
        return sc, list(dict.fromkeys(arrays)), list(dict.fromkeys(scalars))

    def _draw_lines(self, pj, kind):
        return [f"const {self.real} R_{d.index} = {_random_expr(d.rd, _stream(kind, pj.index, d.index), 'j')};"
                for d in pj.draws]

    def _event_body(self, pj, pr, sc, statements, pre_event, where):
        lines = []
        if pj.event_driven:
            sc.map["_delta_t"] = "DT_ev"
            t_ev = "(t - dt)" if pre_event else "t"   # as ANNarchy (docs/annarchy-semantics.md, section l)
            lines.append(f"const double DT_ev = {t_ev} - A__last_event[j];" if not self.single else
                         f"const float DT_ev = (float)({t_ev} - A__last_event[j]);")   # event times: double
            for q, (name, expr) in enumerate(pj.event_driven):   # decays: the inline, vectorisable exp
                lines.append(f"const {self.real} E_{q} = {_p(sc, expr, 'ann::rexp')};")
            for q, (name, expr) in enumerate(pj.event_driven):
                lines.append(f"{sc(name)} = E_{q};")
            lines.append("A__last_event[j] = t;")
        for st in statements:
            if st.target == "g_target":
                if not pre_event:
                    raise BuildError("g_target can only be changed in pre_spike", where=where)
                if pj.extra_conductances:   # a list of targets: one increment into each conductance
                    lines.append(f"{{ const {self.real} I_g = {_p(sc, st.expr)}; A_gtarget[p] += I_g; " +
                                 "".join(f"A_gtarget_{n}[p] += I_g; " for n in range(1, len(pj.extra_conductances) + 1))
                                 + "}")
                    continue
                lines.append(f"A_gtarget[p] += {_p(sc, st.expr)};")
                continue
            if st.target.startswith("_"):
                continue   # the reference discards temporaries of event statements
            decl = pr.var(st.target)
            if decl is None or decl.locality != "local" or self.layout.get("proj", pj.index, st.target).scalar:
                raise BuildError(f"'{st.target}' is not a per-synapse variable; it cannot change on spikes",
                                 where=where)
            lines.append(f"A_{st.target}[j] = {_p(sc, st.expr)};")
        return self._draw_lines(pj, 2 if pre_event else 3) + lines

    def _transmit_special(self, pj, ctx, where):
        """Decoding and current-injection projections: the weight, and the sum or conductance they write."""
        k = pj.index
        w = self.layout.get("proj", k, "w")
        ctx.update(w="G_w" if w.scalar else "A_w[j]", w_slot=w.index, w_scalar=w.scalar)
        if pj.kind == "decoding":
            ctx["sum_slot"] = self.slot("pop", pj.post, f"sum__{self.ir.projections[k].target}") \
                if pj.has_target else -1
            return
        g = self.layout.get("pop", pj.post, pj.conductance)
        r = self.layout.get("pop", pj.pre, "r")
        if g is None or r is None:
            raise BuildError(f"current injection needs pre.r and post {pj.conductance}", where=where)
        ctx["g_slot"], ctx["r_slot"] = g.index, r.index

    def _transmit_rate(self, pj, pr, where):
        if pj.delay == "variable":
            raise BuildError("non-uniform delays are not supported for rate-coded projections", where=where)
        sc, arrays, scalars = self._syn_scope(pj, pr, where, pre_rate_expr="RH[i]" if pj.lag > 1 else None)
        randoms = self._draw_lines(pj, 1)
        psp = _p(sc, pr.psp)
        simple = None
        if pj.simple_psp:
            simple = dict(w="A_w", r=sc("pre__r")[:-3], mt=None)
            if pj.w_read_only:
                # read-only weights: a tiled copy sums 8 rows at once (tile_mirror, annstudio_runtime.h)
                simple["mt"] = len(self.mirrors)
                self.mirrors.append((pj.index, self.layout.get("proj", pj.index, "w").index, "tile"))
        return dict(arrays=arrays, scalars=scalars, randoms=randoms, psp=psp, op=pr.operation, delayed=pj.lag > 1,
                    lag=pj.lag, simple=simple, r_hist_pop=pj.pre,
                    sum_slot=self.slot("pop", pj.post, f"sum__{pr.target}") if pj.has_target else -1)

    def _transmit_spike(self, pj, pr, where):
        sc, arrays, scalars = self._syn_scope(pj, pr, where)
        # per-synapse arrays only read during transmission are mirrored in presynaptic order
        # (contiguous per spike instead of one cache miss per synapse); writes from Python mark
        # them dirty (ctl:dirty) and the kernel refreshes them before the next run
        mirrors = []
        for name in pj.mirrored:
            slot = self.layout.get("proj", pj.index, name)
            sc.map[name] = f"MI_{name}[q]"
            mirrors.append((f"MI_{name}", slot.index, len(self.mirrors)))
            self.mirrors.append((pj.index, slot.index, "pre"))
        gslot = -1
        if pj.writes_conductance:
            g = self.layout.get("pop", pj.post, pj.conductance)
            if g is None:
                raise BuildError(f"population {pr.post!r} has no conductance {pj.conductance}", where=where)
            gslot = g.index
            for n, name in enumerate(pj.extra_conductances, 1):   # declared like the other arrays
                g = self.layout.get("pop", pj.post, name)
                if g is None:
                    raise BuildError(f"population {pr.post!r} has no conductance {name}", where=where)
                arrays.append((f"A_gtarget_{n}", g.index))
        body = self._event_body(pj, pr, sc, pj.pre_spike, True, where)
        return dict(arrays=arrays, scalars=scalars, body=body, gslot=gslot, mirrors=mirrors)

    def projection(self, pj):
        k, pr = pj.index, self.ir.projections[pj.index]
        where = f"Projection '{pr.name}'"
        # everything here comes from the IR (the kernel is cached by IR digest), never from data
        ctx = dict(k=k, name=pr.name, pre=pj.pre, post=pj.post, type=pj.type, kind=pj.kind, window=pj.window,
                   pre_slot=self.slot("proj", k, "_pre"), post_slot=self.slot("proj", k, "_post"),
                   delay_slot=self.slot("proj", k, "_delay") if pj.delay == "variable" else -1,
                   delay=pj.delay, max_delay=pj.max_delay, lag=pj.lag, transmits=pj.transmits, early=pj.early,
                   rate=None, spike=None)
        # slot ranges (monitors): synapse arrays follow post rows
        ctx["syn_slots"], ctx["post_slots"], ctx["scalar_slots"] = [], [], []
        for v in pr.variables:
            s = self.layout.get("proj", k, v.name)
            (ctx["scalar_slots"] if s.scalar else ctx["post_slots"] if v.locality == "semiglobal"
             else ctx["syn_slots"]).append(s.index)
        if pj.event_driven:
            ctx["syn_slots"].append(self.slot("proj", k, "_last_event"))
        ctx["scalar_slots"] += [self.slot("proj", k, g.symbol) for g in pj.global_ops]
        ctx["global_ops"] = []
        for g in pj.global_ops:
            side = pj.pre if g.side == "pre" else pj.post
            ctx["global_ops"].append((self.slot("proj", k, g.symbol), _GOPS[g.op], self.slot("pop", side, g.variable),
                                      self.ir.populations[side].size))
        # phase 1: transmission
        if pj.kind in ("decoding", "current_injection"):
            self._transmit_special(pj, ctx, where)
        elif pj.type == "rate":
            ctx["rate"] = self._transmit_rate(pj, pr, where)
        else:
            ctx["spike"] = self._transmit_spike(pj, pr, where)
        # phase 4: continuous updates and post_spike
        ctx["updates"] = self._synapse_updates(pj, pr, where) if pj.segments else None
        ctx["post_spike"] = None
        if pj.post_spike:
            sc, arrays, scalars = self._syn_scope(pj, pr, where)
            ctx["post_spike"] = dict(arrays=arrays, scalars=scalars,
                                     body=self._event_body(pj, pr, sc, pj.post_spike, False, where))
        return ctx

    def _synapse_updates(self, pj, pr, where):
        """Per post row p: semiglobal statements as row scalars, runs of per-synapse statements as loops
        over the row (same order as the reference's statement-by-statement evaluation).  A per-synapse
        temporary read in a later loop is kept in a row scratch buffer ``S_x[j - b0]``."""
        sc, arrays, scalars = self._syn_scope(pj, pr, where)
        pre, writeback, version = [], [], {}
        scalar_ok = {v.name for v in pr.variables if v.locality == "global"} | \
            {g.symbol for g in pj.global_ops} | {"t", "dt"}
        seg_of_temp, crossing = {}, set()
        for n_seg, seg in enumerate(pj.segments):
            if seg.locality == "global":
                continue
            for u in seg.stmts:
                for n in names(u.expr):
                    if n in seg_of_temp and seg_of_temp[n][0] != n_seg and seg_of_temp[n][1] == "local":
                        crossing.add(n)
                if u.target.startswith("_"):
                    seg_of_temp[u.target] = (n_seg, seg.locality)
        segments = []
        for seg in pj.segments:
            if seg.locality == "global":
                for u in seg.stmts:
                    if names(u.expr) - scalar_ok:
                        raise BuildError(f"projection-wide '{owner(u.target)}' depends on per-synapse values",
                                         where=where)
                    name = _global_update(sc, version, pre, u.target, _p(sc, u.expr))
                    scalar_ok.add(u.target)
                    if not u.target.startswith("_"):
                        writeback.append((self.slot("proj", pj.index, u.target), name))
                continue
            lines = []
            for u in seg.stmts:
                rhs = _p(sc, u.expr)
                if u.target in crossing:
                    sc.map[u.target] = f"S_{u.target}[j - b0]"
                    lines.append(f"S_{u.target}[j - b0] = {rhs};")
                elif u.target.startswith("_"):
                    name = f"T_{u.target}"
                    lines.append(f"const {self.real} {name} = {rhs};")
                    sc.map[u.target] = name
                else:
                    lines.append(f"{sc(u.target)} = {rhs};")
            segments.append(("row" if seg.locality == "semiglobal" else "syn", lines))
        randoms = self._draw_lines(pj, 4)
        if randoms:
            for seg in segments:
                if seg[0] == "syn":
                    seg[1][:0] = randoms
        return dict(arrays=arrays, scalars=scalars, pre=pre, segments=segments,
                    writeback=list(dict.fromkeys(writeback)), scratch=sorted(crossing))

    # ------------------------------------------------------------------ the whole kernel
    def render(self):
        ir, plan = self.ir, self.plan
        pops = [self.population(pp) for pp in plan.populations]
        projs = [self.projection(pj) for pj in plan.projections]
        rate_hist = {p["i"]: p for p in pops if p["rate_history"] > 1}
        for p in pops:
            if p["rate_history"] > 1 and p["r_slot"] < 0:
                raise BuildError("delayed rate-coded projections need a per-neuron 'r'", where=p["name"])
        # barriers: after transmission when a projection reads presynaptic values other than spikes;
        # before the synaptic phase when one exists or when population-wide values are reduced/written
        b1 = any(pr.type == "rate" or pr.pre_refs for pr in ir.projections)
        single = any(p["global_ops"] or p["writeback"] for p in pops) or any(pj["global_ops"] for pj in projs)
        b2 = single or any(pj.segments or pj.post_spike for pj in plan.projections)
        proj_writeback = any(pj["updates"] and pj["updates"]["writeback"] for pj in projs)
        # per-neuron slots threads only touch inside their own block: a padded layout in multi-threaded
        # runs (annstudio_runtime.h, PRIVATE_GAP); conductances: recorded right after transmission
        private_slots = [self.slot("pop", pp.index, n) for pp in plan.populations for n in pp.private]
        target_slots = [self.slot("pop", pp.index, n) for pp in plan.populations for n in pp.targets]
        return _env.get_template("kernel.cpp.j2").render(
            version=__version__, digest=self.digest, dt=repr(float(ir.dt)), pops=pops, projs=projs,
            n_slots=len(self.layout), b1=b1, b2=b2, single=single, proj_writeback=proj_writeback,
            rate_hist=rate_hist, learning_slot=self.layout.get("ctl", 0, "learning").index, mirrors=self.mirrors,
            dirty_slot=self.layout.get("ctl", 0, "dirty").index, private_slots=private_slots,
            active_slot=self.layout.get("ctl", 0, "active").index, lag_slot=self.layout.get("ctl", 0, "lag").index,
            target_slots=target_slots, any_early=any(pj.early for pj in plan.projections),
            f32=self.single, real=self.real, D="RD" if self.single else "D", P="RP" if self.single else "P",
            mirror="mirror32" if self.single else "mirror", v8="v8f" if self.single else "v8d",
            f32_slots=[s.index for s in self.layout if s.dtype == "float32"])


def generate(ir, data=None, digest=None):
    """(C++ source, Layout) for ``ir``; the source depends on the IR only (``digest`` is embedded)."""
    g = Generator(ir, data, digest)
    return g.render(), g.layout
