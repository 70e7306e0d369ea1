"""NumPy reference backend: runs any IR with no compiler; the oracle.

Clarity and exactness first: every update list is printed once by
:class:`NumpyExprPrinter` and compiled to a code object evaluated over whole
arrays; accumulations (sums, conductance increments) happen in the documented
order (see ``annstudio.codegen.ir``) with ``np.bincount`` / ``np.add.at``, which
add sequentially, so compiled backends can match the results bit for bit.
The printed code only contains whitelisted symbol names and numpy calls.
"""
import numpy as np
import sympy as sp

from annstudio.core.errors import SimulationError
from annstudio.core.runtime import Recording, register_backend

from .printing import NumpyExprPrinter

_PRINTER = NumpyExprPrinter()
_GLOBALS = {"numpy": np, "__builtins__": {}}


def _code(expr, label):
    text = _PRINTER.doprint(expr)
    return compile(text, f"<{label}>", "eval"), text


def _compile_updates(updates, label):
    return [(u.target, _code(u.expr, f"{label}:{u.target}")[0]) for u in updates]


def _draw(rng, dist, args, n):
    a = [float(x) for x in args]
    if dist == "Uniform":
        return rng.uniform(a[0], a[1], n)
    if dist == "Normal":
        return rng.normal(a[0], a[1], n)
    if dist == "LogNormal":
        return rng.lognormal(a[0], a[1], n)
    if dist == "Exponential":
        return rng.exponential(1.0 / a[0], n)
    if dist == "Gamma":
        return rng.gamma(a[0], a[1], n)
    if dist == "DiscreteUniform":
        return rng.integers(int(a[0]), int(a[1]) + 1, n).astype(float)
    if dist == "Binomial":
        return rng.binomial(int(a[0]), a[1], n).astype(float)
    raise SimulationError(f"unknown distribution {dist}")


REDUCERS = {"mean": np.mean, "max": np.max, "min": np.min, "norm1": lambda a: np.sum(np.abs(a)),
            "norm2": lambda a: np.sqrt(np.sum(a * a))}


def _eval(code, ns):
    with np.errstate(all="ignore"):
        return eval(code, _GLOBALS, ns)  # noqa: S307 - code printed from whitelisted sympy expressions


class _Pop:
    def __init__(self, ir, values, dt):
        self.ir = ir
        self.n = ir.size
        self.vars = {}
        for v in ir.variables:
            val = values[v.name]
            self.vars[v.name] = np.array(val, dtype=float) if v.locality == "global" else \
                np.ascontiguousarray(val, dtype=float).copy()
        for g in ir.global_ops:
            self.vars[g.symbol] = np.array(0.0)
        self.sums = {t: np.zeros(self.n) for t in ir.sums}
        self.updates = _compile_updates(ir.updates, ir.name)
        self.hoisted = _compile_updates(ir.hoisted, ir.name + ":hoisted")
        self.hoisted_values = {}
        local = {v.name for v in ir.variables if v.locality != "global"}
        self.refr_clamped = [u.target for u in ir.updates if u.target in local] if ir.refractory is not None else []
        refr_targets = {u.target for u in ir.refractory_updates}
        self.clamped = [t for t in self.refr_clamped if t not in refr_targets]
        self.reset = _compile_updates(ir.reset, ir.name + ":reset")
        self.spike_code = _code(ir.spike, ir.name + ":spike")[0] if ir.spike is not None else None
        self.refr_code = _code(ir.refractory, ir.name + ":refractory")[0] if ir.refractory is not None else None
        self.refr_left = np.zeros(self.n, dtype=np.int64)
        self.spiked = np.zeros(0, dtype=np.int64)
        hist = max(ir.spike_history, 1)
        self.spike_hist = [np.zeros(0, dtype=np.int64) for _ in range(hist + 1)]
        self.r_hist = [self.vars["r"].copy() for _ in range(ir.rate_history)] if ir.rate_history and "r" in self.vars else []
        self.dt = dt
        self.source = {}

    def namespace(self, t):
        ns = dict(self.vars)
        for k, v in self.sums.items():
            ns["sum__" + k] = v
        ns["t"] = t
        ns["dt"] = self.dt
        ns.update(self.hoisted_values)
        return ns

    def compute_hoisted(self, t):
        """PopulationIR.hoisted: per-step scalars (reciprocals of population-wide parameters)."""
        if self.hoisted:
            self.hoisted_values = {}
            ns = self.namespace(t)
            for target, code in self.hoisted:
                ns[target] = self.hoisted_values[target] = float(_eval(code, ns))

    def update_globals(self):
        for g in self.ir.global_ops:
            x = self.vars[g.variable]
            val = REDUCERS[g.op](x)
            self.vars[g.symbol][...] = val


