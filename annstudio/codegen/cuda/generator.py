"""NetworkIR -> CUDA source (``network.cu``), through the Jinja2 templates in ``templates/``.

This module only decides *what* each kernel reads, computes and writes: for every
kernel it builds a small description (loads, statements, stores) whose right-hand
sides are printed by :class:`~annstudio.codegen.cuda.printer.CudaExprPrinter`;
the templates hold all CUDA text.  The step order is the IR's (see
``annstudio.codegen.ir``):

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
``PopulationIR.hoisted`` scalars are computed by every thread from the population-wide parameters
before the neuron's statements (the same operation on the same operands: the same value everywhere,
as in the reference); ``PopulationIR.global_randoms`` are drawn at element 0 of their stream by every
thread, i.e. once per step for the population.
"""
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import sympy as sp

from annstudio.core.errors import BuildError

from .layout import build_layout, c_ident
from .printer import CudaExprPrinter

TEMPLATES = Path(__file__).with_name("templates")
_ENV = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), trim_blocks=True,
                          lstrip_blocks=True, keep_trailing_newline=True, undefined=jinja2.StrictUndefined,
                          extensions=["jinja2.ext.loopcontrols"])

_PREFIXES = ("_new_", "_k1_", "_k2_", "_k3_", "_k4_")
_DRAWS = {"Uniform": ("ann_draw_uniform", 2), "Normal": ("ann_draw_normal", 2),
          "LogNormal": ("ann_draw_lognormal", 2), "Exponential": ("ann_draw_exponential", 1),
          "Gamma": ("ann_draw_gamma", 2), "DiscreteUniform": ("ann_draw_discrete_uniform", 2),
          "Binomial": ("ann_draw_binomial", 2)}
_PHASES = {"neuron": 0, "psp": 1, "pre": 2, "post": 3, "cont": 4}


def owner(name):
    for p in _PREFIXES:
        if name.startswith(p):
            return name[len(p):]
    return name


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


class _Scope:
    """Resolves the symbols of a kernel's expressions to locals loaded from ``resolve(name)``."""

    def __init__(self, resolve, draws=None):
        self.resolve = resolve
        self.draws = draws or {}
        self.loaded = {}
        self.assigned = set()
        self.printer = CudaExprPrinter(self.name)

    def name(self, sym):
        if sym in ("t", "dt"):
            return sym
        if sym in self.draws or sym in self.assigned or sym in self.loaded:
            return local(sym)
        src = self.resolve(sym)
        if src is None:
            raise BuildError(f"the CUDA backend cannot resolve the symbol {sym!r}")
        self.loaded[sym] = src
        return local(sym)

    def expr(self, e):
        return self.printer.doprint(e)

    def loads(self):
        return [(local(k), v) for k, v in self.loaded.items()]


def _const(x):
    return repr(float(sp.sympify(x)))


def _draws(randoms, stream_base, elem, shared=()):
    """One draw per element; the symbols in ``shared`` (``PopulationIR.global_randoms``) once per step:
    every thread draws element 0 of the stream, so all of them see the same value."""
    out, names = [], {}
    for k, rd in enumerate(randoms):
        fn, nargs = _DRAWS[rd.dist]
        args = ", ".join(_const(a) for a in list(rd.args)[:nargs])
        e = "0" if rd.symbol in shared else elem
        out.append((local(rd.symbol), f"{fn}(net.key, {stream_base + k}u, (uint32_t)({e}), step, {args})"))
        names[rd.symbol] = True
    return out, names


