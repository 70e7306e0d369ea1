"""The CUDA printer of the kernel plan: NetworkIR -> CUDA source (``network.cu``).

The plan (``annstudio.codegen.plan``) decides what each loop computes and which phases exist; this
module turns every kernel of it into a small printed record (:class:`Kernel`: loads, draws, statements,
stores; right-hand sides printed by :class:`~annstudio.codegen.cuda.printer.CudaExprPrinter`); the
per-phase templates in ``templates/`` (``neuron_update``, ``transmit``, ``synapse_update``,
``post_spike``, ``step``, the same names as the C++ target's) hold all CUDA text, and ``runtime/`` the
device library (``runtime.cuh``) and its CPU emulation (``emulation.h``).  The step order is the IR's
(see ``annstudio.codegen.ir``):

1. sums reset; projections: rate-coded ones with one warp per postsynaptic row
   (shuffle reduction), spiking ones with one block per contiguous range of
   spiking neurons and threads over their presynaptic rows, atomically adding to
   the postsynaptic conductance (lags ascending, spikes ascending);
2. one thread per neuron: updates, refractoriness, spike condition, compaction of
   the spiking ranks into the population's spike ring buffer (atomic counter),
   reset, automatic conductance reset;
3. global operations as one-block parallel reductions;
4. continuous synaptic updates (one kernel per run of statements of the same
   locality), then ``post_spike`` over the rows of the neurons that just spiked;
5. rate history ring buffers, monitors.

Special populations and projections (see ``annstudio.codegen.ir``): a ``spike_source_array`` writes
its scheduled ranks into its spike ring (one thread, binary search in the sorted schedule); a
``timed_array`` copies one buffer row into ``r`` (one thread per neuron); ``decoding`` projections keep
per-presynaptic spike counts over their window (one block: drop the oldest step, add the newest) and
then sum one postsynaptic row per thread; ``current_injection`` assigns ``g_target`` one row per thread.
In single precision (``NetworkIR.precision == "float32"``) values, their locals and literals are ``float``
(:class:`~annstudio.codegen.cuda.printer.FloatCudaExprPrinter`), ``t`` reads ``(float)t``, event times and
decoding counts stay double, monitors gather float slots into their double records.
``PopulationIR.hoisted`` scalars are computed by every thread from the population-wide parameters
before the neuron's statements (the same operation on the same operands: the same value everywhere,
as in the reference); ``PopulationIR.global_randoms`` are drawn at element 0 of their stream by every
thread, i.e. once per step for the population.
"""
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from annstudio.codegen.draws import constant_args, distribution
from annstudio.codegen.layout import CUDA, build_layout, c_ident
from annstudio.codegen.plan import Scope, build_plan, owner
from annstudio.core.errors import BuildError

from .printer import CudaExprPrinter, FloatCudaExprPrinter

TEMPLATES = Path(__file__).with_name("templates")
_ENV = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), trim_blocks=True,
                          lstrip_blocks=True, keep_trailing_newline=True, undefined=jinja2.StrictUndefined,
                          extensions=["jinja2.ext.loopcontrols"])

_PHASES = {"neuron": 0, "psp": 1, "pre": 2, "post": 3, "cont": 4}
_ELEM = {"local": "k", "semiglobal": "post", "global": "0"}


def local(name):
    return "l_" + c_ident(name)


@dataclass
class Kernel:
    """What one kernel body does: ``loads`` (local, source), ``stmts`` (decl, local, rhs), ``stores``."""

    loads: list = field(default_factory=list)
    draws: list = field(default_factory=list)
    stmts: list = field(default_factory=list)
    stores: list = field(default_factory=list)
    extra: dict = field(default_factory=dict)