class _Proj:
    def __init__(self, ir, data, conn, delay_steps, pre, post, dt):
        self.ir = ir
        self.pre, self.post = pre, post
        self.conn = conn
        self.pre_idx = conn.pre
        self.post_idx = conn.post
        self.n = conn.size
        self.vars = {}
        for name, val in data.items():
            self.vars[name] = np.array(val, dtype=float) if np.ndim(val) == 0 else np.array(val, dtype=float)
        self.delay = delay_steps
        self.pre_order = conn.pre_order()
        self.pre_ptr = conn.pre_row_ptr()
        self.post_ptr = conn.row_ptr()
        self.locality = {v.name: v.locality for v in ir.variables}
        self.dt = dt
        self.learning = True
        if ir.type == "rate":
            self.psp = _code(ir.psp, ir.name + ":psp")[0]
        self.pre_spike = _compile_updates(ir.pre_spike, ir.name + ":pre_spike")
        self.post_spike = _compile_updates(ir.post_spike, ir.name + ":post_spike")
        self.updates = _compile_updates(ir.updates, ir.name + ":equations")
        self.event = [(name, _code(expr, f"{ir.name}:event:{name}")[0]) for name, expr in ir.event_driven]

    def owner_locality(self, target):
        for prefix in ("_new_", "_k1_", "_k2_", "_k3_", "_k4_"):
            if target.startswith(prefix):
                target = target[len(prefix):]
                break
        return self.locality.get(target, "local")

    def namespace(self, idx, t, locality="local", pre_r=None):
        """Values seen by synapses ``idx`` (or by post neurons for semiglobal)."""
        ns = {"t": t, "dt": self.dt}
        if locality == "semiglobal":
            post_sel = slice(None)
            for k, v in self.vars.items():
                if self.locality.get(k) in ("semiglobal", "global"):
                    ns[k] = v
            for ref in self.ir.post_refs:
                ns["post__" + ref] = self._side_value(self.post, ref, post_sel)
            return ns
        if locality == "global":
            for k, v in self.vars.items():
                if self.locality.get(k) == "global":
                    ns[k] = v
            return ns
        for k, v in self.vars.items():
            if k.startswith("_"):
                continue
            loc = self.locality.get(k, "local")
            if np.ndim(v) == 0 or loc == "global":
                ns[k] = v
            elif loc == "semiglobal":
                ns[k] = v[self.post_idx[idx]]
            else:
                ns[k] = v[idx]
        for ref in self.ir.pre_refs:
            if ref == "r" and pre_r is not None:
                ns["pre__r"] = pre_r[self.pre_idx[idx]]
            else:
                ns["pre__" + ref] = self._side_value(self.pre, ref, self.pre_idx[idx])
        for ref in self.ir.post_refs:
            ns["post__" + ref] = self._side_value(self.post, ref, self.post_idx[idx])
        for g in self.ir.global_ops:
            pop = self.pre if g.side == "pre" else self.post
            ns[g.symbol] = REDUCERS[g.op](pop.vars[g.variable])
        return ns

    @staticmethod
    def _side_value(pop, ref, sel):
        if ref.startswith("sum__"):
            arr = pop.sums.get(ref[5:], np.zeros(pop.n))
        else:
            arr = pop.vars[ref]
        return arr if np.ndim(arr) == 0 else arr[sel]

    def store(self, name, idx, value, locality):
        arr = self.vars[name]
        if np.ndim(arr) == 0:
            arr[...] = value if np.ndim(value) == 0 else value.reshape(-1)[0] if np.size(value) == 1 else value
            return
        if locality == "semiglobal":
            arr[...] = value
        else:
            arr[idx] = value