class Generator:
    """``Generator(ir).source()`` -> the CUDA translation unit of the network."""

    def __init__(self, ir):
        self.ir = ir
        self.layout = build_layout(ir)
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
    def neuron_kernel(self, i):
        p = self.ir.populations[i]
        if p.source:
            return Kernel(extra={"next_globals": []})
        draws, dnames = _draws(p.randoms, (i << 8) | (_PHASES["neuron"] << 5), "i", set(p.global_randoms))
        scope = _Scope(lambda s: self.pop_value(i, s, "i"), dnames)
        k = Kernel(draws=draws)
        # PopulationIR.hoisted: per-step scalars of population-wide parameters; every thread computes the
        # same value (same operands, same operation) before the statements that use them
        for h in p.hoisted:
            rhs = scope.expr(h.expr)
            scope.assigned.add(h.target)
            k.stmts.append(("const double ", local(h.target), rhs))
        var_names = {v.name for v in p.variables}
        glob = {v.name for v in p.variables if v.locality == "global"}
        targets = []
        refr_targets = {u.target for u in p.refractory_updates}
        clamped = []
        if p.refractory is not None:
            clamped = [u.target for u in p.updates if u.target in var_names and u.target not in refr_targets]
            clamped = list(dict.fromkeys(clamped))
            for c in clamped:
                scope.name(c)
        for u in p.updates:
            rhs = scope.expr(u.expr)
            decl = u.target not in var_names and u.target not in scope.assigned
            if u.target in var_names:
                scope.name(u.target)   # loaded (other statements may read it before)
                targets.append(u.target)
            scope.assigned.add(u.target)
            k.stmts.append(("double " if decl else "", local(u.target), rhs))
        ex = k.extra
        ex["clamped"] = [(local(c), "_old_" + c_ident(c)) for c in clamped]
        resets = []
        if p.type == "spike":
            ex["spike"] = scope.expr(p.spike)
            for r in p.reset:
                scope.name(r.target)
                resets.append((local(r.target), scope.expr(r.expr)))
                targets.append(r.target)
            ex["refractory"] = scope.expr(p.refractory) if p.refractory is not None else None
        ex["resets"] = resets
        ex["auto_reset"] = [local(a) for a in p.auto_reset]
        for a in p.auto_reset:
            scope.name(a)
            targets.append(a)
        k.loads = scope.loads()
        stores, next_globals = [], []
        for t in dict.fromkeys(targets):
            s = self.slot[f"pop:{p.name}:{t}"]
            if t in glob:
                next_globals.append((s.cname, local(t)))
            else:
                stores.append((f"net.{s.cname}[i]", local(t)))
        k.stores = stores
        ex["next_globals"] = next_globals
        return k

    # -- synapses ------------------------------------------------------------------------
    def syn_resolver(self, j, syn="k", post="post", pre="pre", rate_delay=False):
        pr = self.ir.projections[j]
        pi, qi = self.pop_index[pr.pre], self.pop_index[pr.post]

        def resolve(name):
            if name == "g_target":
                return "0.0"
            if name == "_delta_t":
                return f"(t - net.j{j}__last_event[{syn}])"
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

    def rate_kernel(self, j):
        pr = self.ir.projections[j]
        draws, dnames = _draws(pr.randoms, (1 << 16) | (j << 8) | (_PHASES["psp"] << 5), "k")
        scope = _Scope(self.syn_resolver(j, rate_delay=pr.max_delay > 1), dnames)
        k = Kernel(draws=draws)
        k.extra["psp"] = scope.expr(pr.psp)
        k.loads = scope.loads()
        post = self.ir.population(pr.post)
        s = self.slot.get(f"pop:{post.name}:sum__{pr.target}")
        k.extra["sum"] = f"net.{s.cname}" if s else None
        return k

    def event_kernel(self, j, which):
        pr = self.ir.projections[j]
        statements = pr.pre_spike if which == "pre" else pr.post_spike
        draws, dnames = _draws(pr.randoms, (1 << 16) | (j << 8) | (_PHASES[which] << 5), "k")
        scope = _Scope(self.syn_resolver(j), dnames)
        k = Kernel(draws=draws)
        names = {v.name: v for v in pr.variables}
        ev = []
        for name, expr in pr.event_driven:
            scope.name(name)
            ev.append((local(name), scope.expr(expr)))
        targets = [name for name, _ in pr.event_driven]
        for st in statements:
            if st.target == "g_target":
                post = self.ir.population(pr.post)
                g = self.slot.get(f"pop:{post.name}:g_{pr.target}")
                if g is None:
                    raise BuildError(f"population {post.name!r} has no conductance g_{pr.target}",
                                     where=f"Projection '{pr.name}'")
                k.stmts.append(("atomic", f"net.{g.cname}[post]", scope.expr(st.expr)))
                continue
            if st.target.startswith("_"):
                continue   # the reference ignores temporaries in event statements
            decl = names.get(st.target)
            if decl is None or decl.locality != "local":
                raise BuildError(f"'{st.target}' is not a per-synapse variable; it cannot change on spikes",
                                 where=f"Projection '{pr.name}'")
            rhs = scope.expr(st.expr)
            scope.name(st.target)
            scope.assigned.add(st.target)
            k.stmts.append(("", local(st.target), rhs))
            targets.append(st.target)
        k.loads = scope.loads()
        k.extra["event_driven"] = ev
        k.stores = [(f"net.{self.slot[f'proj:{pr.name}:{t}'].cname}[k]", local(t)) for t in dict.fromkeys(targets)
                    if not (pr.uniform_weight and t == "w")]
        return k

    def continuous_segments(self, j):
        """Consecutive updates of one locality become one kernel; temporaries crossing kernels live in scratch."""
        pr = self.ir.projections[j]
        loc_of = {v.name: v.locality for v in pr.variables}
        segs = []
        for u in pr.updates:
            loc = loc_of.get(owner(u.target), "local")
            if not segs or segs[-1][0] != loc:
                segs.append((loc, []))
            segs[-1][1].append(u)
        defined_in = {}
        for n, (loc, ups) in enumerate(segs):
            for u in ups:
                defined_in.setdefault(u.target, n)
        scratch = {}
        out = []
        for n, (loc, ups) in enumerate(segs):
            elem = {"local": "k", "semiglobal": "post", "global": "0"}[loc]
            draws, dnames = _draws(pr.randoms, (1 << 16) | (j << 8) | (_PHASES["cont"] << 5), elem)
            resolve = self.syn_resolver(j, syn="k", post="post")

            def res(name, resolve=resolve, n=n, loc=loc):
                if name.startswith("_") and name in defined_in and defined_in[name] != n:
                    tloc = loc_of.get(owner(name), "local")
                    if tloc == "local" and loc != "local":
                        raise BuildError(f"a per-synapse value feeds a {loc} equation", where=f"Projection '{pr.name}'")
                    scratch[name] = tloc
                    idx = {"local": "k", "semiglobal": "post", "global": "0"}[tloc]
                    return f"net.j{j}__t_{c_ident(name)}[{idx}]"
                return resolve(name)
            scope = _Scope(res, dnames)
            k = Kernel(draws=draws)
            targets = []
            for u in ups:
                rhs = scope.expr(u.expr)
                is_var = u.target in loc_of
                decl = not is_var and u.target not in scope.assigned
                if is_var:
                    scope.name(u.target)
                    targets.append(u.target)
                scope.assigned.add(u.target)
                k.stmts.append(("double " if decl else "", local(u.target), rhs))
            k.loads = scope.loads()
            stores = []
            for t in dict.fromkeys(targets):
                s = self.slot[f"proj:{pr.name}:{t}"]
                stores.append((f"net.{s.cname}[{'0' if s.scalar else elem}]", local(t)))
            k.extra["temps_out"] = [u.target for u in ups if u.target.startswith("_")]
            k.extra["locality"] = loc
            k.stores = stores
            out.append(k)
        for k in out:   # temporaries read by a later kernel are written to scratch
            elem = {"local": "k", "semiglobal": "post", "global": "0"}[k.extra["locality"]]
            k.stores += [(f"net.j{j}__t_{c_ident(t)}[{elem}]", local(t)) for t in k.extra["temps_out"] if t in scratch]
        return out, scratch

    # -- the whole translation unit --------------------------------------------------------
    def context(self):
        ir = self.ir
        pops = []
        for i, p in enumerate(ir.populations):
            src = {}
            if p.source == "spike_source_array":
                src = dict(steps=self.slot[f"pop:{p.name}:_src_steps"], ranks=self.slot[f"pop:{p.name}:_src_ranks"])
                src["nslot"] = src["steps"].index
            elif p.source == "timed_array":
                if self.slot.get(f"pop:{p.name}:r") is None or self.slot[f"pop:{p.name}:r"].scalar:
                    raise BuildError("a TimedArray needs a per-neuron 'r'", where=f"Population '{p.name}'")
                src = dict(buffer=self.slot[f"pop:{p.name}:_src_buffer"])
                src["nslot"] = src["buffer"].index
            pops.append(dict(
                source=p.source, src=src, period=int(p.source_period), schedule=max(1, int(p.source_schedule)),
                i=i, name=p.name, n=p.size, spiking=p.type == "spike",
                ring=max(p.spike_history, 1) + 1, rate_ring=p.rate_history,
                refractory=p.type == "spike" and p.refractory is not None,
                sums=[self.slot[f"pop:{p.name}:sum__{t}"].cname for t in p.sums],
                r=self.slot.get(f"pop:{p.name}:r").cname if self.slot.get(f"pop:{p.name}:r") else None,
                kernel=self.neuron_kernel(i),
                global_ops=[(self.slot[f"pop:{p.name}:{g.symbol}"].cname, g.op.upper(),
                             self.slot[f"pop:{p.name}:{g.variable}"]) for g in p.global_ops],
            ))
        projs = []
        for j, pr in enumerate(ir.projections):
            pi, qi = self.pop_index[pr.pre], self.pop_index[pr.post]
            d = dict(j=j, name=pr.name, pre=pi, post=qi, rate=pr.type == "rate", operation=pr.operation,
                     delay=pr.delay, max_delay=pr.max_delay, npre=ir.populations[pi].size,
                     npost=ir.populations[qi].size)
            gops = []
            for g in pr.global_ops:
                side = pi if g.side == "pre" else qi
                op = g.op.upper()
                src = self.slot[f"pop:{ir.populations[side].name}:{g.variable}"]
                gops.append((f"j{j}_{c_ident(g.symbol)}", op, src))
            d["global_ops"] = gops
            d["kind"] = pr.kind
            if pr.kind in ("decoding", "current_injection"):
                w = self.slot.get(f"proj:{pr.name}:w")
                if w is None:
                    raise BuildError(f"a {pr.kind} projection needs a weight 'w'", where=f"Projection '{pr.name}'")
                d["w"] = f"net.{w.cname}[0]" if w.scalar else f"net.{w.cname}[k]"
                post = ir.populations[qi]
                if pr.kind == "decoding":
                    d["window"] = max(1, int(pr.window))
                    s = self.slot.get(f"pop:{post.name}:sum__{pr.target}")
                    d["sum"] = f"net.{s.cname}" if s else None
                else:
                    g = self.slot.get(f"pop:{post.name}:g_{pr.target}")
                    r = self.slot.get(f"pop:{ir.populations[pi].name}:r")
                    if g is None or r is None or g.scalar:
                        raise BuildError(f"current injection needs pre.r and a per-neuron post g_{pr.target}",
                                         where=f"Projection '{pr.name}'")
                    d["g"] = f"net.{g.cname}"
                    d["r"] = f"net.{r.cname}[0]" if r.scalar else f"net.{r.cname}[pre]"
                d["kernel"] = None
            elif pr.type == "rate":
                if pr.delay == "variable":
                    raise BuildError("non-uniform delays are not supported for rate-coded projections",
                                     where=f"Projection '{pr.name}'")
                d["kernel"] = self.rate_kernel(j)
            else:
                d["kernel"] = self.event_kernel(j, "pre") if pr.pre_spike or pr.event_driven else None
            d["post_kernel"] = self.event_kernel(j, "post") if pr.post_spike else None
            segs, scratch = self.continuous_segments(j) if pr.updates else ([], {})
            d["segments"] = segs
            d["scratch"] = [(c_ident(t), loc) for t, loc in scratch.items()]
            projs.append(d)
        # conductances (g_* of spiking populations): monitors record them right after transmission
        targets = set()
        for i, p in enumerate(ir.populations):
            if p.type == "spike":
                for v in p.variables:
                    s = self.slot.get(f"pop:{p.name}:{v.name}") if v.name.startswith("g_") and \
                        v.locality != "global" else None
                    if s is not None and not s.scalar:
                        targets.add(s.index)
        return dict(digest=ir.digest(), dt=repr(float(ir.dt)), slots=self.layout, pops=pops, projs=projs,
                    nslots=len(self.layout), targets=targets)

    def source(self):
        return _ENV.get_template("network.cu.j2").render(**self.context())


def generate(ir):
    """The CUDA source of ``ir`` (one translation unit; includes ``runtime.cuh``)."""
    return Generator(ir).source()