class _Body:
    """One kernel body being printed: a :class:`~annstudio.codegen.plan.Scope` whose unbound symbols are
    loaded into locals from ``resolve(name)``, the names assigned so far, and the printer."""

    def __init__(self, resolve, draws, where, single=False):
        self.scope = Scope(where, resolve, local)
        self.assigned = set()
        for name in draws:
            self.scope.map[name] = local(name)
        if single:          # single precision: t as a float (dt is the kernels' float dt)
            self.scope.map["t"] = "((float)t)"
        self.printer = (FloatCudaExprPrinter if single else CudaExprPrinter)(self.scope)

    def name(self, sym):
        return self.scope(sym)

    def assign(self, sym):
        self.assigned.add(sym)
        self.scope.map[sym] = local(sym)

    def expr(self, e):
        return self.printer.doprint(e)

    def loads(self):
        return [(local(k), v) for k, v in self.scope.loaded.items()]


def _draws(draws, stream_base, elem):
    """One draw per element; the shared ones (``PopulationIR.global_randoms``) once per step: every
    thread draws element 0 of the stream, so all of them see the same value."""
    out = []
    for d in draws:
        dist = distribution(d.rd)
        args = ", ".join(constant_args(d.rd)[:dist.nargs])
        e = "0" if d.shared else elem
        out.append((local(d.symbol), f"{dist.cuda}(net.key, {stream_base + d.index}u, (uint32_t)({e}), step, {args})"))
    return out, [d.symbol for d in draws]