class NumpyBackend:
    """See the module docstring; the interface is documented in ``engine.simulation.registry``."""

    paradigm = "numpy"

    def __init__(self, ir, data, settings):
        self.ir = ir
        self.dt = ir.dt
        self.step = 0
        seed = settings.seed
        self.rng = np.random.default_rng(None if seed is None else (int(seed) + 7919) % (2 ** 63))
        self.pops = {p.name: _Pop(p, data.populations[p.name], ir.dt) for p in ir.populations}
        for name, src in getattr(data, "sources", {}).items():
            self.pops[name].source = {k: np.array(v, copy=True) for k, v in src.items()}
        self.projs = {}
        for pr in ir.projections:
            self.projs[pr.name] = _Proj(pr, data.projections[pr.name], data.connectivity[pr.name],
                                        data.delays[pr.name], self.pops[pr.pre], self.pops[pr.post], ir.dt)
        self.monitors = {}
        self._next_monitor = 0
        for p in self.pops.values():
            p.update_globals()

    # -- state access ------------------------------------------------------------------
    def _obj(self, name):
        if name in self.pops:
            return self.pops[name]
        if name in self.projs:
            return self.projs[name]
        raise SimulationError(f"no population or projection named {name!r}")

    def get(self, name, var):
        obj = self._obj(name)
        if var not in obj.vars:
            raise SimulationError(f"{name!r} has no variable {var!r}")
        return obj.vars[var]

    def set(self, name, var, value):
        arr = self.get(name, var)
        arr[...] = value

    def spikes_last_step(self, name):
        return self.pops[name].spiked

    def set_learning(self, name, enabled):
        self.projs[name].learning = bool(enabled)

    # -- monitors ----------------------------------------------------------------------
    def add_monitor(self, request):
        mid = self._next_monitor
        self._next_monitor += 1
        self.monitors[mid] = {"req": request, "active": request.start, "values": {v: [] for v in request.variables
                                                                                 if v != "spike"},
                              "steps": [], "spk_steps": [], "spk_ranks": [], "offset": self.step}
        return mid

    def set_monitor_active(self, mid, active):
        m = self.monitors[mid]
        if active and not m["active"]:
            m["offset"] = self.step
        m["active"] = bool(active)

    def set_monitor_period(self, mid, period_steps):
        m = self.monitors[mid]
        from dataclasses import replace
        m["req"] = replace(m["req"], period_steps=int(period_steps))

    def fetch_monitor(self, mid):
        m = self.monitors[mid]
        rec = Recording()
        for v, lst in m["values"].items():
            rec.values[v] = np.array(lst) if lst and np.ndim(lst[0]) > 0 and m["req"].kind == "population" else list(lst)
            if m["req"].kind == "population" and not lst:
                n = len(m["req"].ranks) if m["req"].ranks is not None else self.pops[m["req"].target].n
                shape = (0,) if np.ndim(self.get(m["req"].target, v)) == 0 else (0, n)
                rec.values[v] = np.zeros(shape)
            lst.clear()
        rec.steps = np.asarray(m["steps"], dtype=np.int64)
        rec.spike_steps = np.asarray(m["spk_steps"], dtype=np.int64)
        rec.spike_ranks = np.asarray(m["spk_ranks"], dtype=np.int64)
        m["steps"].clear()
        m["spk_steps"].clear()
        m["spk_ranks"].clear()
        return rec

    def remove_monitor(self, mid):
        self.monitors.pop(mid, None)

    def set_monitor_offset(self, mid, offset):
        """Optional hook: the step from which the recording period counts (kept across restructures)."""
        self.monitors[mid]["offset"] = int(offset)

    # -- restructure (optional hook, see annstudio.session.simulation) -----------------------
    def carry_state_from(self, old):
        """Take over the private state of ``old``, the instance this one replaces after the synapses of
        the same network changed: spike and rate histories, refractory counters, schedules, the random
        generator, learning switches and decoding windows (synaptic values come with the data)."""
        self.rng = old.rng
        for name, p in self.pops.items():
            q = old.pops.get(name)
            if q is None:
                continue
            p.spiked, p.refr_left, p.source = q.spiked, q.refr_left.copy(), q.source
            n = len(p.spike_hist)
            p.spike_hist = (list(q.spike_hist) + [np.zeros(0, np.int64)] * n)[:n]
            if p.r_hist:
                n = len(p.r_hist)
                hist = list(q.r_hist) or [p.vars["r"].copy()]
                p.r_hist = (hist + [hist[-1]] * n)[:n]
        for name, pr in self.projs.items():
            q = old.projs.get(name)
            if q is None:
                continue
            pr.learning = q.learning
            if hasattr(q, "counts"):
                pr.counts, pr.window_spikes = q.counts, q.window_spikes
                pr.n_syn = np.maximum(np.bincount(pr.post_idx, minlength=pr.post.n), 1).astype(float)

    def _is_target(self, obj, name):
        """A conductance of a spiking population: recorded before the neuron update (ir.py, step semantics)."""
        return isinstance(obj, _Pop) and obj.ir.type == "spike" and name.startswith("g_") and \
            np.ndim(obj.vars[name]) > 0

    def _record_targets(self):
        for m in self.monitors.values():
            m["pending"] = {}
            req = m["req"]
            if not m["active"] or (self.step - m["offset"]) % req.period_steps:
                continue
            obj = self._obj(req.target)
            for v in m["values"]:
                if self._is_target(obj, v):
                    arr = obj.vars[v]
                    m["pending"][v] = arr[list(req.ranks)].copy() \
                        if req.ranks is not None and req.kind == "population" else arr.copy()

    def _record(self):
        for m in self.monitors.values():
            if not m["active"]:
                continue
            req = m["req"]
            obj = self._obj(req.target)
            if "spike" in req.variables:
                spk = obj.spiked
                if req.ranks is not None:
                    spk = spk[np.isin(spk, req.ranks)]
                m["spk_steps"].extend([self.step] * len(spk))
                m["spk_ranks"].extend(spk.tolist())
            if (self.step - m["offset"]) % req.period_steps:
                continue
            m["steps"].append(self.step)
            pending = m.get("pending") or {}
            for v in m["values"]:
                if v in pending:
                    m["values"][v].append(pending[v])
                    continue
                arr = obj.vars[v]
                if np.ndim(arr) == 0:
                    m["values"][v].append(float(arr))
                elif req.ranks is not None and req.kind == "population":
                    m["values"][v].append(arr[list(req.ranks)].copy())
                else:
                    m["values"][v].append(arr.copy())

    # -- simulation ----------------------------------------------------------------------
    def run(self, nsteps):
        for _ in range(int(nsteps)):
            self._step()

    def _step(self):
        t = self.step * self.dt
        for p in self.pops.values():
            for k in p.sums:
                p.sums[k][:] = 0.0
        for pr in self.projs.values():
            if pr.ir.kind == "decoding":
                self._decoding_projection(pr)
            elif pr.ir.kind == "current_injection":
                self._current_injection(pr)
            elif pr.ir.type == "rate":
                self._rate_projection(pr, t)
            else:
                self._spike_projection(pr, t)
        if self.monitors:
            self._record_targets()
        for p in self.pops.values():
            self._update_population(p, t)
        for p in self.pops.values():
            p.update_globals()
        for pr in self.projs.values():
            if pr.learning and pr.ir.updates:
                self._synapse_updates(pr, t)
            if pr.ir.post_spike and pr.post.spiked.size:
                idx = np.concatenate([np.arange(pr.post_ptr[j], pr.post_ptr[j + 1]) for j in pr.post.spiked]) \
                    if pr.post.spiked.size else np.zeros(0, np.int64)
                if idx.size:
                    self._events(pr, idx, pr.post_spike, t, pre_event=False)
        for p in self.pops.values():
            if p.r_hist:
                p.r_hist.insert(0, p.vars["r"].copy())
                p.r_hist.pop()
        self._record()
        self.step += 1

    def _rate_projection(self, pr, t):
        if pr.n == 0:
            return
        pre_r = None
        d = pr.delay
        if np.ndim(d) == 0 and int(d) > 1 and pr.pre.r_hist:
            pre_r = pr.pre.r_hist[int(d) - 1]
        elif np.ndim(d) > 0:
            raise SimulationError("non-uniform delays are not supported for rate-coded projections",
                                  where=f"Projection '{pr.ir.name}'")
        all_idx = np.arange(pr.n)
        ns = pr.namespace(all_idx, t, pre_r=pre_r)
        for rd in pr.ir.randoms:
            ns[rd.symbol] = _draw(self.rng, rd.dist, rd.args, pr.n)
        vals = np.broadcast_to(np.asarray(_eval(pr.psp, ns), dtype=float), (pr.n,))
        npost = pr.post.n
        op = pr.ir.operation
        if op == "sum":
            res = np.bincount(pr.post_idx, weights=vals, minlength=npost)
        else:
            res = np.zeros(npost)
            counts = np.diff(pr.post_ptr)
            nz = counts > 0
            starts = pr.post_ptr[:-1][nz]
            if op == "max":
                res[nz] = np.maximum.reduceat(vals, starts)
            elif op == "min":
                res[nz] = np.minimum.reduceat(vals, starts)
            else:
                res[nz] = np.add.reduceat(vals, starts) / counts[nz]
        target = pr.ir.target
        if target in pr.post.sums:
            pr.post.sums[target] += res

    def _decoding_projection(self, pr):
        """Spike counts of the last ``window`` steps, averaged over each post neuron's synapses, in Hz."""
        if pr.n == 0:
            return
        if not hasattr(pr, "counts"):
            pr.counts = np.zeros(pr.pre.n)
            pr.window_spikes = []
            pr.n_syn = np.maximum(np.bincount(pr.post_idx, minlength=pr.post.n), 1).astype(float)
        newest = pr.pre.spiked
        pr.counts[newest] += 1.0
        pr.window_spikes.append(newest)
        if len(pr.window_spikes) > pr.ir.window:
            pr.counts[pr.window_spikes.pop(0)] -= 1.0
        vals = pr.vars["w"] * pr.counts[pr.pre_idx]
        res = np.bincount(pr.post_idx, weights=np.broadcast_to(vals, (pr.n,)), minlength=pr.post.n)
        res = res / pr.n_syn * (1000.0 / (pr.ir.window * self.dt))
        if pr.ir.target in pr.post.sums:
            pr.post.sums[pr.ir.target] += res

    def _current_injection(self, pr):
        g = pr.post.vars.get("g_" + pr.ir.target)
        if g is None:
            raise SimulationError(f"population {pr.post.ir.name!r} has no conductance g_{pr.ir.target}")
        g[pr.post_idx] = pr.vars["w"] * pr.pre.vars["r"][pr.pre_idx]

    def _spike_projection(self, pr, t):
        if pr.n == 0:
            return
        hist = pr.pre.spike_hist
        d = pr.delay
        lags = [int(d)] if np.ndim(d) == 0 else range(1, pr.ir.max_delay + 1)
        for lag in lags:
            spikers = hist[lag - 1] if lag - 1 < len(hist) else np.zeros(0, np.int64)
            if spikers.size == 0:
                continue
            idx = np.concatenate([pr.pre_order[pr.pre_ptr[i]:pr.pre_ptr[i + 1]] for i in spikers])
            if np.ndim(d) > 0:
                idx = idx[d[idx] == lag]
            if idx.size:
                self._events(pr, idx, pr.pre_spike, t, pre_event=True)

    def _events(self, pr, idx, statements, t, pre_event):
        if pr.event:
            delta = t - pr.vars["_last_event"][idx]
            ns = pr.namespace(idx, t)
            ns["_delta_t"] = delta
            new = [(name, _eval(code, ns)) for name, code in pr.event]
            for name, val in new:
                pr.store(name, idx, val, "local")
            pr.vars["_last_event"][idx] = t
        for target, code in statements:
            ns = pr.namespace(idx, t)
            for rd in pr.ir.randoms:
                ns[rd.symbol] = _draw(self.rng, rd.dist, rd.args, idx.size)
            if target == "g_target":
                if not pre_event:
                    raise SimulationError("g_target can only be changed in pre_spike")
                inc = np.broadcast_to(np.asarray(_eval(code, {**ns, "g_target": 0.0}), dtype=float), idx.shape)
                g = pr.post.vars.get("g_" + pr.ir.target)
                if g is None:
                    raise SimulationError(f"population {pr.post.ir.name!r} has no conductance g_{pr.ir.target}")
                np.add.at(g, pr.post_idx[idx], inc)
                continue
            val = np.broadcast_to(np.asarray(_eval(code, ns), dtype=float), idx.shape).copy()
            if target.startswith("_"):
                continue
            if pr.owner_locality(target) != "local":
                raise SimulationError(f"'{target}' is not a per-synapse variable; it cannot change on spikes",
                                      where=f"Projection '{pr.ir.name}'")
            pr.store(target, idx, val, "local")

    def _synapse_updates(self, pr, t):
        all_idx = np.arange(pr.n)
        temps = {}
        for target, code in pr.updates:
            loc = pr.owner_locality(target)
            ns = pr.namespace(all_idx if loc == "local" else None, t, locality=loc)
            ns.update({k: v for k, v in temps.items() if k.startswith("_")})
            for rd in pr.ir.randoms:
                ns[rd.symbol] = _draw(self.rng, rd.dist, rd.args, pr.n if loc == "local" else pr.post.n)
            val = _eval(code, ns)
            if target.startswith("_"):
                temps[target] = val
            else:
                pr.store(target, all_idx, np.asarray(val, dtype=float), loc)

    def _source_step(self, p):
        """Spikes of a SpikeSourceArray / rates of a TimedArray at this step (see ``codegen.ir``)."""
        ir, step = p.ir, self.step
        if ir.source == "timed_array":
            buf = p.source["buffer"]
            s = step % ir.source_period if ir.source_period > 0 else step
            p.vars["r"][:] = buf[min(s // ir.source_schedule, buf.shape[0] - 1)]
            return
        s = step % ir.source_period if ir.source_period > 0 else step
        steps = p.source["steps"]
        lo, hi = np.searchsorted(steps, s, "left"), np.searchsorted(steps, s, "right")
        p.spiked = p.source["ranks"][lo:hi].copy()
        p.spike_hist.insert(0, p.spiked)
        p.spike_hist.pop()

    def set_source(self, name, key, value):
        """Replace a special population's schedule (``steps``/``ranks`` or ``buffer``) at run time."""
        self.pops[name].source[key] = np.array(value, copy=True)

    def _update_population(self, p, t):
        ir = p.ir
        if ir.source:
            self._source_step(p)
            return
        p.compute_hoisted(t)
        ns = p.namespace(t)
        for rd in ir.randoms:   # population-wide statements draw one value (PopulationIR.global_randoms)
            ns[rd.symbol] = _draw(self.rng, rd.dist, rd.args, 1 if rd.symbol in ir.global_randoms else p.n)
        old = {k: p.vars[k].copy() for k in p.clamped} if ir.refractory is not None else {}
        for target, code in p.updates:
            val = _eval(code, ns)
            if target in p.vars:
                arr = p.vars[target]
                arr[...] = val
                ns[target] = arr
            else:
                ns[target] = val
        if ir.type == "spike":
            refractory = p.refr_left > 0
            if old and refractory.any():
                for k, v in old.items():
                    p.vars[k][refractory] = v[refractory]
            ns = p.namespace(t)
            cond = np.broadcast_to(np.asarray(_eval(p.spike_code, ns), dtype=bool), (p.n,))
            spiked = np.nonzero(cond & ~refractory)[0]
            p.refr_left[refractory] -= 1
            if spiked.size:
                for target, code in p.reset:
                    val = np.broadcast_to(np.asarray(_eval(code, ns), dtype=float), (p.n,))
                    p.vars[target][spiked] = val[spiked]
                    ns[target] = p.vars[target]
                if p.refr_code is not None:
                    # int(refractory / dt), truncated as ANNarchy does (0.3 / 0.1 -> 2 steps)
                    steps = np.broadcast_to(np.trunc(np.asarray(_eval(p.refr_code, ns), dtype=float) / self.dt),
                                            (p.n,)).astype(np.int64)
                    p.refr_left[spiked] = steps[spiked]
            p.spiked = spiked
            p.spike_hist.insert(0, spiked)
            p.spike_hist.pop()
        for name in ir.auto_reset:
            p.vars[name][:] = 0.0


def _available():
    return None


register_backend("numpy", NumpyBackend, _available, "NumPy reference backend (no compiler)")