class Generator:
    """``Generator(ir).source()`` -> the CUDA translation unit of the network."""

    def __init__(self, ir):
        self.ir = ir
        self.single = getattr(ir, "precision", "float64") == "float32"
        self.real = "float" if self.single else "double"      # the C type of values (NetworkIR.precision)
        self.layout = build_layout(ir, CUDA)
        self.plan = build_plan(ir)
        self.slot = {s.key: s for s in self.layout}
        self.pop_index = {p.name: i for i, p in enumerate(ir.populations)}

    # -- memory of populations ---------------------------------------------------------
    def pop_value(self, pop_i, var, idx, rate_slot=False):
        """C expression reading ``var`` of population ``pop_i`` at neuron ``idx``."""
        p = self.ir.populations[pop_i]
        if var.startswith("sum__"):
            s = self.slot.get(f"pop:{p.name}:{var}")
            return f"net.{s.cname}[{idx}]" if s else "0.0"
        if rate_slot and var == "r":
            return f"net.p{pop_i}__rh[rslot * (int64_t){p.size} + {idx}]"
        s = self.slot.get(f"pop:{p.name}:{var}")
        if s is None:
            return None
        return f"net.{s.cname}[0]" if s.scalar else f"net.{s.cname}[{idx}]"

    # -- neuron update ---------------------------------------------------------------------
    def neuron_kernel(self, pp):
        i, p = pp.index, self.ir.populations[pp.index]
        if pp.source:
            ex = {"next_globals": []}
            if pp.source == "spike_source_array" and pp.resets:   # its own reset (t_last_spike for t_pre)
                b = _Body(lambda s: self.pop_value(i, s, "ri"), [], f"Population '{p.name}'", self.single)
                ex["src_resets"] = []
                for r in pp.resets:
                    b.name(r.target)
                    ex["src_resets"].append((local(r.target), b.expr(r.expr)))
                ex["src_loads"] = b.loads()
                ex["src_stores"] = [(self.pop_value(i, r.target, "ri"), local(r.target)) for r in pp.resets]
            return Kernel(extra=ex)
        draws, dnames = _draws(pp.draws, (i << 8) | (_PHASES["neuron"] << 5), "i")
        b = _Body(lambda s: self.pop_value(i, s, "i"), dnames, f"Population '{p.name}'", self.single)
        k = Kernel(draws=draws)
        if all(v.name != "rank" for v in p.variables):   # the neuron's index (ANNarchy's built-in)
            b.scope.map["rank"] = f"(({self.real})i)"
        # hoisted per-step scalars of population-wide parameters; every thread computes the same value
        # (same operands, same operation) before the statements that use them
        for h in pp.hoisted:
            rhs = b.expr(h.expr)
            b.assign(h.target)
            k.stmts.append((f"const {self.real} ", local(h.target), rhs))
        var_names = {v.name for v in p.variables}
        targets = []
        for c in pp.clamped:
            b.name(c)
        for u in pp.updates:
            rhs = b.expr(u.expr)
            decl = u.target not in var_names and u.target not in b.assigned
            if u.target in var_names:
                b.name(u.target)   # loaded (other statements may read it before)
                targets.append(u.target)
            b.assign(u.target)
            k.stmts.append((self.real + " " if decl else "", local(u.target), rhs))
        ex = k.extra
        ex["clamped"] = [(local(c), "_old_" + c_ident(c)) for c in pp.clamped]
        resets = []
        if pp.spiking:
            ex["spike"] = b.expr(pp.spike)
            for r in pp.resets:
                b.name(r.target)
                resets.append((local(r.target), b.expr(r.expr)))
                targets.append(r.target)
            ex["refractory"] = b.expr(pp.refractory) if pp.refractory is not None else None
        ex["resets"] = resets
        ex["auto_reset"] = [local(a) for a in pp.auto_reset]
        for a in pp.auto_reset:
            b.name(a)
            targets.append(a)
        k.loads = b.loads()
        stores, next_globals = [], []
        for t in dict.fromkeys(targets):
            s = self.slot[f"pop:{p.name}:{t}"]
            if t in pp.globals:
                next_globals.append((s.cname, local(t)))
            else:
                stores.append((f"net.{s.cname}[i]", local(t)))
        k.stores = stores
        ex["next_globals"] = next_globals
        return k

    # -- synapses ------------------------------------------------------------------------
    def syn_resolver(self, j, syn="k", post="post", pre="pre", rate_delay=False, event_time="t"):
        pr = self.ir.projections[j]
        pi, qi = self.pop_index[pr.pre], self.pop_index[pr.post]

        def resolve(name):
            if name == "g_target":
                return "0.0"
            if name == "_delta_t":       # event times are double; single precision rounds the interval
                cast = "(float)" if self.single else ""
                return f"{cast}({event_time} - net.j{j}__last_event[{syn}])"
            if name.startswith("pre__"):
                return self.pop_value(pi, name[5:], pre, rate_slot=rate_delay)
            if name.startswith("post__"):
                return self.pop_value(qi, name[6:], post)
            if any(g.symbol == name for g in pr.global_ops):
                return f"net.j{j}_{c_ident(name)}[0]"
            s = self.slot.get(f"proj:{pr.name}:{owner(name)}")
            if s is None or owner(name) != name:
                return None
            if s.scalar:
                return f"net.{s.cname}[0]"
            return f"net.{s.cname}[{post if s.sized_by == 'post' else syn}]"
        return resolve

    def rate_kernel(self, pj):
        j, pr = pj.index, self.ir.projections[pj.index]
        draws, dnames = _draws(pj.draws, (1 << 16) | (j << 8) | (_PHASES["psp"] << 5), "k")
        b = _Body(self.syn_resolver(j, rate_delay=pj.max_delay > 1), dnames, f"Projection '{pr.name}'",
                  self.single)
        k = Kernel(draws=draws)
        k.extra["psp"] = b.expr(pr.psp)
        k.loads = b.loads()
        s = self.slot.get(f"pop:{pr.post}:sum__{pr.target}")
        k.extra["sum"] = f"net.{s.cname}" if s else None
        return k

    def event_kernel(self, pj, which):
        j, pr = pj.index, self.ir.projections[pj.index]
        where = f"Projection '{pr.name}'"
        statements = pj.pre_spike if which == "pre" else pj.post_spike
        draws, dnames = _draws(pj.draws, (1 << 16) | (j << 8) | (_PHASES[which] << 5), "k")
        # a pre event advances event-driven variables to t - dt, a post event to t (docs/annarchy-semantics.md, l)
        b = _Body(self.syn_resolver(j, event_time="(t - ANN_DT)" if which == "pre" else "t"), dnames, where,
                  self.single)
        k = Kernel(draws=draws)
        names = {v.name: v for v in pr.variables}
        ev = []
        for name, expr in pj.event_driven:
            b.name(name)
            ev.append((local(name), b.expr(expr)))
        targets = [name for name, _ in pj.event_driven]
        for st in statements:
            if st.target == "g_target":
                for cond in (pj.conductance,) + pj.extra_conductances:   # a list of targets: each one
                    g = self.slot.get(f"pop:{pr.post}:{cond}")
                    if g is None:
                        raise BuildError(f"population {pr.post!r} has no conductance {cond}", where=where)
                    k.stmts.append(("atomic", f"net.{g.cname}[post]", b.expr(st.expr)))
                continue
            if st.target.startswith("_"):
                continue   # the reference ignores temporaries in event statements
            decl = names.get(st.target)
            if decl is None or decl.locality != "local":
                raise BuildError(f"'{st.target}' is not a per-synapse variable; it cannot change on spikes",
                                 where=where)
            rhs = b.expr(st.expr)
            b.name(st.target)
            b.assign(st.target)
            k.stmts.append(("", local(st.target), rhs))
            targets.append(st.target)
        k.loads = b.loads()
        k.extra["event_driven"] = ev
        k.stores = [(f"net.{self.slot[f'proj:{pr.name}:{t}'].cname}[k]", local(t)) for t in dict.fromkeys(targets)
                    if not (pr.uniform_weight and t == "w")]
        return k

    def continuous_segments(self, pj):
        """One kernel per run of statements of one locality (the plan's segments); temporaries crossing
        kernels live in scratch."""
        j, pr = pj.index, self.ir.projections[pj.index]
        where = f"Projection '{pr.name}'"
        loc_of = {v.name: v.locality for v in pr.variables}
        defined_in = {}
        for n, seg in enumerate(pj.segments):
            for u in seg.stmts:
                defined_in.setdefault(u.target, n)
        scratch, out = {}, []
        for n, seg in enumerate(pj.segments):
            loc, elem = seg.locality, _ELEM[seg.locality]
            draws, dnames = _draws(pj.draws, (1 << 16) | (j << 8) | (_PHASES["cont"] << 5), elem)
            resolve = self.syn_resolver(j, syn="k", post="post")

            def res(name, resolve=resolve, n=n, loc=loc):
                if name.startswith("_") and name in defined_in and defined_in[name] != n:
                    tloc = loc_of.get(owner(name), "local")
                    if tloc == "local" and loc != "local":
                        raise BuildError(f"a per-synapse value feeds a {loc} equation", where=where)
                    scratch[name] = tloc
                    return f"net.j{j}__t_{c_ident(name)}[{_ELEM[tloc]}]"
                return resolve(name)
            b = _Body(res, dnames, where, self.single)
            k = Kernel(draws=draws)
            targets = []
            for u in seg.stmts:
                rhs = b.expr(u.expr)
                is_var = u.target in loc_of
                decl = not is_var and u.target not in b.assigned
                if is_var:
                    b.name(u.target)
                    targets.append(u.target)
                b.assign(u.target)
                k.stmts.append((self.real + " " if decl else "", local(u.target), rhs))
            k.loads = b.loads()
            for t in dict.fromkeys(targets):
                s = self.slot[f"proj:{pr.name}:{t}"]
                k.stores.append((f"net.{s.cname}[{'0' if s.scalar else elem}]", local(t)))
            k.extra["temps_out"] = [u.target for u in seg.stmts if u.target.startswith("_")]
            k.extra["locality"] = loc
            out.append(k)
        for k in out:   # temporaries read by a later kernel are written to scratch
            elem = _ELEM[k.extra["locality"]]
            k.stores += [(f"net.j{j}__t_{c_ident(t)}[{elem}]", local(t)) for t in k.extra["temps_out"] if t in scratch]
        return out, scratch

    # -- the whole translation unit --------------------------------------------------------
    def population(self, pp):
        p, where = self.ir.populations[pp.index], f"Population '{pp.name}'"
        src = {}
        if pp.source == "spike_source_array":
            src = dict(steps=self.slot[f"pop:{p.name}:_src_steps"], ranks=self.slot[f"pop:{p.name}:_src_ranks"])
            src["nslot"] = src["steps"].index
        elif pp.source == "timed_array":
            if not pp.r_local:
                raise BuildError("a TimedArray needs a per-neuron 'r'", where=where)
            src = dict(buffer=self.slot[f"pop:{p.name}:_src_buffer"])
            src["nslot"] = src["buffer"].index
        r = self.slot.get(f"pop:{p.name}:r")
        return dict(
            source=pp.source, src=src, period=pp.period, schedule=max(1, pp.schedule), i=pp.index, name=p.name,
            n=pp.size, spiking=pp.spiking, ring=pp.history, rate_ring=pp.rate_history,
            rate_window=p.rate_window, rate_scale=repr(float(p.rate_scale)),
            refractory=pp.spiking and pp.refractory is not None,
            sums=[self.slot[f"pop:{p.name}:sum__{t}"].cname for t in pp.sums], r=r.cname if r else None,
            kernel=self.neuron_kernel(pp),
            global_ops=[(self.slot[f"pop:{p.name}:{g.symbol}"].cname, g.op.upper(),
                         self.slot[f"pop:{p.name}:{g.variable}"]) for g in pp.global_ops])

    def projection(self, pj):
        ir, j, pr = self.ir, pj.index, self.ir.projections[pj.index]
        where = f"Projection '{pr.name}'"
        pre, post = ir.populations[pj.pre], ir.populations[pj.post]
        d = dict(j=j, name=pr.name, pre=pj.pre, post=pj.post, rate=pj.type == "rate", operation=pr.operation,
                 delay=pj.delay, max_delay=pj.max_delay, npre=pre.size, npost=post.size, kind=pj.kind,
                 transmits=pj.transmits, kernel=None)
        d["global_ops"] = [(f"j{j}_{c_ident(g.symbol)}", g.op.upper(),
                            self.slot[f"pop:{(pre if g.side == 'pre' else post).name}:{g.variable}"])
                           for g in pj.global_ops]
        if pj.kind in ("decoding", "current_injection"):
            w = self.slot.get(f"proj:{pr.name}:w")
            if w is None:
                raise BuildError(f"a {pj.kind} projection needs a weight 'w'", where=where)
            d["w"] = f"net.{w.cname}[0]" if w.scalar else f"net.{w.cname}[k]"
            if pj.kind == "decoding":
                d["window"] = max(1, pj.window)
                s = self.slot.get(f"pop:{post.name}:sum__{pr.target}")
                d["sum"] = f"net.{s.cname}" if s else None
            else:
                g = self.slot.get(f"pop:{post.name}:{pj.conductance}")
                r = self.slot.get(f"pop:{pre.name}:r")
                if g is None or r is None or g.scalar:
                    raise BuildError(f"current injection needs pre.r and a per-neuron post {pj.conductance}",
                                     where=where)
                d["g"] = f"net.{g.cname}"
                d["r"] = f"net.{r.cname}[0]" if r.scalar else f"net.{r.cname}[pre]"
        elif pj.type == "rate":
            if pj.delay == "variable":
                raise BuildError("non-uniform delays are not supported for rate-coded projections", where=where)
            d["kernel"] = self.rate_kernel(pj)
        elif pj.pre_spike or pj.event_driven:
            d["kernel"] = self.event_kernel(pj, "pre")
        d["post_kernel"] = self.event_kernel(pj, "post") if pj.post_spike else None
        segs, scratch = self.continuous_segments(pj) if pj.segments else ([], {})
        d["segments"] = segs
        d["scratch"] = [(c_ident(t), loc) for t, loc in scratch.items()]
        return d

    def context(self):
        pops = [self.population(pp) for pp in self.plan.populations]
        projs = [self.projection(pj) for pj in self.plan.projections]
        # conductances (g_* of spiking populations): monitors record them right after transmission
        targets = {self.slot[f"pop:{pp.name}:{n}"].index for pp in self.plan.populations for n in pp.targets}
        return dict(digest=self.ir.digest(), dt=repr(float(self.ir.dt)), slots=self.layout, pops=pops, projs=projs,
                    nslots=len(self.layout), targets=targets, f32=self.single, real=self.real,
                    active_slot=self.layout["ctl:active"].index, lag_slot=self.layout["ctl:lag"].index)

    def source(self):
        return _ENV.get_template("network.cu.j2").render(**self.context())


def generate(ir):
    """The CUDA source of ``ir`` (one translation unit; includes ``runtime/runtime.cuh``)."""
    return Generator(ir).source()
